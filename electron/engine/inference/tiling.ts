/**
 * Tiling math, kept pure so it can be tested apart from any I/O: the grid of overlapping tiles over
 * a window, clamped at the edges, and the smooth blending weights that make the stitched result
 * free of seams (each pixel is a weighted mean of every tile covering it).
 */

export interface Tile {
  /** Top-left pixel of the tile in the processed window. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Overlapping tiles of `size` px with `overlap` px shared between neighbours, covering a
 * width × height area. Edge tiles are shifted inwards (not shrunk) so every tile has full size when
 * the area allows it; an area smaller than a tile gets one tile of the area's size.
 */
export function tileGrid(width: number, height: number, size: number, overlap: number): Tile[] {
  const axes = tileAxes(width, height, size, overlap);
  const tiles: Tile[] = [];
  for (let row = 0; row < axes.ys.length; row++) {
    for (let col = 0; col < axes.xs.length; col++) tiles.push(axisTile(axes, row, col));
  }
  return tiles;
}

/**
 * The same grid as {@link tileGrid}, as its two axes: tile row r starts at `ys[r]`, tile column c
 * at `xs[c]`; every tile is `tileWidth` × `tileHeight`. Row-by-row processing (bounded memory,
 * checkpoints per tile row) walks these axes.
 */
export interface TileAxes {
  xs: number[];
  ys: number[];
  tileWidth: number;
  tileHeight: number;
}

/** Axes of the tile grid over a width × height area; see {@link tileGrid}. */
export function tileAxes(width: number, height: number, size: number, overlap: number): TileAxes {
  if (size <= overlap) throw new Error(`tile size ${size} must exceed overlap ${overlap}`);
  return axesOf(width, height, size, size, overlap);
}

/**
 * The grid a sweep runs: {@link tileAxes} with each axis's tile shrunk to the smallest multiple of
 * `multiple` (at most `size`) that still covers the axis with as many tiles as `size` needs. The
 * model then computes no more pixels than it must: a 4096-px axis at 768/128 takes seven 704-px
 * tiles (4928 px of model input) instead of seven 768-px ones (5376 px, the last overlapping its
 * neighbour by 640), so a small scene costs no more per pixel than a large one. Neighbours still
 * share at least `overlap` px, and every tile has the same size (one input shape for the model).
 */
export function fittedAxes(
  width: number,
  height: number,
  size: number,
  overlap: number,
  multiple: number,
): TileAxes {
  const tw = fittedSize(width, size, overlap, multiple);
  const th = fittedSize(height, size, overlap, multiple);
  return axesOf(width, height, tw, th, overlap);
}

/** Tiles of tw × th px, neighbours sharing `overlap`, the last of each axis shifted inwards. */
function axesOf(width: number, height: number, tw: number, th: number, overlap: number): TileAxes {
  return {
    xs: starts(width, tw, tw - overlap),
    ys: starts(height, th, th - overlap),
    tileWidth: Math.min(tw, width),
    tileHeight: Math.min(th, height),
  };
}

/**
 * The tile length {@link fittedAxes} uses along one axis: n tiles of `size` cover `length` (as
 * {@link tileAxes} places them); n tiles of T cover it too when n·T ≥ length + (n − 1)·overlap, so
 * T is that bound rounded up to `multiple`, or `size` when the rounding reaches it.
 */
function fittedSize(length: number, size: number, overlap: number, multiple: number): number {
  if (size <= overlap) throw new Error(`tile size ${size} must exceed overlap ${overlap}`);
  if (length <= size) return size;
  const n = starts(length, size, size - overlap).length;
  const fit = roundUp(Math.ceil((length + (n - 1) * overlap) / n), Math.max(1, multiple));
  return fit < size ? fit : size;
}

/** The tile at (row, col) of a grid's axes. */
export function axisTile(axes: TileAxes, row: number, col: number): Tile {
  return { x: axes.xs[col], y: axes.ys[row], width: axes.tileWidth, height: axes.tileHeight };
}

function starts(length: number, size: number, stride: number): number[] {
  if (length <= size) return [0];
  const out: number[] = [];
  for (let s = 0; ; s += stride) {
    if (s + size >= length) {
      out.push(length - size);
      break;
    }
    out.push(s);
  }
  return out;
}

/**
 * The share of a shared overlap, from the tile's edge, that {@link ramp} leaves (almost) out of the
 * blend unless a card says otherwise. Measured with `npm run bench:seams` against one whole-image
 * pass of the default model (768/128 px): trimming the outer quarter (32 px) cut the mean
 * difference of plain Hann ramps by 1.2–3.2× and the pixels on the other side of the threshold by
 * up to 3×; trimming more gained little and narrows the zone where neighbours blend.
 */
export const SEAM_TRIM = 0.25;

/**
 * Blending weight of each pixel of a tile: a raised-cosine (Hann) ramp over `overlap` px at each
 * edge that is shared with a neighbour, flat 1 inside. Edges on the window border keep weight 1 so
 * border pixels, covered by one tile only, are not down-weighted to zero.
 */
export function blendWeights(
  width: number,
  height: number,
  overlap: number,
  edges: { left: boolean; right: boolean; top: boolean; bottom: boolean },
): Float32Array {
  const wx = ramp(width, overlap, edges.left, edges.right);
  const wy = ramp(height, overlap, edges.top, edges.bottom);
  const out = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) out[r * width + c] = wy[r] * wx[c];
  }
  return out;
}

/**
 * One axis of {@link blendWeights}: n weights ramping over `overlap` at the shared ends. With a
 * `trim`, the outer `trim · overlap` px of a shared end keep a weight near zero (a Hann ramp up to
 * the main ramp's first weight, so no pixel ends with a zero total weight) and the Hann ramp spans
 * the rest: a tile's pixels nearest its edge, where the model saw least context, then hardly
 * count where a neighbour covers them too.
 */
export function ramp(
  n: number,
  overlap: number,
  start: boolean,
  end: boolean,
  trim = 0,
): Float32Array {
  const w = new Float32Array(n).fill(1);
  const m = Math.min(overlap, Math.floor(n / 2));
  const t = Math.floor(m * trim);
  const hann = (i: number, span: number) => 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / span);
  for (let i = 0; i < m; i++) {
    // (i + 0.5) keeps the first weight above zero, so no pixel ends with a zero total weight.
    const v = i < t ? hann(0, m - t) * hann(i, t) : hann(i - t, m - t);
    if (start) w[i] = Math.min(w[i], v);
    if (end) w[n - 1 - i] = Math.min(w[n - 1 - i], v);
  }
  return w;
}

/** Which edges of a tile touch a neighbouring tile (i.e. are not on the border of the area). */
export function sharedEdges(tile: Tile, width: number, height: number) {
  return {
    left: tile.x > 0,
    right: tile.x + tile.width < width,
    top: tile.y > 0,
    bottom: tile.y + tile.height < height,
  };
}

/** Rounds a length up to the model's multiple (padding is added by the caller). */
export function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}
