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
  rawToGeoTiff,
  type ProbabilityGeoref,
} from '../raster/probability-file.js';
import { kindCells, kindTransform } from './kind-map.js';
import type { PhaseClock } from './phase-clock.js';
import { cardKinds, type ModelCard } from './model-card.js';
import type { DateInput } from './tile-predict.js';
import { runTileRows, type TileCounts } from './tile-rows.js';
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
  signal?: AbortSignal;
  onTile?: (done: number, total: number, elapsedSeconds: number, run: number) => void;
  /** Where the time goes (phase-clock.ts); optional. */
  clock?: PhaseClock;
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
  try {
    const counts = await runTileRows({
      session: options.session,
      card: options.card,
      dates: options.dates,
      window,
      plan: options.plan,
      resume: resume && kindRaw ? { ...resume, kindCarry: work.loadKindCarry() } : resume,
      signal,
      clock: options.clock,
      onRows: (y, rows) => raw.writeRows(y, rows),
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
    const writeStart = performance.now();
    await rawToGeoTiff(raw, work.probabilityPath, options.georef, signal);
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
    raw.close();
    kindRaw?.close();
  }
}
