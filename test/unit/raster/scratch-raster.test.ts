/**
 * The scratch raster pyramid levels live in (raster/scratch-raster.ts): in memory under the
 * caller's budget, in a file above it; both give the same windows, NaN outside, and the file reads
 * whole rows many at a time, across its read chunks.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryRaster } from '../../../electron/engine/raster/memory-raster.js';
import { buildCoarseLevel } from '../../../electron/engine/raster/pyramid.js';
import { ScratchRaster } from '../../../electron/engine/raster/scratch-raster.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-scratch-'));
/** Wide enough that the file's 1 MB read chunks hold 87 rows: windows below span several. */
const W = 3000;
const H = 300;
const value = (x: number, y: number, b: number) => b * 1e6 + y * W + x;

/** Bit-identical arrays (NaN included). */
const same = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );

function filled(path: string, memoryBytes: number): ScratchRaster {
  const r = new ScratchRaster(path, W, H, 2, memoryBytes);
  for (let b = 0; b < 2; b++) {
    for (let y = 0; y < H; y++) {
      // Written in two segments a row, as the pyramid writes block columns.
      for (const [x0, x1] of [
        [0, 1700],
        [1700, W],
      ]) {
        r.writeSegment(
          b,
          y,
          x0,
          Float32Array.from({ length: x1 - x0 }, (_, i) => value(x0 + i, y, b)),
        );
      }
    }
  }
  return r;
}

describe('ScratchRaster', () => {
  it('keeps a level under the budget in memory and a larger one in a file', () => {
    const small = new ScratchRaster(join(dir, 'small.f32'), 10, 10, 3, 10 * 10 * 3 * 4);
    const large = new ScratchRaster(join(dir, 'large.f32'), 10, 10, 3, 10 * 10 * 3 * 4 - 1);
    expect(small.inMemory).toBe(true);
    expect(existsSync(join(dir, 'small.f32'))).toBe(false);
    expect(large.inMemory).toBe(false);
    expect(existsSync(join(dir, 'large.f32'))).toBe(true);
    small.dispose();
    large.dispose();
    expect(existsSync(join(dir, 'large.f32'))).toBe(false);
  });

  it('reads the same windows from memory and from the file, NaN outside', async () => {
    const memory = filled(join(dir, 'm.f32'), Number.POSITIVE_INFINITY);
    const file = filled(join(dir, 'f.f32'), 0);
    expect(memory.inMemory).toBe(true);
    expect(file.inMemory).toBe(false);
    const windows = [
      { x: 0, y: 0, width: W, height: H },
      { x: 1234, y: 40, width: 576, height: 200 },
      { x: -5, y: 250, width: 20, height: 60 },
    ];
    for (const win of windows) {
      const [a0, a1] = await memory.readWindow(win, [0, 1]);
      const [f1] = await file.readWindow(win, [1]);
      const [f0] = await file.readWindow(win, [0]);
      expect(same(f0, a0)).toBe(true);
      expect(same(f1, a1)).toBe(true);
      for (const [dx, dy] of [
        [0, 0],
        [win.width - 1, win.height - 1],
        [7, Math.min(150, win.height - 1)],
      ]) {
        const x = win.x + dx;
        const y = win.y + dy;
        const inside = x >= 0 && x < W && y >= 0 && y < H;
        const got = a1[dy * win.width + dx];
        if (inside) expect(got).toBe(Math.fround(value(x, y, 1)));
        else expect(got).toBeNaN();
      }
    }
    memory.dispose();
    file.dispose();
    await expect(file.readWindow(windows[0], [0])).rejects.toThrow(/closed/);
  });

  it('gives the pyramid the same level either way', async () => {
    const w = 300;
    const h = 200;
    const p = new Float32Array(w * h).map((_, i) => (i * 7919) % 251);
    const source = new MemoryRaster('t', w, h, [p]);
    const build = (memoryBytes: number, name: string) =>
      buildCoarseLevel({
        source,
        bands: [0],
        window: { x: 0, y: 0, width: w, height: h },
        factor: 4,
        path: join(dir, name),
        memoryBytes,
      });
    const a = await build(1 << 30, 'pa.f32');
    const b = await build(0, 'pb.f32');
    expect(a.inMemory && !b.inMemory).toBe(true);
    const win = { x: 0, y: 0, width: 75, height: 50 };
    const [la] = await a.readWindow(win, [0]);
    const [lb] = await b.readWindow(win, [0]);
    expect(same(la, lb)).toBe(true);
    expect(la.some((v) => v > 0)).toBe(true);
    a.dispose();
    b.dispose();
  });
});
