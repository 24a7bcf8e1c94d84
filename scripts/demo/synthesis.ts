/**
 * Pure image operations behind `scripts/make-demo.ts`: resampling a (possibly rotated) grey
 * orthophoto onto a north-up grid, a percentile stretch, feathered masks, pasting real image content
 * through them, and METHODS M4 step 3's interference synthesis. Images are Float32Array grey
 * values (0..255), row-major, `size` × `size`.
 */

/** A square grey image. */
export interface Grey {
  size: number;
  px: Float32Array;
}

/** GDAL-order affine transform: x = t0 + col·t1 + row·t2, y = t3 + col·t4 + row·t5. */
export type Affine = readonly [number, number, number, number, number, number];

/**
 * Samples `src` (width × height, affine `srcT`) bilinearly onto a north-up grid of `size` × `size`
 * pixels of `pixel` metres whose top-left corner is (x0, y0). Both grids are in the same CRS:
 * this is a change of grid, not a reprojection. Pixels outside the source are NaN.
 */
export function resampleNorthUp(
  src: ArrayLike<number>,
  width: number,
  height: number,
  srcT: Affine,
  x0: number,
  y0: number,
  pixel: number,
  size: number,
): Grey {
  const [a0, a1, a2, b0, b1, b2] = srcT;
  const det = a1 * b2 - a2 * b1;
  const px = new Float32Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const dx = x0 + (c + 0.5) * pixel - a0;
      const dy = y0 - (r + 0.5) * pixel - b0;
      // Inverse affine, then from pixel-corner to pixel-centre coordinates.
      const u = (b2 * dx - a2 * dy) / det - 0.5;
      const v = (-b1 * dx + a1 * dy) / det - 0.5;
      const i = Math.floor(u);
      const j = Math.floor(v);
      if (i < 0 || j < 0 || i + 1 >= width || j + 1 >= height) {
        px[r * size + c] = NaN;
        continue;
      }
      const fu = u - i;
      const fv = v - j;
      const at = (ii: number, jj: number) => src[jj * width + ii];
      px[r * size + c] =
        (at(i, j) * (1 - fu) + at(i + 1, j) * fu) * (1 - fv) +
        (at(i, j + 1) * (1 - fu) + at(i + 1, j + 1) * fu) * fv;
    }
  }
  return { size, px };
}

/** The `q`-quantile (0..1) of the finite values. */
export function quantile(values: Float32Array, q: number): number {
  const finite = Array.from(values).filter(Number.isFinite);
  finite.sort((a, b) => a - b);
  return finite[Math.min(finite.length - 1, Math.floor(q * finite.length))];
}

/** Linear stretch mapping the 1st and 99th percentiles to `lo` and `hi` (old film is flat). */
export function stretch(img: Grey, lo = 20, hi = 235): Grey {
  const p1 = quantile(img.px, 0.01);
  const p99 = quantile(img.px, 0.99);
  const k = (hi - lo) / Math.max(1, p99 - p1);
  return { size: img.size, px: img.px.map((v) => lo + (v - p1) * k) };
}

/** Separable Gaussian blur (sigma in pixels), edges clamped. */
export function gaussianBlur(img: Grey, sigma: number): Grey {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) =>
    Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)),
  );
  const sum = kernel.reduce((s, v) => s + v, 0);
  const k = kernel.map((v) => v / sum);
  const n = img.size;
  const pass = (src: Float32Array, horizontal: boolean): Float32Array => {
    const out = new Float32Array(n * n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let t = -radius; t <= radius; t++) {
          const rr = horizontal ? r : Math.min(n - 1, Math.max(0, r + t));
          const cc = horizontal ? Math.min(n - 1, Math.max(0, c + t)) : c;
          s += src[rr * n + cc] * k[t + radius];
        }
        out[r * n + c] = s;
      }
    }
    return out;
  };
  return { size: n, px: pass(pass(img.px, true), false) };
}

/**
 * A mask (0..1) of a polygon (pixel coordinates) with edges feathered over `feather` pixels: the
 * hard 0/1 polygon blurred, so pasted content fades into its surroundings instead of leaving a seam.
 */
export function featheredMask(size: number, polygon: number[][], feather: number): Grey {
  const px = new Float32Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) px[r * size + c] = inside(polygon, c + 0.5, r + 0.5) ? 1 : 0;
  }
  return feather > 0 ? gaussianBlur({ size, px }, feather) : { size, px };
}

/** Even-odd point-in-polygon test. */
export function inside(polygon: number[][], x: number, y: number): boolean {
  let hit = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

/**
 * Pastes `content` into `img` through `mask`: out = img·(1 − m) + content·m. `content` is a
 * function of the pixel (row, column), e.g. the same image read at an offset (a real roof moved to
 * an empty field, or real field texture moved over a demolished house).
 */
export function paste(img: Grey, mask: Grey, content: (r: number, c: number) => number): void {
  const n = img.size;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const m = mask.px[r * n + c];
      if (m < 1e-3) continue;
      img.px[r * n + c] = img.px[r * n + c] * (1 - m) + content(r, c) * m;
    }
  }
}

/** Reads `img` at (r + dr, c + dc), clamped to the image. */
export function shifted(img: Grey, dr: number, dc: number): (r: number, c: number) => number {
  const n = img.size;
  return (r, c) => {
    const rr = Math.min(n - 1, Math.max(0, r + dr));
    const cc = Math.min(n - 1, Math.max(0, c + dc));
    return img.px[rr * n + cc];
  };
}

/**
 * Value noise summed over octaves (0..1): the stand-in for a reference interference image (a
 * cloud or haze texture) and for the mottling of bare soil.
 */
export function fractalNoise(size: number, random: () => number, cell = 64, octaves = 4): Grey {
  const px = new Float32Array(size * size);
  let amp = 1;
  let total = 0;
  for (let o = 0; o < octaves; o++) {
    const step = Math.max(2, cell >> o);
    const g = Math.ceil(size / step) + 2;
    const grid = Array.from({ length: g * g }, () => random());
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const u = c / step;
        const v = r / step;
        const i = Math.floor(u);
        const j = Math.floor(v);
        const fu = smooth(u - i);
        const fv = smooth(v - j);
        const at = (ii: number, jj: number) => grid[jj * g + ii];
        px[r * size + c] +=
          amp *
          ((at(i, j) * (1 - fu) + at(i + 1, j) * fu) * (1 - fv) +
            (at(i, j + 1) * (1 - fu) + at(i + 1, j + 1) * fu) * fv);
      }
    }
    total += amp;
    amp /= 2;
  }
  return { size, px: px.map((v) => v / total) };
}

const smooth = (t: number) => t * t * (3 - 2 * t);

/**
 * METHODS M4 step 3, as written: take the clean image and a reference interference image; pick a
 * region; make a same-size mask and feather its edges; Gaussian-blur the reference; normalise the
 * mask, multiply it element-wise with the blurred reference inside the region, and add the result
 * linearly onto the clean image. `strength` scales the added layer (negative for a shadow).
 */
export function addInterference(
  clean: Grey,
  reference: Grey,
  region: number[][],
  options: { feather: number; sigma: number; strength: number },
): void {
  const mask = featheredMask(clean.size, region, options.feather);
  const peak = mask.px.reduce((m, v) => Math.max(m, v), 0) || 1;
  const blurred = gaussianBlur(reference, options.sigma);
  for (let i = 0; i < clean.px.length; i++) {
    const m = mask.px[i] / peak;
    if (m > 0) clean.px[i] += options.strength * m * blurred.px[i];
  }
}

/**
 * The radiometric difference between two acquisitions: gain, offset and gamma plus a gentle
 * illumination gradient across the scene (sun angle, vignetting of the camera).
 */
export function radiometry(
  img: Grey,
  options: { gain: number; offset: number; gamma: number; gradient: number },
): Grey {
  const n = img.size;
  const px = new Float32Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const v = Math.max(0, img.px[r * n + c]) / 255;
      const ramp = 1 + options.gradient * ((c + r) / (2 * n) - 0.5);
      px[r * n + c] = (255 * v ** options.gamma * options.gain + options.offset) * ramp;
    }
  }
  return { size: n, px };
}

/** Rounds to bytes (NaN becomes 0). */
export function toBytes(img: Grey): Uint8Array {
  return Uint8Array.from(img.px, (v) =>
    Number.isFinite(v) ? Math.min(255, Math.max(0, Math.round(v))) : 0,
  );
}
