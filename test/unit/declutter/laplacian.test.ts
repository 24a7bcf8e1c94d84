/**
 * The Laplacian pyramid of M4 step 2 without any network: building and rebuilding gives the input
 * back, a changed base carries only a smooth change into full resolution, and the level count
 * lands the smallest level near 64 px.
 */
import { describe, expect, it } from 'vitest';
import {
  buildLaplacian,
  expand,
  levelsFor,
  rebuildLaplacian,
  reduce,
} from '../../../electron/engine/raster/laplacian.js';

/** A deterministic 3-band image with edges, texture and a gradient (0..255). */
function image(width: number, height: number): Float32Array {
  const out = new Float32Array(3 * width * height);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 40;
  for (let p = 0; p < 3; p++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const block = (x >> 4) % 2 === (y >> 4) % 2 ? 120 : 40;
        out[p * width * height + y * width + x] = block + x * 0.3 + p * 10 + rand();
      }
    }
  }
  return out;
}

describe('Laplacian pyramid', () => {
  it.each([
    [64, 64, 3],
    [96, 160, 3],
    [37, 23, 2], // odd sizes: ceil halving, replicated edges
    [20, 20, 0],
  ])('rebuilds a %i × %i image from %i levels exactly', (w, h, levels) => {
    const img = image(w, h);
    const pyr = buildLaplacian(img, 3, w, h, levels);
    expect(pyr.bands).toHaveLength(levels);
    const back = rebuildLaplacian(pyr);
    expect(back.width).toBe(w);
    expect(back.height).toBe(h);
    let maxErr = 0;
    for (let i = 0; i < img.length; i++) maxErr = Math.max(maxErr, Math.abs(back.data[i] - img[i]));
    expect(maxErr).toBeLessThan(1e-9);
  });

  it('reduces to the expected sizes and keeps a constant image constant', () => {
    const flat = { width: 10, height: 7, planes: 1, data: new Float64Array(70).fill(5) };
    const small = reduce(flat);
    expect([small.width, small.height]).toEqual([5, 4]);
    expect(small.data.every((v) => Math.abs(v - 5) < 1e-12)).toBe(true);
    const big = expand(small, 10, 7);
    expect(big.data.every((v) => Math.abs(v - 5) < 1e-12)).toBe(true);
  });

  it('carries a change of the base into full resolution smoothly and keeps the detail', () => {
    const w = 128;
    const img = image(w, w);
    const pyr = buildLaplacian(img, 3, w, w, 3);
    pyr.base.data.fill(0); // remove all low frequencies (the coarse image)
    const back = rebuildLaplacian(pyr);
    // What is left is the detail: zero-mean, far below the image's mean level.
    let mean = 0;
    for (let i = 0; i < img.length; i++) mean += back.data[i];
    mean /= img.length;
    expect(Math.abs(mean)).toBeLessThan(5);
    // ... and it still holds the edges: high-pass of the original equals high-pass of the rebuild.
    const dx = (a: ArrayLike<number>, i: number) => a[i + 1] - a[i];
    let worst = 0;
    for (let y = 8; y < w - 8; y++) {
      for (let x = 8; x < w - 9; x++) {
        const i = y * w + x;
        worst = Math.max(worst, Math.abs(dx(back.data, i) - dx(img, i)));
      }
    }
    expect(worst).toBeLessThan(12); // the base's contribution to a 1-px difference is small
  });

  it('picks levels so the smallest side is near 64 px, at most 1/8', () => {
    expect(levelsFor(512, 512)).toBe(3);
    expect(levelsFor(256, 256)).toBe(2);
    expect(levelsFor(640, 512)).toBe(3);
    expect(levelsFor(100, 100)).toBe(0);
    expect(levelsFor(4096, 4096)).toBe(3);
  });
});
