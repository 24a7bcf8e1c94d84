/**
 * Coarse-to-fine screening: coarse hits mark exactly the full-resolution tiles they reach, and on a
 * scene built from real imagery with a construction site in one corner, screening skips most
 * tiles and keeps what a full sweep finds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { detectChanges } from '../../../electron/engine/inference/detect.js';
import type { ModelCard } from '../../../electron/engine/inference/model-card.js';
import type { RunSession } from '../../../electron/engine/inference/session.js';
import {
  refinedShare,
  screenTiles,
  TileMarker,
} from '../../../electron/engine/inference/screening.js';
import { runRect } from '../../../electron/engine/inference/tile-crops.js';
import { tileAxes } from '../../../electron/engine/inference/tiling.js';
import { windowAxes } from '../../../electron/engine/inference/tile-rows.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { writeBenchScene } from '../../../scripts/bench-scene.js';
import { dataPath, hasData } from '../../helpers/data.js';
import { syntheticRaster } from '../../helpers/synthetic.js';

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

  it('crops each marked tile to its hits grown by the context, on steps of the multiple', () => {
    const m = new TileMarker(axes, 4, 0, 250);
    const rows = new Float32Array(250);
    rows[100] = 0.5; // full-res x 400–403 (y 200–203): tiles (0|1, 1|2)
    m.mark(50, rows, 0.3);
    const crops = m.crops(40, 32);
    // Tile (0, 1) spans x 192–447, y 0–255: hits x 400–404 ± 40 → 360–444, start down to 352,
    // 96 wide (ends at the tile's end, 448); y 200–204 ± 40 → 160–244 → 160 + 96.
    expect(runRect(axes, crops, 0, 1)).toEqual({ x: 352, y: 160, width: 96, height: 96 });
    // Tile (1, 2) spans x 384–639, y 192–447: local x 16–20 ± 40 → 0–60 → 0 + 64; y alike.
    expect(runRect(axes, crops, 1, 2)).toEqual({ x: 384, y: 192, width: 64, height: 64 });
    // Unmarked tiles have no crop; marked ones lie inside their tiles.
    expect(runRect(axes, crops, 3, 3)).toEqual({ x: 0, y: 0, width: 0, height: 0 });
    for (const [r, c] of [
      [0, 1],
      [0, 2],
      [1, 1],
      [1, 2],
    ]) {
      const t = runRect(axes, crops, r, c);
      expect(t.x).toBeGreaterThanOrEqual(axes.xs[c]);
      expect(t.x + t.width).toBeLessThanOrEqual(axes.xs[c] + axes.tileWidth);
      expect(t.y).toBeGreaterThanOrEqual(axes.ys[r]);
      expect(t.y + t.height).toBeLessThanOrEqual(axes.ys[r] + axes.tileHeight);
      expect((t.x - axes.xs[c]) % 32).toBe(0);
      expect(t.width % 32).toBe(0);
    }
    // Four crops of at most 96² against 25 tiles of 256².
    expect(refinedShare(axes, m.plan, crops)).toBeLessThanOrEqual((4 * 96 * 96) / (25 * 256 * 256));
    expect(refinedShare(axes, m.plan, null)).toBeCloseTo(4 / 25, 9);
  });

  it('ignores values under the threshold and NaN', () => {
    const m = new TileMarker(axes, 4, 64, 250);
    const rows = new Float32Array(500).fill(0.05);
    rows[3] = Number.NaN;
    m.mark(0, rows, 0.1);
    expect(m.plan.every((v) => v === 0)).toBe(true);
  });
});

describe('the coarse pass', () => {
  it("feeds the model the card's tiles, never one as large as the coarse level", async () => {
    // A 1280² window's coarse level is 320², a quarter larger than a 256 px tile: it once ran as
    // one 320² tile, which grew ONNX Runtime's arena past a full sweep's.
    const card = {
      bands: 3,
      inputs: { before: 'before', after: 'after' },
      outputs: { probability: 'prob' },
      normalization: { scale: 255, mean: [0.4, 0.4, 0.4], std: [0.2, 0.2, 0.2] },
      tile: { size: 256, overlap: 64, multipleOf: 32, trim: 0.25 },
    } as ModelCard;
    const seen: number[][] = [];
    const session: RunSession = {
      run: async (feeds) => {
        const dims = feeds.before.dims;
        seen.push([...dims]);
        const [, , h, w] = dims;
        return { prob: new ort.Tensor('float32', new Float32Array(h * w), [1, 1, h, w]) };
      },
    };
    const date = (name: string) =>
      syntheticRaster(name, 1280, 1280, 3, (x, y, b) => 100 + ((x * 3 + y * 5 + b) % 40));
    const window = { x: 0, y: 0, width: 1280, height: 1280 };
    const input = (name: string) => ({
      source: date(name),
      bands: [0, 1, 2],
      stretch: [null, null, null],
      dx: 0,
      dy: 0,
    });
    const { report } = await screenTiles({
      session,
      card,
      dates: [input('before'), input('after')],
      window,
      axes: windowAxes(card, 1280, 1280),
      scratchDir: mkdtempSync(join(tmpdir(), 'lw-coarse-')),
    });
    expect(report.coarseTiles).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(1);
    for (const [, bands, h, w] of seen) {
      expect(bands).toBe(3);
      expect(Math.max(h, w)).toBeLessThanOrEqual(card.tile.size);
    }
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
    // The scene's overviews at 1/4 give the coarse tiles directly (coarse-windows.ts).
    expect(screened.screening).toMatchObject({
      factor: 4,
      totalTiles: total,
      beforeOverview: 4,
      afterOverview: 4,
    });
    expect(screened.tiles?.skipped).toBeGreaterThanOrEqual(Math.floor(total / 2));
    // Kept tiles run cropped to where change may be: fewer model pixels than the kept tiles.
    const report = screened.screening;
    expect(report?.refinedShare).toBeLessThan((report?.activeTiles ?? 0) / total);
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
