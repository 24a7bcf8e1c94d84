/**
 * Display copies: which scenes the map can read straight from the file, and for the others a
 * tiled copy with overviews on the same grid, built once, reused from disk, rebuilt when the
 * source changes, never left half-written (bad input, cancel), and failing with the file's name.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LandWatchError } from '../../../electron/engine/errors.js';
import { DisplayCache } from '../../../electron/engine/raster/display-cache.js';
import {
  DISPLAY_TILE,
  displayCopyReason,
  displayOverviewCount,
} from '../../../electron/engine/raster/display-copy.js';
import { createGeoTiffWriter } from '../../../electron/engine/raster/geotiff-write.js';
import { RasterSource, type StoredLayout } from '../../../electron/engine/raster/raster-source.js';
import { makeTempDir } from '../export/gdal-cli.js';

const { dir, cleanup } = makeTempDir('display-copy');
afterAll(cleanup);

const tiled = (size: number, tile = 256) => ({
  width: size,
  height: size,
  tiled: true,
  tileWidth: tile,
  tileHeight: tile,
});

describe('displayCopyReason', () => {
  const cog: StoredLayout = {
    ...tiled(16384),
    compression: 8,
    colour: 'direct',
    overviews: [8192, 4096, 2048, 1024, 512].map((s) => tiled(s)),
  };

  it('lets a tiled COG with overviews down to 1024 px or less be read directly', () => {
    expect(displayCopyReason(cog)).toBeNull();
    expect(displayCopyReason({ ...cog, ...tiled(800, 512), overviews: [] })).toBeNull();
  });

  it('asks for a copy of strips, missing or short overviews, odd tiles and other colours', () => {
    expect(displayCopyReason({ ...cog, tiled: false, tileWidth: 16384, tileHeight: 1 })).toBe(
      'stored in strips',
    );
    expect(displayCopyReason({ ...cog, overviews: [] })).toBe('no overviews');
    expect(displayCopyReason({ ...cog, overviews: [tiled(8192), tiled(4096)] })).toBe(
      'overviews reach down to 4096 px only',
    );
    expect(displayCopyReason({ ...cog, tileWidth: 512, tileHeight: 256 })).toBe(
      'tiles of 512 × 256 px',
    );
    expect(displayCopyReason({ ...cog, colour: 'ycbcr' })).toBe('stored as JPEG YCbCr');
    expect(displayCopyReason({ ...cog, compression: 34712 })).toBe('TIFF compression 34712');
  });

  it('gives copies overviews down to one display tile', () => {
    expect(displayOverviewCount(16384, 16384)).toBe(5);
    expect(displayOverviewCount(800, 600)).toBe(1);
    expect(displayOverviewCount(500, 300)).toBe(0);
  });
});

/** A stripped uint16 2-band image with a no-data corner; values depend on position. */
async function writeStripped(path: string, w: number, h: number, salt = 0) {
  const writer = await createGeoTiffWriter(path, {
    width: w,
    height: h,
    bands: 2,
    sampleFormat: 'uint16',
    geoTransform: [500_000, 2, 0, 3_000_000, 0, -2],
    geoKeys: { epsg: 32650 },
    layout: 'strip',
    rowsPerStrip: 1,
    nodata: 0,
    overwrite: true,
  });
  const data = new Uint16Array(w * h * 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 2;
      data[o] = x < 40 && y < 40 ? 0 : 1 + ((x * 37 + y * 11 + salt) % 4000);
      data[o + 1] = 100 + ((x ^ y) & 1023);
    }
  }
  await writer.writeRows(data);
  await writer.close();
}

describe('DisplayCache', () => {
  it('copies a stripped scene once, tiled with overviews on the same grid, and reuses it', async () => {
    const src = join(dir, 'strips.tif');
    const cacheDir = join(dir, 'cache-a');
    await writeStripped(src, 1100, 700);
    const cache = new DisplayCache();
    expect(cache.state(src, cacheDir)).toEqual({ kind: 'pending', reason: null });
    const progress: number[] = [];
    const state = await cache.ensure(src, cacheDir, { onProgress: (done) => progress.push(done) });
    expect(state.kind).toBe('copy');
    if (state.kind !== 'copy') return;
    expect(progress.at(-1)).toBe(700);

    const [orig, copy] = await Promise.all([RasterSource.open(src), RasterSource.open(state.path)]);
    try {
      const layout = await copy.storedLayout();
      expect(layout.tiled).toBe(true);
      expect(layout.tileWidth).toBe(DISPLAY_TILE);
      expect(layout.overviews.map((o) => [o.width, o.height])).toEqual([
        [550, 350],
        [275, 175],
      ]);
      expect(displayCopyReason(layout)).toBeNull();
      expect(copy.info.geoTransform).toEqual(orig.info.geoTransform);
      expect(copy.info.crs.epsg).toBe(32650);
      expect(copy.info.nodata).toBe(0);
      expect(copy.info.bitsPerSample).toBe(16);
      const window = { x: 500, y: 300, width: 600, height: 400 };
      expect(await copy.readWindow(window, [0, 1])).toEqual(await orig.readWindow(window, [0, 1]));
    } finally {
      orig.close();
      copy.close();
    }

    // A fresh cache (a new session) finds the copy on disk; ensure does not build it again.
    const built = statSync(state.path).mtimeMs;
    const again = new DisplayCache();
    expect(again.state(src, cacheDir)).toEqual(state);
    expect(await again.ensure(src, cacheDir)).toEqual(state);
    expect(statSync(state.path).mtimeMs).toBe(built);

    // A changed source gets a new copy, and the old one goes.
    await writeStripped(src, 1100, 701, 5);
    const next = await again.ensure(src, cacheDir);
    expect(next.kind === 'copy' && next.path !== state.path).toBe(true);
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it('reads a tiled scene with overviews directly and copies nothing', async () => {
    const src = join(dir, 'cog.tif');
    const writer = await createGeoTiffWriter(src, {
      width: 1500,
      height: 1500,
      bands: 1,
      sampleFormat: 'uint8',
      geoTransform: [0, 1, 0, 0, 0, -1],
      geoKeys: { epsg: 32650 },
      overviews: 1,
    });
    await writer.writeRows(new Uint8Array(1500 * 1500).map((_, i) => i % 251));
    await writer.close();
    const cacheDir = join(dir, 'cache-b');
    const cache = new DisplayCache();
    expect(await cache.ensure(src, cacheDir)).toEqual({ kind: 'direct' });
    expect(cache.state(src, cacheDir)).toEqual({ kind: 'direct' });
    expect(() => readdirSync(cacheDir)).toThrow();
  });

  it.each([
    ['truncated', 'cut-short.tif'],
    ['corrupt', 'garbled.tif'],
  ])(
    'fails on a %s scene with one message naming the file, leaving nothing behind',
    async (how, name) => {
      const whole = join(dir, `whole-${how}.tif`);
      await writeStripped(whole, 600, 600);
      const bytes = readFileSync(whole);
      const bad = join(dir, name);
      if (how === 'truncated') {
        // The directory is at the end of the file: half a file has none.
        writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length / 2)));
      } else {
        // Header and directory intact, the compressed strips in the middle overwritten.
        const garbled = Buffer.from(bytes);
        garbled.fill(0x5a, 4096, Math.floor(bytes.length * 0.6));
        writeFileSync(bad, garbled);
      }
      const cacheDir = join(dir, `cache-${how}`);
      const error = await new DisplayCache().ensure(bad, cacheDir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LandWatchError);
      expect((error as Error).message).toContain(name);
      const left = (() => {
        try {
          return readdirSync(cacheDir);
        } catch {
          return [];
        }
      })();
      expect(left).toEqual([]);
    },
  );

  it('stops on cancel without leaving a partial copy', async () => {
    const src = join(dir, 'cancel.tif');
    await writeStripped(src, 800, 800);
    const cacheDir = join(dir, 'cache-d');
    const controller = new AbortController();
    const error = await new DisplayCache()
      .ensure(src, cacheDir, {
        signal: controller.signal,
        onProgress: (done) => done > 100 && controller.abort(),
      })
      .catch((e: unknown) => e);
    expect((error as LandWatchError).code).toBe('E_CANCELLED');
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});
