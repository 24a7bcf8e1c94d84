/**
 * Sorting the samples a stretch is computed from (raster/bands.ts sortSamples): whole numbers of
 * 8- and 16-bit imagery by counting, anything else by comparison, always in the order a typed
 * array's own sort gives.
 */
import { describe, expect, it } from 'vitest';
import { sortSamples } from '../../../electron/engine/raster/bands.js';
import { seededRandom } from '../../../electron/engine/random.js';

const reference = (values: Float32Array) => Float32Array.from(values).sort();

describe('sortSamples', () => {
  it('orders 8- and 16-bit samples as the comparison sort does', () => {
    const random = seededRandom(7);
    for (const top of [256, 65536]) {
      const values = Float32Array.from({ length: 5000 }, () => Math.floor(random() * top));
      const expected = reference(values);
      const sorted = sortSamples(values);
      expect(sorted).toBe(values);
      expect([...sorted]).toEqual([...expected]);
    }
  });

  it('falls back to the comparison sort for fractions, negatives, large values and -0', () => {
    const cases = [
      [3, 1.5, 2, 0],
      [4, -1, 2, 0],
      [70000, 3, 65536, 1],
      [2, -0, 1, 0],
    ];
    for (const c of cases) {
      const values = Float32Array.from(c);
      const sorted = sortSamples(Float32Array.from(c));
      expect([...sorted].map((v) => Object.is(v, -0))).toEqual(
        [...reference(values)].map((v) => Object.is(v, -0)),
      );
      expect([...sorted]).toEqual([...reference(values)]);
    }
  });

  it('leaves an empty array empty', () => {
    expect(sortSamples(new Float32Array(0)).length).toBe(0);
  });
});
