/**
 * What the round tests share: the built CLI run as users run it (with a private data home and work
 * folder), worker processes whose log lines can be awaited, and small bench pairs whose pasted
 * changes straddle the block borders of a 768 px job size.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findModel } from '../../../electron/engine/inference/model-registry.js';
import { tileAxes } from '../../../electron/engine/inference/tiling.js';
import { createGeoTiffWriter } from '../../../electron/engine/raster/geotiff-write.js';
import { blockGrid, tilesPerBlock } from '../../../electron/engine/round/block-plan.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { writeBenchScene } from '../../../scripts/bench-scene.js';
import { REPO, dataPath } from '../../helpers/data.js';

export const built = existsSync(join(REPO, 'dist', 'node', 'landwatch.js'));
/** 1280² px: 2 × 2 tiles of the default model's 768 px (128 px overlap): 2 × 2 blocks. */
export const SIZE = 1280;
export const JOB_SIZE = 768;

/** The default model's tile grid over a SIZE² pair. */
export function pairAxes() {
  const { tile } = findModel(undefined).card;
  return { axes: tileAxes(SIZE, SIZE, tile.size, tile.overlap), tile };
}

/** Jobs a SIZE² pair makes at `jobSize` with the default model. */
export function jobsPerPair(jobSize: number): number {
  const { axes, tile } = pairAxes();
  return blockGrid(axes, SIZE, SIZE, tilesPerBlock(jobSize, tile.size, tile.overlap)).length;
}
/** Seeds whose construction sites cross x = 768 or y = 768 (the block border). */
export const SEEDS = [41, 52];

export function cliEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, LANDWATCH_HOME: join(dir, 'home'), LANDWATCH_WORK: join(dir, 'work') };
}

/** `landwatch …` to completion. */
export function landwatch(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'landwatch.js'), ...args], {
    encoding: 'utf8',
    env: cliEnv(dir),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A `landwatch worker` process and its log so far. */
export interface WorkerProcess {
  child: ChildProcess;
  log: () => string;
  /** Resolves with the first match of `pattern` in the log (rejects after `ms`). */
  waitFor: (pattern: RegExp, ms: number) => Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startWorker(dir: string, redisUrl: string, ...extra: string[]): WorkerProcess {
  const child = spawn(
    process.execPath,
    [join(REPO, 'bin', 'landwatch.js'), 'worker', '--redis', redisUrl, ...extra],
    { env: cliEnv(dir), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let text = '';
  const waiters = new Set<() => void>();
  child.stderr?.on('data', (d: Buffer) => {
    text += d.toString();
    for (const w of waiters) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return {
    child,
    log: () => text,
    exited,
    waitFor: (pattern, ms) =>
      new Promise((done, fail) => {
        const check = () => {
          const m = pattern.exec(text);
          if (!m) return;
          waiters.delete(check);
          clearTimeout(timer);
          done(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          fail(new Error(`worker ${child.pid}: no ${pattern} within ${ms} ms; log:\n${text}`));
        }, ms);
        waiters.add(check);
        check();
      }),
  };
}

/** Writes the bench pairs and a pairs file naming them; returns the pairs file's path. */
export async function writePairs(dir: string): Promise<{ file: string; ids: string[] }> {
  const rows = ['id,before,after'];
  const ids: string[] = [];
  for (const seed of SEEDS) {
    const sub = join(dir, `scene-${seed}`);
    mkdirSync(sub, { recursive: true });
    const scene = await writeBenchScene(dataPath('geotiff', 'vhr', 'dop-rgb.tif'), sub, SIZE, seed);
    ids.push(`s${seed}`);
    rows.push(`s${seed},${scene.before},${scene.after}`);
  }
  const file = join(dir, 'pairs.csv');
  writeFileSync(file, `${rows.join('\n')}\n`);
  return { file, ids };
}

/** A copy of an RGB GeoTIFF moved `dx` metres east: a date that overlaps nothing of the original. */
export async function writeShifted(source: string, out: string, dx: number): Promise<string> {
  const src = await RasterSource.open(source);
  const { width, height, geoTransform, geoKeyTags } = src.info;
  const planes = await src.readWindow({ x: 0, y: 0, width, height }, [0, 1, 2]);
  src.close();
  const writer = await createGeoTiffWriter(out, {
    width,
    height,
    bands: 3,
    sampleFormat: 'uint8',
    photometric: 'rgb',
    geoTransform: [geoTransform[0] + dx, ...geoTransform.slice(1)] as typeof geoTransform,
    geoKeys: {
      copyFrom: {
        geoKeyDirectory: geoKeyTags.directory,
        doubleParams: geoKeyTags.doubleParams,
        asciiParams: geoKeyTags.asciiParams,
      },
    },
    overwrite: true,
  });
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++)
    for (let b = 0; b < 3; b++) pixels[i * 3 + b] = planes[b][i];
  await writer.writeRows(pixels);
  await writer.close();
  return out;
}
