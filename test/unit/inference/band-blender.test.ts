/**
 * Blending in a band of rows gives exactly the whole-window blend, also when the run stops after a
 * tile row and continues from the saved carry (a resumed run), and skipped tiles leave no trace;
 * tiles cropped to part of themselves (screening) keep their tiles' weights.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BandBlender } from '../../../electron/engine/inference/band-blender.js';
import type { BandSpill } from '../../../electron/engine/inference/band-store.js';
import {
  axisTile,
  blendWeights,
  sharedEdges,
  tileAxes,
  type Tile,
} from '../../../electron/engine/inference/tiling.js';

const W = 300;
const H = 410;
const SIZE = 96;
const OVERLAP = 24;

/** A deterministic per-tile "probability": differs between tiles so blending matters. */
function tileProb(row: number, col: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((row * 7 + col * 3 + (i % 13)) % 10) / 10);
}

type Rect = (r: number, c: number) => Tile;

function wholeBlend(active: (r: number, c: number) => boolean, rect?: Rect): Float32Array {
  const axes = tileAxes(W, H, SIZE, OVERLAP);
  const sum = new Float64Array(W * H);
  const wsum = new Float64Array(W * H);
  axes.ys.forEach((_, r) =>
    axes.xs.forEach((__, c) => {
      if (!active(r, c)) return;
      const t = axisTile(axes, r, c);
      const w = blendWeights(t.width, t.height, OVERLAP, sharedEdges(t, W, H));
      // The part that ran, with the tile's weights there.
      const run = rect ? rect(r, c) : t;
      const p = tileProb(r, c, run.width * run.height);
      for (let y = 0; y < run.height; y++) {
        for (let x = 0; x < run.width; x++) {
          const k = (run.y + y) * W + run.x + x;
          const wk = w[(run.y - t.y + y) * t.width + run.x - t.x + x];
          sum[k] += p[y * run.width + x] * wk;
          wsum[k] += wk;
        }
      }
    }),
  );
  return Float32Array.from(sum, (s, i) => (wsum[i] === 0 ? 0 : s / wsum[i]));
}

function bandBlend(
  active: (r: number, c: number) => boolean,
  stopAfterRow?: number,
  piece = H,
  rect?: Rect,
  spill?: BandSpill,
) {
  const axes = tileAxes(W, H, SIZE, OVERLAP);
  const grid = { axes, width: W, height: H, overlap: OVERLAP, active, rect, spill };
  const out = new Float32Array(W * H);
  let blender = new BandBlender(grid);
  for (let r = 0; r < axes.ys.length; r++) {
    axes.xs.forEach((_, c) => {
      if (!active(r, c)) return;
      const run = rect ? rect(r, c) : axisTile(axes, r, c);
      const n = run.width * run.height;
      // No-data flags as an array of zeros or as null (none) must blend alike.
      blender.add(r, c, tileProb(r, c, n), (r + c) % 2 ? new Uint8Array(n) : null);
    });
    const done = r + 1 < axes.ys.length ? axes.ys[r + 1] : H;
    // In pieces, as the tile loop hands rows on (at most 64 at a time).
    while (done > blender.top) {
      const top = blender.top;
      const rows = blender.flush(Math.min(done, top + piece));
      out.set(rows, top * W);
      // Outside the columns the flush names, no tile ran: the rows hold 0 there.
      const inside = new Uint8Array(W);
      const cols = blender.flushedColumns;
      for (let j = 0; j < cols.length; j += 2) inside.fill(1, cols[j], cols[j + 1]);
      let outside = 0;
      for (let i = 0; i < rows.length; i++) if (!inside[i % W] && rows[i] !== 0) outside++;
      expect(outside).toBe(0);
    }
    // A resumed run starts from nothing but the saved carry.
    if (r === stopAfterRow) {
      const next = new BandBlender(grid, blender.carry());
      blender.dispose();
      blender = next;
    }
  }
  blender.dispose();
  return out;
}

describe('BandBlender', () => {
  const all = () => true;
  /** A blender over every tile that may spill as `spill` says. */
  const spilling = (spill: BandSpill) => {
    const axes = tileAxes(W, H, SIZE, OVERLAP);
    const b = new BandBlender({ axes, width: W, height: H, overlap: OVERLAP, active: all, spill });
    return { axes, b };
  };
  const some = (r: number, c: number) => (r * 5 + c) % 3 !== 0;

  it('matches the whole-window blend', () => {
    const a = wholeBlend(all);
    const b = bandBlend(all);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThan(1e-6);
  });

  it('matches it after a stop and a resume from the carry, with tiles skipped', () => {
    const a = wholeBlend(some);
    for (const stop of [0, 1, 3]) {
      const b = bandBlend(some, stop);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it('gives the same when rows are flushed in small pieces, with a resume between', () => {
    const a = wholeBlend(some);
    for (const stop of [undefined, 1, 2]) {
      const b = bandBlend(some, stop, 7);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it('blends crops with the weights of their tiles, through a stop and a resume', () => {
    const axes = tileAxes(W, H, SIZE, OVERLAP);
    // Crops of every size: whole tiles, corners, thin strips, one pixel; offsets in steps of 8.
    const rect: Rect = (r, c) => {
      const t = axisTile(axes, r, c);
      const k = (r * 5 + c) % 4;
      if (k === 0) return t;
      const dx = 8 * ((r + 2 * c) % 5);
      const dy = 8 * ((2 * r + c) % 4);
      const w = k === 3 ? 1 : Math.min(SIZE - dx, 40 + 8 * k);
      const h = k === 3 ? 1 : Math.min(SIZE - dy, 24 * k);
      return { x: t.x + dx, y: t.y + dy, width: w, height: h };
    };
    const a = wholeBlend(some, rect);
    expect(a.some((v) => v === 0)).toBe(true);
    for (const stop of [undefined, 1, 2]) {
      const b = bandBlend(some, stop, 7, rect);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThan(1e-6);
    }
    // Whole tiles given as crops blend as without crops (to float rounding: weights add up in
    // another order).
    const whole = bandBlend(some, undefined, H, (r, c) => axisTile(axes, r, c));
    const plain = bandBlend(some);
    let worst = 0;
    for (let i = 0; i < plain.length; i++) worst = Math.max(worst, Math.abs(whole[i] - plain[i]));
    expect(worst).toBeLessThan(1e-6);
  });

  it('gives the same bits with the band spilled to a file in narrow chunks', () => {
    const axes = tileAxes(W, H, SIZE, OVERLAP);
    const dir = mkdtempSync(join(tmpdir(), 'lw-band-'));
    // 96 rows × 300 columns of sums (115 kB) against 40 kB in memory: chunks of 32 or 40 columns
    // (the last one narrower), at most 4 of them in memory.
    const crop: Rect = (r, c) => {
      const t = axisTile(axes, r, c);
      return (r + c) % 3 === 0 ? { x: t.x + 8, y: t.y + 16, width: 40, height: 24 } : t;
    };
    for (const chunkColumns of [32, 40]) {
      const spill = { dir, budgetBytes: 40_000, chunkColumns };
      for (const [active, rect] of [
        [all, undefined],
        [some, undefined],
        [some, crop],
      ] as const) {
        for (const stop of [undefined, 0, 2]) {
          for (const piece of [H, 7]) {
            const memory = bandBlend(active, stop, piece, rect);
            const spilled = bandBlend(active, stop, piece, rect, spill);
            expect(spilled).toEqual(memory);
          }
        }
      }
    }
    // Each blender deleted its scratch file when done.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names its scratch file when the file cannot be made', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lw-band-')), 'gone');
    const { axes, b } = spilling({ dir, budgetBytes: 40_000, chunkColumns: 32 });
    const n = SIZE * SIZE;
    // The fifth chunk evicts the first to a file in a folder that does not exist.
    expect(() => axes.xs.forEach((_, c) => b.add(0, c, tileProb(0, c, n), null))).toThrow(
      new RegExp(`Could not write the blending scratch file ${dir}/band-sums-.*ENOENT`),
    );
    b.dispose();
  });

  it('keeps a band within its budget in memory, without a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-band-'));
    const { axes, b } = spilling({ dir, budgetBytes: W * SIZE * 4 });
    const n = SIZE * SIZE;
    axes.xs.forEach((_, c) => b.add(0, c, tileProb(0, c, n), null));
    b.flush(axes.ys[1]);
    expect(readdirSync(dir)).toEqual([]);
    b.dispose();
    expect(existsSync(dir)).toBe(true);
  });

  it('holds one tile height of rows, whatever the window height', () => {
    const axes = tileAxes(W, H, SIZE, OVERLAP);
    const b = new BandBlender({ axes, width: W, height: H, overlap: OVERLAP, active: all });
    expect(b.carry().rows).toBe(0);
    const n = SIZE * SIZE;
    expect(() => b.add(2, 0, new Float32Array(n), new Uint8Array(n))).toThrow(
      /outside the blending band/,
    );
  });

  it('gives 0 where any tile saw no data', () => {
    const axes = tileAxes(200, 90, SIZE, OVERLAP);
    const b = new BandBlender({ axes, width: 200, height: 90, overlap: OVERLAP, active: all });
    const n = axes.tileWidth * axes.tileHeight;
    const invalid = new Uint8Array(n);
    invalid[5] = 1;
    axes.xs.forEach((_, c) =>
      b.add(0, c, new Float32Array(n).fill(0.8), c === 0 ? invalid : new Uint8Array(n)),
    );
    const out = b.flush(90);
    expect(out[5]).toBe(0);
    expect(out[6]).toBeCloseTo(0.8, 6);
    expect(out[200 * 90 - 1]).toBeCloseTo(0.8, 6);
  });
});
