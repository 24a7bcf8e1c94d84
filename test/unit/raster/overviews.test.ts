/**
 * Internal overviews: the streaming writer adds 2 × 2-mean reduced images (as COG deliveries carry
 * them), the overview reader finds the one at a reduction and reads windows of it, and the coarse
 * screening level built from an overview matches the one reduced from full resolution.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGeoTiffWriter } from '../../../electron/engine/raster/geotiff-write.js';
import {
  alignedOverview,
  OverviewReader,
} from '../../../electron/engine/raster/overview-reader.js';
import { buildCoarseLevel, coarseSize } from '../../../electron/engine/raster/pyramid.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { gdalAvailable, makeTempDir, runGdalClean } from '../export/gdal-cli.js';

const { dir, cleanup } = makeTempDir('overviews');
afterAll(cleanup);

/** A 3-band uint8 image with structure at every scale, pixel-interleaved. */
function pixels(w: number, h: number): Uint8Array {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      data[o] = (x * 5 + y * 3) % 256;
      data[o + 1] = 128 + Math.round(100 * Math.sin(x / 17) * Math.cos(y / 23));
      data[o + 2] = (x ^ y) & 255;
    }
  }
  return data;
}

/** Writes the image with `levels` overviews, in uneven row chunks as a streaming caller would. */
async function write(
  path: string,
  w: number,
  h: number,
  data: Uint8Array,
  levels: number,
  bands = 3,
) {
  const writer = await createGeoTiffWriter(path, {
    width: w,
    height: h,
    bands,
    sampleFormat: 'uint8',
    photometric: bands === 3 ? 'rgb' : 'minisblack',
    geoTransform: [500000, 0.5, 0, 4400000, 0, -0.5],
    geoKeys: { epsg: 32650 },
    overviews: levels,
    tileSize: 64,
  });
  for (let y = 0; y < h;) {
    const n = Math.min(h - y, 1 + ((y * 7) % 45));
    await writer.writeRows(data.subarray(y * w * bands, (y + n) * w * bands));
    y += n;
  }
  await writer.close();
}

/** 2 × 2 means (edge pixels average what there is), rounded: the reference reduction. */
function halve(data: Uint8Array, w: number, h: number, bands = 3) {
  const hw = Math.ceil(w / 2);
  const hh = Math.ceil(h / 2);
  const out = new Uint8Array(hw * hh * bands);
  for (let y = 0; y < hh; y++) {
    for (let x = 0; x < hw; x++) {
      for (let b = 0; b < bands; b++) {
        let s = 0;
        let n = 0;
        for (let yy = 2 * y; yy < Math.min(h, 2 * y + 2); yy++) {
          for (let xx = 2 * x; xx < Math.min(w, 2 * x + 2); xx++, n++)
            s += data[(yy * w + xx) * bands + b];
        }
        out[(y * hw + x) * bands + b] = Math.round(s / n);
      }
    }
  }
  return { data: out, w: hw, h: hh };
}

describe('GeoTIFF overviews', () => {
  it('writes 2 × 2-mean overviews that the overview reader finds and reads exactly', async () => {
    const [w, h] = [301, 203];
    const data = pixels(w, h);
    // Rows of zeros (a screened probability's), and zero rows with one value near the end of the
    // pairs the fast path reduces, or in the odd last column it leaves to the general loop.
    data.fill(0, 40 * w * 3, 100 * w * 3);
    data.fill(0, 120 * w * 3, 122 * w * 3);
    data[(121 * w + 299) * 3 + 1] = 200;
    data.fill(0, 130 * w * 3, 132 * w * 3);
    data[(130 * w + 300) * 3 + 2] = 90;
    const path = join(dir, 'ovr.tif');
    await write(path, w, h, data, 2);
    const src = await RasterSource.open(path);
    expect(src.info.overviewCount).toBe(2);
    // The full-resolution image is untouched by the overviews written beside it.
    const [r] = await src.readWindow({ x: 0, y: 0, width: w, height: h }, [0]);
    expect(Array.from(r.subarray(0, 5))).toEqual([0, 5, 10, 15, 20]);
    const half = halve(data, w, h);
    const quarter = halve(half.data, half.w, half.h);
    for (const [factor, ref] of [
      [2, half],
      [4, quarter],
    ] as const) {
      const ovr = (await OverviewReader.open(src, factor)) as OverviewReader;
      expect([ovr.info.width, ovr.info.height]).toEqual([ref.w, ref.h]);
      const planes = await ovr.readWindow(
        { x: -1, y: 0, width: ref.w + 1, height: ref.h },
        [0, 1, 2],
      );
      for (let b = 0; b < 3; b++) {
        expect(planes[b][0]).toBeNaN();
        for (let y = 0; y < ref.h; y++) {
          for (let x = 0; x < ref.w; x++) {
            expect(planes[b][y * (ref.w + 1) + x + 1]).toBe(ref.data[(y * ref.w + x) * 3 + b]);
          }
        }
      }
      // Into the caller's arrays (dirty, as reused ones are): the same values, NaN outside.
      const into = [0, 1, 2].map(() => new Float32Array((ref.w + 1) * ref.h).fill(7));
      await ovr.readWindowInto({ x: -1, y: 0, width: ref.w + 1, height: ref.h }, [0, 1, 2], into);
      into.forEach((values, b) => expect(values).toEqual(planes[b]));
      ovr.close();
    }
    expect(await OverviewReader.open(src, 8)).toBeNull();
    // Only overviews whose grid lines up with the window's origin are used.
    expect((await alignedOverview(src, 4, 8, 4))?.factor).toBe(4);
    expect((await alignedOverview(src, 4, 2, 6))?.factor).toBe(2);
    expect(await alignedOverview(src, 4, 3, 0)).toBeNull();
    src.close();
  });

  it.each([
    // Rows on 4-byte boundaries: every pair through the four-bytes-at-a-time path.
    [308, 131],
    // Rows off them, a pair after the last whole word and an odd last column.
    [307, 131],
    [310, 3],
  ])('reduces one-band byte rows (masks, probabilities) exactly: %i × %i', async (w, h) => {
    const data = new Uint8Array(w * h);
    // Sparse, as a screened probability: values in either row of a pair, in any byte of a word.
    for (let k = 0; k < 900; k++) data[(k * 7919) % data.length] = 1 + ((k * 37) % 255);
    data.fill(255, Math.min(60, h - 1) * w + 100, Math.min(60, h - 1) * w + 140);
    data.fill(3, Math.min(90, h - 2) * w, Math.min(92, h) * w);
    const path = join(dir, `ovr-1band-${w}.tif`);
    await write(path, w, h, data, 2, 1);
    const src = await RasterSource.open(path);
    const half = halve(data, w, h, 1);
    const quarter = halve(half.data, half.w, half.h, 1);
    for (const [factor, ref] of [
      [2, half],
      [4, quarter],
    ] as const) {
      const ovr = (await OverviewReader.open(src, factor)) as OverviewReader;
      const [plane] = await ovr.readWindow({ x: 0, y: 0, width: ref.w, height: ref.h }, [0]);
      expect(Array.from(plane)).toEqual(Array.from(ref.data));
      ovr.close();
    }
    src.close();
  });

  it.skipIf(!gdalAvailable)('GDAL sees the overviews', () => {
    const info = JSON.parse(runGdalClean('gdalinfo', ['-json', join(dir, 'ovr.tif')])) as {
      bands: { overviews?: { size: number[] }[] }[];
    };
    expect(info.bands[0].overviews?.map((o) => o.size)).toEqual([
      [151, 102],
      [76, 51],
    ]);
  });

  it('the coarse screening level from a 1/4 overview matches the one from full resolution', async () => {
    const [w, h] = [640, 520];
    const path = join(dir, 'screen.tif');
    await write(path, w, h, pixels(w, h), 3);
    const src = await RasterSource.open(path);
    const window = { x: 64, y: 32, width: 512, height: 480 };
    const full = await buildCoarseLevel({
      source: src,
      bands: [0, 1, 2],
      window,
      factor: 4,
      path: join(dir, 'full.f32'),
    });
    const ovr = (await alignedOverview(src, 4, window.x, window.y)) as OverviewReader;
    const fromOvr = await buildCoarseLevel({
      source: ovr,
      bands: [0, 1, 2],
      window: { x: 16, y: 8, width: 128, height: 120 },
      factor: 1,
      path: join(dir, 'ovr.f32'),
    });
    // The chunks read into reused arrays (readWindowInto) give the level the fresh reads give.
    const plain = await buildCoarseLevel({
      source: { info: ovr.info, readWindow: (w, bands) => ovr.readWindow(w, bands) },
      bands: [0, 1, 2],
      window: { x: 16, y: 8, width: 128, height: 120 },
      factor: 1,
      path: join(dir, 'plain.f32'),
    });
    const size = coarseSize(window.width, window.height, 4);
    const a = await full.readWindow({ x: 0, y: 0, ...size }, [0, 1, 2]);
    const b = await fromOvr.readWindow({ x: 0, y: 0, ...size }, [0, 1, 2]);
    expect(await plain.readWindow({ x: 0, y: 0, ...size }, [0, 1, 2])).toEqual(b);
    plain.dispose();
    for (let band = 0; band < 3; band++) {
      for (let i = 0; i < a[band].length; i++) {
        // Two roundings to whole numbers on the way down (1/2, then 1/4) and nothing else.
        expect(Math.abs(a[band][i] - b[band][i])).toBeLessThanOrEqual(1);
      }
    }
    full.dispose();
    fromOvr.dispose();
    ovr.close();
    src.close();
  });
});
