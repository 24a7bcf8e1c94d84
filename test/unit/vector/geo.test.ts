import { describe, expect, it } from 'vitest';
import {
  AUTHALIC_RADIUS_M,
  INTERNATIONAL_FOOT_M,
  M2_PER_MU,
  US_SURVEY_FOOT_M,
  applyGeoTransform,
  geodesicRingAreaM2,
  haversineM,
  m2ToMu,
  polygonArea,
  polygonAreaM2,
  polygonPerimeter,
  polygonPerimeterM,
  ringArea,
  ringsBBox,
  toMap,
} from '../../../electron/engine/vector/geo.js';
import type { GeoTransform, Ring } from '../../../electron/engine/vector/geo.js';
import { isValidPolygon } from '../../../electron/engine/vector/simplify.js';
import { traceMask } from '../../../electron/engine/vector/trace.js';
import { art } from './fixtures.js';

/** Lon/lat cell [lon0, lon0 + dLon] x [lat0, lat0 + dLat], counter-clockwise. */
function cell(lon0: number, lat0: number, dLon: number, dLat: number): Ring {
  return [
    [lon0, lat0],
    [lon0 + dLon, lat0],
    [lon0 + dLon, lat0 + dLat],
    [lon0, lat0 + dLat],
    [lon0, lat0],
  ];
}

const donut = traceMask(art(['###', '#.#', '###']).mask, 3, 3)[0].rings;

describe('toMap', () => {
  it('maps pixel corners through a north-up transform and orients RFC 7946 style', () => {
    const gt: GeoTransform = [500000, 2, 0, 4000000, 0, -2];
    const rings = toMap(donut, gt);
    expect(rings[0][0]).toEqual([500000, 4000000]);
    expect(rings[0][1]).toEqual([500000, 3999994]);
    expect(ringArea(rings[0])).toBe(36);
    expect(ringArea(rings[1])).toBe(-4);
    expect(polygonArea(rings)).toBe(32);
    expect(ringsBBox(rings)).toEqual([500000, 3999994, 500006, 4000000]);
  });

  it('reverses rings when the transform does not flip (south-up)', () => {
    const rings = toMap(donut, [0, 1, 0, 0, 0, 1]);
    expect(ringArea(rings[0])).toBeGreaterThan(0);
    expect(ringArea(rings[1])).toBeLessThan(0);
    expect(rings[0][0]).toEqual(rings[0][rings[0].length - 1]);
  });

  it('handles rotated transforms and keeps validity', () => {
    const a = (30 * Math.PI) / 180;
    const gt: GeoTransform = [1000, Math.cos(a), Math.sin(a), 2000, Math.sin(a), -Math.cos(a)];
    const rings = toMap(donut, gt);
    expect(ringArea(rings[0])).toBeCloseTo(9, 9);
    expect(ringArea(rings[1])).toBeCloseTo(-1, 9);
    expect(isValidPolygon(rings)).toBe(true);
    expect(applyGeoTransform(gt, 1, 0)).toEqual([1000 + Math.cos(a), 2000 + Math.sin(a)]);
  });

  it('rejects a degenerate geotransform', () => {
    expect(() => toMap(donut, [0, 1, 0, 0, 0, 0])).toThrow(RangeError);
  });
});

describe('planar measures', () => {
  it('computes signed shoelace area, polygon area and perimeter', () => {
    const sq: Ring = [
      [0, 0],
      [3, 0],
      [3, 3],
      [0, 3],
      [0, 0],
    ];
    expect(ringArea(sq)).toBe(9);
    expect(ringArea([...sq].reverse())).toBe(-9);
    expect(polygonPerimeter(donut)).toBe(16);
    expect(
      ringArea([
        [0, 0],
        [1, 1],
      ]),
    ).toBe(0);
  });

  it('keeps precision with large projected coordinates', () => {
    const sq: Ring = [
      [6e6, 4e6],
      [6e6 + 0.5, 4e6],
      [6e6 + 0.5, 4e6 + 0.5],
      [6e6, 4e6 + 0.5],
      [6e6, 4e6],
    ];
    expect(ringArea(sq)).toBe(0.25);
  });

  it('converts feet-based CRSs to square metres and metres', () => {
    const sq: Ring = [
      [0, 0],
      [100, 0],
      [100, 100],
      [0, 100],
      [0, 0],
    ];
    const usFt = { geographic: false, metresPerUnit: US_SURVEY_FOOT_M };
    expect(US_SURVEY_FOOT_M).toBeCloseTo(0.3048006096, 10);
    expect(polygonAreaM2([sq], usFt)).toBeCloseTo(929.0341161, 6);
    expect(
      polygonAreaM2([sq], { geographic: false, metresPerUnit: INTERNATIONAL_FOOT_M }),
    ).toBeCloseTo(929.0304, 6);
    expect(polygonPerimeterM([sq], usFt)).toBeCloseTo(121.92024384, 8);
    expect(polygonAreaM2(donut, { geographic: false, metresPerUnit: 2 })).toBe(32);
  });

  it('converts square metres to mu', () => {
    expect(M2_PER_MU).toBeCloseTo(666.6666667, 6);
    expect(m2ToMu(10000)).toBeCloseTo(15, 12);
    expect(m2ToMu(M2_PER_MU)).toBeCloseTo(1, 12);
  });
});

describe('geographic measures (WGS84)', () => {
  const geo = { geographic: true, metresPerUnit: 1 };

  it('measures a 1 x 1 degree cell at the equator as about 12 308 km^2', () => {
    const km2 = polygonAreaM2([cell(0, 0, 1, 1)], geo) / 1e6;
    expect(Math.abs(km2 - 12308) / 12308).toBeLessThan(0.005);
    // The ellipsoidal value itself (111.32 km x 110.57 km) rather than the sphere's 12 364 km^2.
    expect(km2).toBeCloseTo(12308.8, 0);
  });

  it('gives signed ring areas and is independent of longitude', () => {
    const a = geodesicRingAreaM2(cell(10, 45, 0.01, 0.01));
    expect(a).toBeGreaterThan(0);
    expect(geodesicRingAreaM2([...cell(10, 45, 0.01, 0.01)].reverse())).toBeCloseTo(-a, 3);
    expect(geodesicRingAreaM2(cell(-120, 45, 0.01, 0.01))).toBeCloseTo(a, 3);
  });

  it('integrates to the whole ellipsoid surface (authalic radius)', () => {
    const strip = geodesicRingAreaM2(cell(0, -90, 1, 180));
    // WGS84 surface: 510 065 621.7 km^2; the published radius is rounded to the millimetre.
    expect((strip * 360) / (4 * Math.PI * AUTHALIC_RADIUS_M ** 2)).toBeCloseTo(1, 9);
    expect(strip * 360 * 1e-6).toBeCloseTo(510065621.7, 0);
  });

  it('shrinks cells towards the poles like cos(latitude)', () => {
    const eq = polygonAreaM2([cell(0, 0, 0.001, 0.001)], geo);
    const at60 = polygonAreaM2([cell(0, 60, 0.001, 0.001)], geo);
    expect(at60 / eq).toBeGreaterThan(0.5);
    expect(at60 / eq).toBeLessThan(0.51);
  });

  it('subtracts holes and measures geodesic perimeters', () => {
    const outer = cell(0, 0, 0.002, 0.002);
    const hole = [...cell(0.0005, 0.0005, 0.001, 0.001)].reverse();
    const full = polygonAreaM2([outer], geo);
    expect(polygonAreaM2([outer, hole], geo)).toBeCloseTo(full * 0.75, 0);
    expect(haversineM(0, 0, 1, 0)).toBeCloseTo(111195, -1);
    expect(polygonPerimeterM([cell(0, 0, 1, 1)], geo) / 1000).toBeCloseTo(444.8, 0);
  });
});
