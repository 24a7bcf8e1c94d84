import { describe, expect, it } from 'vitest';
import { US_SURVEY_FOOT_M, ringArea } from '../../../electron/engine/vector/geo.js';
import { maskFromProbability, polygonize } from '../../../electron/engine/vector/polygonize.js';
import type { PolygonizeOptions } from '../../../electron/engine/vector/polygonize.js';
import { isValidPolygon } from '../../../electron/engine/vector/simplify.js';
import { rng } from './fixtures.js';

const W = 200;
const H = 150;

/**
 * Synthetic change probabilities: low noise with isolated bright specks, a rectangle with a
 * pinhole, a ring-shaped disk, a 3x3 square (too small), a rectangle cut by the raster corner,
 * and two blocks one pixel apart (joined by the closing).
 */
function scene(): Float32Array {
  const r = rng(42);
  const p = new Float32Array(W * H);
  for (let i = 0; i < p.length; i++) p[i] = r() * 0.3;
  for (let k = 0; k < 40; k++) p[Math.floor(r() * p.length)] = 0.9;
  const fill = (x0: number, y0: number, x1: number, y1: number, v: number): void => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) p[y * W + x] = v;
  };
  fill(10, 10, 30, 20, 0.8); // A: 20 x 10
  p[15 * W + 15] = 0.2; // pinhole in A
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = Math.hypot(x + 0.5 - 100, y + 0.5 - 60);
      if (d < 15) p[y * W + x] = d < 5 ? 0.1 : 0.95; // B: annulus
    }
  }
  fill(150, 20, 153, 23, 0.9); // C: 3 x 3
  fill(180, 130, 200, 150, 0.7); // D: in the bottom-right corner
  fill(40, 100, 50, 110, 0.85); // E1
  fill(51, 100, 60, 110, 0.85); // E2, one pixel to the right
  return p;
}

const base: PolygonizeOptions = {
  threshold: 0.5,
  minAreaM2: 5,
  geoTransform: [500000, 0.5, 0, 4000000, 0, -0.5],
  geographic: false,
  metresPerUnit: 1,
};

describe('maskFromProbability', () => {
  it('thresholds inclusively and never marks NaN', () => {
    const m = maskFromProbability(Float32Array.from([0, 0.5, 0.49, 1, NaN]), 0.5);
    expect(Array.from(m)).toEqual([0, 1, 0, 1, 0]);
  });
});

describe('polygonize', () => {
  const prob = scene();
  const polys = polygonize(prob, W, H, base);

  it('finds the changes, cleaned and filtered, in raster order', () => {
    // A (row 10), B (row 45), E (row 100), D (row 130); specks opened away, C under minArea.
    expect(polys).toHaveLength(4);
    const tops = polys.map((p) => (4000000 - p.bbox[3]) / 0.5);
    expect(tops).toEqual([10, 45, 100, 130]);
  });

  it('measures the rectangle exactly, pinhole closed', () => {
    const a = polys[0];
    expect(a.rings).toHaveLength(1);
    expect(a.pixelCount).toBe(200);
    expect(a.areaM2).toBeCloseTo(50, 9);
    expect(a.areaMu).toBeCloseTo(50 / (10000 / 15), 12);
    expect(a.perimeter).toBeCloseTo(30, 9);
    expect(a.bbox).toEqual([500005, 3999990, 500015, 3999995]);
    expect(a.maxProb).toBeCloseTo(0.8, 6);
    expect(a.meanProb).toBeCloseTo((199 * 0.8 + 0.2) / 200, 6);
  });

  it('keeps the annulus hole, oriented exterior CCW and hole CW in map space', () => {
    const b = polys[1];
    expect(b.rings).toHaveLength(2);
    expect(ringArea(b.rings[0])).toBeGreaterThan(0);
    expect(ringArea(b.rings[1])).toBeLessThan(0);
    const expected = Math.PI * (15 * 15 - 5 * 5) * 0.25;
    expect(Math.abs(b.areaM2 - expected) / expected).toBeLessThan(0.03);
    expect(Math.abs(b.areaM2 - b.pixelCount * 0.25) / b.areaM2).toBeLessThan(0.03);
    // Simplification (default half a pixel) removed most of the staircase corners.
    expect(b.rings[0].length).toBeLessThan(60);
  });

  it('joins blocks one pixel apart and keeps components cut by the border', () => {
    expect(polys[2].pixelCount).toBe(200);
    expect(polys[2].rings).toHaveLength(1);
    expect(polys[3].areaM2).toBeCloseTo(100, 9);
    expect(polys[3].bbox).toEqual([500090, 3999925, 500100, 3999935]);
  });

  it('returns valid, closed rings and is deterministic', () => {
    for (const p of polys) {
      expect(isValidPolygon(p.rings)).toBe(true);
      for (const ring of p.rings) expect(ring[0]).toEqual(ring[ring.length - 1]);
    }
    expect(polygonize(prob, W, H, base)).toEqual(polys);
  });

  it('is exact without simplification and keeps specks without opening', () => {
    const exact = polygonize(prob, W, H, { ...base, simplifyTolerance: 0 });
    for (const p of exact) expect(p.areaM2).toBeCloseTo(p.pixelCount * 0.25, 9);
    const raw = polygonize(prob, W, H, { ...base, openRadius: 0, closeRadius: 0, minAreaM2: 0 });
    expect(raw.length).toBeGreaterThan(40);
    const a = raw.find((p) => p.bbox[0] === 500005 && p.bbox[3] === 3999995);
    expect(a?.pixelCount).toBe(199); // the pinhole stays open without closing
    expect(a?.rings).toHaveLength(2);
  });

  it('measures geographic rasters on the ellipsoid', () => {
    const geo = polygonize(prob, W, H, {
      ...base,
      minAreaM2: 20,
      geographic: true,
      geoTransform: [116, 1e-5, 0, 40, 0, -1e-5],
    });
    expect(geo).toHaveLength(4);
    // 1e-5 degree at 40 N: 0.8528 m east-west x 1.1104 m north-south.
    const pixel = 0.85276 * 1.11035;
    expect(Math.abs(geo[0].areaM2 / (200 * pixel) - 1)).toBeLessThan(0.002);
    expect(Math.abs(geo[0].perimeter / (2 * 20 * 0.85276 + 2 * 10 * 1.11035) - 1)).toBeLessThan(
      0.005,
    );
  });

  it('converts a feet-based CRS to square metres', () => {
    const ft = polygonize(prob, W, H, {
      ...base,
      geoTransform: [1e6, 2, 0, 5e5, 0, -2],
      metresPerUnit: US_SURVEY_FOOT_M,
    });
    expect(ft[0].areaM2).toBeCloseTo(200 * 4 * US_SURVEY_FOOT_M ** 2, 6);
  });

  it('validates its inputs', () => {
    expect(() => polygonize(new Float32Array(10), 3, 3, base)).toThrow(RangeError);
    const badGt = {
      ...base,
      geoTransform: [0, 1, 0, 0] as unknown as PolygonizeOptions['geoTransform'],
    };
    expect(() => polygonize(new Float32Array(9), 3, 3, badGt)).toThrow(RangeError);
    expect(() => polygonize(new Float32Array(9), 3, 3, { ...base, metresPerUnit: 0 })).toThrow(
      RangeError,
    );
    expect(polygonize(new Float32Array(0), 0, 0, base)).toEqual([]);
  });
});
