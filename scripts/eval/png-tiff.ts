/**
 * Labelled PNG pairs (../shared/data/cd-pairs) as GeoTIFFs, so evaluations and tests can run them
 * through the same file-based code as `landwatch adapt` and `detect`: RGB (or a label's first band)
 * on a made-up UTM grid at the site's resolution, optionally a crop.
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { createGeoTiffWriter } from '../../electron/engine/raster/geotiff-write.js';

export interface Png {
  width: number;
  height: number;
  /** RGBA, row-major. */
  data: Uint8Array;
}

export function readPng(path: string): Png {
  const png = PNG.sync.read(readFileSync(path));
  return { width: png.width, height: png.height, data: png.data as Uint8Array };
}

/** Writes a PNG (a crop of it, default all) as an 8-bit GeoTIFF: RGB, or band 1 for labels. */
export async function pngToTiff(
  png: string,
  out: string,
  metresPerPixel: number,
  label: boolean,
  crop?: { x: number; y: number; width: number; height: number },
): Promise<void> {
  const img = readPng(png);
  const c = crop ?? { x: 0, y: 0, width: img.width, height: img.height };
  const bands = label ? 1 : 3;
  const w = await createGeoTiffWriter(out, {
    width: c.width,
    height: c.height,
    bands,
    sampleFormat: 'uint8',
    photometric: label ? 'minisblack' : 'rgb',
    geoTransform: [500000, metresPerPixel, 0, 4000000, 0, -metresPerPixel],
    geoKeys: { epsg: 32633 },
    overwrite: true,
  });
  const data = new Uint8Array(c.width * c.height * bands);
  for (let r = 0; r < c.height; r++) {
    for (let col = 0; col < c.width; col++) {
      const src = ((c.y + r) * img.width + c.x + col) * 4;
      const dst = (r * c.width + col) * bands;
      for (let b = 0; b < bands; b++) data[dst + b] = img.data[src + b];
    }
  }
  await w.writeRows(data);
  await w.close();
}
