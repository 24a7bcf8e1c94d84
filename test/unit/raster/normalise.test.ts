/**
 * The per-pixel model input (raster/bands.ts normaliseInto): linear map, stretch, then
 * (v/scale − mean)/std; NaN, ±Infinity and the no-data value are flagged and become 0.
 */
import { describe, expect, it } from 'vitest';
import { normaliseInto } from '../../../electron/engine/raster/bands.js';

const norm = { scale: 255, mean: [0.5, 0.25], std: [0.25, 0.5] };

describe('normaliseInto', () => {
  it('normalises, stretches, applies the linear map and flags what has no data', () => {
    const a = Float32Array.from([0, 51, 255, Number.NaN, 7, Number.POSITIVE_INFINITY]);
    const b = Float32Array.from([10, 20, 30, 40, 50, Number.NEGATIVE_INFINITY]);
    const target = new Float32Array(12).fill(99);
    const invalid = new Uint8Array(6);
    normaliseInto(target, 0, [a, b], [null, { low: 10, high: 50 }], norm, 7, invalid, [
      { gain: 2, offset: 1 },
      null,
    ]);
    expect([...invalid]).toEqual([0, 0, 0, 1, 1, 1]);
    // band 0: linear 2v + 1, no stretch
    const n0 = (v: number) => ((2 * v + 1) / 255 - 0.5) / 0.25;
    expect(target[0]).toBeCloseTo(n0(0), 5);
    expect(target[1]).toBeCloseTo(n0(51), 5);
    expect(target[2]).toBeCloseTo(n0(255), 5);
    expect([target[3], target[4], target[5]]).toEqual([0, 0, 0]);
    // band 1: stretch 10..50 → 0..255, clamped (the no-data value 7 is flagged in either band)
    const n1 = (v: number) =>
      (Math.min(255, Math.max(0, ((v - 10) * 255) / 40)) / 255 - 0.25) / 0.5;
    expect(target[6]).toBeCloseTo(n1(10), 5);
    expect(target[7]).toBeCloseTo(n1(20), 5);
    expect(target[9]).toBeCloseTo(n1(40), 5);
    expect(target[11]).toBe(0);
  });

  it('with no no-data value only NaN and ±Infinity are flagged, and offsets are kept', () => {
    const a = Float32Array.from([0, Number.NaN, 255]);
    const target = new Float32Array(5).fill(99);
    const invalid = new Uint8Array(3);
    normaliseInto(target, 2, [a], [null], norm, null, invalid);
    expect([...invalid]).toEqual([0, 1, 0]);
    expect(target[0]).toBe(99);
    expect(target[2]).toBeCloseTo(-2, 5);
    expect(target[3]).toBe(0);
    expect(target[4]).toBeCloseTo(2, 5);
  });
});
