/**
 * Spatial context for the adapter head: besides each feature pixel's own features, their means
 * over square boxes around it (e.g. 3 × 3 and 9 × 9 feature pixels), so the head can tell a lone
 * speck from part of a larger changed area. Computed here on a tile's feature planes exactly as the
 * written model computes it (adapter-graph.ts: ONNX AveragePool, stride 1, "same" padding that
 * does not count the padding): a box is cut at the tile's edge and averages what is left.
 */

/** Box sizes used when none are given (feature pixels; odd). */
export const DEFAULT_CONTEXT: readonly number[] = [3, 9];

/** Refuses box sizes that are not odd integers ≥ 3 (the graph pads (k − 1) / 2 on each side). */
export function checkContext(sizes: readonly number[]): void {
  for (const k of sizes) {
    if (!Number.isInteger(k) || k < 3 || k % 2 === 0) {
      throw new Error(`context box sizes must be odd integers ≥ 3, not ${k}`);
    }
  }
}

/** Mean of each box of side `k` centred on every pixel of one plane, cut at the plane's edge. */
function boxMean(
  src: Float32Array,
  at: number,
  w: number,
  h: number,
  k: number,
  out: Float32Array,
  to: number,
): void {
  const r = (k - 1) / 2;
  const rows = new Float64Array(w * h);
  // Horizontal sums over [x − r, x + r] ∩ [0, w), by a running sum per row.
  for (let y = 0; y < h; y++) {
    const row = at + y * w;
    let sum = 0;
    for (let x = 0; x <= Math.min(r, w - 1); x++) sum += src[row + x];
    for (let x = 0; x < w; x++) {
      rows[y * w + x] = sum;
      if (x + r + 1 < w) sum += src[row + x + r + 1];
      if (x - r >= 0) sum -= src[row + x - r];
    }
  }
  for (let x = 0; x < w; x++) {
    const nx = Math.min(w - 1, x + r) - Math.max(0, x - r) + 1;
    let sum = 0;
    for (let y = 0; y <= Math.min(r, h - 1); y++) sum += rows[y * w + x];
    for (let y = 0; y < h; y++) {
      const ny = Math.min(h - 1, y + r) - Math.max(0, y - r) + 1;
      out[to + y * w + x] = sum / (nx * ny);
      if (y + r + 1 < h) sum += rows[(y + r + 1) * w + x];
      if (y - r >= 0) sum -= rows[(y - r) * w + x];
    }
  }
}

/**
 * Planar features (`channels` planes of w × h) with their box means appended: the result has
 * channels × (1 + sizes.length) planes — the features as they are, then for each size in order all
 * channels' box means. With no sizes it is `planes` itself.
 */
export function withContext(
  planes: Float32Array,
  channels: number,
  w: number,
  h: number,
  sizes: readonly number[],
): Float32Array {
  if (sizes.length === 0) return planes;
  const plane = w * h;
  const out = new Float32Array(plane * channels * (1 + sizes.length));
  out.set(planes.subarray(0, plane * channels), 0);
  sizes.forEach((k, s) => {
    for (let c = 0; c < channels; c++) {
      boxMean(planes, c * plane, w, h, k, out, ((1 + s) * channels + c) * plane);
    }
  });
  return out;
}
