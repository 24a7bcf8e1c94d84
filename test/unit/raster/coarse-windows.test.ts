/**
 * A coarse level computed window by window gives exactly the values of the level built whole:
 * every window (inside, across the edges, beyond them), every factor, with NaN, no-data values,
 * an alpha band, a window offset into the source and a height that is no multiple of the factor.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoarseWindows } from '../../../electron/engine/raster/coarse-windows.js';
import { MemoryRaster } from '../../../electron/engine/raster/memory-raster.js';
import { buildCoarseLevel } from '../../../electron/engine/raster/pyramid.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-coarse-windows-'));

/**
 * Three bands of noise with NaN and no-data patches and, with `alpha`, an alpha band (band 3)
 * with holes (without it, factor 1 takes the direct pass, smoothInto).
 */
function source(w: number, h: number, alpha: boolean): MemoryRaster {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const planes = Array.from({ length: 4 }, (_, b) => {
    const p = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (b === 3) p[i] = x > 50 && x < 70 && y > 20 && y < 45 ? 0 : 255;
        else if (x > 100 && x < 112 && y < 30) p[i] = Number.NaN;
        else if (x < 15 && y > 60 && y < 90) p[i] = 9999;
        else p[i] = Math.round(random() * 1000) / 4;
      }
    }
    return p;
  });
  const raster = new MemoryRaster('noise', w, h, planes);
  raster.info.nodata = 9999;
  raster.info.alphaBand = alpha ? 3 : null;
  return raster;
}

/** Equal values, NaN equal to NaN. */
function same(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  }
  return true;
}

describe('CoarseWindows', () => {
  it.each([true, false])(
    'gives the built level’s values for every window and factor (alpha %s)',
    async (alpha) => {
      const src = source(180, 150, alpha);
      // Offset into the source: the level's halo column reads real pixels left of the window, and
      // the window's right edge reads pixels beyond it, as the built level does.
      const window = { x: 8, y: 4, width: 163, height: 139 };
      const bands = [2, 0, 1];
      for (const factor of [1, 2, 4]) {
        const built = await buildCoarseLevel({
          source: src,
          bands,
          window,
          factor,
          path: join(dir, `level-${factor}-${alpha}.f32`),
        });
        const computed = new CoarseWindows({ source: src, bands, window, factor });
        const { width: cw, height: ch } = computed.info;
        expect([cw, ch]).toEqual([built.width, built.height]);
        const windows = [
          { x: 0, y: 0, width: cw, height: ch },
          { x: 3, y: 5, width: 17, height: 11 },
          { x: -4, y: -3, width: 12, height: 9 },
          { x: cw - 6, y: ch - 4, width: 13, height: 10 },
          { x: cw + 2, y: 0, width: 5, height: 5 },
          { x: 1, y: ch - 1, width: 1, height: 1 },
        ];
        for (const win of windows) {
          const want = await built.readWindow(win, [0, 1, 2]);
          const got = await computed.readWindow(win, [0, 1, 2]);
          for (let b = 0; b < 3; b++)
            expect(same(got[b], want[b]), `f ${factor} band ${b}`).toBe(true);
          // Reads into the caller's arrays too, in any band order, reusing the reader's scratch.
          const into = [
            new Float32Array(win.width * win.height),
            new Float32Array(win.width * win.height),
          ];
          await computed.readWindowInto(win, [2, 0], into);
          expect(same(into[0], want[2]) && same(into[1], want[0])).toBe(true);
        }
        // The patches are in the level: no-data, NaN and alpha 0 make NaN coarse pixels.
        const [whole] = await computed.readWindow({ x: 0, y: 0, width: cw, height: ch }, [0]);
        expect(whole.some(Number.isNaN)).toBe(true);
        built.dispose();
      }
    },
  );
});
