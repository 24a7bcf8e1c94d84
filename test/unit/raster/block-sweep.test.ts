/**
 * The block cache under the tile loop's sweep (rows of overlapping windows, top to bottom): where
 * one row of windows needs more blocks than the cache holds, the blocks the next row shares with
 * this one must survive it, so each block is decoded about once. Plain LRU decodes this sweep's
 * blocks 1.25 times each (measured with the sweep eviction switched off); the reader gives 1.08
 * (the first row of tiles, before the step between rows is known, is plain LRU) and must stay
 * under 1.12. Decoded blocks live in reused slots: reads running side by side, evicting each
 * other's blocks all the time, still copy the file's pixels. A read that keeps nothing (sampling)
 * decodes each of its blocks once for all samples and leaves the cache as it found it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import { BlockReader } from '../../../electron/engine/raster/block-reader.js';
import { createGeoTiffWriter } from '../../../electron/engine/raster/geotiff-write.js';

const SIZE = 2560;
const BLOCK = 256;
const TILE = 768;
const STRIDE = 640;

describe('block cache in a sweep of tiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-sweep-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes each block about once with a cache smaller than a row of tiles', async () => {
    const path = join(dir, 'sweep.tif');
    const writer = await createGeoTiffWriter(path, {
      width: SIZE,
      height: SIZE,
      bands: 1,
      sampleFormat: 'uint8',
      geoTransform: [500000, 1, 0, 4000000, 0, -1],
      geoKeys: { epsg: 32650 },
      tileSize: BLOCK,
    });
    const rows = new Uint8Array(SIZE * BLOCK);
    for (let y = 0; y < SIZE; y += BLOCK) {
      for (let i = 0; i < rows.length; i++) rows[i] = (i * 7 + y) & 255;
      await writer.writeRows(rows);
    }
    await writer.close();

    const image = await (await fromFile(path)).getImage(0);
    // 1.5 MB: 24 blocks, where a row of tiles touches 4 block rows × 10 = 40.
    const reader = BlockReader.for(image, 1.5 * 1024 * 1024, path)!;
    const starts: number[] = [];
    for (let s = 0; s + TILE < SIZE; s += STRIDE) starts.push(s);
    starts.push(SIZE - TILE);
    const out = new Uint8Array(TILE * TILE);
    for (const y of starts) {
      for (const x of starts) {
        await reader.read(x, y, x + TILE, y + TILE, [0], [out], TILE, 0, 0);
        // The window's pixels are the file's, whatever the cache did.
        const probe = 300 * TILE + 17;
        const row = y + 300;
        expect(out[probe]).toBe((((row % BLOCK) * SIZE + x + 17) * 7 + row - (row % BLOCK)) & 255);
      }
    }
    const blocks = (SIZE / BLOCK) ** 2;
    expect(reader.decoded).toBeGreaterThanOrEqual(blocks);
    expect(reader.decoded / blocks).toBeLessThan(1.12);
    reader.close();
  });

  it('copies the right pixels when reads side by side evict each other’s blocks', async () => {
    const path = join(dir, 'sweep.tif');
    const image = await (await fromFile(path)).getImage(0);
    // One block of cache: each decode evicts the block before it, so slots are reused all the time.
    const reader = BlockReader.for(image, BLOCK * BLOCK, path)!;
    const want = (x: number, y: number) =>
      ((((y % BLOCK) * SIZE + x) * 7 + y - (y % BLOCK)) & 255) as number;
    const windows = Array.from({ length: 24 }, (_, i) => ({
      x: (i * 397) % (SIZE - 300),
      y: (i * 611) % (SIZE - 300),
    }));
    const readAt = async (w: { x: number; y: number }) => {
      const out = new Uint8Array(300 * 300);
      await reader.read(w.x, w.y, w.x + 300, w.y + 300, [0], [out], 300, 0, 0);
      return out;
    };
    for (let i = 0; i < windows.length; i += 2) {
      const [a, b] = await Promise.all([readAt(windows[i]), readAt(windows[i + 1])]);
      for (const [out, w] of [
        [a, windows[i]],
        [b, windows[i + 1]],
      ] as const) {
        for (let p = 0; p < out.length; p += 37) {
          const x = w.x + (p % 300);
          const y = w.y + Math.floor(p / 300);
          if (out[p] !== want(x, y)) expect(`(${x}, ${y}) = ${out[p]}`).toBe(`${want(x, y)}`);
        }
      }
    }
    expect(reader.decoded).toBeGreaterThan(windows.length);
    reader.close();
  });

  it('decodes the blocks of a read that keeps nothing once, and caches none of them', async () => {
    const path = join(dir, 'rgb.tif');
    const size = 2 * BLOCK;
    const writer = await createGeoTiffWriter(path, {
      width: size,
      height: size,
      bands: 3,
      sampleFormat: 'uint8',
      geoTransform: [500000, 1, 0, 4000000, 0, -1],
      geoKeys: { epsg: 32650 },
      tileSize: BLOCK,
    });
    const px = (x: number, y: number, b: number) => (x * 3 + y * 5 + b * 11) & 255;
    const rows = new Uint8Array(size * size * 3);
    for (let i = 0; i < rows.length; i++) {
      const p = Math.floor(i / 3);
      rows[i] = px(p % size, Math.floor(p / size), i % 3);
    }
    await writer.writeRows(rows);
    await writer.close();
    const image = await (await fromFile(path)).getImage(0);
    const reader = BlockReader.for(image, 64 * 1024 * 1024, path)!;
    const read = async (keep: boolean) => {
      const out = [0, 1, 2].map(() => new Float32Array(300 * 300));
      await reader.read(100, 100, 400, 400, [0, 1, 2], out, 300, 0, 0, undefined, keep);
      for (let p = 0; p < 300 * 300; p += 53) {
        for (let b = 0; b < 3; b++) {
          expect(out[b][p]).toBe(px(100 + (p % 300), 100 + Math.floor(p / 300), b));
        }
      }
    };
    // The window lies on 4 blocks, each holding all 3 samples of its pixels.
    await read(false);
    expect(reader.decoded).toBe(4);
    await read(false);
    expect(reader.decoded).toBe(8);
    await read(true);
    expect(reader.decoded).toBe(12);
    await read(true);
    await read(false);
    expect(reader.decoded).toBe(12);
    reader.close();
  });

  it.each([
    ['uint8', 3],
    ['uint16', 1],
  ] as const)(
    'gives a read that keeps nothing the file’s pixels from blocks inflated only down to its rows (%s × %i)',
    async (sampleFormat, bands) => {
      const path = join(dir, `partial-${sampleFormat}.tif`);
      const size = 2 * BLOCK;
      const writer = await createGeoTiffWriter(path, {
        width: size,
        height: size,
        bands,
        sampleFormat,
        geoTransform: [500000, 1, 0, 4000000, 0, -1],
        geoKeys: { epsg: 32650 },
        tileSize: BLOCK,
      });
      // Noise in the top blocks (little to compress), a smooth ramp in the bottom ones (much).
      const max = sampleFormat === 'uint8' ? 256 : 65536;
      const data =
        sampleFormat === 'uint8'
          ? new Uint8Array(size * size * bands)
          : new Uint16Array(size * size);
      let seed = 3;
      for (let i = 0; i < data.length; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        data[i] = i < data.length / 2 ? seed % max : Math.floor(i / (bands * 7)) % max;
      }
      await writer.writeRows(data);
      await writer.close();
      const image = await (await fromFile(path)).getImage(0);
      const passing = BlockReader.for(image, 64 * 1024 * 1024, path)!;
      const kept = BlockReader.for(image, 64 * 1024 * 1024, path)!;
      // Windows ending a few rows into a block, in its middle, at its last row, and one read
      // after another deeper into the same block (the block inflated again, further).
      const windows = [
        [10, 0, 74, 5],
        [300, 100, 364, 164],
        [40, 192, 104, 256],
        [200, 300, 264, 310],
        [200, 300, 264, 400],
        [5, 257, 500, 511],
      ];
      for (const [x0, y0, x1, y1] of windows) {
        const w = x1 - x0;
        const n = w * (y1 - y0);
        const want = Array.from({ length: bands }, () => new Float32Array(n));
        const got = Array.from({ length: bands }, () => new Float32Array(n));
        const samples = Array.from({ length: bands }, (_, b) => b);
        await kept.read(x0, y0, x1, y1, samples, want, w, 0, 0);
        await passing.read(x0, y0, x1, y1, samples, got, w, 0, 0, undefined, false);
        for (let b = 0; b < bands; b++) expect(got[b]).toEqual(want[b]);
      }
      passing.close();
      kept.close();
    },
  );
});
