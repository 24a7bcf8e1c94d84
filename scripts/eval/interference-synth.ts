/**
 * Synthetic interference for the evaluation (scripts/eval/interference.ts), made the way M4 step 3
 * says and the way models/training/declutter_data.py makes the training data, but at full
 * resolution and in TypeScript so `npm run eval` needs no Python: a procedural reference image per
 * type, a feathered region mask normalised to a maximum of 1, A = mask × blur(reference), and
 * interfered = clean + A × (T − clean) with T the type's target colour (a bright veil for haze,
 * white for thin cloud, 0 for shadows: a shadow attenuates what lies under it).
 * Seeded: the same seed gives the same interference.
 */

import { seededRandom } from '../../electron/engine/random.js';

export const INTERFERENCE_TYPES = [
  'cloud shadow',
  'haze',
  'thin cloud',
  'building shadow',
] as const;
export type InterferenceType = (typeof INTERFERENCE_TYPES)[number];

/** Gaussian blur in place (three box passes per axis, edges replicated). */
export function blur(img: Float32Array, w: number, h: number, sigma: number): Float32Array {
  if (sigma < 0.3) return img;
  const r = Math.max(1, Math.round(Math.sqrt((12 * sigma * sigma) / 3 + 1) / 2));
  const tmp = new Float32Array(img.length);
  const pass = (
    src: Float32Array,
    dst: Float32Array,
    n: number,
    lines: number,
    stride: number,
    step: number,
  ) => {
    for (let l = 0; l < lines; l++) {
      const o = l * stride;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += src[o + Math.min(n - 1, Math.max(0, i + k)) * step];
        dst[o + i * step] = s / (2 * r + 1);
      }
    }
  };
  for (let k = 0; k < 3; k++) {
    pass(img, tmp, w, h, w, 1);
    pass(tmp, img, h, w, 1, w);
  }
  return img;
}

/** Value noise with octaves (amplitude × `persistence` per octave): a fractal field in 0..1. */
function fractal(rand: () => number, w: number, h: number, cell: number, persistence: number) {
  const out = new Float32Array(w * h);
  let amp = 1;
  for (let c = cell; c >= 2; c /= 2) {
    const gw = Math.ceil(w / c) + 2;
    const gh = Math.ceil(h / c) + 2;
    const grid = Float32Array.from({ length: gw * gh }, rand);
    for (let y = 0; y < h; y++) {
      const fy = y / c;
      const y0 = Math.floor(fy);
      const ty = fy - y0;
      for (let x = 0; x < w; x++) {
        const fx = x / c;
        const x0 = Math.floor(fx);
        const tx = fx - x0;
        const g = (xx: number, yy: number) => grid[yy * gw + xx];
        const top = g(x0, y0) * (1 - tx) + g(x0 + 1, y0) * tx;
        const bot = g(x0, y0 + 1) * (1 - tx) + g(x0 + 1, y0 + 1) * tx;
        out[y * w + x] += amp * (top * (1 - ty) + bot * ty);
      }
    }
    amp *= persistence;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of out) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  for (let i = 0; i < out.length; i++) out[i] = (out[i] - lo) / (hi - lo + 1e-6);
  return out;
}

/** A smooth random region covering about `cover` of the image, feathered, max 1. */
function region(
  rand: () => number,
  w: number,
  h: number,
  cell: number,
  cover: number,
  feather: number,
) {
  const n = fractal(rand, w, h, cell, 0.35);
  const sorted = Float32Array.from(n).sort();
  const t = sorted[Math.floor((1 - cover) * (sorted.length - 1))];
  const m = blur(
    n.map((v) => (v > t ? 1 : 0)),
    w,
    h,
    feather,
  );
  let hi = 0;
  for (const v of m) hi = Math.max(hi, v);
  return m.map((v) => v / Math.max(hi, 1e-6));
}

/** Sharp-edged rotated rectangles (building shadows), 0/1. */
function polygons(rand: () => number, w: number, h: number, scale: number) {
  const out = new Float32Array(w * h);
  const count = 15 + Math.floor(rand() * 25);
  for (let k = 0; k < count; k++) {
    const cx = rand() * w;
    const cy = rand() * h;
    const hw = (4 + rand() * 16) * scale;
    const hh = (2 + rand() * 6) * scale;
    const a = rand() * Math.PI;
    const [c, s] = [Math.cos(a), Math.sin(a)];
    const r = Math.ceil(Math.hypot(hw, hh));
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(h, cy + r); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(w, cx + r); x++) {
        const u = (x - cx) * c + (y - cy) * s;
        const v = -(x - cx) * s + (y - cy) * c;
        if (Math.abs(u) <= hw && Math.abs(v) <= hh) out[y * w + x] = 1;
      }
    }
  }
  return out;
}

/**
 * Adds one type of interference to planar RGB (3 × w × h, 0..255), returning a new image.
 * `pixelScale`: how many pixels one LEVIR pixel (0.5 m) is at this image's resolution (AirChange,
 * 1.5 m: 1/3), so building shadows keep a plausible size in metres.
 */
export function addInterference(
  rgb: Float32Array,
  w: number,
  h: number,
  type: InterferenceType,
  seed: number,
  pixelScale = 1,
): Float32Array {
  const rand = seededRandom(seed);
  const u = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const side = Math.min(w, h);
  /** A = mask ⊙ blur(reference) (M4 step 3). */
  const masked = (m: Float32Array, ref: Float32Array, sigma: number) => {
    const r = blur(ref, w, h, sigma);
    return m.map((v, i) => v * r[i]);
  };
  let a: Float32Array;
  let target: number[];
  if (type === 'cloud shadow') {
    const m = region(rand, w, h, side / 3, u(0.2, 0.5), u(4, 10));
    const strength = u(0.3, 0.55);
    a = masked(
      m,
      fractal(rand, w, h, side / 4, 0.5).map((v) => strength * (0.8 + 0.2 * v)),
      u(4, 8),
    );
    target = [0, 0, 0];
  } else if (type === 'haze') {
    const m = region(rand, w, h, side / 2, u(0.5, 0.9), u(10, 20));
    const strength = u(0.25, 0.5);
    a = masked(
      m,
      fractal(rand, w, h, side / 2, 0.4).map((v) => strength * (0.5 + 0.5 * v)),
      u(6, 12),
    );
    const veil = u(190, 235);
    target = [veil - 4, veil, veil + 8];
  } else if (type === 'thin cloud') {
    const m = region(rand, w, h, side / 3, u(0.3, 0.6), u(6, 12));
    const n = fractal(rand, w, h, side / 4, 0.6);
    const strength = u(0.35, 0.7);
    const cut = u(0.25, 0.45);
    a = masked(
      m,
      n.map((v) => strength * Math.min(1, Math.max(0, (v - cut) * 2.5))),
      u(1, 2),
    );
    target = [245, 245, 248];
  } else {
    const strength = u(0.4, 0.6);
    const ref = blur(
      polygons(rand, w, h, pixelScale).map((v) => v * strength),
      w,
      h,
      u(0.3, 0.8),
    );
    a = ref;
    target = [0, 0, 0];
  }
  const out = new Float32Array(rgb.length);
  const n = w * h;
  for (let b = 0; b < 3; b++) {
    for (let i = 0; i < n; i++) {
      const v = rgb[b * n + i];
      out[b * n + i] = Math.min(255, Math.max(0, v + a[i] * (target[b] - v)));
    }
  }
  return out;
}
