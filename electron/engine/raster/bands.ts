/**
 * Turning a date's bands into what the model expects: which bands (and in which order), a contrast
 * stretch to the 0–255 scale the model was trained on, and the card's normalisation.
 */
import { LandWatchError } from '../errors.js';
import type { PixelWindow, RasterInfo, ReadOptions } from './raster-source.js';

export type StretchMode = 'auto' | 'none' | 'percentile';

export interface BandStretch {
  low: number;
  high: number;
}

/** A per-band linear map applied before the stretch (relative radiometric normalisation). */
export interface BandLinear {
  gain: number;
  offset: number;
}

/** Target wavelengths (µm) for red, green and blue. */
const RGB_WAVELENGTHS = [0.65, 0.56, 0.48];

/**
 * Chooses `count` 0-based bands of `info`. `requested` (1-based, as users write them) wins; else
 * the bands nearest to red, green, blue by wavelength when the file says them; else the first
 * bands; a single grey band is repeated. The alpha band is never chosen.
 */
export function chooseBands(
  info: RasterInfo,
  count: number,
  requested?: number[],
): { bands: number[]; note: string } {
  const usable = info.alphaBand === null ? info.bands : info.alphaBand;
  if (requested && requested.length > 0) {
    if (requested.length !== count) {
      throw new LandWatchError(
        'E_BANDS',
        `${info.name}: the model needs ${count} bands but ${requested.length} were given (${requested.join(',')}).`,
      );
    }
    const bad = requested.find((b) => !Number.isInteger(b) || b < 1 || b > info.bands);
    if (bad !== undefined)
      throw new LandWatchError(
        'E_BANDS',
        `${info.name}: band ${bad} does not exist (the file has ${info.bands}).`,
      );
    return {
      bands: requested.map((b) => b - 1),
      note: `bands ${requested.join(',')} as requested`,
    };
  }
  if (usable === 1) return { bands: new Array(count).fill(0), note: 'single grey band repeated' };
  const wl = info.metadata.wavelengths;
  if (count === 3 && wl.filter((w) => w !== null).length >= 3) {
    const picked = RGB_WAVELENGTHS.map((target) => {
      let best = -1;
      for (let b = 0; b < usable; b++) {
        const w = wl[b];
        if (w === null) continue;
        if (best < 0 || Math.abs(w - target) < Math.abs((wl[best] as number) - target)) best = b;
      }
      return best;
    });
    if (
      new Set(picked).size === 3 &&
      picked.every((b, i) => Math.abs((wl[b] as number) - RGB_WAVELENGTHS[i]) < 0.06)
    ) {
      return {
        bands: picked,
        note: `bands ${picked.map((b) => b + 1).join(',')} (red, green, blue by wavelength)`,
      };
    }
  }
  if (usable < count) {
    throw new LandWatchError(
      'E_BANDS',
      `${info.name}: has ${usable} usable band(s) but the model needs ${count}; choose bands explicitly.`,
    );
  }
  const first = Array.from({ length: count }, (_, i) => i);
  return { bands: first, note: `bands ${first.map((b) => b + 1).join(',')}` };
}

/**
 * Per-band stretch to 0–255 from sampled values. "auto" keeps 8-bit data that already uses its
 * range (some band's 98th percentile at 128 or more) as it is, since models are trained on plain
 * 8-bit imagery, and stretches 16-bit, float or dark 8-bit data (e.g. Landsat DNs) between the
 * 2nd and 98th percentiles of each band.
 */
export function stretchFromSamples(
  samples: Float32Array[],
  info: Pick<RasterInfo, 'bitsPerSample' | 'sampleFormat'>,
  mode: StretchMode,
): (BandStretch | null)[] {
  if (mode === 'none') return samples.map(() => null);
  const ranges = samples.map((values) => ({
    low: percentile(values, 0.02),
    high: percentile(values, 0.98),
  }));
  const is8bit = info.bitsPerSample === 8 && info.sampleFormat === 'uint';
  if (mode === 'auto' && is8bit && Math.max(...ranges.map((r) => r.high)) >= 128)
    return samples.map(() => null);
  return ranges.map((r) => (r.high > r.low ? r : null));
}

/**
 * What statistics need of a raster: its size, no-data, alpha band (pixels it marks transparent
 * are left out, as no-data is), sample type and windowed reads.
 */
export interface SampledSource {
  info: Pick<RasterInfo, 'width' | 'height' | 'nodata' | 'bitsPerSample' | 'sampleFormat'> & {
    alphaBand?: number | null;
  };
  readWindow(
    window: PixelWindow,
    bands: number[],
    signal?: AbortSignal,
    options?: ReadOptions,
  ): Promise<Float32Array[]>;
}

/**
 * Values of the given bands sampled from an 8 × 8 grid of small windows, so statistics of huge
 * scenes never need the whole image.
 */
export async function sampleBands(
  source: SampledSource,
  bands: number[],
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const { width, height, nodata } = source.info;
  const alphaBand = source.info.alphaBand ?? null;
  const n = 8;
  const size = Math.min(64, width, height);
  // Every second pixel of n² windows: allocated once, filled in place, sorted once per band.
  const capacity = n * n * Math.ceil((size * size) / 2);
  const collected = bands.map(() => new Float32Array(capacity));
  const counts = bands.map(() => 0);
  for (let gy = 0; gy < n; gy++) {
    for (let gx = 0; gx < n; gx++) {
      const x = Math.floor(((width - size) * gx) / Math.max(1, n - 1));
      const y = Math.floor(((height - size) * gy) / Math.max(1, n - 1));
      const read = alphaBand === null ? bands : [...bands, alphaBand];
      // Each window once: its blocks are not worth a place in the block cache.
      const data = await source.readWindow({ x, y, width: size, height: size }, read, signal, {
        keep: false,
      });
      const alpha = alphaBand === null ? null : (data.pop() as Float32Array);
      data.forEach((arr, i) => {
        const into = collected[i];
        let m = counts[i];
        for (let k = 0; k < arr.length; k += 2) {
          const v = arr[k];
          if (alpha && alpha[k] === 0) continue;
          if (v === v && v !== Infinity && v !== -Infinity && v !== nodata) into[m++] = v;
        }
        counts[i] = m;
      });
    }
  }
  return collected.map((c, i) => {
    const sorted = sortSamples(c.slice(0, counts[i]));
    SORTED.add(sorted);
    return sorted;
  });
}

/**
 * Sorts samples ascending in place. Samples of 8- and 16-bit imagery are whole numbers below
 * 65 536, which a counting sort orders in two passes (6 sorts of 131 072 samples took ~60 ms of a
 * detection's start with the comparison sort); anything else takes the comparison sort.
 */
export function sortSamples(values: Float32Array): Float32Array {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // Not a whole number in [0, 65 535], or negative zero (which sorts before 0).
    if (!(v >= 0 && v <= 65535 && Math.floor(v) === v) || (v === 0 && 1 / v < 0)) {
      return values.sort();
    }
    if (v > max) max = v;
  }
  const counts = new Uint32Array(max + 1);
  for (let i = 0; i < values.length; i++) counts[values[i]]++;
  let o = 0;
  for (let v = 0; v <= max; v++) {
    const end = o + counts[v];
    if (end > o) values.fill(v, o, end);
    o = end;
  }
  return values;
}

/** Sample arrays known to be sorted ascending (from {@link sampleBands}): no copy, no sort. */
const SORTED = new WeakSet<Float32Array>();

/** The q-quantile (0–1) of the values. */
export function percentile(values: Float32Array, q: number): number {
  if (values.length === 0) return 0;
  const sorted = SORTED.has(values) ? values : Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/**
 * Writes one date's window into a CHW model input: the optional linear map, the stretch to 0–255,
 * then (v/scale − mean)/std.
 * Pixels that are NaN or nodata become the band mean (0 after normalisation) and are flagged in
 * `invalid` so the caller can force their change probability to zero.
 */
export function normaliseInto(
  target: Float32Array,
  offset: number,
  bandsData: Float32Array[],
  stretch: (BandStretch | null)[],
  norm: { scale: number; mean: number[]; std: number[] },
  nodata: number | null,
  invalid: Uint8Array,
  linear: (BandLinear | null)[] = [],
): void {
  const n = invalid.length;
  // NaN never equals itself, so a missing no-data value becomes NaN and the test stays one number
  // comparison; `v - v !== 0` is true for NaN and ±Infinity. A plain loop with monomorphic locals
  // (not forEach, not a number-or-null compare) keeps this at ~1 ns a pixel; it runs for every
  // pixel of every tile of both dates.
  const nd = nodata ?? Number.NaN;
  for (let b = 0; b < bandsData.length; b++) {
    const data = bandsData[b];
    const s = stretch[b];
    const gain = linear[b]?.gain ?? 1;
    const shift = linear[b]?.offset ?? 0;
    // (v / scale - mean) / std as one multiply-add; the stretch as one too.
    const mul = 1 / (norm.scale * norm.std[b]);
    const add = -norm.mean[b] / norm.std[b];
    const base = offset + b * n;
    if (s) {
      const sMul = 255 / (s.high - s.low);
      const sAdd = -s.low * sMul;
      for (let i = 0; i < n; i++) {
        let v = data[i];
        if (v - v !== 0 || v === nd) {
          invalid[i] = 1;
          target[base + i] = 0;
          continue;
        }
        v = (v * gain + shift) * sMul + sAdd;
        v = v < 0 ? 0 : v > 255 ? 255 : v;
        target[base + i] = v * mul + add;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = data[i];
        if (v - v !== 0 || v === nd) {
          invalid[i] = 1;
          target[base + i] = 0;
          continue;
        }
        target[base + i] = (v * gain + shift) * mul + add;
      }
    }
  }
}

/**
 * The normalisation of one band as a table over the 256 values of 8-bit data: entry v is exactly
 * what {@link normaliseInto} writes for a stored value v (same arithmetic, same order), or NaN
 * where v is the no-data value. Reading 8-bit tiles through these tables replaces the Float32
 * copy of the window and the per-pixel arithmetic with one table look-up per pixel.
 */
export function byteNormaliseTable(
  band: number,
  stretch: BandStretch | null,
  norm: { scale: number; mean: number[]; std: number[] },
  nodata: number | null,
  linear: BandLinear | null = null,
): Float32Array {
  const table = new Float32Array(256);
  const gain = linear?.gain ?? 1;
  const shift = linear?.offset ?? 0;
  const mul = 1 / (norm.scale * norm.std[band]);
  const add = -norm.mean[band] / norm.std[band];
  const sMul = stretch ? 255 / (stretch.high - stretch.low) : 0;
  const sAdd = stretch ? -stretch.low * sMul : 0;
  for (let v = 0; v < 256; v++) {
    if (v === nodata) {
      table[v] = Number.NaN;
      continue;
    }
    if (stretch) {
      let s = (v * gain + shift) * sMul + sAdd;
      s = s < 0 ? 0 : s > 255 ? 255 : s;
      table[v] = s * mul + add;
    } else {
      table[v] = (v * gain + shift) * mul + add;
    }
  }
  return table;
}
