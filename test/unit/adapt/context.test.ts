/**
 * The head's context channels: box means cut at the plane's edge (the mean of what is inside),
 * the features first and unchanged, then each size's means; bad sizes refused.
 */
import { describe, expect, it } from 'vitest';
import { checkContext, withContext } from '../../../electron/engine/adapt/context.js';

/** The box mean at (x, y) by brute force. */
function brute(p: Float32Array, w: number, h: number, x: number, y: number, k: number): number {
  const r = (k - 1) / 2;
  let sum = 0;
  let n = 0;
  for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
    for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
      sum += p[yy * w + xx];
      n++;
    }
  }
  return sum / n;
}

describe('withContext', () => {
  it('appends each size’s box means, cut at the edge, after the unchanged features', () => {
    const w = 7;
    const h = 5;
    const planes = Float32Array.from({ length: 2 * w * h }, (_, i) => ((i * 37) % 11) - 3);
    const out = withContext(planes, 2, w, h, [3, 9]);
    expect(out.length).toBe(2 * 3 * w * h);
    expect([...out.subarray(0, 2 * w * h)]).toEqual([...planes]);
    for (const [s, k] of [3, 9].entries()) {
      for (let c = 0; c < 2; c++) {
        const src = planes.subarray(c * w * h, (c + 1) * w * h);
        const at = ((1 + s) * 2 + c) * w * h;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            expect(out[at + y * w + x]).toBeCloseTo(brute(src, w, h, x, y, k), 5);
          }
        }
      }
    }
  });

  it('is the features themselves without sizes, and refuses even or small sizes', () => {
    const planes = Float32Array.of(1, 2, 3, 4);
    expect(withContext(planes, 1, 2, 2, [])).toBe(planes);
    expect(() => checkContext([4])).toThrow(/odd integers ≥ 3, not 4/);
    expect(() => checkContext([1])).toThrow(/not 1/);
    expect(() => checkContext([3, 9])).not.toThrow();
  });
});
