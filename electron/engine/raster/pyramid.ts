/**
 * The coarse level of a Gaussian pyramid (METHODS.md M4 step 2), built on the fly and window by
 * window: each coarse pixel is the mean of its factor × factor block, then a [1 2 1]/4 binomial
 * pass on the coarse grid. Box then binomial is the usual cheap stand-in for the Gaussian (σ ≈
 * 0.76·factor source pixels): it costs one addition per source pixel and band, against a dozen
 * multiply-adds for sampled Gaussian taps, which matters because screening must read the whole
 * scene in a fraction of a full sweep's time. Detection screens the coarse level with the model
 * and then needs only the full-resolution tiles where change may be, so the Laplacian bands (the
 * detail a reconstruction would add back) are never needed: full-resolution tiles are read from
 * the original instead.
 *
 * Memory is independent of the scene: the source is read in blocks of 2048 columns × 256 rows
 * (aligned with typical 256/512 px GeoTIFF tiles), reduced to box rows kept three at a time, and
 * the coarse rows are written to a scratch raster: on disk, or in memory when it is small.
 */
import { throwIfAborted } from '../errors.js';
import type { PixelWindow, ReadWindowInto } from './raster-source.js';
import { ScratchRaster } from './scratch-raster.js';

/** What the builder needs of a source: windowed reads (NaN outside) and its no-data markers. */
export interface PyramidSource {
  info: { nodata: number | null; alphaBand: number | null };
  readWindow(window: PixelWindow, bands: number[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** Optional: readWindow into the caller's arrays (the chunks then reuse theirs). */
  readWindowInto?: ReadWindowInto;
}

export interface CoarseLevelOptions {
  source: PyramidSource;
  /** Source bands (0-based) to keep, in this order; the scratch raster has them as 0 … n-1. */
  bands: number[];
  /** The full-resolution window of the source to reduce. */
  window: PixelWindow;
  /** Reduction factor (2, 4, 8 …; CHUNK_ROWS must be a multiple of it). */
  factor: number;
  /** Scratch file for the level. */
  path: string;
  /** A level of at most this many bytes is kept in memory instead (default 0: always the file). */
  memoryBytes?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

const BLOCK_COLS = 2048;
const CHUNK_ROWS = 256;
/** Binomial weights of the coarse-grid pass, for offsets -1, 0, 1. */
const BINOMIAL = [0.25, 0.5, 0.25];

/** Size of the coarse level of a width × height window. */
export function coarseSize(width: number, height: number, factor: number) {
  return { width: Math.ceil(width / factor), height: Math.ceil(height / factor) };
}

/** Box means of one coarse row (nb bands × n columns, NaN where the block is mostly no data). */
export type BoxRow = Float32Array;

/** Where finished coarse rows go: a level (ScratchRaster), or a window of one (coarse-windows.ts). */
export interface SegmentSink {
  writeSegment(band: number, y: number, x: number, values: Float32Array): void;
}

/**
 * Builds the coarse level. A block less than half valid (outside the source, no-data, alpha 0) is
 * no data; a coarse pixel on no data is NaN, so the model treats it as no data.
 */
export async function buildCoarseLevel(options: CoarseLevelOptions): Promise<ScratchRaster> {
  const { source, bands, window, factor: f, signal } = options;
  if (CHUNK_ROWS % f !== 0) throw new RangeError(`pyramid factor ${f} must divide ${CHUNK_ROWS}`);
  const { width: cw, height: ch } = coarseSize(window.width, window.height, f);
  const out = new ScratchRaster(options.path, cw, ch, bands.length, options.memoryBytes);
  const { nodata, alphaBand } = source.info;
  const read = alphaBand === null ? bands : [...bands, alphaBand];
  const nb = bands.length;
  const blocks = Math.ceil(window.width / BLOCK_COLS);
  const chunks = Math.ceil(window.height / CHUNK_ROWS);
  // One chunk's read, reused from chunk to chunk where the source reads into arrays.
  const chunkLength = (BLOCK_COLS + 2 * f) * CHUNK_ROWS;
  const chunk = source.readWindowInto ? read.map(() => new Float32Array(chunkLength)) : null;
  const readChunk = async (win: PixelWindow): Promise<Float32Array[]> => {
    if (!chunk || !source.readWindowInto) return source.readWindow(win, read, signal);
    const views = chunk.map((a) => a.subarray(0, win.width * win.height));
    await source.readWindowInto(win, read, views, signal);
    return views;
  };
  try {
    for (let bi = 0; bi < blocks; bi++) {
      const cx0 = (bi * BLOCK_COLS) / f;
      const ncx = Math.min(cw, cx0 + BLOCK_COLS / f) - cx0;
      // One coarse column of halo on each side for the binomial pass across block borders.
      const nbx = ncx + 2;
      const readX = window.x + (cx0 - 1) * f;
      const rows = new Map<number, BoxRow>();
      // Box rows once emitted past, and the scratch of the reductions, reused: fresh memory is
      // not free (on a 2-core VM, first touching a page costs microseconds), and a level from an
      // overview is ~1000 rows a date.
      const spare: BoxRow[] = [];
      const sums = new Float64Array(nb * nbx);
      const counts = new Float64Array(nbx);
      const seg = new Float32Array(ncx);
      let next = 0; // next coarse row to emit
      for (let ci = 0; ci < chunks; ci++) {
        throwIfAborted(signal);
        const r0 = ci * CHUNK_ROWS;
        const r1 = Math.min(window.height, r0 + CHUNK_ROWS);
        const data = await readChunk({
          x: readX,
          y: window.y + r0,
          width: nbx * f,
          height: r1 - r0,
        });
        const alpha = alphaBand === null ? null : data[nb];
        for (let cy = r0 / f; cy < Math.ceil(r1 / f); cy++) {
          const box = spare.pop() ?? new Float32Array(nb * nbx);
          const n = Math.min(f, r1 - cy * f);
          rows.set(cy, boxRow(box, sums, counts, data, nb, alpha, nodata, f, cy * f - r0, n));
        }
        const done = r1 === window.height ? ch : r1 / f - 1;
        for (; next < done; next++) emit(out, seg, rows, next, ch, nb, ncx, cx0);
        for (const [key, row] of rows) {
          if (key >= next - 1) continue;
          rows.delete(key);
          spare.push(row);
        }
        options.onProgress?.(bi * chunks + ci + 1, blocks * chunks);
      }
    }
    return out;
  } catch (error) {
    out.dispose();
    throw error;
  }
}

/**
 * Box means of the `n` source rows starting at `row` of the read window, per coarse column, into
 * `box` (nb bands × nbx columns); `sums` and `counts` are scratch of the same shape.
 */
export function boxRow(
  box: BoxRow,
  sums: Float64Array,
  counts: Float64Array,
  data: Float32Array[],
  nb: number,
  alpha: Float32Array | null,
  nodata: number | null,
  f: number,
  row: number,
  n: number,
): BoxRow {
  const nbx = counts.length;
  const readW = nbx * f;
  if (f === 1 && n === 1 && !alpha) {
    // A level read from an overview at the factor: one source pixel per coarse pixel.
    const o = row * readW;
    for (let c = 0; c < nbx; c++) {
      let ok = true;
      for (let b = 0; b < nb; b++) {
        const v = data[b][o + c];
        if (v !== v || v === nodata) ok = false;
      }
      for (let b = 0; b < nb; b++) box[b * nbx + c] = ok ? data[b][o + c] : NaN;
    }
    return box;
  }
  sums.fill(0);
  counts.fill(0);
  for (let r = row; r < row + n; r++) {
    const o = r * readW;
    for (let c = 0; c < nbx; c++) {
      for (let k = c * f; k < c * f + f; k++) {
        const i = o + k;
        if (alpha && alpha[i] === 0) continue;
        let ok = true;
        for (let b = 0; b < nb; b++) {
          const v = data[b][i];
          if (v !== v || v === nodata) ok = false;
        }
        if (!ok) continue;
        counts[c]++;
        for (let b = 0; b < nb; b++) sums[b * nbx + c] += data[b][i];
      }
    }
  }
  for (let c = 0; c < nbx; c++) {
    const valid = counts[c] >= (f * f) / 2;
    for (let b = 0; b < nb; b++) box[b * nbx + c] = valid ? sums[b * nbx + c] / counts[c] : NaN;
  }
  return box;
}

/**
 * The [1 2 1]/4 × [1 2 1]/4 pass at one pixel: rows `up`, `mid` and `down` around indices `u`, `m`
 * and `d`. One expression for every caller (emit, coarse-windows.ts), so they agree to the bit.
 */
export function nineTaps(
  up: Float32Array,
  u: number,
  mid: Float32Array,
  m: number,
  down: Float32Array,
  d: number,
): number {
  return (
    0.0625 * up[u - 1] +
    0.125 * up[u] +
    0.0625 * up[u + 1] +
    0.125 * mid[m - 1] +
    0.25 * mid[m] +
    0.125 * mid[m + 1] +
    0.0625 * down[d - 1] +
    0.125 * down[d] +
    0.0625 * down[d + 1]
  );
}

/**
 * {@link nineTaps} where some taps are missing (NaN, or a row that is null): the mean of the
 * others, their weights renormalised. The centre tap must be present.
 */
export function someTaps(
  up: Float32Array | null,
  u: number,
  mid: Float32Array,
  m: number,
  down: Float32Array | null,
  d: number,
): number {
  let v = 0;
  let w = 0;
  const rows = [up, mid, down];
  const at = [u, m, d];
  for (let dy = 0; dy < 3; dy++) {
    const row = rows[dy];
    if (!row) continue;
    for (let dx = -1; dx <= 1; dx++) {
      const x = row[at[dy] + dx];
      if (x !== x) continue;
      const k = BINOMIAL[dy] * BINOMIAL[dx + 1];
      v += k * x;
      w += k;
    }
  }
  return v / w;
}

/**
 * Binomial-smooths box rows cy-1 … cy+1 into coarse row cy and stores it (through `seg`). Box rows
 * have one column of halo on each side; coarse rows above 0 and from `ch` on do not count.
 */
export function emit(
  out: SegmentSink,
  seg: Float32Array,
  rows: Map<number, BoxRow>,
  cy: number,
  ch: number,
  nb: number,
  ncx: number,
  cx0: number,
): void {
  const nbx = ncx + 2;
  const centre = rows.get(cy) as BoxRow;
  // The three rows, looked up once per coarse row rather than per pixel (this loop runs over the
  // whole coarse level, which with a COG overview is most of what screening reads).
  const up = cy > 0 ? (rows.get(cy - 1) ?? null) : null;
  const down = cy + 1 < ch ? (rows.get(cy + 1) ?? null) : null;
  for (let b = 0; b < nb; b++) {
    for (let c = 0; c < ncx; c++) {
      const i = b * nbx + c + 1;
      if (centre[i] !== centre[i]) {
        seg[c] = NaN;
        continue;
      }
      if (up && down) {
        // All nine taps present: their weights sum to 1, so unless one is NaN (which the sum
        // carries) the mean is the sum, added in the same order as someTaps, to the bit.
        const v = nineTaps(up, i, centre, i, down, i);
        if (v === v) {
          seg[c] = v;
          continue;
        }
      }
      seg[c] = someTaps(up, i, centre, i, down, i);
    }
    out.writeSegment(b, cy, cx0, seg);
  }
}
