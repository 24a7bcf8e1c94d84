import { describe, expect, it } from 'vitest';
import {
  blendWeights,
  roundUp,
  sharedEdges,
  tileGrid,
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
