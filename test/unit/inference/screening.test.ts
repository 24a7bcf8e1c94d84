/**
 * Coarse-to-fine screening: coarse hits mark exactly the full-resolution tiles they reach, and on a
 * scene built from real imagery with a construction site in one corner, screening skips most
 * tiles and keeps what a full sweep finds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectChanges } from '../../../electron/engine/inference/detect.js';
import { TileMarker } from '../../../electron/engine/inference/screening.js';
import { tileAxes } from '../../../electron/engine/inference/tiling.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { writeBenchScene } from '../../../scripts/bench-scene.js';
import { dataPath, hasData } from '../../helpers/data.js';

describe('TileMarker', () => {
  // 1000 px with 256-px tiles overlapping 64: tiles start at 0, 192, 384, 576, 744.
  const axes = tileAxes(1000, 1000, 256, 64);

  it('marks the tiles a coarse hit reaches, grown by the margin', () => {
    const m = new TileMarker(axes, 4, 0, 250);
    const rows = new Float32Array(250);
    rows[100] = 0.5; // full-res x 400–403: tiles starting at 192 and 384
    m.mark(50, rows, 0.3); // full-res y 200–203: tiles starting at 0 and 192
    const on = [...m.plan].flatMap((v, i) => (v ? [[Math.floor(i / 5), i % 5]] : []));
    expect(on).toEqual([
      [0, 1],
      [0, 2],
      [1, 1],
      [1, 2],
    ]);
    const wide = new TileMarker(axes, 4, 200, 250);
    wide.mark(50, rows, 0.3);
    expect(wide.plan.reduce((s, v) => s + v, 0)).toBe(12);
  });

  it('ignores values under the threshold and NaN', () => {
    const m = new TileMarker(axes, 4, 64, 250);
    const rows = new Float32Array(500).fill(0.05);
    rows[3] = Number.NaN;
    m.mark(0, rows, 0.1);
    expect(m.plan.every((v) => v === 0)).toBe(true);
  });
});

describe.skipIf(!hasData)('screening on a scene from real imagery', () => {
  it('skips tiles without change and loses no changed pixel of the full sweep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-screen-'));
    const scene = await writeBenchScene(dataPath('geotiff', 'vhr', 'dop-rgb.tif'), dir, 1536, 7);
    const run = (screening: boolean) =>
      detectChanges({
        beforePath: scene.before,
        afterPath: scene.after,
        device: 'cpu',
        screening,
        workDir: join(dir, screening ? 'screened' : 'full'),
      });
    const full = await run(false);
    const screened = await run(true);
    expect(full.screening).toBeNull();
    // The default model's tile grid over the 1536² scene.
    const { tile } = full.model;
    const axes = tileAxes(1536, 1536, tile.size, tile.overlap);
    const total = axes.xs.length * axes.ys.length;
    expect(full.tiles).toMatchObject({ total, run: total, skipped: 0 });
    expect(screened.screening).toMatchObject({ factor: 4, totalTiles: total });
    expect(screened.tiles?.skipped).toBeGreaterThanOrEqual(Math.floor(total / 2));
    expect(screened.notes.join('\n')).toContain(`of ${total} tiles`);
    expect(screened.notes.join('\n')).toMatch(/screened at 1\/4 resolution: \d+ of \d+ tiles/);
    const masks = await Promise.all(
      [full, screened].map(async (r) => {
        const src = await RasterSource.open(r.maskPath as string);
        const [m] = await src.readWindow({ x: 0, y: 0, width: 1536, height: 1536 }, [0]);
        src.close();
        return m;
      }),
    );
    let changed = 0;
    let lost = 0;
    for (let i = 0; i < masks[0].length; i++) {
      if (!masks[0][i]) continue;
      changed++;
      if (!masks[1][i]) lost++;
    }
    expect(changed).toBeGreaterThan(500);
    expect(lost / changed).toBeLessThanOrEqual(0.01);
  }, 180_000);
});
