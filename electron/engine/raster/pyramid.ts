/**
 * The coarse level of a Gaussian pyramid (METHODS.md M4 step 2), built on the fly and window by
 * window: a Gaussian low-pass (σ = factor / 2) sampled every `factor` pixels, the same result as
 * repeated blur-and-halve levels up to rounding. Detection screens the coarse level with the model
 * and then needs only the full-resolution tiles where change may be, so the Laplacian bands
 * (the detail a full reconstruction would add back) are never needed: the full-resolution tiles are
 * read from the original instead.
 *
 * Memory is independent of the scene: the source is read in blocks of 2048 columns × 256 rows
 * (aligned with typical 256/512 px GeoTIFF tiles), filtered along rows into a small ring of
 * coarse-width rows, filtered down the columns, and written to a scratch raster on disk.
 */
import { throwIfAborted } from '../errors.js';
import type { PixelWindow } from './raster-source.js';
import { ScratchRaster } from './scratch-raster.js';

/** What the builder needs of a source: windowed reads (NaN outside) and its no-data markers. */
export interface PyramidSource {
  info: { nodata: number | null; alphaBand: number | null };
  readWindow(window: PixelWindow, bands: number[], signal?: AbortSignal): Promise<Float32Array[]>;
}

export interface CoarseLevelOptions {
  source: PyramidSource;
  /** Source bands (0-based) to keep, in this order; the scratch raster has them as 0 … n-1. */
  bands: number[];
  /** The full-resolution window of the source to reduce. */
  window: PixelWindow;
  /** Reduction factor (2, 4, 8 …). */
  factor: number;
  /** Scratch file for the level. */
  path: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

const BLOCK_COLS = 2048;
const CHUNK_ROWS = 256;

/** Size of the coarse level of a width × height window. */
export function coarseSize(width: number, height: number, factor: number) {
  return { width: Math.ceil(width / factor), height: Math.ceil(height / factor) };
}

/**
 * Gaussian weights of the taps j = -factor … 2·factor - 1 around a coarse pixel's block of `factor`
 * source pixels (centre at (factor - 1) / 2).
 */
export function gaussianTaps(factor: number): Float64Array {
  const sigma = factor / 2;
  const centre = (factor - 1) / 2;
  const taps = new Float64Array(3 * factor);
  for (let i = 0; i < taps.length; i++) {
    const j = i - factor;
    taps[i] = Math.exp(-((j - centre) ** 2) / (2 * sigma * sigma));
  }
  return taps;
}

/**
 * Builds the coarse level. A coarse pixel whose taps are less than half valid (outside the
 * source, no-data, alpha 0) is NaN, so the model treats it as no data.
 */
export async function buildCoarseLevel(options: CoarseLevelOptions): Promise<ScratchRaster> {
  const { source, bands, window, factor, signal } = options;
  const { width: cw, height: ch } = coarseSize(window.width, window.height, factor);
  const out = new ScratchRaster(options.path, cw, ch, bands.length);
  const taps = gaussianTaps(factor);
  const R = factor;
  const { nodata, alphaBand } = source.info;
  const read = alphaBand === null ? bands : [...bands, alphaBand];
  const nb = bands.length;
  const blocks = Math.ceil(window.width / BLOCK_COLS);
  const chunks = Math.ceil(window.height / CHUNK_ROWS);
  try {
    for (let bi = 0; bi < blocks; bi++) {
      const bx0 = bi * BLOCK_COLS;
      const bx1 = Math.min(window.width, bx0 + BLOCK_COLS);
      const cx0 = bx0 / factor;
      const ncx = Math.ceil(bx1 / factor) - cx0;
      const readW = bx1 - bx0 + 2 * R;
      // Row-filtered rows: per source row, nb value planes and one weight plane of ncx values.
      const ring = new Map<number, Float32Array>();
      let cy = 0;
      for (let ci = 0; ci < chunks; ci++) {
        throwIfAborted(signal);
        const r0 = ci * CHUNK_ROWS;
        const r1 = Math.min(window.height, r0 + CHUNK_ROWS);
        const data = await source.readWindow(
          { x: window.x + bx0 - R, y: window.y + r0, width: readW, height: r1 - r0 },
          read,
          signal,
        );
        const rows = r1 - r0;
        // Invalid samples become 0 with weight 0, so the filter loops below need no branches.
        const valid = validity(data, nb, alphaBand === null ? null : data[nb], nodata);
        const allValid = valid.every((v) => v === 1);
        const tapSum = taps.reduce((a, t) => a + t, 0);
        for (let r = 0; r < rows; r++) {
          const row = new Float32Array((nb + 1) * ncx);
          const o = r * readW;
          for (let c = 0; c < ncx; c++) {
            // Tap i of coarse column c reads column c·factor + i of the read window.
            const k0 = o + c * factor;
            let w = tapSum;
            if (!allValid) {
              w = 0;
              for (let i = 0; i < taps.length; i++) w += taps[i] * valid[k0 + i];
            }
            row[nb * ncx + c] = w;
          }
          for (let b = 0; b < nb; b++) {
            const plane = data[b];
            const base = b * ncx;
            for (let c = 0; c < ncx; c++) {
              const k0 = o + c * factor;
              let v = 0;
              for (let i = 0; i < taps.length; i++) v += taps[i] * plane[k0 + i];
              row[base + c] = v;
            }
          }
          ring.set(r0 + r, row);
        }
        // Emit every coarse row whose taps (rows cy·f - R … cy·f + 2f - 1) are all read.
        while (cy < ch && (cy * factor + 2 * factor - 1 < r1 || r1 === window.height)) {
          emitRow(out, ring, taps, cy, factor, nb, ncx, cx0);
          cy++;
        }
        for (const key of ring.keys()) if (key < cy * factor - R) ring.delete(key);
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
 * 1 where every band has a value (not NaN, not no-data) and alpha is not 0, else 0; the samples of
 * invalid pixels are set to 0 in `data` so they add nothing to a weighted sum.
 */
function validity(
  data: Float32Array[],
  nb: number,
  alpha: Float32Array | null,
  nodata: number | null,
): Float32Array {
  const n = data[0].length;
  const valid = new Float32Array(n).fill(1);
  // Most chunks lie inside the image and have no markers: one read-only pass settles that.
  let clean = alpha === null;
  for (let b = 0; b < nb && clean; b++) {
    const plane = data[b];
    for (let k = 0; k < n; k++) {
      const v = plane[k];
      if (v !== v || v === nodata) {
        clean = false;
        break;
      }
    }
  }
  if (clean) return valid;
  for (let b = 0; b < nb; b++) {
    const plane = data[b];
    for (let k = 0; k < n; k++) {
      const v = plane[k];
      if (v !== v || v === nodata) valid[k] = 0;
    }
  }
  if (alpha) for (let k = 0; k < n; k++) if (alpha[k] === 0) valid[k] = 0;
  for (let b = 0; b < nb; b++) {
    const plane = data[b];
    for (let k = 0; k < n; k++) if (valid[k] === 0) plane[k] = 0;
  }
  return valid;
}

/** Filters the ring's rows down the columns into coarse row cy and stores it. */
function emitRow(
  out: ScratchRaster,
  ring: Map<number, Float32Array>,
  taps: Float64Array,
  cy: number,
  factor: number,
  nb: number,
  ncx: number,
  cx0: number,
): void {
  const total = taps.reduce((s, t) => s + t, 0) ** 2;
  const values = Array.from({ length: nb }, () => new Float64Array(ncx));
  const weight = new Float64Array(ncx);
  for (let i = 0; i < taps.length; i++) {
    const row = ring.get(cy * factor - factor + i);
    if (!row) continue;
    const t = taps[i];
    for (let c = 0; c < ncx; c++) {
      weight[c] += t * row[nb * ncx + c];
      for (let b = 0; b < nb; b++) values[b][c] += t * row[b * ncx + c];
    }
  }
  for (let b = 0; b < nb; b++) {
    const seg = new Float32Array(ncx);
    for (let c = 0; c < ncx; c++) {
      seg[c] = weight[c] >= 0.5 * total ? values[b][c] / weight[c] : Number.NaN;
    }
    out.writeSegment(b, cy, cx0, seg);
  }
}
