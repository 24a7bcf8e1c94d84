/**
 * A block job in-process: it writes exactly its core's pixels, and it refuses to run when the
 * dates it reads no longer give the scene-wide radiometry the round was made with (a date
 * replaced after `round create`), naming both files.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBlock } from '../../../electron/engine/round/block-run.js';
import { planRound } from '../../../electron/engine/round/round-create.js';
import type { RoundSpec } from '../../../electron/engine/round/round-spec.js';
import { writeBenchScene } from '../../../scripts/bench-scene.js';
import { dataPath, hasData } from '../../helpers/data.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-block-'));

describe.skipIf(!hasData)('runBlock', () => {
  let spec: RoundSpec;
  beforeAll(async () => {
    // 1280² px: 2 × 2 tiles of the default model's 768 px; 384 px jobs give 2 × 2 blocks.
    const scene = await writeBenchScene(dataPath('geotiff', 'vhr', 'dop-rgb.tif'), dir, 1280, 7);
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
});
