/**
 * Change detection over a pair of GeoTIFFs: open and align both dates, run the model tile by tile
 * with seam-free blending into a probability raster on disk, and vectorise it strip by strip into
 * georeferenced change polygons. Memory stays bounded whatever the scene size. Used as is by the
 * CLI, and inside a worker thread by the app.
 */
import type { Device } from '../../common/contract.js';
import { LandWatchError, throwIfAborted } from '../errors.js';
import { alignDates, type Alignment } from '../raster/alignment.js';
import { chooseBands, type StretchMode } from '../raster/bands.js';
import { prepareDates } from '../raster/radiometry.js';
import { RasterSource, type GeoTransform, type RasterInfo } from '../raster/raster-source.js';
import type { ChangePolygon } from '../vector/polygonize.js';
import type { ModelCard } from './model-card.js';
import { findModel } from './model-registry.js';
import { runProbability } from './probability-run.js';
import { extractPolygons } from './reextract.js';
import {
  SCREENING_DEFAULTS,
  SCREENING_MIN_PIXELS,
  screenTiles,
  type ScreeningReport,
} from './screening.js';
import { createModelSession } from './session.js';
import { windowAxes, type TileCounts } from './tile-rows.js';
import { fileStamp, runKey, WorkDir } from './work-dir.js';

/** Windows up to this many pixels also get `probability` and `mask` as arrays in the result. */
export const IN_MEMORY_PIXELS = 4 * 1024 * 1024;

export interface DetectParams {
  beforePath: string;
  afterPath: string;
  modelId?: string;
  threshold?: number;
  /** Smallest change kept, in m². */
  minArea?: number;
  device?: Device;
  /** 1-based bands to feed the model, for both dates; default chosen per file. */
  bands?: number[];
  stretch?: StretchMode;
  /** Map the after date's radiometry onto the before date's (default true). */
  matchRadiometry?: boolean;
  /**
   * Folder for the probability raster, the mask and the checkpoints; default a folder named after
   * the inputs under LANDWATCH_WORK or the system's temp folder, so a rerun of the same inputs
   * resumes there (or, once the probability is complete, only re-vectorises it).
   */
  workDir?: string;
  /** Continue from the work folder's checkpoint or finished probability (default true). */
  resume?: boolean;
  /**
   * Screen the scene on a coarse pyramid level first and run full resolution only on tiles that
   * may hold change (see screening.ts). Default: on for overlaps above 4 MP; false = full sweep.
   */
  screening?: boolean;
}

export interface DetectProgress {
  phase: 'open' | 'screen' | 'infer' | 'vectorise';
  done: number;
  total: number;
  etaSeconds: number | null;
  executionProvider: string | null;
  /** Model throughput over the phase so far, in megapixels (of one date) per second. */
  megapixelsPerSecond?: number;
}

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
  /** The probability as a uint8 GeoTIFF (value = p × 255) on the window grid; see `reextract`. */
  probabilityPath?: string;
  /** The kept change mask (0/255) as a GeoTIFF on the window grid. */
  maskPath?: string;
  /** The work folder (probability, mask, checkpoints). */
  workDir?: string;
  /** Tiles of the run: total, run now, skipped by screening, taken from a checkpoint. */
  tiles?: TileCounts;
  /** What coarse screening did; null for a full sweep. */
  screening?: ScreeningReport | null;
}

export interface DetectHooks {
  signal?: AbortSignal;
  onProgress?: (progress: DetectProgress) => void;
  log?: (line: string) => void;
}

export async function detectChanges(
  params: DetectParams,
  hooks: DetectHooks = {},
): Promise<DetectResult> {
  const { signal, onProgress = () => {}, log = () => {} } = hooks;
  const t0 = performance.now();
  onProgress({ phase: 'open', done: 0, total: 1, etaSeconds: null, executionProvider: null });
  const before = await RasterSource.open(params.beforePath, signal);
  let after: RasterSource | null = null;
  let session: Awaited<ReturnType<typeof createModelSession>> | null = null;
  let work: WorkDir | null = null;
  try {
    after = await RasterSource.open(params.afterPath, signal);
    const alignment = alignDates(before.info, after.info);
    const model = findModel(params.modelId);
    const card = model.card;
    const threshold = params.threshold ?? card.threshold;
    const minArea = params.minArea ?? 0;
    const notes = [...alignment.notes];
    const picks = [before, after].map((s) => chooseBands(s.info, card.bands, params.bands));
    picks.forEach((p, i) => notes.push(`${i === 0 ? 'before' : 'after'}: ${p.note}`));
    const radiometry = await prepareDates(
      before,
      after,
      [picks[0].bands, picks[1].bands],
      { stretch: params.stretch ?? 'auto', match: params.matchRadiometry ?? true },
      signal,
    );
    notes.push(...radiometry.notes);
    const [prepBefore, prepAfter] = radiometry.dates;
    const { width, height } = alignment;
    const windowTransform = shiftTransform(before.info.geoTransform, alignment.x, alignment.y);
    const dates = [
      { source: before, bands: picks[0].bands, ...prepBefore, dx: 0, dy: 0 },
      {
        source: after,
        bands: picks[1].bands,
        ...prepAfter,
        dx: alignment.afterDx,
        dy: alignment.afterDy,
      },
    ] as const;
    const screening = params.screening ?? width * height > SCREENING_MIN_PIXELS;
    const key = runKey({
      screening: screening ? SCREENING_DEFAULTS : null,
      before: fileStamp(params.beforePath),
      after: fileStamp(params.afterPath),
      model: {
        id: card.id,
        version: card.version,
        tile: card.tile,
        file: fileStamp(model.onnxPath),
      },
      alignment,
      dates: dates.map((d) => ({ bands: d.bands, stretch: d.stretch, linear: d.linear })),
    });
    work = WorkDir.open({ dir: params.workDir, key, width, height, resume: params.resume ?? true });
    notes.push(...work.notes);
    throwIfAborted(signal);
    session = await createModelSession(model.onnxPath, params.device ?? 'auto', log);
    const ep = session.executionProvider;
    const tOpen = performance.now();
    log(`model ${card.id} on ${ep}; overlap ${width}×${height} px; work folder ${work.dir}`);

    let tiles: TileCounts | undefined;
    let plan = work.plan();
    if (screening && !plan && !work.record.complete) {
      const screened = await screenTiles({
        session: session.session,
        card,
        dates: [dates[0], dates[1]],
        window: alignment,
        axes: windowAxes(card, width, height),
        scratchDir: work.dir,
        signal,
        onProgress: (done, total) =>
          onProgress({ phase: 'screen', done, total, etaSeconds: null, executionProvider: ep }),
      });
      plan = screened.plan;
      work.savePlan(plan, { ...screened.report });
    }
    const report = (work.record.screening as ScreeningReport | null) ?? null;
    if (report) {
      notes.push(
        `screened at 1/${report.factor} resolution: ${report.activeTiles} of ${report.totalTiles} tiles may hold change, ${report.totalTiles - report.activeTiles} skipped`,
      );
    }
    if (work.record.complete) {
      notes.push(`probability taken from ${work.probabilityPath} (model not run again)`);
      const n = work.record.tilesRun;
      onProgress({ phase: 'infer', done: n, total: n, etaSeconds: 0, executionProvider: ep });
    } else {
      if (work.record.nextRow > 0) log(`resuming after tile row ${work.record.nextRow}`);
      const tileArea = card.tile.size ** 2;
      tiles = await runProbability({
        session: session.session,
        card,
        dates: [dates[0], dates[1]],
        window: alignment,
        work,
        georef: { geoTransform: windowTransform, geoKeys: copyKeys(before.info) },
        plan,
        signal,
        onTile: (done, total, elapsed) =>
          onProgress({
            phase: 'infer',
            done,
            total,
            etaSeconds: done > 0 ? (elapsed / done) * (total - done) : null,
            executionProvider: ep,
            megapixelsPerSecond: elapsed > 0 ? (done * tileArea) / 1e6 / elapsed : undefined,
          }),
      });
      if (tiles.resumed > 0)
        notes.push(`resumed: ${tiles.resumed} finished tiles taken from the checkpoint`);
    }
    const tInfer = performance.now();

    onProgress({ phase: 'vectorise', done: 0, total: 1, etaSeconds: null, executionProvider: ep });
    const small = width * height <= IN_MEMORY_PIXELS;
    const extracted = await extractPolygons(work.probabilityPath, threshold, minArea, {
      maskPath: work.maskPath,
      scratchDir: work.dir,
      keepInMemory: small,
      signal,
      onProgress: (done, total) =>
        onProgress({ phase: 'vectorise', done, total, etaSeconds: null, executionProvider: ep }),
    });
    notes.push(...extracted.notes);
    const tVec = performance.now();
    onProgress({ phase: 'vectorise', done: 1, total: 1, etaSeconds: 0, executionProvider: ep });
    const result: Omit<DetectResult, 'probability' | 'mask'> = {
      before: before.info,
      after: after.info,
      alignment,
      windowTransform,
      polygons: extracted.polygons,
      model: card,
      threshold,
      minArea,
      executionProvider: ep,
      fallbacks: session.fallbacks,
      notes,
      seconds: {
        open: (tOpen - t0) / 1000,
        infer: (tInfer - tOpen) / 1000,
        vectorise: (tVec - tInfer) / 1000,
      },
      probabilityPath: work.probabilityPath,
      maskPath: work.maskPath,
      workDir: work.dir,
      tiles,
      screening: report,
    };
    return withArrays(result, extracted.probability, extracted.mask, width * height);
  } finally {
    work?.release();
    await session?.dispose();
    before.close();
    after?.close();
  }
}

/** The geotransform of a window starting at pixel (x, y) of a grid. */
export function shiftTransform(gt: GeoTransform, x: number, y: number): GeoTransform {
  return [gt[0] + x * gt[1] + y * gt[2], gt[1], gt[2], gt[3] + x * gt[4] + y * gt[5], gt[4], gt[5]];
}

function copyKeys(info: RasterInfo) {
  return {
    copyFrom: {
      geoKeyDirectory: info.geoKeyTags.directory,
      doubleParams: info.geoKeyTags.doubleParams,
      asciiParams: info.geoKeyTags.asciiParams,
    },
  };
}

/** Adds the in-memory arrays, or for large windows getters that say where the data is instead. */
function withArrays(
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
