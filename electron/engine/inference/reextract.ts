/**
 * Polygons from a probability raster kept on disk (a detection's probability.tif), at any
 * threshold and minimum area, without running the model again. Detection itself vectorises
 * through here, so a re-extraction at the run's own threshold gives the run's own polygons. Where
 * the run kept a kind map (kind.tif beside the probability), each polygon gets its change kind
 * from it (kind-assign.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrsInfo } from '../raster/crs-from-geokeys.js';
import { createGeoTiffWriter, type GeoTiffWriter } from '../raster/geotiff-write.js';
import { GeoTiffRows } from '../raster/probability-file.js';
import type { ChangePolygon } from '../vector/polygonize.js';
import { assignKinds, kindMapFor } from './kind-assign.js';
import { vectoriseStrips } from './strip-vectorise.js';

export interface ReextractOptions {
  /** Also write the kept change mask (0/255 GeoTIFF on the probability's grid) here. */
  maskPath?: string;
  /** Folder for the temporary bit mask; default a new folder in the system's temp folder. */
  scratchDir?: string;
  /**
   * The run's kind map (1/4-resolution kind probabilities); default kind.tif beside the
   * probability when there is one; null: assign no kinds.
   */
  kindPath?: string | null;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface ReextractResult {
  polygons: ChangePolygon[];
  /** The CRS of the polygons (the probability raster's). */
  crs: CrsInfo;
  /** Pixels of kept changes. */
  keptPixels: number;
  notes: string[];
}

/**
 * Re-extracts change polygons from a detection's probability GeoTIFF.
 *
 * @param probPath - `DetectResult.probabilityPath` (uint8, value = probability × 255)
 * @param threshold - probability (0–1) at or above which a pixel counts as changed
 * @param minArea - smallest change kept, in m²
 * @example
 * const run = await detectChanges({ beforePath, afterPath });
 * const stricter = await reextract(run.probabilityPath!, 0.7, 200);
 */
export async function reextract(
  probPath: string,
  threshold: number,
  minArea: number,
  options: ReextractOptions = {},
): Promise<ReextractResult> {
  const {
    probability: _p,
    mask: _m,
    ...rest
  } = await extractPolygons(probPath, threshold, minArea, options);
  return rest;
}

/** {@link reextract}, optionally also returning the probability and mask as arrays (small rasters). */
export async function extractPolygons(
  probPath: string,
  threshold: number,
  minArea: number,
  options: ReextractOptions & { keepInMemory?: boolean },
): Promise<ReextractResult & { probability?: Float32Array; mask?: Uint8Array }> {
  const rows = await GeoTiffRows.open(probPath);
  const { width, height, crs, geoTransform } = rows.info;
  const scratch = options.scratchDir ?? mkdtempSync(join(tmpdir(), 'lw-vector-'));
  const probability = options.keepInMemory ? new Float32Array(width * height) : undefined;
  const mask = options.keepInMemory ? new Uint8Array(width * height) : undefined;
  let writer: GeoTiffWriter | null = null;
  try {
    if (options.maskPath) {
      writer = await createGeoTiffWriter(options.maskPath, {
        width,
        height,
        bands: 1,
        sampleFormat: 'uint8',
        photometric: 'minisblack',
        geoTransform,
        geoKeys: {
          copyFrom: {
            geoKeyDirectory: rows.info.geoKeyTags.directory,
            doubleParams: rows.info.geoKeyTags.doubleParams,
            asciiParams: rows.info.geoKeyTags.asciiParams,
          },
        },
        overwrite: true,
      });
    }
    const source = {
      width,
      height,
      read: async (y0: number, y1: number, signal?: AbortSignal) => {
        const data = await rows.read(y0, y1, signal);
        probability?.set(data, y0 * width);
        return data;
      },
    };
    const result = await vectoriseStrips(source, {
      threshold,
      minAreaM2: minArea,
      geoTransform,
      geographic: crs.geographic,
      metresPerUnit: crs.metresPerUnit,
      scratchDir: scratch,
      signal: options.signal,
      onProgress: options.onProgress,
      onMaskRows: async (y, maskRows) => {
        if (mask)
          for (let i = 0; i < maskRows.length; i++) mask[y * width + i] = maskRows[i] ? 1 : 0;
        await writer?.writeRows(maskRows);
      },
    });
    await writer?.close();
    const kindMap = await kindMapFor(
      { path: probPath, width, height, geoTransform },
      options.kindPath,
    );
    const polygons = kindMap.path
      ? await assignKinds(result.polygons, kindMap.path, options.signal)
      : result.polygons;
    const notes =
      'note' in kindMap && kindMap.note ? [...result.notes, kindMap.note] : result.notes;
    return { ...result, polygons, notes, crs, probability, mask };
  } catch (error) {
    await writer?.abort();
    throw error;
  } finally {
    rows.close();
    if (!options.scratchDir) rmSync(scratch, { recursive: true, force: true });
  }
}
