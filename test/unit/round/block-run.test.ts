/**
 * A block job in-process: it writes exactly its core's pixels, and it refuses to run when the
 * dates it reads no longer give the scene-wide radiometry the round was made with (a date
 * replaced after `round create`), naming both files; the blocks of a screened pair, run with the
 * pair's plan and crops, give exactly the probability of a screened `detect`.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectChanges } from '../../../electron/engine/inference/detect.js';
import { windowAxes } from '../../../electron/engine/inference/tile-rows.js';
import { unpackPlan } from '../../../electron/engine/inference/tile-crops.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { blockGrid } from '../../../electron/engine/round/block-plan.js';
import { runBlock, screenPair } from '../../../electron/engine/round/block-run.js';
import { planRound } from '../../../electron/engine/round/round-create.js';
import { pairDetectParams, type RoundSpec } from '../../../electron/engine/round/round-spec.js';
import { writeBenchScene } from '../../../scripts/bench-scene.js';
import { dataPath, hasData } from '../../helpers/data.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-block-'));

describe.skipIf(!hasData)('runBlock', () => {
  let spec: RoundSpec;
  let scene: Awaited<ReturnType<typeof writeBenchScene>>;
  beforeAll(async () => {
    // 1280² px: 2 × 2 tiles of the default model's 768 px; 384 px jobs give 2 × 2 blocks.
    scene = await writeBenchScene(dataPath('geotiff', 'vhr', 'dop-rgb.tif'), dir, 1280, 7);
    const pairs = join(dir, 'pairs.csv');
    writeFileSync(pairs, `${scene.before},${scene.after}\n`);
    spec = await planRound({
      name: 'b',
      pairsFile: pairs,
      outDir: join(dir, 'out'),
      jobSize: 384,
      minArea: 0,
      stretch: 'auto',
      matchRadiometry: true,
      screening: false,
    });
  });
  const options = { device: 'cpu' as const, plan: null };

  it('writes one byte per core pixel', async () => {
    const pair = spec.pairs[0];
    expect([pair.blockRows, pair.blockCols]).toEqual([2, 2]);
    const result = await runBlock(spec, { round: 'b', pair: 'p1', row: 1, col: 0 }, options);
    expect(statSync(result.path).size).toBe(result.pixels);
    expect(result.tilesRun).toBeGreaterThan(0);
  }, 60_000);

  it('refuses dates whose radiometry differs from the round’s', async () => {
    const pair = spec.pairs[0];
    const [before, after] = pair.radiometry!;
    const moved = { ...after, linear: after.linear.map(() => ({ gain: 1.5, offset: 3 })) };
    const changed = { ...spec, pairs: [{ ...pair, radiometry: [before, moved] }] };
    await expect(
      runBlock(changed, { round: 'b', pair: 'p1', row: 0, col: 0 }, options),
    ).rejects.toThrow(/bench-1280-(before|after)\.tif is not what the round was created from/);
  });

  it('runs a screened pair’s crops, giving the probability of a screened detect', async () => {
    const screened = { ...spec, pairs: spec.pairs.map((p) => ({ ...p, screening: true })) };
    const packed = await screenPair(screened, 'p1', { device: 'cpu' });
    const { plan, crops } = unpackPlan(packed, 4);
    expect(plan).toHaveLength(4);
    expect(crops).not.toBeNull();
    const pair = screened.pairs[0];
    const probability = new Uint8Array(1280 * 1280);
    // The detection a round stands for: the pair's own parameters.
    const params = pairDetectParams(screened, pair);
    const run = await detectChanges({ ...params, device: 'cpu', workDir: join(dir, 'detect') });
    const axes = windowAxes(run.model, 1280, 1280);
    for (const b of blockGrid(axes, 1280, 1280, pair.perBlock)) {
      const job = { round: 'b', pair: 'p1', row: b.row, col: b.col };
      const result = await runBlock(screened, job, { device: 'cpu', plan: packed });
      const core = readFileSync(result.path);
      for (let y = 0; y < b.core.height; y++)
        probability.set(
          core.subarray(y * b.core.width, (y + 1) * b.core.width),
          (b.core.y + y) * 1280 + b.core.x,
        );
    }
    const src = await RasterSource.open(run.probabilityPath as string);
    const [band] = await src.readWindow({ x: 0, y: 0, width: 1280, height: 1280 }, [0]);
    src.close();
    let differing = 0;
    for (let i = 0; i < band.length; i++) if (band[i] !== probability[i]) differing++;
    expect(differing).toBe(0);
  }, 120_000);
});
