/**
 * Polygons from a probability raster kept on disk (a detection's probability.tif), at any
 * threshold and minimum area, without running the model again. Detection itself vectorises
 * through here, so a re-extraction at the run's own threshold gives the run's own polygons. Where
 * the run kept a kind map (kind.tif beside the probability), each polygon gets its change kind
 * from it (kind-assign.ts).
 */
import type { GeoKeySource } from '../raster/geotiff-write.js';
import { GeoTiffRows } from '../raster/geotiff-rows.js';
import type { GeoTransform } from '../vector/geo.js';
import {
  PolygonExtraction,
  type ExtractedPolygons,
  type ExtractionOptions,
  type ReextractOptions,
  type ReextractResult,
} from './polygon-extraction.js';

export {
  PolygonExtraction,
  type ExtractedPolygons,
  type ExtractionOptions,
  type ExtractionSource,
  type ReextractOptions,
  type ReextractResult,
} from './polygon-extraction.js';

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
  options: ExtractionOptions,
): Promise<ExtractedPolygons> {
  const rows = await GeoTiffRows.open(probPath);
  try {
    const { crs, geoTransform, geoKeyTags } = rows.info;
    const geoKeys: GeoKeySource = {
      copyFrom: {
        geoKeyDirectory: geoKeyTags.directory,
        doubleParams: geoKeyTags.doubleParams,
        asciiParams: geoKeyTags.asciiParams,
      },
    };
    const source = {
      rows,
      crs,
      geoTransform: [...geoTransform] as GeoTransform,
      geoKeys,
      probPath,
    };
    const extraction = await PolygonExtraction.start(source, threshold, minArea, options);
    try {
      return await extraction.finish();
    } catch (error) {
      await extraction.abort();
      throw error;
    }
  } finally {
    rows.close();
  }
}
