/**
 * A tile's model inputs: both dates' windows read, normalised as the model card says, and each
 * date's no-data filled from the other date. 8-bit sources are read through per-band tables
 * straight into the model input (no Float32 copy of the window, no arithmetic per pixel); a run
 * of many tiles can hand in a buffer pool so the big arrays are reused rather than reallocated
 * (each tile's arrays otherwise cost the garbage collector a full collection every tile or two).
 */
import * as ort from 'onnxruntime-node';
import { byteNormaliseTable, normaliseInto } from '../raster/bands.js';
import { anyNonZero } from '../raster/byte-scan.js';
import type { BufferPool } from './buffer-pool.js';
import type { ModelCard } from './model-card.js';
import type { PhaseClock } from './phase-clock.js';
import type { DateInput } from './tile-predict.js';
import { roundUp, type Tile } from './tiling.js';

/** A tile's model inputs, padded to the model's multiple, as tensors named for the model. */
export interface TileFeeds {
  feeds: Record<string, ort.Tensor>;
  tensors: ort.Tensor[];
  /** 1 where either date has no data, padded size, row-major. */
  invalid: Uint8Array;
  /** Whether `invalid` flags any pixel (most tiles of a scene have none). */
  anyInvalid: boolean;
  /** Padded width and height the model sees. */
  pw: number;
  ph: number;
  /** Where the arrays came from; finishTile gives them back once the model has run. */
  pool?: BufferPool;
  /** The arrays of these feeds that belong to `pool`. */
  pooled?: (Float32Array | Uint8Array)[];
}

/** Each date's 8-bit tables, per model card (the tables fold in the card's normalisation). */
const TABLES = new WeakMap<DateInput, { card: ModelCard; tables: Float32Array[] }>();

function byteTables(card: ModelCard, date: DateInput): Float32Array[] {
  const known = TABLES.get(date);
  if (known?.card === card) return known.tables;
  const nodata = date.source.info.nodata;
  const tables = date.bands.map((_, b) =>
    byteNormaliseTable(b, date.stretch[b], card.normalization, nodata, date.linear?.[b] ?? null),
  );
  TABLES.set(date, { card, tables });
  return tables;
}

/**
 * Reads both dates' windows for a tile (padded to the model's multiple), normalises them as the
 * card says and fills each date's no-data from the other date, so the model sees no difference
 * there. Used by detection and by adaptation (features), so both see exactly the same inputs.
 */
export async function tileFeeds(
  card: ModelCard,
  dates: [DateInput, DateInput],
  window: { x: number; y: number },
  tile: Tile,
  signal?: AbortSignal,
  clock?: PhaseClock,
  pool?: BufferPool,
): Promise<TileFeeds> {
  const multiple = card.tile.multipleOf;
  const pw = roundUp(tile.width, multiple);
  const ph = roundUp(tile.height, multiple);
  const planes = card.bands;
  const n = pw * ph;
  const pooled: (Float32Array | Uint8Array)[] = [];
  const floats = (length: number) => {
    const a = pool ? pool.floats(length) : new Float32Array(length);
    if (pool) pooled.push(a);
    return a;
  };
  const bytes = (length: number) => {
    const a = pool ? pool.bytes(length) : new Uint8Array(length);
    if (pool) pooled.push(a);
    return a;
  };
  const inputs: Float32Array[] = [];
  const invalids: Uint8Array[] = [];
  for (const date of dates) {
    // Reading the padded size lets pixels beyond the image come back as NaN → treated as no data.
    // The alpha band, if any, comes in the same read so each source block is decoded once.
    const alpha = date.source.info.alphaBand;
    const win = {
      x: window.x + tile.x + date.dx,
      y: window.y + tile.y + date.dy,
      width: pw,
      height: ph,
    };
    const readStart = performance.now();
    const invalid = bytes(n).fill(0);
    const input = floats(planes * n);
    const mapped = date.source.readMapped
      ? await date.source.readMapped(
          win,
          date.bands,
          byteTables(card, date),
          input,
          invalid,
          signal,
        )
      : false;
    if (mapped) {
      // Normalised while read; the alpha band, if any, is read on its own (its blocks are cached).
      const a = alpha === null ? null : (await date.source.readWindow(win, [alpha], signal))[0];
      if (a) for (let i = 0; i < a.length; i++) if (a[i] === 0) invalid[i] = 1;
      const normStart = clock?.since('read', readStart) ?? 0;
      await date.preprocess?.(input, pw, ph);
      clock?.since('normalise', normStart);
    } else {
      const bands = alpha === null ? date.bands : [...date.bands, alpha];
      // Into the pool's arrays where the source reads into arrays: given back once normalised.
      const scratch = pool && date.source.readWindowInto ? bands.map(() => pool.floats(n)) : null;
      if (scratch) await date.source.readWindowInto?.(win, bands, scratch, signal);
      const data = scratch ? [...scratch] : await date.source.readWindow(win, bands, signal);
      const normStart = clock?.since('read', readStart) ?? 0;
      if (alpha !== null) {
        const a = data.pop() as Float32Array;
        for (let i = 0; i < a.length; i++) if (a[i] === 0) invalid[i] = 1;
      }
      const { nodata } = date.source.info;
      normaliseInto(input, 0, data, date.stretch, card.normalization, nodata, invalid, date.linear);
      if (scratch) pool?.give(scratch);
      await date.preprocess?.(input, pw, ph);
      clock?.since('normalise', normStart);
    }
    inputs.push(input);
    invalids.push(invalid);
  }
  // Where one date has no data (beyond its footprint, no-data, alpha 0), give it the other date's
  // pixels: the model then sees no difference there, so the edge of a footprint is not taken for
  // change. Such pixels still get probability 0.
  const fillStart = performance.now();
  const invalid = bytes(n);
  const [inv0, inv1] = invalids;
  const anyInvalid = anyNonZero(inv0) || anyNonZero(inv1);
  if (!anyInvalid) invalid.fill(0);
  else fillNoData(inputs, inv0, inv1, invalid, planes, n);
  clock?.since('normalise', fillStart);
  const tensors = inputs.map((input) => new ort.Tensor('float32', input, [1, planes, ph, pw]));
  const feeds: Record<string, ort.Tensor> = {
    [card.inputs.before]: tensors[0],
    [card.inputs.after]: tensors[1],
  };
  return pool
    ? { feeds, tensors, invalid, anyInvalid, pw, ph, pool, pooled }
    : { feeds, tensors, invalid, anyInvalid, pw, ph };
}

/** Gives each date's no-data pixels the other date's values; `invalid` = either has none. */
function fillNoData(
  inputs: Float32Array[],
  inv0: Uint8Array,
  inv1: Uint8Array,
  invalid: Uint8Array,
  planes: number,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    const a = inv0[i];
    const b = inv1[i];
    if (a === b) {
      invalid[i] = a;
      continue;
    }
    invalid[i] = 1;
    const from = a ? inputs[1] : inputs[0];
    const to = a ? inputs[0] : inputs[1];
    for (let p = 0; p < planes; p++) to[p * n + i] = from[p * n + i];
  }
}
