import { describe, expect, it } from 'vitest';
import {
  blendWeights,
  fittedAxes,
  ramp,
  roundUp,
  sharedEdges,
  tileAxes,
  tileGrid,
  type TileAxes,
} from '../../../electron/engine/inference/tiling.js';

describe('tileGrid', () => {
  it.each([
    [800, 800, 256, 32],
    [1000, 300, 256, 32],
    [100, 50, 256, 32],
    [257, 256, 256, 0],
  ])('covers %i×%i with %i px tiles overlapping %i px, all inside', (w, h, size, overlap) => {
    const tiles = tileGrid(w, h, size, overlap);
    const covered = new Uint8Array(w * h);
    for (const t of tiles) {
      expect(t.x).toBeGreaterThanOrEqual(0);
      expect(t.y).toBeGreaterThanOrEqual(0);
      expect(t.x + t.width).toBeLessThanOrEqual(w);
      expect(t.y + t.height).toBeLessThanOrEqual(h);
      for (let r = t.y; r < t.y + t.height; r++)
        covered.fill(1, r * w + t.x, r * w + t.x + t.width);
    }
    expect(covered.every((v) => v === 1)).toBe(true);
  });

  it('refuses an overlap as large as the tile', () => {
    expect(() => tileGrid(100, 100, 32, 32)).toThrow();
  });
});

describe('blendWeights', () => {
  it('sums to a positive weight everywhere and blends a constant field to itself', () => {
    const w = 700;
    const h = 530;
    const overlap = 32;
    const tiles = tileGrid(w, h, 256, overlap);
    const sum = new Float64Array(w * h);
    const wsum = new Float64Array(w * h);
    for (const t of tiles) {
      const wt = blendWeights(t.width, t.height, overlap, sharedEdges(t, w, h));
      for (let r = 0; r < t.height; r++) {
        for (let c = 0; c < t.width; c++) {
          const k = (t.y + r) * w + t.x + c;
          sum[k] += 0.37 * wt[r * t.width + c];
          wsum[k] += wt[r * t.width + c];
        }
      }
    }
    for (let i = 0; i < w * h; i++) {
      expect(wsum[i]).toBeGreaterThan(0);
      expect(Math.abs(sum[i] / wsum[i] - 0.37)).toBeLessThan(1e-9);
    }
  });

  it('ramps smoothly only on shared edges', () => {
    const wt = blendWeights(64, 64, 16, { left: true, right: false, top: false, bottom: false });
    expect(wt[0]).toBeGreaterThan(0);
    expect(wt[0]).toBeLessThan(0.05);
    expect(wt[63]).toBe(1);
    for (let c = 1; c < 16; c++) expect(wt[c]).toBeGreaterThanOrEqual(wt[c - 1]);
  });
});

it('roundUp pads to the model multiple', () => {
  expect(roundUp(250, 16)).toBe(256);
  expect(roundUp(256, 16)).toBe(256);
});

describe('fittedAxes', () => {
  /** Starts and tile length of one axis of a grid. */
  const axis = (a: TileAxes, horizontal: boolean) =>
    horizontal ? { s: a.xs, t: a.tileWidth } : { s: a.ys, t: a.tileHeight };

  it.each([
    [4096, 768, 128, 32],
    [8192, 768, 128, 32],
    [16384, 768, 128, 32],
    [1088, 512, 128, 32],
    [769, 768, 128, 32],
    [5000, 512, 64, 16],
    [700, 768, 128, 32],
  ])(
    'covers a %i px axis at %i/%i, neighbours sharing the overlap, no more tiles',
    (n, size, ov, m) => {
      const fitted = fittedAxes(n, 300, size, ov, m);
      const plain = tileAxes(n, 300, size, ov);
      const { s, t } = axis(fitted, true);
      expect(s.length).toBeLessThanOrEqual(plain.xs.length);
      expect(t).toBeLessThanOrEqual(Math.min(size, n));
      if (n > size) expect(t % m).toBe(0);
      expect(s[0]).toBe(0);
      expect(s[s.length - 1] + t).toBe(n);
      for (let i = 1; i < s.length; i++) {
        expect(s[i]).toBeGreaterThan(s[i - 1]);
        expect(s[i - 1] + t - s[i]).toBeGreaterThanOrEqual(ov);
      }
    },
  );

  it('covers every axis length up to four tiles, sharing the overlap everywhere', () => {
    for (let n = 1; n <= 4 * 256; n++) {
      const { xs, tileWidth: t } = fittedAxes(n, 1, 256, 48, 16);
      expect(xs[xs.length - 1] + t).toBe(n);
      for (let i = 1; i < xs.length; i++) expect(xs[i - 1] + t - xs[i]).toBeGreaterThanOrEqual(48);
      expect(xs.length).toBe(tileAxes(n, 1, 256, 48).xs.length);
    }
  });

  it('gives a 4096² scene at 768/128 a sixth fewer model pixels, and keeps 16384² as it was', () => {
    const pixels = (a: TileAxes) => a.xs.length * a.ys.length * a.tileWidth * a.tileHeight;
    const small = fittedAxes(4096, 4096, 768, 128, 32);
    expect(small.tileWidth).toBe(704);
    expect(pixels(small) / pixels(tileAxes(4096, 4096, 768, 128))).toBeLessThan(0.85);
    expect(fittedAxes(16384, 16384, 768, 128, 32)).toEqual(tileAxes(16384, 16384, 768, 128));
  });
});

describe('trimmed ramp', () => {
  it('leaves the outer share of a shared overlap almost out of the blend, every weight positive', () => {
    const size = 512;
    const overlap = 128;
    const w = ramp(size, overlap, true, true, 0.25);
    for (let i = 0; i < overlap; i++) {
      expect(w[i]).toBeGreaterThan(0);
      expect(w[size - 1 - i]).toBe(w[i]);
      if (i > 0) expect(w[i]).toBeGreaterThanOrEqual(w[i - 1]);
    }
    expect(w[overlap]).toBe(1);
    // Two neighbours sharing exactly the overlap: tile B starts where A's last 128 px begin.
    for (let d = 0; d < overlap; d++) {
      const b = w[d];
      const a = w[size - overlap + d];
      const share = b / (a + b);
      if (d < 32) expect(share).toBeLessThan(1e-3);
      if (d >= overlap - 32) expect(share).toBeGreaterThan(1 - 1e-3);
    }
    // Without a trim the ramp is the plain Hann ramp.
    expect(ramp(size, overlap, true, false, 0)).toEqual(ramp(size, overlap, true, false));
    expect(ramp(size, overlap, true, false)[10]).toBeGreaterThan(1e-3);
  });
});
