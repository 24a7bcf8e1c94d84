/**
 * The coarse pyramid level: a Gaussian low-pass sampled every `factor` pixels, built in blocks with
 * bounded memory; constant and linear images keep their values, no-data and alpha stay no-data.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryRaster } from '../../../electron/engine/raster/memory-raster.js';
import { buildCoarseLevel, coarseSize } from '../../../electron/engine/raster/pyramid.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-pyramid-'));

function raster(w: number, h: number, f: (x: number, y: number, b: number) => number, bands = 2) {
  const planes = Array.from({ length: bands }, (_, b) => {
    const p = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) p[y * w + x] = f(x, y, b);
    return p;
  });
  return new MemoryRaster('test', w, h, planes);
}

describe('buildCoarseLevel', () => {
  it('keeps a linear ramp at the coarse pixel centres, across block and chunk borders', async () => {
    // Wider than one 2048-column block and taller than one 256-row chunk.
    const w = 2300;
    const h = 600;
    const src = raster(w, h, (x, y, b) => 3 * x + 2 * y + 100 * b);
    for (const factor of [2, 4, 8]) {
      const level = await buildCoarseLevel({
        source: src,
        bands: [1, 0],
        window: { x: 0, y: 0, width: w, height: h },
        factor,
        path: join(dir, `ramp-${factor}.f32`),
      });
      const size = coarseSize(w, h, factor);
      expect([level.width, level.height]).toEqual([size.width, size.height]);
      const [b1, b0] = await level.readWindow({ x: 0, y: 0, ...size }, [0, 1]);
      const c = (factor - 1) / 2;
      // Away from the edges (where taps fall outside and are renormalised) the ramp is exact.
      for (let cy = 3; cy < size.height - 3; cy += 7) {
        for (let cx = 3; cx < size.width - 3; cx += 11) {
          const x = cx * factor + c;
          const y = cy * factor + c;
          expect(b0[cy * size.width + cx]).toBeCloseTo(3 * x + 2 * y, 2);
          expect(b1[cy * size.width + cx]).toBeCloseTo(3 * x + 2 * y + 100, 2);
        }
      }
      level.dispose();
    }
  });

  it('window offsets read the right part of the source', async () => {
    const src = raster(400, 300, (x, y) => x * 1000 + y, 1);
    const level = await buildCoarseLevel({
      source: src,
      bands: [0],
      window: { x: 100, y: 40, width: 200, height: 160 },
      factor: 4,
      path: join(dir, 'offset.f32'),
    });
    const [v] = await level.readWindow({ x: 10, y: 10, width: 1, height: 1 }, [0]);
    expect(v[0]).toBeCloseTo((100 + 10 * 4 + 1.5) * 1000 + (40 + 10 * 4 + 1.5), 1);
    level.dispose();
  });

  it('marks coarse pixels that are mostly no-data, or outside the source, as NaN', async () => {
    const src = raster(256, 256, (x) => (x < 128 ? Number.NaN : 50), 1);
    const level = await buildCoarseLevel({
      source: src,
      bands: [0],
      window: { x: 0, y: 0, width: 256, height: 256 },
      factor: 4,
      path: join(dir, 'nodata.f32'),
    });
    const [v] = await level.readWindow({ x: 0, y: 20, width: 64, height: 1 }, [0]);
    expect(Number.isNaN(v[10])).toBe(true);
    expect(v[40]).toBeCloseTo(50, 5);
    level.dispose();
  });

  it('smooths like a Gaussian: a one-pixel spike spreads over the neighbouring coarse pixels', async () => {
    const src = raster(64, 64, (x, y) => (x === 30 && y === 30 ? 1600 : 0), 1);
    const level = await buildCoarseLevel({
      source: src,
      bands: [0],
      window: { x: 0, y: 0, width: 64, height: 64 },
      factor: 4,
      path: join(dir, 'spike.f32'),
    });
    const [v] = await level.readWindow({ x: 6, y: 6, width: 3, height: 3 }, [0]);
    // Box mean 100 at (7, 7), then [1 2 1]/4 across and down.
    expect(Array.from(v)).toEqual([6.25, 12.5, 6.25, 12.5, 25, 12.5, 6.25, 12.5, 6.25]);
    level.dispose();
  });
});
