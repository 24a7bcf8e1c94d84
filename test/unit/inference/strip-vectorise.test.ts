/**
 * The strip vectoriser gives exactly the polygons of the whole-raster vectoriser, however the
 * raster is cut into strips, and cuts only components taller than its limit.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanSparse } from '../../../electron/engine/inference/sparse-morphology.js';
import {
  vectoriseStrips,
  type ProbabilityRows,
} from '../../../electron/engine/inference/strip-vectorise.js';
import { closing, opening } from '../../../electron/engine/vector/morphology.js';
import { vectorise, type PolygonizeOptions } from '../../../electron/engine/vector/polygonize.js';

const scratch = mkdtempSync(join(tmpdir(), 'lw-strips-'));

/** Smooth random blobs: sums of a few Gaussian bumps plus fine noise, in 0–1. */
function blobs(w: number, h: number, seed: number, count: number): Float32Array {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const bumps = Array.from({ length: count }, () => ({
    x: rnd() * w,
    y: rnd() * h,
    r: 2 + rnd() * 9,
  }));
  const p = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 0.15 * rnd();
      for (const b of bumps) v += Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r));
      p[y * w + x] = Math.min(1, v);
    }
  }
  return p;
}

function rowsOf(p: Float32Array, width: number, height: number): ProbabilityRows {
  return {
    width,
    height,
    read: async (y0, y1) => p.slice(y0 * width, y1 * width),
  };
}

const base: PolygonizeOptions = {
  threshold: 0.5,
  minAreaM2: 30,
  geoTransform: [500000, 2, 0, 4000000, 0, -2],
  geographic: false,
  metresPerUnit: 1,
};

describe('vectoriseStrips', () => {
  it.each([
    [157, 203, 1, 7],
    [120, 97, 2, 5],
    [64, 300, 3, 11],
    [200, 150, 4, 150],
  ])(
    '%i×%i (seed %i) in %i-row strips equals the whole-raster result',
    async (w, h, seed, rows) => {
      const p = blobs(w, h, seed, Math.round((w * h) / 400));
      const whole = vectorise(p, w, h, base);
      const masks: Uint8Array[] = [];
      const strips = await vectoriseStrips(rowsOf(p, w, h), {
        ...base,
        scratchDir: scratch,
        stripRows: rows,
        maxStrips: 1000,
        onMaskRows: (_y, m) => {
          masks.push(m.slice());
        },
      });
      expect(whole.polygons.length).toBeGreaterThan(3);
      expect(strips.polygons).toEqual(whole.polygons);
      const mask = new Uint8Array(w * h);
      let o = 0;
      for (const m of masks) {
        mask.set(m, o);
        o += m.length;
      }
      expect(Array.from(mask, (v) => (v ? 1 : 0))).toEqual(Array.from(whole.mask));
      expect(strips.keptPixels).toBe(whole.mask.reduce((s, v) => s + v, 0));
    },
  );

  it.each([
    [157, 203, 5, 7],
    [301, 64, 6, 9],
    // Reads shorter than two words.
    [3, 90, 7, 1],
  ])(
    '%i×%i (seed %i) read as stored bytes (zeros between changes) equals the whole raster',
    async (w, h, seed, rows) => {
      // Bytes as a screened run stores them: exact zeros away from the changes.
      const table = Float32Array.from({ length: 256 }, (_, v) => v / 255);
      const bytes = Uint8Array.from(
        blobs(w, h, seed, Math.max(4, Math.round((w * h) / 900))),
        (v) => (v < 0.3 ? 0 : Math.round(v * 255)),
      );
      const p = Float32Array.from(bytes, (v) => table[v]);
      const whole = vectorise(p, w, h, base);
      const src: ProbabilityRows = {
        ...rowsOf(p, w, h),
        bytes: {
          table,
          // Views at odd byte offsets, as a reader's cached block rows give them.
          read: async (y0, y1) => {
            const store = new Uint8Array((y1 - y0) * w + 3);
            store.set(bytes.subarray(y0 * w, y1 * w), 1);
            return store.subarray(1, 1 + (y1 - y0) * w);
          },
        },
      };
      const strips = await vectoriseStrips(src, {
        ...base,
        scratchDir: scratch,
        stripRows: rows,
        maxStrips: 1000,
      });
      expect(whole.polygons.length).toBeGreaterThan(0);
      expect(strips.polygons).toEqual(whole.polygons);
      expect(strips.keptPixels).toBe(whole.mask.reduce((s, v) => s + v, 0));
    },
  );

  it('cuts a component taller than the limit into pieces that keep every pixel', async () => {
    const w = 40;
    const h = 90;
    const p = new Float32Array(w * h);
    // A serpent crossing every strip, and a small blob that stays whole.
    for (let y = 2; y < 88; y++) for (let x = 10; x < 16; x++) p[y * w + x] = 0.9;
    for (let y = 40; y < 48; y++) for (let x = 25; x < 33; x++) p[y * w + x] = 0.9;
    const whole = vectorise(p, w, h, { ...base, minAreaM2: 0 });
    const cut = await vectoriseStrips(rowsOf(p, w, h), {
      ...base,
      minAreaM2: 0,
      scratchDir: scratch,
      stripRows: 10,
      maxStrips: 2,
    });
    expect(whole.polygons).toHaveLength(2);
    expect(cut.notes[0]).toMatch(/1 change region\(s\) taller than 20 rows were cut/);
    expect(cut.polygons.length).toBeGreaterThan(2);
    const pixels = (ps: typeof cut.polygons) => ps.reduce((s, q) => s + q.pixelCount, 0);
    expect(pixels(cut.polygons)).toBe(pixels(whole.polygons));
    const area = (ps: typeof cut.polygons) => ps.reduce((s, q) => s + q.areaM2, 0);
    expect(area(cut.polygons)).toBeCloseTo(area(whole.polygons), 6);
    expect(cut.polygons).toContainEqual(whole.polygons[1]);
  });
});

describe('cleanSparse', () => {
  it('equals full-width closing then opening on sparse random masks', () => {
    let s = 11;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const [w, h, radii] of [
      [300, 40, [1, 1]],
      [257, 33, [2, 1]],
      [90, 20, [1, 0]],
    ] as const) {
      for (let trial = 0; trial < 5; trial++) {
        const mask = new Uint8Array(w * h);
        for (let k = 0; k < 6; k++) {
          const x0 = Math.floor(rnd() * w);
          const y0 = Math.floor(rnd() * h);
          for (let y = y0; y < Math.min(h, y0 + 1 + rnd() * 6); y++)
            for (let x = x0; x < Math.min(w, x0 + 1 + rnd() * 8); x++)
              mask[y * w + x] = rnd() < 0.85 ? 1 : 0;
        }
        let full = radii[0] > 0 ? closing(mask, w, h, radii[0]) : mask;
        if (radii[1] > 0) full = opening(full, w, h, radii[1]);
        const cleaned = cleanSparse(mask, w, h, radii[0], radii[1]);
        expect(cleaned.mask).toEqual(full);
        // Every foreground pixel lies in the column runs it reports.
        const inRuns = new Uint8Array(w);
        for (let j = 0; j < cleaned.columns.length; j += 2)
          inRuns.fill(1, cleaned.columns[j], cleaned.columns[j + 1]);
        for (let i = 0; i < full.length; i++) if (full[i]) expect(inRuns[i % w]).toBe(1);
      }
    }
  });
});
