/**
 * Change detection over a pair of GeoTIFFs: open and align both dates, run the model tile by tile
 * with seam-free blending, and vectorise the probability into georeferenced change polygons.
 * Used as is by the CLI, and inside a worker thread by the app.
 */
import type { Device } from '../../common/contract.js';
import { throwIfAborted } from '../errors.js';
import { alignDates, type Alignment } from '../raster/alignment.js';
import { chooseBands, type StretchMode } from '../raster/bands.js';
import { prepareDates } from '../raster/radiometry.js';
import { RasterSource, type GeoTransform, type RasterInfo } from '../raster/raster-source.js';
import { vectorise, type ChangePolygon } from '../vector/polygonize.js';
import type { ModelCard } from './model-card.js';
import { findModel } from './model-registry.js';
import { createModelSession } from './session.js';
import { predictWindow } from './tile-runner.js';

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
}

export interface DetectProgress {
  phase: 'open' | 'infer' | 'vectorise';
  done: number;
  total: number;
  etaSeconds: number | null;
  executionProvider: string | null;
}

export interface DetectResult {
  before: RasterInfo;
  after: RasterInfo;
  alignment: Alignment;
  /** Geotransform of the processed window (the overlap) in the before CRS. */
  windowTransform: GeoTransform;
  /** Blended change probability over the overlap window, row-major. */
  probability: Float32Array;
  /** The cleaned change mask the polygons were traced from (1 = kept change), window-sized. */
  mask: Uint8Array;
  polygons: ChangePolygon[];
  model: ModelCard;
  threshold: number;
  minArea: number;
  executionProvider: string;
  fallbacks: { provider: string; reason: string }[];
  notes: string[];
  seconds: { open: number; infer: number; vectorise: number };
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
    throwIfAborted(signal);
    session = await createModelSession(model.onnxPath, params.device ?? 'auto', log);
    const ep = session.executionProvider;
    const tOpen = performance.now();
    log(`model ${card.id} on ${ep}; overlap ${alignment.width}×${alignment.height} px`);

    const probability = await predictWindow({
      session: session.session,
      card,
      dates: [
        { source: before, bands: picks[0].bands, ...prepBefore, dx: 0, dy: 0 },
        {
          source: after,
          bands: picks[1].bands,
          ...prepAfter,
          dx: alignment.afterDx,
          dy: alignment.afterDy,
        },
      ],
      window: alignment,
      signal,
      onTile: (done, total, elapsed) =>
        onProgress({
          phase: 'infer',
          done,
          total,
          etaSeconds: done > 0 ? (elapsed / done) * (total - done) : null,
          executionProvider: ep,
        }),
    });
    const tInfer = performance.now();

    onProgress({ phase: 'vectorise', done: 0, total: 1, etaSeconds: null, executionProvider: ep });
    const windowTransform = shiftTransform(before.info.geoTransform, alignment.x, alignment.y);
    const { polygons, mask } = vectorise(probability, alignment.width, alignment.height, {
      threshold,
      minAreaM2: minArea,
      geoTransform: windowTransform,
      geographic: before.info.crs.geographic,
      metresPerUnit: before.info.crs.metresPerUnit,
    });
    const tVec = performance.now();
    onProgress({ phase: 'vectorise', done: 1, total: 1, etaSeconds: 0, executionProvider: ep });
    return {
      before: before.info,
      after: after.info,
      alignment,
      windowTransform,
      probability,
      mask,
      polygons,
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
    };
  } finally {
    await session?.dispose();
    before.close();
    after?.close();
  }
}

/** The geotransform of a window starting at pixel (x, y) of a grid. */
export function shiftTransform(gt: GeoTransform, x: number, y: number): GeoTransform {
  return [gt[0] + x * gt[1] + y * gt[2], gt[1], gt[2], gt[3] + x * gt[4] + y * gt[5], gt[4], gt[5]];
}
