/**
 * Writes a detection's change mask as a single-band 0/255 GeoTIFF on exactly the before image's
 * grid (same size, geotransform and GeoKeys), streaming row blocks so memory stays bounded. The
 * mask is the cleaned one the polygons were traced from, so both outputs show the same changes:
 * it is read block by block from the run's mask on disk (the overlap window), or taken from the
 * in-memory mask of a small run.
 */
import { existsSync } from 'node:fs';
import { copyFile, rename, rm } from 'node:fs/promises';
import { LandWatchError } from '../errors.js';
import type { DetectResult } from '../inference/detect.js';
import { createGeoTiffWriter } from './geotiff-write.js';
import { GeoTiffRows } from './geotiff-rows.js';
import { RasterSource, type RasterInfo } from './raster-source.js';

/** What {@link writeMask} needs of a detection: the grid, the window, and the mask somewhere. */
export type MaskSource = Pick<DetectResult, 'before' | 'alignment'> & {
  /** The run's mask on the window grid; read instead of `mask` when given. */
  maskPath?: string;
  mask?: Uint8Array;
};

/**
 * Writes the change mask (0/255) on the before image's full grid; outside the overlap it is 0.
 * Fails if `path` exists unless `overwrite` is set.
 */
export async function writeMask(
  path: string,
  result: MaskSource,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  const { before, alignment } = result;
  const { width, height } = before;
  if (result.maskPath && (await sameGrid(result.maskPath, before))) {
    // The run's mask already is this file (the overlap is the whole before grid): copy it rather
    // than decode and re-encode every pixel, which took seconds on a 16 384² scene.
    if (!options.overwrite && existsSync(path)) {
      throw new LandWatchError(
        'E_OUTPUT',
        `${path} already exists; choose another name or allow overwriting.`,
      );
    }
    try {
      await copyFile(result.maskPath, `${path}.part`);
      await rename(`${path}.part`, path);
    } catch (error) {
      await rm(`${path}.part`, { force: true }).catch(() => undefined);
      throw error;
    }
    return;
  }
  const rows = result.maskPath ? await GeoTiffRows.open(result.maskPath, 1) : null;
  const memory = result.maskPath ? null : result.mask;
  if (!rows && !memory) throw new Error('writeMask needs a maskPath or a mask');
  const writer = await createGeoTiffWriter(path, {
    width,
    height,
    bands: 1,
    sampleFormat: 'uint8',
    photometric: 'minisblack',
    geoTransform: before.geoTransform,
    geoKeys: {
      copyFrom: {
        geoKeyDirectory: before.geoKeyTags.directory,
        doubleParams: before.geoKeyTags.doubleParams,
        asciiParams: before.geoKeyTags.asciiParams,
      },
    },
    compression: 'deflate',
    overwrite: options.overwrite,
  });
  try {
    const rowsPerBlock = writer.blockHeight;
    for (let y0 = 0; y0 < height; y0 += rowsPerBlock) {
      const n = Math.min(rowsPerBlock, height - y0);
      const block = new Uint8Array(n * width);
      // Rows of this block inside the window, in window coordinates.
      const w0 = Math.max(0, y0 - alignment.y);
      const w1 = Math.min(alignment.height, y0 + n - alignment.y);
      if (w1 > w0) {
        const src = rows ? await rows.read(w0, w1) : null;
        for (let wy = w0; wy < w1; wy++) {
          const dst = (wy + alignment.y - y0) * width + alignment.x;
          const off = (wy - (src ? w0 : 0)) * alignment.width;
          const data = src ?? (memory as Uint8Array);
          for (let c = 0; c < alignment.width; c++) block[dst + c] = data[off + c] ? 255 : 0;
        }
      }
      await writer.writeRows(block);
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    rows?.close();
  }
}

/** Whether the GeoTIFF at `path` has exactly the before image's size, geotransform and GeoKeys. */
async function sameGrid(path: string, before: RasterInfo): Promise<boolean> {
  const mask = await RasterSource.open(path);
  mask.close();
  const m = mask.info;
  return (
    m.width === before.width &&
    m.height === before.height &&
    m.geoTransform.every((v, i) => v === before.geoTransform[i]) &&
    JSON.stringify(m.geoKeyTags) === JSON.stringify(before.geoKeyTags)
  );
}
