/**
 * The after date seen through the before date's grid: every window asked for (in before-grid
 * pixels) is filled by mapping each pixel centre onto the after image (grid-warp.ts) and
 * interpolating bilinearly, which suits continuous imagery. Where the after image is at least
 * twice as fine, its window is first averaged over k × k blocks so fine detail is not aliased.
 * Only the after pixels under the window are read; no-data, alpha 0 and pixels beyond the image
 * come out NaN, i.e. no data for the model.
 */
import type { PixelWindow } from './raster-source.js';
import type { GridWarp } from './grid-warp.js';

/** What is read from: a windowed source with its no-data markers. */
export interface ResampleSource {
  info: { name: string; nodata: number | null; alphaBand: number | null };
  readWindow(window: PixelWindow, bands: number[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** A window reader over `source` on the before grid (bilinear; NaN where there is no data). */
export class ResampledReader {
  readonly info: { name: string; nodata: number | null; alphaBand: number | null };

  /**
   * @param warp - before-grid → after-grid mapping
   * @param reduce - block size k for the averaging of finer after images (1 = none)
   */
  constructor(
    private readonly source: ResampleSource,
    private readonly warp: GridWarp,
    private readonly reduce = 1,
  ) {
    // No-data and alpha are folded into NaN here, so readers see neither.
    this.info = { name: source.info.name, nodata: null, alphaBand: null };
  }

  async readWindow(
    window: PixelWindow,
    bands: number[],
    signal?: AbortSignal,
  ): Promise<Float32Array[]> {
    const { width, height } = window;
    const { u, v } = this.warp.window(window.x, window.y, width, height);
    const out = bands.map(() => new Float32Array(width * height).fill(Number.NaN));
    let u0 = Infinity;
    let u1 = -Infinity;
    let v0 = Infinity;
    let v1 = -Infinity;
    for (let i = 0; i < u.length; i++) {
      if (!(u[i] === u[i] && v[i] === v[i])) continue;
      if (u[i] < u0) u0 = u[i];
      if (u[i] > u1) u1 = u[i];
      if (v[i] < v0) v0 = v[i];
      if (v[i] > v1) v1 = v[i];
    }
    if (u0 > u1) return out;
    const k = this.reduce;
    // The after window under this one, with a margin for the interpolation, in whole k-blocks.
    const ax0 = Math.floor((u0 - k) / k) * k;
    const ay0 = Math.floor((v0 - k) / k) * k;
    const aw = Math.ceil((u1 + k) / k) * k - ax0;
    const ah = Math.ceil((v1 + k) / k) * k - ay0;
    const { nodata, alphaBand } = this.source.info;
    const read = alphaBand === null ? bands : [...bands, alphaBand];
    const data = await this.source.readWindow(
      { x: ax0, y: ay0, width: aw, height: ah },
      read,
      signal,
    );
    const alpha = alphaBand === null ? null : (data.pop() as Float32Array);
    for (const plane of data) {
      for (let i = 0; i < plane.length; i++) {
        if (plane[i] === nodata || (alpha && alpha[i] === 0)) plane[i] = Number.NaN;
      }
    }
    const grid = k > 1 ? data.map((p) => blockMean(p, aw, ah, k)) : data;
    const gw = aw / k;
    const gh = ah / k;
    for (let b = 0; b < bands.length; b++) {
      const src = grid[b];
      const dst = out[b];
      for (let i = 0; i < dst.length; i++) {
        // Sample centres of the (reduced) after window sit at (n + 0.5) · k.
        const x = (u[i] - ax0) / k - 0.5;
        const y = (v[i] - ay0) / k - 0.5;
        if (!(x >= 0 && y >= 0 && x <= gw - 1 && y <= gh - 1)) continue;
        const c = Math.min(Math.floor(x), gw - 2);
        const r = Math.min(Math.floor(y), gh - 2);
        const fx = x - c;
        const fy = y - r;
        const o = r * gw + c;
        // A NaN neighbour makes the pixel NaN: no data is never smeared into data.
        dst[i] =
          (src[o] * (1 - fx) + src[o + 1] * fx) * (1 - fy) +
          (src[o + gw] * (1 - fx) + src[o + gw + 1] * fx) * fy;
      }
    }
    return out;
  }
}

/** Mean of every k × k block (NaN when any pixel of the block is NaN). */
function blockMean(plane: Float32Array, w: number, h: number, k: number): Float32Array {
  const gw = w / k;
  const gh = h / k;
  const out = new Float32Array(gw * gh);
  for (let y = 0; y < h; y++) {
    const o = Math.floor(y / k) * gw;
    for (let x = 0; x < w; x++) out[o + Math.floor(x / k)] += plane[y * w + x];
  }
  for (let i = 0; i < out.length; i++) out[i] /= k * k;
  return out;
}
