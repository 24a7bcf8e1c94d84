/**
 * Laplacian pyramid of a small multi-band image (one model tile), METHODS.md M4 step 2: reduce
 * level by level with the 5-tap binomial [1 4 6 4 1]/16 (Burt & Adelson's Gaussian), keep every
 * level's detail (the Laplacian band: level minus the expanded next level), and rebuild from the
 * smallest level upward by expanding and adding each band back. Rebuilding the untouched smallest
 * level gives the input back to rounding (the bands are stored in float64 so "exactly" holds to
 * ~1e-12); rebuilding a smallest level that a network changed carries that change, smoothly
 * expanded, into full resolution while every finer detail of the original survives.
 *
 * Whole-tile and in memory: a 640 × 640 × 3 tile needs about 13 MB for all bands. Scene-sized
 * coarse levels (screening) are built window by window in pyramid.ts instead.
 */

/** Planar bands of one image level: `planes` × `width` × `height` float64, plane-major. */
export interface PyramidLevel {
  width: number;
  height: number;
  planes: number;
  data: Float64Array;
}

/** The Laplacian bands (finest first) and the smallest Gaussian level. */
export interface LaplacianPyramid {
  bands: PyramidLevel[];
  base: PyramidLevel;
}

/** The 5-tap binomial, used for reducing (weights sum to 1) and, doubled, for expanding. */
const TAPS = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];

const clamp = (i: number, n: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);

/** Blur with the binomial along rows and columns (edges replicated), then keep even pixels. */
export function reduce(level: PyramidLevel): PyramidLevel {
  const { width: w, height: h, planes } = level;
  const w2 = Math.ceil(w / 2);
  const h2 = Math.ceil(h / 2);
  const out = new Float64Array(planes * w2 * h2);
  const row = new Float64Array(w2 * h); // horizontally reduced, full height
  for (let p = 0; p < planes; p++) {
    const src = p * w * h;
    for (let y = 0; y < h; y++) {
      for (let x2 = 0; x2 < w2; x2++) {
        let s = 0;
        for (let k = -2; k <= 2; k++)
          s += TAPS[k + 2] * level.data[src + y * w + clamp(2 * x2 + k, w)];
        row[y * w2 + x2] = s;
      }
    }
    const dst = p * w2 * h2;
    for (let y2 = 0; y2 < h2; y2++) {
      for (let x2 = 0; x2 < w2; x2++) {
        let s = 0;
        for (let k = -2; k <= 2; k++) s += TAPS[k + 2] * row[clamp(2 * y2 + k, h) * w2 + x2];
        out[dst + y2 * w2 + x2] = s;
      }
    }
  }
  return { width: w2, height: h2, planes, data: out };
}

/**
 * Expand to width × height: the binomial applied to the level with zeros inserted between its
 * pixels, times 2 per axis. An even output pixel 2i is (c[i-1] + 6c[i] + c[i+1]) / 8, an odd one
 * 2i+1 is (c[i] + c[i+1]) / 2, with edge pixels replicated (no dark rim at the borders).
 */
export function expand(level: PyramidLevel, width: number, height: number): PyramidLevel {
  const { width: w, height: h, planes } = level;
  const out = new Float64Array(planes * width * height);
  const cols = new Float64Array(width * h);
  // Source index and weights of every output position along one axis, computed once.
  const taps = (n: number, size: number) => {
    const i0 = new Int32Array(size);
    const i1 = new Int32Array(size);
    const i2 = new Int32Array(size);
    const w0 = new Float64Array(size);
    const w1 = new Float64Array(size);
    for (let o = 0; o < size; o++) {
      const i = o >> 1;
      if ((o & 1) === 0) {
        [i0[o], i1[o], i2[o]] = [clamp(i - 1, n), i, clamp(i + 1, n)];
        [w0[o], w1[o]] = [1 / 8, 6 / 8];
      } else {
        [i0[o], i1[o], i2[o]] = [i, clamp(i + 1, n), i];
        [w0[o], w1[o]] = [1 / 2, 1 / 2];
      }
    }
    return { i0, i1, i2, w0, w1 };
  };
  // Even: w0·c[i-1] + w1·c[i] + w0·c[i+1]; odd: w0·c[i] + w1·c[i+1] (+ 0·c[i]).
  const tx = taps(w, width);
  const ty = taps(h, height);
  const oddW = (o: number) => (o & 1) === 1;
  for (let p = 0; p < planes; p++) {
    const src = p * w * h;
    const d = level.data;
    for (let y = 0; y < h; y++) {
      const row = src + y * w;
      const dst = y * width;
      for (let x = 0; x < width; x++) {
        const a = d[row + tx.i0[x]];
        const b = d[row + tx.i1[x]];
        cols[dst + x] = oddW(x)
          ? tx.w0[x] * a + tx.w1[x] * b
          : tx.w0[x] * (a + d[row + tx.i2[x]]) + tx.w1[x] * b;
      }
    }
    const base = p * width * height;
    for (let y = 0; y < height; y++) {
      const r0 = ty.i0[y] * width;
      const r1 = ty.i1[y] * width;
      const r2 = ty.i2[y] * width;
      const a0 = ty.w0[y];
      const a1 = ty.w1[y];
      const odd = oddW(y);
      const dst = base + y * width;
      for (let x = 0; x < width; x++) {
        out[dst + x] = odd
          ? a0 * cols[r0 + x] + a1 * cols[r1 + x]
          : a0 * (cols[r0 + x] + cols[r2 + x]) + a1 * cols[r1 + x];
      }
    }
  }
  return { width, height, planes, data: out };
}

/**
 * Builds `levels` Laplacian bands of an image (planar float32, e.g. the RGB of one tile).
 * `levels` = 0 gives no bands and the image itself as the base.
 *
 * @example
 * const pyr = buildLaplacian(rgb, 3, 512, 512, 3); // base is 64 × 64
 * pyr.base.data.set(cleaned);                       // change the coarse level
 * const out = rebuildLaplacian(pyr);                // 512 × 512 with the original detail
 */
export function buildLaplacian(
  image: Float32Array | Float64Array,
  planes: number,
  width: number,
  height: number,
  levels: number,
): LaplacianPyramid {
  if (image.length !== planes * width * height) {
    throw new RangeError(`image has ${image.length} values, not ${planes} × ${width} × ${height}`);
  }
  let current: PyramidLevel = { width, height, planes, data: Float64Array.from(image) };
  const bands: PyramidLevel[] = [];
  for (let l = 0; l < levels; l++) {
    const next = reduce(current);
    const up = expand(next, current.width, current.height);
    const detail = current.data;
    for (let i = 0; i < detail.length; i++) detail[i] -= up.data[i];
    bands.push(current); // now holds the Laplacian band
    current = next;
  }
  return { bands, base: current };
}

/** Rebuilds full resolution from the base upward: expand, add the stored band, repeat. */
export function rebuildLaplacian(pyramid: LaplacianPyramid): PyramidLevel {
  let current = pyramid.base;
  for (let l = pyramid.bands.length - 1; l >= 0; l--) {
    const band = pyramid.bands[l];
    const up = expand(current, band.width, band.height);
    for (let i = 0; i < up.data.length; i++) up.data[i] += band.data[i];
    current = up;
  }
  return current;
}

/**
 * How many levels to reduce a width × height tile so the smallest side lands near `target`
 * pixels, at most `maxLevels` (1/8 by default) and never below `target / 2`.
 */
export function levelsFor(width: number, height: number, target = 64, maxLevels = 3): number {
  let levels = 0;
  let side = Math.min(width, height);
  while (levels < maxLevels && side / 2 >= target) {
    side = Math.ceil(side / 2);
    levels++;
  }
  return levels;
}
