import { describe, expect, it } from 'vitest';
import {
  envelopeOf,
  orientPolygon,
  polygonsOf,
  signedArea2,
} from '../../../electron/engine/export/geometry.js';
import { geometryToWkb } from '../../../electron/engine/export/wkb.js';
import { square } from './fixtures.js';

describe('geometryToWkb', () => {
  const polygon = { type: 'Polygon' as const, coordinates: [square(0, 0, 4), square(1, 1, 1)] };

  it('encodes a Polygon little endian: order byte, type 3, rings, points', () => {
    const wkb = geometryToWkb(polygon);
    expect(wkb.length).toBe(9 + 2 * (4 + 5 * 16));
    expect(wkb.readUInt8(0)).toBe(1);
    expect(wkb.readUInt32LE(1)).toBe(3);
    expect(wkb.readUInt32LE(5)).toBe(2);
    expect(wkb.readUInt32LE(9)).toBe(5);
    expect([wkb.readDoubleLE(13 + 16), wkb.readDoubleLE(13 + 24)]).toEqual([4, 0]);
  });

  it('encodes a MultiPolygon (type 6) and promotes a Polygon on request', () => {
    const multi = geometryToWkb({
      type: 'MultiPolygon',
      coordinates: [[square(0, 0, 1)], [square(5, 5, 1)]],
    });
    expect(multi.readUInt32LE(1)).toBe(6);
    expect(multi.readUInt32LE(5)).toBe(2);
    expect(multi.readUInt32LE(10)).toBe(3); // first member polygon's type
    const promoted = geometryToWkb(polygon, { multi: true });
    expect(promoted.readUInt32LE(1)).toBe(6);
    expect(promoted.subarray(9).equals(geometryToWkb(polygon))).toBe(true);
  });

  it('writes an empty polygon for empty coordinates', () => {
    const empty = geometryToWkb({ type: 'Polygon', coordinates: [] });
    expect([...empty]).toEqual([1, 3, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('polygon helpers', () => {
  it('closes open rings and rejects bad positions or short rings', () => {
    const open = [
      [0, 0],
      [1, 0],
      [1, 1],
    ];
    expect(polygonsOf({ type: 'Polygon', coordinates: [open] }, 'f')[0][0]).toHaveLength(4);
    expect(() =>
      polygonsOf(
        {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        },
        'f1',
      ),
    ).toThrow(/f1: a ring has 3 positions/);
    expect(() =>
      polygonsOf(
        {
          type: 'Polygon',
          coordinates: [
            [
              [0, NaN],
              [1, 1],
              [1, 0],
              [0, 0],
            ],
          ],
        },
        'f2',
      ),
    ).toThrow(/f2: invalid position/);
  });

  it('orients rings and measures envelopes at projected magnitudes', () => {
    const [polygon] = polygonsOf(
      { type: 'Polygon', coordinates: [square(4e5, 4e6, 10, true), square(4e5 + 2, 4e6 + 2, 2)] },
      'f',
    );
    const ccw = orientPolygon(polygon, true);
    expect(signedArea2(ccw[0])).toBe(200);
    expect(signedArea2(ccw[1])).toBe(-8);
    const cw = orientPolygon(polygon, false);
    expect(signedArea2(cw[0])).toBe(-200);
    expect(envelopeOf([polygon])).toEqual([4e5, 4e5 + 10, 4e6, 4e6 + 10]);
    expect(envelopeOf([])).toBeNull();
  });
});
