/**
 * Change detection over a pair of GeoTIFFs: open and align both dates, run the model tile by tile
 * with seam-free blending into a probability raster on disk, and vectorise it strip by strip into
 * georeferenced change polygons. Memory stays bounded whatever the scene size. Used as is by the
 * CLI, and inside a worker thread by the app.
 */
import type { Device } from '../../common/contract.js';
import { throwIfAborted } from '../errors.js';
import type { StretchMode } from '../raster/bands.js';
import { aoiTilePlan, polygonsInAoi, restrictPlan, type AoiInput } from './aoi.js';
import { attachDeclutter, type DeclutterChoice, type Declutterer } from './declutter.js';
import { FOLLOW_THREAD_MIN_PIXELS, FollowThread } from './follow-thread.js';
import type { ExtractionSource } from './polygon-extraction.js';
import { openInputs, type DetectInputs } from './detect-inputs.js';
import { IN_MEMORY_PIXELS, withArrays, type DetectResult } from './detect-result.js';
import { cardKinds, type ModelCard } from './model-card.js';
import { runProbability } from './probability-run.js';
import { rawRows, type ProbabilityGeoref } from '../raster/probability-file.js';
import type { GeoTransform } from '../vector/geo.js';
import { extractPolygons, PolygonExtraction, type ExtractedPolygons } from './reextract.js';
import { PhaseClock } from './phase-clock.js';
import { coarseLevelSize, screenTiles, type ScreeningReport } from './screening.js';
import type { ModelRunner, WarmUp } from './session.js';
import { openModelRunner } from './session-thread.js';
import { tileWarmUp, windowAxes, type TileCounts } from './tile-rows.js';
import { WorkDir } from './work-dir.js';

export { shiftTransform } from './detect-inputs.js';
export { IN_MEMORY_PIXELS, type DetectResult } from './detect-result.js';

/** What to compare and how; only the two paths are required. */
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
  /**
   * Area of interest in the before image's CRS: only tiles overlapping it run and only polygons
   * overlapping it are kept (see aoi.ts). Default: the whole overlap.
   */
  aoi?: AoiInput;
  /** Remove haze / cloud / shadow from these dates before comparing them (declutter.ts). */
  declutter?: DeclutterChoice;
  /**
   * Write probability.tif and vectorise in a thread of their own, behind the tile loop
   * (follow-thread.ts). Default: for screened overlaps from 4 MP up.
   */
  followThread?: boolean;
}

/** Progress events: phase, units done of total, ETA, and the execution provider in use. */
export interface DetectProgress {
  phase: 'open' | 'screen' | 'infer' | 'vectorise';
  done: number;
  total: number;
  etaSeconds: number | null;
  executionProvider: string | null;
  /** Model throughput in this run so far: megapixels of tile area (one date) per second. */
  megapixelsPerSecond?: number;
}

/** Cancellation, progress and log lines for a running detection. */
export interface DetectHooks {
  signal?: AbortSignal;
  onProgress?: (progress: DetectProgress) => void;
  log?: (line: string) => void;
}

/**
 * Detects changes between two dates of imagery. Reads both GeoTIFFs window by window, aligns the
 * after date onto the before grid, screens large scenes at a coarse pyramid level, runs the model
 * tile row by tile row with seam-free blending into `probabilityPath`, checkpointing each tile row
 * (a rerun resumes), and vectorises strip by strip. Memory does not grow with the scene.
 *
 * @example
 * const run = await detectChanges(
 *   { beforePath: 'a.tif', afterPath: 'b.tif', minArea: 100 },
 *   { signal, onProgress: (p) => console.log(p.phase, p.done, p.total) },
 * );
 * console.log(run.polygons.length, run.tiles, run.probabilityPath);
 */
export async function detectChanges(
  params: DetectParams,
  hooks: DetectHooks = {},
): Promise<DetectResult> {
  const { signal, onProgress = () => {}, log = () => {} } = hooks;
  const t0 = performance.now();
  const clock = new PhaseClock();
  onProgress({ phase: 'open', done: 0, total: 1, etaSeconds: null, executionProvider: null });
  let inputs: DetectInputs | null = null;
  let session: ModelRunner | null = null;
  /** The model loading (in its own thread) while the dates are sampled; settled into `session`. */
  let loading: Promise<ModelRunner> | null = null;
  let work: WorkDir | null = null;
  let declutter: Declutterer | null = null;
  /** The sessions released once the model had nothing left to run, still ending. */
  let released: Promise<void> = Promise.resolve();
  /** Vectorising that follows the model's finished rows (null: from probability.tif after). */
  let extraction: PolygonExtraction | FollowThread | null = null;
  try {
    inputs = await openInputs(params, signal, (model, overlap) => {
      // The session's first run, at the first tiles' shape, happens while the dates are sampled.
      const warmUp = firstRunWarmUp(model.card, overlap);
      loading = openModelRunner(model.onnxPath, params.device ?? 'auto', log, undefined, warmUp);
      // Awaited below, or disposed in `finally` when opening the inputs fails first.
      loading.catch(() => {});
    });
    const { before, after, alignment, model, card, dates, windowTransform, key, screening } =
      inputs;
    const { width, height } = alignment;
    const threshold = params.threshold ?? card.threshold;
    const minArea = params.minArea ?? 0;
    const notes = [...inputs.notes];
    const kinds = cardKinds(card)?.length ?? 0;
    work = WorkDir.open({
      dir: params.workDir,
      key,
      width,
      height,
      resume: params.resume ?? true,
      kinds,
    });
    notes.push(...work.notes);
    throwIfAborted(signal);
    session = await (loading ?? openModelRunner(model.onnxPath, params.device ?? 'auto', log));
    loading = null;
    const ep = session.executionProvider;
    const fallbacks = session.fallbacks;
    // Once the model has nothing left to run, what only it needed goes: the imagery's block
    // caches and the model sessions (ONNX Runtime's arena, ~170 MB for 768² tiles). The rest of
    // the sweep (the last rows, probability.tif's overviews) and vectorising read only the
    // probability on disk, so they do not add to the peak.
    // The sessions end in their own time (a thread's exit, ONNX Runtime freeing its arena: 20–40
    // ms) while the rest of the sweep is written; the run waits for them before it returns.
    const releaseModel = () => {
      before.releaseCache();
      after.releaseCache();
      const running = session;
      session = null;
      const cleaner = declutter;
      declutter = null;
      const ending = Promise.all([running?.dispose(), cleaner?.dispose()]);
      released = Promise.all([released, ending]).then(() => undefined);
      // Awaited below or in `finally`.
      released.catch(() => {});
    };
    // A per-date step of the tile runner; screening compares the uncleaned coarse levels.
    declutter = await attachDeclutter(
      dates,
      params.declutter,
      inputs.declutterModel,
      card.normalization,
      params.device ?? 'auto',
      log,
    );
    const tOpen = clock.since('open', t0);
    // Vectorising: behind the sweep when the model runs, else from probability.tif afterwards.
    const vectoriseOptions = extractionOptions(work, kinds, width * height, signal, (done, total) =>
      onProgress({ phase: 'vectorise', done, total, etaSeconds: null, executionProvider: ep }),
    );
    log(`model ${card.id} on ${ep}; overlap ${width}×${height} px; work folder ${work.dir}`);

    const { probabilityPath } = work;
    const georef = { geoTransform: windowTransform, geoKeys: inputs.geoKeys };
    // Where the polygons are traced from, beside the rows themselves.
    const source = {
      crs: before.info.crs,
      geoTransform: [...windowTransform] as GeoTransform,
      geoKeys: inputs.geoKeys,
      probPath: probabilityPath,
    };
    // On a large screened window, probability.tif and vectorising follow the rows in a thread of
    // their own (follow-thread.ts), started now so its code loads while the scene is screened.
    const followThread =
      params.followThread ?? (screening && width * height >= FOLLOW_THREAD_MIN_PIXELS);
    const thread =
      !work.record.complete && followThread
        ? startFollowThread(
            work,
            { width, height },
            georef,
            source,
            { threshold, minArea },
            vectoriseOptions,
            clock,
          )
        : null;
    extraction = thread;

    let tiles: TileCounts | undefined;
    let plan = work.plan();
    let crops = work.crops();
    if (screening && !plan && !work.record.complete) {
      const screenStart = performance.now();
      const screened = await screenTiles({
        session: session.runner,
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
      crops = screened.crops;
      work.savePlan(plan, { ...screened.report }, crops);
      clock.since('screen', screenStart);
    }
    if (inputs.aoi) {
      const aoiPlan = aoiTilePlan(windowAxes(card, width, height), windowTransform, inputs.aoi);
      plan = restrictPlan(plan, aoiPlan, params);
      notes.push(
        `area of interest: ${aoiPlan.reduce((n, v) => n + v, 0)} of ${aoiPlan.length} tiles`,
      );
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
        session: session.runner,
        card,
        dates: [dates[0], dates[1]],
        window: alignment,
        work,
        georef,
        plan,
        crops,
        signal,
        clock,
        onModelDone: releaseModel,
        // Cleaning and labelling keep pace with the rows the model finishes (pass 1 of
        // strip-vectorise.ts); only tracing is left for after the sweep.
        sink: thread ? () => thread : undefined,
        follow: thread
          ? undefined
          : async (raw) => {
              extraction = await PolygonExtraction.start(
                { rows: rawRows(raw), ...source },
                threshold,
                minArea,
                vectoriseOptions,
              );
              return extraction;
            },
        onTile: (done, total, elapsed, run) =>
          onProgress({
            phase: 'infer',
            done,
            total,
            etaSeconds: (elapsed / run) * (total - done),
            executionProvider: ep,
            megapixelsPerSecond: elapsed > 0 ? (run * tileArea) / 1e6 / elapsed : undefined,
          }),
      });
      if (tiles.resumed > 0)
        notes.push(`resumed: ${tiles.resumed} finished tiles taken from the checkpoint`);
    }
    const tInfer = performance.now();
    // A run that took its probability from the work folder, or ran no tile, releases them here.
    releaseModel();

    onProgress({ phase: 'vectorise', done: 0, total: 1, etaSeconds: null, executionProvider: ep });
    const running = extraction as PolygonExtraction | null;
    extraction = null;
    const extracted: ExtractedPolygons = running
      ? await running.finish()
      : await extractPolygons(work.probabilityPath, threshold, minArea, vectoriseOptions);
    notes.push(...extracted.notes);
    await released;
    const tVec = clock.since('vectorise', tInfer);
    onProgress({ phase: 'vectorise', done: 1, total: 1, etaSeconds: 0, executionProvider: ep });
    const result: Omit<DetectResult, 'probability' | 'mask'> = {
      before: before.info,
      after: after.info,
      alignment,
      windowTransform,
      // Tiles at the AOI's edge can hold changes beyond it: those are not the analyst's question.
      polygons: inputs.aoi ? polygonsInAoi(extracted.polygons, inputs.aoi) : extracted.polygons,
      model: card,
      threshold,
      minArea,
      executionProvider: ep,
      fallbacks,
      notes,
      seconds: {
        open: (tOpen - t0) / 1000,
        infer: (tInfer - tOpen) / 1000,
        vectorise: (tVec - tInfer) / 1000,
      },
      phases: clock.seconds(),
      probabilityPath: work.probabilityPath,
      maskPath: work.maskPath,
      ...(kinds ? { kindPath: work.kindPath } : {}),
      workDir: work.dir,
      tiles,
      screening: report,
    };
    return withArrays(result, extracted.probability, extracted.mask, width * height);
  } finally {
    await (extraction as PolygonExtraction | null)?.abort();
    work?.release();
    await released.catch(() => {});
    await session?.dispose();
    // Started, but something failed before the run took it.
    await (loading as Promise<ModelRunner> | null)?.then(
      (runner) => runner.dispose(),
      () => {},
    );
    await declutter?.dispose();
    inputs?.close();
  }
}

/**
 * The session's warm-up (session.ts): the shape of the first tiles the model runs, the coarse
 * level's when the overlap is screened (screening.ts).
 */
function firstRunWarmUp(
  card: ModelCard,
  overlap: { width: number; height: number; screening: boolean },
): WarmUp {
  if (overlap.screening) {
    const coarse = coarseLevelSize(overlap.width, overlap.height);
    return tileWarmUp(card, coarse.width, coarse.height, false);
  }
  return tileWarmUp(card, overlap.width, overlap.height, (cardKinds(card)?.length ?? 0) > 0);
}

/** The thread that writes probability.tif and vectorises behind the tile loop (follow-thread.ts). */
function startFollowThread(
  work: WorkDir,
  size: { width: number; height: number },
  georef: ProbabilityGeoref,
  source: Omit<ExtractionSource, 'rows'>,
  cut: { threshold: number; minArea: number },
  options: ReturnType<typeof extractionOptions>,
  clock: PhaseClock,
): FollowThread {
  const { signal, onProgress, ...files } = options;
  return FollowThread.start(
    {
      raw: { path: work.rawPath, ...size },
      tif: { path: work.probabilityPath, georef },
      extraction: { ...source, ...cut, ...files },
    },
    { signal, onProgress, clock },
  );
}

/** How a detection vectorises its probability (beside it in the work folder). */
function extractionOptions(
  work: WorkDir,
  kinds: number,
  pixels: number,
  signal: AbortSignal | undefined,
  onProgress: (done: number, total: number) => void,
) {
  return {
    maskPath: work.maskPath,
    kindPath: kinds ? work.kindPath : null,
    scratchDir: work.dir,
    keepInMemory: pixels <= IN_MEMORY_PIXELS,
    signal,
    onProgress,
  };
}
