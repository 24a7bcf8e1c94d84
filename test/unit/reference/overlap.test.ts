/**
 * Overlap areas and shares: holes excluded, features that overlap each other counted once,
 * touching is not overlapping, multipolygon patches, and lon/lat scenes measured on the ellipsoid.
 */
import { describe, expect, it } from 'vitest';
import { areaM2, overlapWith } from '../../../electron/engine/reference/overlap.js';
import { polygonAreaM2 } from '../../../electron/engine/vector/geo.js';

const sq = (x: number, y: number, w: number, h = w): number[][] => [
  [x, y],
  [x + w, y],
  [x + w, y + h],
  [x, y + h],
  [x, y],
];
const METRES = { geographic: false, metresPerUnit: 1 };

describe('overlapWith', () => {
  it('measures the part of the patch inside a feature, holes excluded', () => {
    const patch = [[sq(0, 0, 10)]];
    const plot = [[sq(0, 0, 15, 10), sq(2, 2, 2, 5).reverse()]];
    expect(overlapWith(patch, [plot], METRES)).toEqual({ areaM2: 90, share: 0.9 });
  });

  it('counts ground covered by overlapping features once', () => {
    const patch = [[sq(0, 0, 10)]];
    const zoneA = [[sq(-5, -5, 12, 20)]]; // covers x < 7
    const zoneB = [[sq(5, -5, 20, 20)]]; // covers x > 5
    expect(overlapWith(patch, [zoneA, zoneB], METRES)).toEqual({ areaM2: 100, share: 1 });
    const half = [[sq(0, 0, 5, 10)]];
    const third = [[sq(0, 0, 10, 10 / 3)]];
    const got = overlapWith(patch, [half, third], METRES)!;
    expect(got.areaM2).toBeCloseTo(50 + 5 * (10 / 3), 9);
  });

  it('sums the parts of a multipolygon patch and ignores features that only touch', () => {
    const patch = [[sq(0, 0, 10)], [sq(20, 0, 10)]];
    expect(areaM2(patch, METRES)).toBe(200);
    expect(overlapWith(patch, [[[sq(5, 0, 20, 10)]]], METRES)).toEqual({
      areaM2: 100,
      share: 0.5,
    });
    expect(overlapWith(patch, [[[sq(10, 0, 10, 10)]]], METRES)).toBeNull();
    expect(overlapWith(patch, [], METRES)).toBeNull();
  });

  it('measures lon/lat patches on the ellipsoid', () => {
    const units = { geographic: true, metresPerUnit: 111_319.49 };
    const patch = [[sq(117, 31, 0.001)]];
    const got = overlapWith(patch, [[[sq(117.0005, 30.9, 1)]]], units)!;
    expect(got.share).toBeCloseTo(0.5, 6);
    expect(got.areaM2).toBeCloseTo(polygonAreaM2(patch[0], units) / 2, 3);
    expect(got.areaM2).toBeGreaterThan(4_000); // about 95 m × 111 m / 2
  });
});
