/**
 * Round blocks: every core pixel is owned by exactly one block, and each block's span has exactly
 * the full grid's tiles (translated), so its cores blend as a single-machine run does.
 */
import { describe, expect, it } from 'vitest';
import { blockGrid } from '../../../electron/engine/round/block-plan.js';
import { tileAxes } from '../../../electron/engine/inference/tiling.js';

describe('blockGrid', () => {
  for (const [w, h, per] of [
    [1024, 1024, 1],
    [2100, 1500, 2],
    [5000, 700, 3],
    [400, 400, 1],
  ]) {
    it(`${w}×${h}, ${per} tile(s) per block`, () => {
      const axes = tileAxes(w, h, 512, 128);
      const owner = new Uint8Array(w * h);
      for (const b of blockGrid(axes, w, h, per)) {
        const sub = tileAxes(b.span.width, b.span.height, 512, 128);
        const xs = axes.xs.slice(b.tiles.col, b.tiles.col + b.tiles.cols).map((x) => x - b.span.x);
        const ys = axes.ys.slice(b.tiles.row, b.tiles.row + b.tiles.rows).map((y) => y - b.span.y);
        expect(sub.xs).toEqual(xs);
        expect(sub.ys).toEqual(ys);
        for (let y = b.core.y; y < b.core.y + b.core.height; y++)
          for (let x = b.core.x; x < b.core.x + b.core.width; x++) owner[y * w + x]++;
        // No full-grid tile outside the span covers a core pixel.
        axes.xs.forEach((x, c) => {
          const covers = x < b.core.x + b.core.width && x + axes.tileWidth > b.core.x;
          const inside = c >= b.tiles.col && c < b.tiles.col + b.tiles.cols;
          expect(covers).toBe(inside);
        });
      }
      expect(owner.every((v) => v === 1)).toBe(true);
    });
  }
});
