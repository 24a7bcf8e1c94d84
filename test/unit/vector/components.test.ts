import { describe, expect, it } from 'vitest';
import {
  componentStats,
  findComponents,
  labelComponents,
  unionColumns,
} from '../../../electron/engine/vector/components.js';
import { traceComponents } from '../../../electron/engine/vector/trace.js';
import { art, blobMask, floodLabels, noiseMask } from './fixtures.js';
import type { TestMask } from './fixtures.js';

/** Labels of two labellings agree up to renaming (and both number in raster order). */
function expectSameLabels(actual: Int32Array, expected: Int32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      throw new Error(`pixel ${i}: label ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

describe('labelComponents', () => {
  it('uses 4-connectivity by default: corner-touching pixels are separate', () => {
    const m = art(['#.', '.#']);
    expect(labelComponents(m.mask, m.width, m.height).count).toBe(2);
    expect(labelComponents(m.mask, m.width, m.height, { connectivity: 8 }).count).toBe(1);
  });

  it('numbers components in raster order of their first pixel', () => {
    const m = art(['..#', '#..', '#.#']);
    const { labels, count } = labelComponents(m.mask, m.width, m.height);
    expect(count).toBe(3);
    expect(Array.from(labels)).toEqual([0, 0, 1, 2, 0, 0, 2, 0, 3]);
  });

  it('merges U shapes whose arms meet late (union-find, not a single pass)', () => {
    const m = art(['#.#.#', '#.#.#', '#####']);
    const { labels, count } = labelComponents(m.mask, m.width, m.height);
    expect(count).toBe(1);
    expect(new Set(Array.from(labels).filter((v) => v > 0))).toEqual(new Set([1]));
  });

  it('labels background components with invert', () => {
    const m = art(['###', '#.#', '###']);
    const bg = labelComponents(m.mask, m.width, m.height, { invert: true });
    expect(bg.count).toBe(1);
    expect(bg.labels[4]).toBe(1);
  });

  it('counts a checkerboard as one component per foreground pixel with 4-connectivity', () => {
    const w = 51;
    const h = 37;
    const mask = Uint8Array.from({ length: w * h }, (_, i) => ((i % w) + Math.floor(i / w)) % 2);
    expect(labelComponents(mask, w, h).count).toBe(mask.reduce((s, v) => s + v, 0));
    expect(labelComponents(mask, w, h, { connectivity: 8 }).count).toBe(1);
  });

  it.each([
    ['noise 4', noiseMask(97, 83, 0.55, 1), 4],
    ['noise 8', noiseMask(97, 83, 0.4, 2), 8],
    ['blobs 4', blobMask(120, 90, 25, 3), 4],
    ['dense noise 4', noiseMask(64, 64, 0.62, 4), 4],
  ] as [string, TestMask, 4 | 8][])('matches a flood-fill reference on %s', (_name, m, conn) => {
    const { labels } = labelComponents(m.mask, m.width, m.height, { connectivity: conn });
    expectSameLabels(labels, floodLabels(m, conn));
  });

  it('handles empty, full and degenerate rasters', () => {
    expect(labelComponents(new Uint8Array(0), 0, 0).count).toBe(0);
    expect(labelComponents(new Uint8Array(12), 4, 3).count).toBe(0);
    const full = labelComponents(new Uint8Array(12).fill(1), 4, 3);
    expect(full.count).toBe(1);
    expect(labelComponents(Uint8Array.from([1, 0, 1, 1]), 4, 1).count).toBe(2);
    expect(labelComponents(Uint8Array.from([1, 0, 1, 1]), 1, 4).count).toBe(2);
  });

  it('rejects size mismatches and bad connectivity', () => {
    expect(() => labelComponents(new Uint8Array(5), 2, 2)).toThrow(RangeError);
    expect(() => labelComponents(new Uint8Array(4), 2, 2, { connectivity: 6 as 4 })).toThrow(
      RangeError,
    );
  });

  it('labels a large noisy scene iteratively (no recursion depth issues)', () => {
    // A single 4-connected snake spanning the whole raster would blow a recursive flood fill.
    const w = 1500;
    const h = 1500;
    const mask = new Uint8Array(w * h);
    for (let y = 0; y < h; y += 2) mask.fill(1, y * w, (y + 1) * w);
    for (let y = 1; y < h; y += 2) mask[y * w + ((y >> 1) % 2 === 0 ? w - 1 : 0)] = 1;
    const { count } = labelComponents(mask, w, h);
    expect(count).toBe(1);
  });
});

describe('column runs', () => {
  it('label, count and trace as a full scan when they hold every foreground pixel', () => {
    const w = 97;
    const h = 41;
    const mask = new Uint8Array(w * h);
    // Three separate clusters of columns, one at each raster edge and one in the middle.
    for (const [x0, x1] of [
      [0, 9],
      [40, 55],
      [88, 97],
    ]) {
      for (let y = 0; y < h; y++)
        for (let x = x0; x < x1; x++) mask[y * w + x] = (x * 7 + y * 3) % 5 < 3 ? 1 : 0;
    }
    const columns = Int32Array.of(0, 10, 38, 57, 86, 97);
    for (const connectivity of [4, 8] as const) {
      const full = labelComponents(mask, w, h, { connectivity });
      const runs = labelComponents(mask, w, h, { connectivity, columns });
      expect(runs.count).toBe(full.count);
      expectSameLabels(runs.labels, full.labels);
      expect(componentStats(runs)).toEqual(componentStats(full));
    }
    const full = labelComponents(mask, w, h);
    expect(traceComponents(labelComponents(mask, w, h, { columns }))).toEqual(
      traceComponents(full),
    );
  });

  it('merge into sorted disjoint runs', () => {
    expect(
      Array.from(unionColumns([Int32Array.of(5, 9, 20, 30), Int32Array.of(0, 6, 30, 31)])),
    ).toEqual([0, 9, 20, 31]);
    expect(Array.from(unionColumns([]))).toEqual([]);
  });

  it('cannot label background', () => {
    expect(() =>
      labelComponents(new Uint8Array(4), 2, 2, { invert: true, columns: Int32Array.of(0, 2) }),
    ).toThrow(/invert/);
  });
});

describe('componentStats', () => {
  it('reports pixel count, bbox, first pixel and probability statistics', () => {
    const m = art(['.##.', '.#..', '...#']);
    const prob = Float32Array.from([0, 0.5, 0.75, 0, 0, 1, 0, 0, 0, 0, 0, 0.25]);
    const { components } = findComponents(m.mask, m.width, m.height, prob);
    expect(components).toHaveLength(2);
    expect(components[0]).toMatchObject({
      label: 1,
      pixelCount: 3,
      bbox: [1, 0, 2, 1],
      firstPixel: 1,
      touchesBorder: true,
      maxProb: 1,
    });
    expect(components[0].meanProb).toBeCloseTo(0.75, 6);
    expect(components[1]).toMatchObject({
      pixelCount: 1,
      bbox: [3, 2, 3, 2],
      meanProb: 0.25,
      maxProb: 0.25,
    });
  });

  it('ignores NaN probabilities and gives NaN without a probability raster', () => {
    const m = art(['##']);
    const lab = labelComponents(m.mask, 2, 1);
    const [withNaN] = componentStats(lab, Float32Array.from([NaN, 0.4]));
    expect(withNaN.meanProb).toBeCloseTo(0.4, 6);
    const [none] = componentStats(lab);
    expect(none.meanProb).toBeNaN();
    expect(none.maxProb).toBeNaN();
  });

  it('flags components that do not touch the border', () => {
    const m = art(['....', '.##.', '....']);
    const { components } = findComponents(m.mask, m.width, m.height);
    expect(components[0].touchesBorder).toBe(false);
  });

  it('sums pixel counts to the foreground count on random blobs', () => {
    const m = blobMask(200, 150, 40, 11);
    const { components } = findComponents(m.mask, m.width, m.height);
    const fg = m.mask.reduce((s, v) => s + v, 0);
    expect(components.reduce((s, c) => s + c.pixelCount, 0)).toBe(fg);
  });
});
