/**
 * One model tile over two aligned dates: reads both dates' windows (alpha in the same read),
 * normalises them as the model card says, runs the session and crops the padding away.
 */
import type * as ort from 'onnxruntime-node';
import { LandWatchError, throwIfAborted } from '../errors.js';
import type { BandLinear, BandStretch } from '../raster/bands.js';
import type { PixelWindow, ReadWindowInto } from '../raster/raster-source.js';
import { checkKindDims, kindBlocks, type KindTile } from './kind-map.js';
import { cardKinds, type ModelCard } from './model-card.js';
import { dilate } from '../vector/morphology.js';
import type { PhaseClock } from './phase-clock.js';
import type { Tile } from './tiling.js';
import { anyNonZero } from '../raster/byte-scan.js';
import { tileFeeds, type TileFeeds } from './tile-feeds.js';
import type { RunSession } from './session.js';

/**
 * Pixels this close to no-data in either date get probability 0. Resampled and mosaicked imagery
 * is often darkened or smeared along its footprint's edge (bilinear blending with the fill value),
 * which the model would otherwise report as a thin line of change. Overlapping tiles (overlap ≫
 * margin) see every no-data pixel near a tile border, so the margin is whole across tiles.
 */
export const EDGE_MARGIN_PX = 6;

/** What the runner needs of a date: windowed reads (NaN outside) and where no-data is. */
export interface WindowReader {
  info: { name: string; nodata: number | null; alphaBand: number | null };
  readWindow(window: PixelWindow, bands: number[], signal?: AbortSignal): Promise<Float32Array[]>;
  /**
   * Optional: readWindow into the caller's window-sized arrays (one per band), so a run of tiles
   * reuses the same few instead of allocating new ones a tile (ScratchRaster: the coarse level).
   */
  readWindowInto?: ReadWindowInto;
  /**
   * Optional 8-bit fast path (RasterSource.readMapped): bands through 256-entry normalisation
   * tables straight into the model input; false where it does not apply.
   */
  readMapped?(
    window: PixelWindow,
    bands: number[],
    tables: Float32Array[],
    target: Float32Array,
    invalid: Uint8Array,
    signal?: AbortSignal,
  ): Promise<boolean>;
}

export interface DateInput {
  source: WindowReader;
  /** 0-based bands, in the model's order. */
  bands: number[];
  stretch: (BandStretch | null)[];
  /** Optional per-band linear map applied before the stretch (radiometric matching). */
  linear?: (BandLinear | null)[];
  /** Offset from window pixel coordinates (in the before grid) to this date's pixels. */
  dx: number;
  dy: number;
  /**
   * Optional per-date preprocessing of each tile as the model will see it (normalised planes,
   * padded size), in place; e.g. interference removal (declutter.ts).
   */
  preprocess?: (planes: Float32Array, width: number, height: number) => Promise<void>;
}

/** What the model says about one tile. */
export interface TilePrediction {
  /** Probability and no-data flags, tile-sized and row-major. */
  prob: Float32Array;
  invalid: Uint8Array;
  /** Whether `invalid` flags any pixel (false: all zero). */
  anyInvalid: boolean;
  /** The kind planes at 1/4 resolution (kind-map.ts), when asked for and the card has them. */
  kind?: KindTile;
}

/**
 * One tile's probability and no-data flags; with `withKind`, also its kind planes reduced to 4 × 4
 * block means (the full-resolution planes are never kept), when the card declares a kind output.
 */
export async function predictTile(
  session: RunSession,
  card: ModelCard,
  dates: [DateInput, DateInput],
  window: { x: number; y: number },
  tile: Tile,
  signal?: AbortSignal,
  withKind = false,
  clock?: PhaseClock,
): Promise<TilePrediction> {
  const feeds = await tileFeeds(card, dates, window, tile, signal, clock);
  const output = await runTile(session, card, feeds, withKind, clock, signal);
  return finishTile(card, feeds, output, tile, withKind, clock);
}

/** The outputs a tile run fetches: the probability, and the kind planes when asked for. */
export function tileFetches(card: ModelCard, withKind: boolean): string[] {
  const fetches = [card.outputs.probability];
  if (withKind && cardKinds(card) && card.outputs.kind) fetches.push(card.outputs.kind);
  return fetches;
}

/**
 * Runs the model on a tile's prepared inputs. Only the outputs used are fetched: a run that
 * ignores kind (screening) does not get its planes. A cancel settles at once when the session runs
 * in its own thread (session-thread.ts; the run's result is then dropped), not after the tile.
 */
export async function runTile(
  session: RunSession,
  card: ModelCard,
  feeds: TileFeeds,
  withKind = false,
  clock?: PhaseClock,
  signal?: AbortSignal,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  throwIfAborted(signal);
  const start = performance.now();
  const fetches = tileFetches(card, withKind);
  // A pooled tile lends its inputs to a session thread (no copy) and gets them back for the pool.
  const lend = feeds.pool && session.runLending ? feeds.pool : null;
  const run = lend
    ? (session.runLending as NonNullable<RunSession['runLending']>)(feeds.feeds, fetches).then(
        (r) => {
          lend.give(r.inputs.map((b) => new Float32Array(b)));
          return r.outputs;
        },
      )
    : session.run(feeds.feeds, fetches);
  const output = signal ? await untilAborted(run, signal) : await run;
  clock?.since('model', start);
  return output;
}

/** `promise`, or a cancel error as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new LandWatchError('E_CANCELLED', 'Cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/** Crops a tile's model output to the tile, flags its no-data (with the edge margin), frees it. */
export function finishTile(
  card: ModelCard,
  feeds: TileFeeds,
  output: ort.InferenceSession.OnnxValueMapType,
  tile: Tile,
  withKind = false,
  clock?: PhaseClock,
): TilePrediction {
  const start = performance.now();
  const { invalid, pw, ph, anyInvalid } = feeds;
  const kinds = withKind ? cardKinds(card) : null;
  const out = output[card.outputs.probability].data as Float32Array;
  // Crop the padding away (into the run's reused arrays when it has a pool).
  const size = tile.width * tile.height;
  const prob = feeds.pool ? feeds.pool.floats(size) : new Float32Array(size);
  const inv = feeds.pool ? feeds.pool.bytes(size) : new Uint8Array(size);
  if (pw === tile.width) prob.set(out.subarray(0, size));
  else
    for (let r = 0; r < tile.height; r++)
      prob.set(out.subarray(r * pw, r * pw + tile.width), r * tile.width);
  let invalidOut = inv.fill(0);
  // The flags are cropped and dilated only where the padded tile has any (the padding itself
  // beyond the image is no-data, so a tile may lose all its flags in the crop).
  if (anyInvalid) {
    for (let r = 0; r < tile.height; r++)
      inv.set(invalid.subarray(r * pw, r * pw + tile.width), r * tile.width);
    if (anyNonZero(inv)) invalidOut = dilate(inv, tile.width, tile.height, EDGE_MARGIN_PX);
  }
  const hasInvalid = invalidOut !== inv;
  let kind: KindTile | undefined;
  if (kinds && card.outputs.kind) {
    const k = output[card.outputs.kind];
    checkKindDims(card.id, k.dims, kinds.length, pw, ph);
    kind = kindBlocks(k.data as Float32Array, kinds.length, pw, ph, tile, invalidOut);
  }
  for (const t of feeds.tensors) t.dispose?.();
  // The model has run: the inputs go back to the pool for the tile after next.
  if (feeds.pool && feeds.pooled) feeds.pool.give(feeds.pooled);
  for (const t of Object.values(output)) t.dispose?.();
  clock?.since('blend', start);
  const result = { prob, invalid: invalidOut, anyInvalid: hasInvalid };
  return kind ? { ...result, kind } : result;
}

export { tileFeeds, type TileFeeds };
