/**
 * Fixtures for alignment tests, made from the shared real GeoTIFFs at test time: a copy with a
 * "new building" painted in (LandWatch's own writer, same grid and GeoKeys), and reprojected or
 * resampled versions made with gdalwarp in a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createGeoTiffWriter } from '../../../electron/engine/raster/geotiff-write.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';

export const hasGdalwarp = existsSync('/usr/bin/gdalwarp') || whichGdalwarp();
if (!hasGdalwarp) console.warn('gdalwarp not found: alignment tests that reproject are skipped');

function whichGdalwarp(): boolean {
  try {
    execFileSync('gdalwarp', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pixel rectangle [x, y, width, height]. */
export type Rect = [number, number, number, number];

/**
 * Copies a GeoTIFF with a roof painted over `rect` (and a shadow to its south-east), the way a
 * new building appears between two dates; every band gets the roof's brightness pattern.
 */
export async function paintBuilding(src: string, out: string, rect: Rect): Promise<void> {
  const s = await RasterSource.open(src);
  const { width, height, bands, geoTransform, geoKeyTags } = s.info;
  const all = Array.from({ length: bands }, (_, b) => b);
  const planes = await s.readWindow({ x: 0, y: 0, width, height }, all);
  s.close();
  const roof = [205, 96, 70, 255];
  const [x0, y0, w, h] = rect;
  for (let y = y0 + 2; y < y0 + h + 2; y++) {
    for (let x = x0 + 2; x < x0 + w + 2; x++)
      planes.forEach((p, b) => (p[y * width + x] = b < 3 ? 40 : p[y * width + x]));
  }
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const ridge = Math.abs(y - (y0 + h / 2)) < 1;
      planes.forEach(
        (p, b) =>
          (p[y * width + x] = bands === 1 ? (ridge ? 150 : 235) : ridge ? roof[b] * 0.8 : roof[b]),
      );
    }
  }
  const writer = await createGeoTiffWriter(out, {
    width,
    height,
    bands,
    sampleFormat: 'uint8',
    photometric: bands >= 3 ? 'rgb' : 'minisblack',
    geoTransform,
    geoKeys: {
      copyFrom: {
        geoKeyDirectory: geoKeyTags.directory,
        doubleParams: geoKeyTags.doubleParams,
        asciiParams: geoKeyTags.asciiParams,
      },
    },
    overwrite: true,
  });
  const px = new Uint8Array(width * height * bands);
  for (let i = 0; i < width * height; i++) {
    for (let b = 0; b < bands; b++)
      px[i * bands + b] = Math.max(0, Math.min(255, Math.round(planes[b][i])));
  }
  await writer.writeRows(px);
  await writer.close();
}

/** Runs gdalwarp quietly (bilinear unless the arguments say otherwise). */
export function gdalwarp(src: string, out: string, ...args: string[]): void {
  execFileSync(
    'gdalwarp',
    ['-q', '-overwrite', '-r', 'bilinear', '-co', 'TILED=YES', ...args, src, out],
    {
      stdio: 'pipe',
    },
  );
}
