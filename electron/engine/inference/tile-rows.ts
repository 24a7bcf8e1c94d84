/**
 * The tile loop: walks the tile grid of a window row by row, runs the model on the tiles a plan
 * selects, blends them in a band of rows (band-blender.ts) and hands finished rows to a sink in
 * order. After each tile row the rows in flight can be saved, so a killed run resumes at the next
 * tile row without recomputing any finished tile.
 */
import type * as ort from 'onnxruntime-node';
import { throwIfAborted } from '../errors.js';
import type { ColumnRuns } from '../vector/components.js';
import { BandBlender, type BandCarry, type BandRows } from './band-blender.js';
import { BufferPool } from './buffer-pool.js';
import { KindBlend } from './kind-map.js';
import { blendTrim, type ModelCard } from './model-card.js';
import type { PhaseClock } from './phase-clock.js';
import {
  finishTile,
  runTile,
  tileFeeds,
  tileFetches,
  type DateInput,
  type TileFeeds,
} from './tile-predict.js';
import { runRect, type TileCrops } from './tile-crops.js';
import { fittedAxes, roundUp, type Tile, type TileAxes } from './tiling.js';
import type { RunSession, WarmUp } from './session.js';

/**
 * Finished rows go out in pieces of about 1 MB of float32 (64 rows up to 4096 px wide, 16 at
 * 16 384): the piece, and the quantised bytes made of it, are buffers as wide as the scene.
 */
const FLUSH_BYTES = 1 << 20;

function flushRows(width: number): number {
  return Math.max(8, Math.min(64, Math.floor(FLUSH_BYTES / (4 * Math.max(1, width)))));
}

/** How many tiles a run had, ran, skipped (screening) and took from a checkpoint. */
export interface TileCounts {
  total: number;
  run: number;
  skipped: number;
  resumed: number;
}

export interface TileRowsOptions {
  session: RunSession;
  card: ModelCard;
  /** [before, after]. */
  dates: [DateInput, DateInput];
  /** The window to predict, in before-grid pixels. */
  window: { x: number; y: number; width: number; height: number };
  /** 1 = run the tile; row-major over the grid's axes. Absent: run every tile. */
  plan?: Uint8Array | null;
  /** The part of each active tile the model runs on (tile-crops.ts). Absent: whole tiles. */
  crops?: TileCrops | null;
  /**
   * Continue a checkpointed run at tile row `nextRow` with the rows it had in flight (and the kind
   * blend's, one carry per kind, when kinds are blended).
   */
  resume?: { nextRow: number; carry: BandCarry; kindCarry?: BandCarry[] | null } | null;
  signal?: AbortSignal;
  /**
   * Finished probabilities of window rows `y` … in order, `width` values per row; the array is
   * reused once the returned promise settles (copy what must outlive the call). The rows are 0
   * outside `columns` (column runs no tile ran over in them: most of a screened scene).
   */
  onRows: (y: number, rows: Float32Array, columns: ColumnRuns) => void | Promise<void>;
  /**
   * Finished kind cells of 1/4-grid rows `y` … in order (kind-map.ts), one array per kind. Only
   * when given, and the card has a kind output, are kinds computed and blended.
   */
  onKindRows?: (y: number, planes: Float32Array[]) => void | Promise<void>;
  /**
   * Called after each tile row, once its finished rows went to `onRows`. `carry.sum` is a view of
   * the blending band, valid until the returned promise settles: save it, do not keep it; the same
   * holds for `kindCarry` (null when no kinds are blended).
   */
  onTileRowDone?: (
    nextRow: number,
    carry: BandRows,
    kindCarry: BandRows[] | null,
  ) => void | Promise<void>;
  /**
   * Progress over the tiles the plan runs: `done` counts resumed ones, `run` only those run in
   * this call (over `elapsedSeconds`).
   */
  onTile?: (done: number, total: number, elapsedSeconds: number, run: number) => void;
  /**
   * Called once the last tile's output is back, before its rows are blended and finished: the
   * model (and the imagery's block caches) can go while the rest of the sweep is written, so
   * that work does not add to the run's peak memory. Not called when no tile runs.
   */
  onModelDone?: () => void | Promise<void>;
  /** Where the time goes (phase-clock.ts); optional. */
  clock?: PhaseClock;
  /**
   * A folder where a band too wide for memory keeps its column chunks (band-store.ts); absent:
   * the band stays in memory.
   */
  scratchDir?: string | null;
}

/**
 * The tile grid the runner uses for a window, for planning and checkpoints: the card's tile size,
 * shrunk per axis to what covers the window with as few model pixels (tiling.ts `fittedAxes`).
 */
export function windowAxes(card: ModelCard, width: number, height: number): TileAxes {
  const { size, overlap, multipleOf } = card.tile;
  return fittedAxes(width, height, size, overlap, multipleOf);
}

/**
 * A session's warm-up run (session.ts) at the input shape of the tiles a sweep of a width × height
 * window hands the model, with the outputs it fetches.
 */
export function tileWarmUp(
  card: ModelCard,
  width: number,
  height: number,
  withKind: boolean,
): WarmUp {
  const axes = windowAxes(card, width, height);
  const m = card.tile.multipleOf;
  const dims = [1, card.bands, roundUp(axes.tileHeight, m), roundUp(axes.tileWidth, m)];
  return {
    inputs: [card.inputs.before, card.inputs.after].map((name) => ({ name, dims })),
    fetches: tileFetches(card, withKind),
  };
}

/** Tiles handed to the model at once: the one it runs and one queued behind it. */
const MODEL_QUEUE = 2;

/**
 * Runs the model over the window tile row by tile row. Memory: one band of tile height × window
 * width for the blend, plus one tile — independent of the window's height.
 */
export async function runTileRows(options: TileRowsOptions): Promise<TileCounts> {
  const { session, card, dates, window, plan, resume, signal, onRows } = options;
  const { width, height } = window;
  const axes = windowAxes(card, width, height);
  const cols = axes.xs.length;
  const rows = axes.ys.length;
  const active = (row: number, col: number) => !plan || plan[row * cols + col] === 1;
  const first = resume?.nextRow ?? 0;
  const counts: TileCounts = { total: rows * cols, run: 0, skipped: 0, resumed: 0 };
  let planned = 0;
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      if (!active(row, col)) counts.skipped++;
      else if (row < first) counts.resumed++;
      if (active(row, col)) planned++;
    }
  }
  const crops = options.crops ?? null;
  const rect = crops ? (row: number, col: number) => runRect(axes, crops, row, col) : undefined;
  const blender = new BandBlender(
    {
      axes,
      width,
      height,
      overlap: card.tile.overlap,
      trim: blendTrim(card),
      active,
      rect,
      spill: options.scratchDir ? { dir: options.scratchDir } : null,
    },
    resume?.carry,
  );
  const kinds = options.onKindRows
    ? KindBlend.forCard(card, axes, width, height, active, resume?.kindCarry, rect)
    : null;
  const clock = options.clock;
  const withKind = kinds !== null;
  // The active tiles in run order. The next tile's inputs are read and normalised while the model
  // runs the current one (a session in its own thread, session-thread.ts, leaves this one free),
  // and the next tile starts before the current one is blended and its tile row finished, so the
  // model never waits for that work.
  const order: { tile: Tile; row: number; col: number }[] = [];
  for (let row = first; row < rows; row++) {
    for (let col = 0; col < cols; col++)
      if (active(row, col)) order.push({ tile: runRect(axes, crops, row, col), row, col });
  }
  // The big per-tile arrays are reused across tiles (buffer-pool.ts).
  const pool = new BufferPool();
  /** Prepared inputs that are ready (or failed): handing them to the model does not wait. */
  const settled = new WeakSet<Promise<TileFeeds>>();
  const prepare = (i: number): Promise<TileFeeds> | null => {
    if (i >= order.length) return null;
    const feeds = tileFeeds(card, dates, window, order[i].tile, signal, clock, pool);
    // Marked handled now: it may fail while the current tile runs; the loop awaits it later.
    feeds.then(
      () => settled.add(feeds),
      () => settled.add(feeds),
    );
    return feeds;
  };
  /** When the model finished its last tile (for the model phase). */
  let modelFree = 0;
  /** Tile `i` started on the model; its inputs, awaited first (they were being prepared). */
  const start = async (i: number, feeds: Promise<TileFeeds>) => {
    const waitStart = performance.now();
    const ready = await feeds;
    clock?.since('wait', waitStart);
    // The model works on one tile at a time, queued ones after: it is busy from the later of the
    // hand-over and the previous tile's end until this tile's output is back.
    const handed = performance.now();
    const output = runTile(session, card, ready, withKind, undefined, signal).then((out) => {
      const end = performance.now();
      clock?.add('model', end - Math.max(handed, modelFree));
      modelFree = end;
      return out;
    });
    output.catch(() => {});
    return { feeds: ready, output, index: i };
  };
  /**
   * Rows above the next tile row are covered by no later tile: they are final. The flush counts as
   * blending, the checkpoint as writing; `onRows` times its own work.
   */
  const piece = flushRows(width);
  const finishRow = async (row: number) => {
    const done = row + 1 < rows ? axes.ys[row + 1] : height;
    // In pieces, so a wide scene's finished rows never need a big array.
    while (done > blender.top) {
      const top = blender.top;
      const flushStart = performance.now();
      const finished = blender.flush(Math.min(done, top + piece));
      clock?.since('blend', flushStart);
      await onRows(top, finished, blender.flushedColumns);
    }
    const writeStart = performance.now();
    if (kinds && options.onKindRows) await kinds.finishTileRow(row, options.onKindRows);
    await options.onTileRowDone?.(row + 1, blender.carry(), kinds?.carry() ?? null);
    clock?.since('write', writeStart);
  };
  // Tiles handed to the model ahead of the one whose output is awaited: the session thread queues
  // them and starts the next the moment one ends, so the model does not idle while this thread is
  // still busy with blending or vectorising when an output comes back.
  const running: Awaited<ReturnType<typeof start>>[] = [];
  let submitted = 0;
  // Tile `submitted`'s inputs being prepared; null: no tile is left; undefined: not started yet.
  let next: Promise<TileFeeds> | null | undefined = prepare(0);
  /** Hands tile `submitted`, whose inputs are `feeds`, to the model. */
  const handOver = async (feeds: Promise<TileFeeds>) => {
    throwIfAborted(signal);
    running.push(await start(submitted, feeds));
    submitted++;
  };
  let row = first;
  const t0 = performance.now();
  try {
    while (true) {
      if (next === undefined) next = prepare(submitted);
      while (next && running.length < MODEL_QUEUE) {
        await handOver(next);
        next = prepare(submitted);
      }
      const current = running.shift();
      if (!current) break;
      const { tile, row: tileRow, col } = order[current.index];
      const output = await current.output;
      throwIfAborted(signal);
      // The next tile, when its inputs are ready, goes to the model now: after this tile's
      // blending and finished rows (tens of ms where they reach the follow thread) the model would
      // have run out of work. The tile after it is prepared once this one is finished, so no more
      // inputs are held at once than before.
      if (next && settled.has(next) && running.length < MODEL_QUEUE) {
        await handOver(next);
        next = submitted < order.length ? undefined : null;
      }
      // The last tile: nothing is left for the model, and no tile is left to read.
      const last = running.length === 0 && next === null;
      if (last) await options.onModelDone?.();
      while (row < tileRow) await finishRow(row++);
      // Cropped into the pool's arrays (finishTile disposes the tensors): the output buffers then
      // go back to the model's thread.
      const spent = session.recycle ? outputBuffers(output) : [];
      const p = finishTile(card, current.feeds, output, tile, withKind, clock);
      if (spent.length > 0) session.recycle?.(spent);
      const blendStart = performance.now();
      blender.add(tileRow, col, p.prob, p.anyInvalid ? p.invalid : null);
      if (p.kind) kinds?.add(tileRow, col, p.kind);
      pool.give([p.prob, p.invalid]);
      if (last) pool.clear();
      clock?.since('blend', blendStart);
      counts.run++;
      const elapsed = (performance.now() - t0) / 1000;
      options.onTile?.(counts.resumed + counts.run, planned, elapsed, counts.run);
      // This tile's row is done when the next tile lies in a later one: finish it (and any
      // rows without tiles before that) while the model runs the next tiles.
      const i = current.index + 1;
      const nextRow = i < order.length ? order[i].row : rows;
      while (row < nextRow) await finishRow(row++);
    }
    while (row < rows) await finishRow(row++);
  } finally {
    blender.dispose();
    // Tiles started or prepared ahead of a failure or cancel: nobody waits for them now.
    for (const r of running) r.output.catch(() => {});
    next?.then(
      (f) => f.tensors.forEach((t) => t.dispose?.()),
      () => {},
    );
  }
  return counts;
}

/** The buffers behind a run's float outputs (a session thread's outputs start at 0 of theirs). */
function outputBuffers(output: ort.InferenceSession.OnnxValueMapType): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const t of Object.values(output)) {
    const data = t.data;
    if (!(data instanceof Float32Array) || !(data.buffer instanceof ArrayBuffer)) continue;
    if (data.byteOffset === 0) out.push(data.buffer);
  }
  return out;
}
