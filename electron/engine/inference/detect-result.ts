/**
 * What a detection returns (see detect.ts): polygons, where its rasters are on disk and what was
 * done; small windows also carry their probability and mask as arrays.
 */
import { LandWatchError } from '../errors.js';
import type { Alignment } from '../raster/alignment.js';
import type { GeoTransform, RasterInfo } from '../raster/raster-source.js';
import type { ChangePolygon } from '../vector/polygonize.js';
import type { ModelCard } from './model-card.js';
import type { PhaseSeconds } from './phase-clock.js';
import type { ScreeningReport } from './screening.js';
import type { TileCounts } from './tile-rows.js';

/** Windows up to this many pixels also get `probability` and `mask` as arrays in the result. */
export const IN_MEMORY_PIXELS = 4 * 1024 * 1024;

/** A finished detection: polygons, where its rasters are on disk, and what was done. */
export interface DetectResult {
  before: RasterInfo;
  after: RasterInfo;
  alignment: Alignment;
  /** Geotransform of the processed window (the overlap) in the before CRS. */
  windowTransform: GeoTransform;
  /**
   * Blended change probability over the overlap window, row-major, in the stored 1/255 steps.
   * Held only for windows up to {@link IN_MEMORY_PIXELS}; reading it on a larger one throws — use
   * `probabilityPath`.
   */
  probability: Float32Array;
  /** The cleaned change mask the polygons were traced from (1 = kept change); same limit. */
  mask: Uint8Array;
  polygons: ChangePolygon[];
  model: ModelCard;
  threshold: number;
  minArea: number;
  executionProvider: string;
  fallbacks: { provider: string; reason: string }[];
  notes: string[];
  seconds: { open: number; infer: number; vectorise: number };
  /**
   * Seconds per pipeline phase (phase-clock.ts): open, screen, read, normalise, model, wait (the
   * model idle for its next inputs), blend, write, vectorise. Overlapping phases sum past the wall.
   */
  phases?: PhaseSeconds;
  /** The probability as a uint8 GeoTIFF (value = p × 255) on the window grid; see `reextract`. */
  probabilityPath?: string;
  /** The kept change mask (0/255) as a GeoTIFF on the window grid. */
  maskPath?: string;
  /** The change-kind map (kind-map.ts), for polygons' `changeKind`; absent without a kind output. */
  kindPath?: string;
  /** The work folder (probability, mask, checkpoints). */
  workDir?: string;
  /** Tiles of the run: total, run now, skipped by screening, taken from a checkpoint. */
  tiles?: TileCounts;
  /** What coarse screening did; null for a full sweep. */
  screening?: ScreeningReport | null;
}

/** Adds the in-memory arrays, or for large windows getters that say where the data is instead. */
export function withArrays(
  result: Omit<DetectResult, 'probability' | 'mask'>,
  probability: Float32Array | undefined,
  mask: Uint8Array | undefined,
  pixels: number,
): DetectResult {
  const tooLarge = (what: string, path: string | undefined) => () => {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `DetectResult.${what} is held in memory only for windows up to ${IN_MEMORY_PIXELS} pixels; this one has ${pixels}. Read ${path} instead.`,
    );
  };
  const out = result as DetectResult;
  if (probability) out.probability = probability;
  else
    Object.defineProperty(out, 'probability', {
      get: tooLarge('probability', result.probabilityPath),
    });
  if (mask) out.mask = mask;
  else Object.defineProperty(out, 'mask', { get: tooLarge('mask', result.maskPath) });
  return out;
}
