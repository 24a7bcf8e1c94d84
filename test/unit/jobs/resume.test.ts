/**
 * Jobs survive crashes and cancels: a detection killed in the middle of a tile row (SIGKILL, no
 * cleanup) resumes in a worker thread from its per-tile-row checkpoint without recomputing any
 * finished tile, and ends with exactly the probability of an uninterrupted run; a cancel stops the
 * worker within a second and the next run continues where it stopped, also a screened run whose
 * tiles run cropped (the crops come back from the run record).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAbort } from '../../../electron/engine/errors.js';
import { runDetectJob } from '../../../electron/engine/jobs/run-detect-job.js';
import { findModel } from '../../../electron/engine/inference/model-registry.js';
import { fittedAxes } from '../../../electron/engine/inference/tiling.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { writeBenchScene, type BenchScene } from '../../../scripts/bench-scene.js';
import { REPO, dataPath, hasData } from '../../helpers/data.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-resume-'));
const SIZE = 1536;
// The default model's tile grid over the scene (3 × 3 tiles of 608 px, fitted from 768 px with 128 px overlap).
const { tile } = findModel(undefined).card;
const axes = fittedAxes(SIZE, SIZE, tile.size, tile.overlap, tile.multipleOf);
const COLS = axes.xs.length;
const TOTAL = COLS * axes.ys.length;

async function pixels(path: string): Promise<Float32Array> {
  const src = await RasterSource.open(path);
  const [band] = await src.readWindow({ x: 0, y: 0, width: SIZE, height: SIZE }, [0]);
  src.close();
  return band;
}

/** A detection in its own process that kills itself (SIGKILL) 2 tiles into tile row 1. */
function crashRun(scene: BenchScene, workDir: string, env: NodeJS.ProcessEnv = process.env) {
  const script = join(REPO, 'test/unit/jobs/fixtures/crash-child.ts');
  const args = [script, scene.before, scene.after, workDir, String(COLS + 2)];
  return spawnSync(process.execPath, ['--import', 'tsx', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env,
  });
}

describe.skipIf(!hasData)('resume and cancel', () => {
  let scene: BenchScene;
  let reference: Float32Array;
  beforeAll(async () => {
    scene = await writeBenchScene(dataPath('geotiff', 'vhr', 'dop-rgb.tif'), dir, SIZE, 7);
    const clean = await runDetectJob({
      beforePath: scene.before,
      afterPath: scene.after,
      device: 'cpu',
      screening: false,
      workDir: join(dir, 'clean'),
    });
    expect(clean.tiles).toEqual({ total: TOTAL, run: TOTAL, skipped: 0, resumed: 0 });
    reference = await pixels(clean.probabilityPath as string);
  }, 180_000);

  /** The run in `workDir` continued in a worker thread; its probability must be the reference's. */
  async function resumeRun(workDir: string) {
    const resumed = await runDetectJob({
      beforePath: scene.before,
      afterPath: scene.after,
      device: 'cpu',
      screening: false,
      workDir,
    });
    const got = await pixels(resumed.probabilityPath as string);
    let differing = 0;
    for (let i = 0; i < got.length; i++) if (got[i] !== reference[i]) differing++;
    expect(differing).toBe(0);
    return resumed;
  }

  it('resumes a killed run from its checkpoint without recomputing finished tiles', async () => {
    const workDir = join(dir, 'crashed');
    const child = crashRun(scene, workDir);
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const record = JSON.parse(readFileSync(join(workDir, 'run.json'), 'utf8'));
    // Tile row 0 was checkpointed; 2 tiles of row 1 were lost with the process.
    expect(record).toMatchObject({ nextRow: 1, tilesRun: COLS, complete: false });
    expect(existsSync(join(workDir, 'lock'))).toBe(true);

    const resumed = await resumeRun(workDir);
    expect(resumed.tiles).toEqual({ total: TOTAL, run: TOTAL - COLS, skipped: 0, resumed: COLS });
    expect(resumed.notes.join('\n')).toContain(
      `resumed: ${COLS} finished tiles taken from the checkpoint`,
    );
    expect(existsSync(join(workDir, 'lock'))).toBe(false);
  }, 180_000);

  it('resumes a killed run whose blending band spilled to disk, to the same bits', async () => {
    // A band budget of 1 MB: the 1536 px wide band (4.7 MB) keeps 4 chunks of 256 columns in
    // memory and the rest in the work folder (band-store.ts), in the killed run and the resumed.
    const workDir = join(dir, 'crashed-spilled');
    const env = { ...process.env, LANDWATCH_BAND_MEMORY_MB: '1' };
    const child = crashRun(scene, workDir, env);
    expect(child.signal, child.stderr).toBe('SIGKILL');
    // The killed run's spilled sums are still there.
    expect(readdirSync(workDir).filter((f) => f.startsWith('band-sums-'))).toHaveLength(1);
    process.env.LANDWATCH_BAND_MEMORY_MB = '1';
    try {
      const resumed = await resumeRun(workDir);
      expect(resumed.tiles).toMatchObject({ run: TOTAL - COLS, resumed: COLS });
    } finally {
      delete process.env.LANDWATCH_BAND_MEMORY_MB;
    }
    // Its own scratch file went when the run ended; the killed run's when the folder opened.
    expect(readdirSync(workDir).filter((f) => f.startsWith('band-sums-'))).toEqual([]);
  }, 180_000);

  it('cancels within a second, and the next run continues from the checkpoint', async () => {
    const workDir = join(dir, 'cancelled');
    const controller = new AbortController();
    let abortedAt = 0;
    const job = runDetectJob(
      {
        beforePath: scene.before,
        afterPath: scene.after,
        device: 'cpu',
        screening: false,
        workDir,
      },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'infer' && p.done >= COLS + 1 && !abortedAt) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      },
    );
    const error = await job.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbort(error)).toBe(true);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    const again = await runDetectJob({
      beforePath: scene.before,
      afterPath: scene.after,
      device: 'cpu',
      screening: false,
      workDir,
    });
    expect(again.tiles?.resumed).toBeGreaterThanOrEqual(COLS);
    expect((again.tiles?.resumed ?? 0) + (again.tiles?.run ?? 0)).toBe(TOTAL);
    const got = await pixels(again.probabilityPath as string);
    expect(got.every((v, i) => v === reference[i])).toBe(true);
  }, 180_000);

  it('continues a cancelled screened run with its saved crops, to the same probability', async () => {
    // Seed 3 places changes in 5 of the 9 tiles (seed 7's reach one).
    const seedDir = join(dir, 'seed-3');
    mkdirSync(seedDir);
    const changed = await writeBenchScene(
      dataPath('geotiff', 'vhr', 'dop-rgb.tif'),
      seedDir,
      SIZE,
      3,
    );
    const run = (workDir: string, signal?: AbortSignal, onDone?: (done: number) => void) =>
      runDetectJob(
        {
          beforePath: changed.before,
          afterPath: changed.after,
          device: 'cpu',
          screening: true,
          workDir,
        },
        { signal, onProgress: (p) => (p.phase === 'infer' ? onDone?.(p.done) : undefined) },
      );
    const whole = await run(join(dir, 'screened-whole'));
    const screenedReference = await pixels(whole.probabilityPath as string);
    // The cancel below lands between tiles only when screening keeps several.
    expect(whole.tiles?.run).toBeGreaterThanOrEqual(3);
    const workDir = join(dir, 'screened-cancelled');
    const controller = new AbortController();
    const error = await run(workDir, controller.signal, (done) => {
      if (done >= 2) controller.abort();
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbort(error)).toBe(true);
    const record = JSON.parse(readFileSync(join(workDir, 'run.json'), 'utf8'));
    expect(typeof record.crops).toBe('string');
    const again = await run(workDir);
    expect((again.tiles?.resumed ?? 0) + (again.tiles?.run ?? 0)).toBe(whole.tiles?.run);
    const got = await pixels(again.probabilityPath as string);
    expect(got.every((v, i) => v === screenedReference[i])).toBe(true);
  }, 180_000);
});
