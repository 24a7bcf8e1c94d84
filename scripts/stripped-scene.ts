/**
 * A large stripped, overview-less GeoTIFF pair as county mosaics often come: 3 bands uint8,
 * one row per strip (as GDAL writes uncompressed-size-limited strips of wide images), deflate,
 * no overviews. Written with LandWatch's own streaming writer, 256 rows at a time, so a 16384²
 * pair needs a few tens of MB. The pixels are a field-and-road pattern with smooth tone and
 * per-field texture (so deflate and the display copy have real work), and the after date has a
 * few hundred new "roofs"; the same size always gives the same pixels.
 */
import { join } from 'node:path';
import { createGeoTiffWriter } from '../electron/engine/raster/geotiff-write.js';

/** UTM 50N, 0.5 m pixels, somewhere near Nanjing. */
const ORIGIN = [660_000, 3_550_000] as const;
const PIXEL_M = 0.5;
const FIELD = 384;

/** Deterministic hash of a field to 0 … 1. */
function fieldHash(fx: number, fy: number, salt: number): number {
  let h = Math.imul(fx * 73_856_093 + fy * 19_349_663 + salt * 83_492_791, 0x9e3779b1);
  h ^= h >>> 15;
  return ((Math.imul(h, 0x85ebca6b) >>> 8) & 0xffff) / 0xffff;
}

function fillRows(out: Uint8Array, size: number, y0: number, rows: number, after: boolean): void {
  for (let r = 0; r < rows; r++) {
    const y = y0 + r;
    const fy = Math.floor(y / FIELD);
    const road = y % FIELD < 10;
    for (let x = 0; x < size; x++) {
      const fx = Math.floor(x / FIELD);
      const o = (r * size + x) * 3;
      if (road || x % FIELD < 10) {
        out[o] = out[o + 1] = out[o + 2] = 150 + ((x ^ y) & 7);
        continue;
      }
      const kind = fieldHash(fx, fy, 1);
      const tone = 20 * Math.sin((x + y) / 900) + ((x * 7 + y * 13) & 15);
      const built = after && fieldHash(fx, fy, 2) < 0.08;
      const lx = x % FIELD;
      const ly = y % FIELD;
      if (built && lx > 120 && lx < 260 && ly > 140 && ly < 240) {
        out[o] = 190;
        out[o + 1] = 80 + (lx & 3);
        out[o + 2] = 60;
      } else {
        out[o] = 60 + kind * 90 + tone;
        out[o + 1] = 90 + kind * 60 + tone + ((y >> 3) & 3) * 4;
        out[o + 2] = 50 + kind * 40 + tone;
      }
    }
  }
}

/** Writes `stripped-<size>-before.tif` and `-after.tif` into `dir`; returns their paths. */
export async function writeStrippedPair(
  dir: string,
  size: number,
): Promise<{ before: string; after: string }> {
  const paths = {
    before: join(dir, `stripped-${size}-before.tif`),
    after: join(dir, `stripped-${size}-after.tif`),
  };
  for (const date of ['before', 'after'] as const) {
    const writer = await createGeoTiffWriter(paths[date], {
      width: size,
      height: size,
      bands: 3,
      sampleFormat: 'uint8',
      photometric: 'rgb',
      geoTransform: [ORIGIN[0], PIXEL_M, 0, ORIGIN[1], 0, -PIXEL_M],
      geoKeys: { epsg: 32650 },
      layout: 'strip',
      rowsPerStrip: 1,
      overwrite: true,
    });
    const block = new Uint8Array(256 * size * 3);
    for (let y = 0; y < size; y += 256) {
      const rows = Math.min(256, size - y);
      fillRows(block, size, y, rows, date === 'after');
      await writer.writeRows(block.subarray(0, rows * size * 3));
    }
    await writer.close();
  }
  return paths;
}
