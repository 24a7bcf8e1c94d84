/**
 * The model pass of a detection, from the work folder's state to a finished probability.tif: runs
 * the tile rows not yet done (all of them, or those after the last checkpoint), writes finished
 * rows in place to the raw file, checkpoints after every tile row, and converts the raw rows to a
 * tiled GeoTIFF at the end. A model with a kind output gets its 1/4-resolution kind map
 * (kind-map.ts) the same way: kind.raw (one plane after another), checkpointed with the
 * probability, then kind.tif with one band per kind.
 */
import { throwIfAborted } from '../errors.js';
import {
  RawProbability,
  RawTiffStream,
  rawToGeoTiff,
  type ProbabilityGeoref,
} from '../raster/probability-file.js';
import { kindCells, kindTransform } from './kind-map.js';
import type { PhaseClock } from './phase-clock.js';
import { cardKinds, type ModelCard } from './model-card.js';
import type { DateInput } from './tile-predict.js';
import { runTileRows, type TileCounts } from './tile-rows.js';
import type { TileCrops } from './tile-crops.js';
import type { WorkDir } from './work-dir.js';
import type { RunSession } from './session.js';

export interface ProbabilityRunOptions {
  session: RunSession;
  card: ModelCard;
  dates: [DateInput, DateInput];
  window: { x: number; y: number; width: number; height: number };
  work: WorkDir;
  georef: ProbabilityGeoref;
  /** Active tiles (screening), null = all. */
  plan: Uint8Array | null;
  /** The active tiles' crops (tile-crops.ts), null = whole tiles. */
  crops?: TileCrops | null;
  signal?: AbortSignal;
  onTile?: (done: number, total: number, elapsedSeconds: number, run: number) => void;
  /** Where the time goes (phase-clock.ts); optional. */
  clock?: PhaseClock;
  /**
   * Work that follows the finished rows while the model runs (vectorising, reextract.ts): given
   * the raw rows once they exist, and told after each write how many rows from the top are final
   * (at the end: all of them, before the raw file closes).
   */
  follow?: (raw: RawProbability) => Promise<RowFollower>;
  /** The last tile's output is back (tile-rows.ts, `onModelDone`). */
  onModelDone?: () => void | Promise<void>;
  /**
   * Takes over probability.tif and what follows the rows, given the raw rows (follow-thread.ts:
   * both in a thread of their own). Absent: both here, on the tile loop's thread, `follow` after
   * each write of the GeoTIFF.
   */
  sink?: (raw: RawProbability) => RowSink | Promise<RowSink>;
}

/** Something that keeps up with finished rows: `advance(ready)` once rows above `ready` are final. */
export interface RowFollower {
  advance(ready: number): Promise<void>;
}

/** Where the finished raw rows go: probability.tif, and what follows them. */
export interface RowSink extends RowFollower {
  /** Every row was given: probability.tif is finished when this settles. */
  close(): Promise<void>;
  /** After a failure or cancel: the partial probability.tif goes. */
  abort(): Promise<void>;
}

/** probability.tif written, and `follow` run, on this thread as rows finish. */
async function localSink(
  raw: RawProbability,
  options: ProbabilityRunOptions,
  stream: RawTiffStream,
): Promise<RowSink> {
  const { clock, signal } = options;
  let follower: RowFollower | null;
  try {
    follower = (await options.follow?.(raw)) ?? null;
  } catch (error) {
    await stream.abort();
    throw error;
  }
  return {
    advance: async (ready) => {
      const start = performance.now();
      await stream.advance(ready, signal);
      clock?.since('write', start);
      const vectorStart = performance.now();
      await follower?.advance(ready);
      clock?.since('vectorise', vectorStart);
    },
    close: async () => {
      const start = performance.now();
      await stream.finish(signal);
      clock?.since('write', start);
    },
    abort: () => stream.abort(),
  };
}

/**
 * Brings the work folder's probability to completion. Returns the tile counts of the whole run
 * (tiles taken from a checkpoint count as resumed, not run).
 */
export async function runProbability(options: ProbabilityRunOptions): Promise<TileCounts> {
  const { work, window, signal } = options;
  const record = work.record;
  const carry = record.nextRow > 0 ? work.loadCarry() : null;
  const resume = carry ? { nextRow: record.nextRow, carry } : null;
  const raw = new RawProbability(work.rawPath, window.width, window.height, resume === null);
  const kindNames = cardKinds(options.card);
  const kinds = kindNames?.length ?? 0;
  const cellRows = kindCells(window.height);
  const kindRaw = kinds
    ? new RawProbability(work.kindRawPath, kindCells(window.width), kinds * cellRows, !resume)
    : null;
  const before = resume ? record.tilesRun : 0;
  let run = 0;
  // The probability GeoTIFF is written as rows finish, not after the sweep.
  let open: RowSink | null = null;
  try {
    const sink = options.sink
      ? await options.sink(raw)
      : await localSink(
          raw,
          options,
          await RawTiffStream.open(raw, work.probabilityPath, options.georef),
        );
    open = sink;
    const followRows = (ready: number) => sink.advance(ready);
    const clock = options.clock;
    const counts = await runTileRows({
      session: options.session,
      card: options.card,
      dates: options.dates,
      window,
      plan: options.plan,
      crops: options.crops,
      resume: resume && kindRaw ? { ...resume, kindCarry: work.loadKindCarry() } : resume,
      signal,
      clock: options.clock,
      // A wide scene's blending band keeps most of itself beside the probability.
      scratchDir: work.dir,
      onModelDone: options.onModelDone,
      onRows: async (y, rows, columns) => {
        const start = performance.now();
        raw.writeRows(y, rows, columns);
        clock?.since('write', start);
        await followRows(y + rows.length / window.width);
      },
      onKindRows: kindRaw
        ? (y, planes) => planes.forEach((p, k) => kindRaw.writeRows(k * cellRows + y, p))
        : undefined,
      onTileRowDone: (nextRow, blend, kindBlend) =>
        work.checkpoint(nextRow, blend, before + run, kindBlend),
      onTile: (done, total, elapsed, runNow) => {
        run = runNow;
        options.onTile?.(done, total, elapsed, runNow);
      },
    });
    throwIfAborted(signal);
    // Rows a resumed run found finished and did not deliver again.
    await followRows(window.height);
    // A sink times its own closing (a thread's is its own work, not this thread's).
    await sink.close();
    open = null;
    const writeStart = performance.now();
    raw.close();
    if (kindRaw) {
      const georef = {
        ...options.georef,
        geoTransform: kindTransform(options.georef.geoTransform),
      };
      await rawToGeoTiff(kindRaw, work.kindPath, georef, signal, kindNames ?? []);
      kindRaw.close();
    }
    work.complete();
    options.clock?.since('write', writeStart);
    return counts;
  } finally {
    await open?.abort();
    raw.close();
    kindRaw?.close();
  }
}
