/**
 * A coarse pyramid level (pyramid.ts) computed window by window as its reader asks, instead of
 * built whole first: exactly the values {@link buildCoarseLevel} stores, from the same box means
 * and binomial pass, for any window. Screening reads the level only as the model's coarse tiles,
 * so where the level comes from a COG overview at the factor (one overview pixel a coarse pixel)
 * the tiles are computed straight from the overview while the model runs the tile before:
 *
 * - building a 4096² scene's two 1024² levels first took ~0.3 s on the main thread while the
 *   model's thread waited, and storing them was 24 MB of fresh memory (~0.15 s of page faults on
 *   a 2-core VM);
 * - levels above `COARSE_MEMORY_BYTES` went through a scratch file, written whole and read back.
 *
 * The tiles overlap, so their overlap is computed twice (~1.3× the level's pixels for four tiles
 * of a 1024² level): cheap from an overview, where a coarse pixel is one cached source pixel, but
 * not from full resolution, where it would decode blocks again; there the level is still built.
 */
import { throwIfAborted } from '../errors.js';
import {
  boxRow,
  coarseSize,
  emit,
  nineTaps,
  someTaps,
  type BoxRow,
  type PyramidSource,
  type SegmentSink,
} from './pyramid.js';
import type { PixelWindow } from './raster-source.js';

export interface CoarseWindowsOptions {
  source: PyramidSource;
  /** Source bands (0-based) to keep, in this order; the level has them as 0 … n-1. */
  bands: number[];
  /** The full-resolution window of the source the level reduces. */
  window: PixelWindow;
  /** Reduction factor (1 for a level read from an overview at the factor). */
  factor: number;
}

/** Windows of a coarse level, computed on demand; a WindowReader for the tile runner. */
export class CoarseWindows {
  readonly info: {
    name: string;
    nodata: null;
    alphaBand: null;
    width: number;
    height: number;
    bands: number;
  };
  /** Reused between windows: the source read, box rows, the reductions' scratch. */
  private chunk: Float32Array[] = [];
  private boxes: BoxRow[] = [];
  private sums = new Float64Array(0);
  private counts = new Float64Array(0);
  private seg = new Float32Array(0);

  constructor(private readonly o: CoarseWindowsOptions) {
    const { width, height } = coarseSize(o.window.width, o.window.height, o.factor);
    this.info = {
      name: 'coarse level',
      nodata: null,
      alphaBand: null,
      width,
      height,
      bands: o.bands.length,
    };
  }

  /** A window of the given level bands; pixels outside the level are NaN (as a ScratchRaster). */
  async readWindow(window: PixelWindow, bands: number[], signal?: AbortSignal) {
    const into = bands.map(() => new Float32Array(window.width * window.height));
    await this.readWindowInto(window, bands, into, signal);
    return into;
  }

  /** readWindow into the caller's window-sized arrays, one per band. */
  async readWindowInto(
    window: PixelWindow,
    bands: number[],
    into: Float32Array[],
    signal?: AbortSignal,
  ): Promise<void> {
    for (const a of into) a.fill(Number.NaN);
    const { width: cw, height: ch } = this.info;
    const cx0 = Math.max(0, window.x);
    const cx1 = Math.min(cw, window.x + window.width);
    const cy0 = Math.max(0, window.y);
    const cy1 = Math.min(ch, window.y + window.height);
    if (cx0 >= cx1 || cy0 >= cy1) return;
    throwIfAborted(signal);
    const { source, window: src, factor: f } = this.o;
    const nb = this.o.bands.length;
    const ncx = cx1 - cx0;
    const nbx = ncx + 2;
    // Box rows cy0-1 … cy1 (those inside the level), with a column of halo on each side, from
    // the source rows under them: rows clip at the window's height, columns do not (as the level).
    const rb0 = Math.max(0, cy0 - 1);
    const rb1 = Math.min(ch, cy1 + 1);
    const sy0 = rb0 * f;
    const sy1 = Math.min(src.height, rb1 * f);
    const data = await this.read(
      { x: src.x + (cx0 - 1) * f, y: src.y + sy0, width: nbx * f, height: sy1 - sy0 },
      signal,
    );
    const alpha = source.info.alphaBand === null ? null : data[nb];
    if (f === 1 && !alpha) {
      // One source pixel a coarse pixel: the binomial pass straight from the read, no box rows.
      const rows = { first: rb0, count: rb1 - rb0, width: nbx };
      smoothInto(data, nb, source.info.nodata, rows, ch, window, bands, into, cx0, ncx, cy0, cy1);
      return;
    }
    if (this.counts.length !== nbx) {
      this.sums = new Float64Array(nb * nbx);
      this.counts = new Float64Array(nbx);
      this.seg = new Float32Array(ncx);
    }
    const rows = new Map<number, BoxRow>();
    for (let r = rb0; r < rb1; r++) {
      const k = r - rb0;
      if (!this.boxes[k] || this.boxes[k].length !== nb * nbx) {
        this.boxes[k] = new Float32Array(nb * nbx);
      }
      const n = Math.min(f, src.height - r * f);
      const box = this.boxes[k];
      rows.set(
        r,
        boxRow(box, this.sums, this.counts, data, nb, alpha, source.info.nodata, f, k * f, n),
      );
    }
    const sink = windowSink(window, bands, into);
    for (let cy = cy0; cy < cy1; cy++) emit(sink, this.seg, rows, cy, ch, nb, ncx, cx0);
  }

  /** The source window (the level's bands, then alpha), into arrays reused from window to window. */
  private async read(win: PixelWindow, signal?: AbortSignal): Promise<Float32Array[]> {
    const { source, bands } = this.o;
    const read = source.info.alphaBand === null ? bands : [...bands, source.info.alphaBand];
    if (!source.readWindowInto) return source.readWindow(win, read, signal);
    const n = win.width * win.height;
    if (this.chunk.length !== read.length || this.chunk[0].length < n) {
      this.chunk = read.map(() => new Float32Array(n));
    }
    const views = this.chunk.map((a) => a.subarray(0, n));
    await source.readWindowInto(win, read, views, signal);
    return views;
  }
}

/**
 * {@link emit} over box rows that are the source's own pixels (factor 1, no alpha), computed in
 * place: a pixel with any band missing (NaN or no-data) is missing in every band, as boxRow makes
 * it, then each requested band's [1 2 1]/4 pass goes straight into the window's arrays, with the
 * same taps, weights and order as emit, so the values are the same to the bit. `rows`: the read's
 * first level row, row count and width (one column of halo each side).
 */
function smoothInto(
  data: Float32Array[],
  nb: number,
  nodata: number | null,
  rows: { first: number; count: number; width: number },
  ch: number,
  window: PixelWindow,
  bands: number[],
  into: Float32Array[],
  cx0: number,
  ncx: number,
  cy0: number,
  cy1: number,
): void {
  const { first, count, width: nbx } = rows;
  const nd = nodata ?? Number.NaN;
  const n = count * nbx;
  for (let p = 0; p < n; p++) {
    let ok = true;
    for (let b = 0; b < nb; b++) {
      const v = data[b][p];
      if (v !== v || v === nd) ok = false;
    }
    if (!ok) for (let b = 0; b < nb; b++) data[b][p] = Number.NaN;
  }
  for (let k = 0; k < bands.length; k++) {
    const d = data[bands[k]];
    const out = into[k];
    for (let cy = cy0; cy < cy1; cy++) {
      const r = cy - first;
      // Level rows above 0 and from ch on are not taps (emit's missing rows).
      const hasUp = cy - 1 >= 0 && r - 1 >= 0;
      const hasDown = cy + 1 < ch && r + 1 < count;
      const at = (cy - window.y) * window.width + (cx0 - window.x);
      for (let c = 0; c < ncx; c++) {
        const i = r * nbx + c + 1;
        if (d[i] !== d[i]) {
          out[at + c] = Number.NaN;
          continue;
        }
        if (hasUp && hasDown) {
          const v = nineTaps(d, i - nbx, d, i, d, i + nbx);
          if (v === v) {
            out[at + c] = v;
            continue;
          }
        }
        out[at + c] = someTaps(hasUp ? d : null, i - nbx, d, i, hasDown ? d : null, i + nbx);
      }
    }
  }
}

/** A sink that copies the coarse rows' segments of the requested bands into a window's arrays. */
function windowSink(window: PixelWindow, bands: number[], into: Float32Array[]): SegmentSink {
  return {
    writeSegment(band, y, x, values) {
      const at = (y - window.y) * window.width + (x - window.x);
      for (let i = 0; i < bands.length; i++) if (bands[i] === band) into[i].set(values, at);
    },
  };
}
