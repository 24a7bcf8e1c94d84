/**
 * Display stretch for imagery: which bands to show and what value range maps to black…white.
 * Pure (no OpenLayers, no DOM) so it is unit-tested in Node.
 */

/** 1-based band numbers to display: grey for 1–2 bands, the first three as RGB otherwise. */
export function chooseBands(bandCount: number): number[] {
  return bandCount >= 3 ? [1, 2, 3] : [1];
}

export interface BandRange {
  min: number;
  max: number;
}

/**
 * A percentile stretch (default 2 %–98 %) of one band, ignoring `nodata` and non-finite values.
 * Returns null when no valid value is left. Large inputs are sampled to ~250 000 values.
 *
 * @example percentileRange(Uint16Array.from([0, 100, 200, 300, 4000]), 0) // → { min: 100, max: 4000 }
 */
export function percentileRange(
  values: ArrayLike<number>,
  nodata: number | null,
  lowPct = 2,
  highPct = 98,
): BandRange | null {
  const stride = Math.max(1, Math.floor(values.length / 250_000));
  const kept: number[] = [];
  for (let i = 0; i < values.length; i += stride) {
    const v = values[i];
    if (Number.isFinite(v) && v !== nodata) kept.push(v);
  }
  if (kept.length === 0) return null;
  const sorted = Float64Array.from(kept).sort();
  const at = (pct: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.round((pct / 100) * (sorted.length - 1))))];
  let min = at(lowPct);
  let max = at(highPct);
  if (max <= min) {
    // Flat band (or almost): widen so it shows mid-grey rather than dividing by zero.
    min = sorted[0];
    max = sorted[sorted.length - 1];
    if (max <= min) max = min + 1;
  }
  return { min, max };
}

/**
 * `bandwise`: each band stretched 2–98 % on its own (multispectral counts such as Landsat's, where
 * haze lifts blue far above red and one shared range would tint everything blue); the others keep
 * one range for all three bands.
 */
export type StretchMode = 'percentile' | 'bandwise' | 'minmax' | 'manual';

/** How one date is displayed: which file band feeds red, green and blue, and the stretch. */
export interface ImagerySettings {
  /** 1-based file bands for R, G, B (the same band three times shows grey). */
  bands: [number, number, number];
  stretch: StretchMode;
  /** The range shown black … white with `manual`; otherwise filled from the statistics. */
  min: number;
  max: number;
}

/** Values of every band of a small overview, for the statistics behind the stretch. */
export interface BandSample {
  /** One array per file band, in file order. */
  values: ArrayLike<number>[];
  nodata: number | null;
  bitsPerSample: number;
}

/**
 * The file's red, green and blue bands where the engine found them by wavelength
 * (`SceneView.displayBands`), else the first three (grey for 1–2 bands); stretched 2–98 %.
 */
export function defaultSettings(
  bandCount: number,
  byWavelength?: readonly number[] | null,
): ImagerySettings {
  const valid = byWavelength?.length === 3 && byWavelength.every((b) => b >= 1 && b <= bandCount);
  const [r, g = r, b = r] = valid ? byWavelength : chooseBands(bandCount);
  return { bands: [r, g, b], stretch: valid ? 'bandwise' : 'percentile', min: 0, max: 255 };
}

/**
 * The value range shown black … white: one range for all three bands (the widest of theirs), so
 * the colour balance analysts compare roofs and soil by is kept. `percentile` cuts 2 % at either
 * end, `minmax` keeps every value, `manual` takes the settings' own. Without statistics the data
 * type's range is used.
 *
 * @example stretchRange(sample, { ...settings, stretch: 'minmax' }) // → { min: 3, max: 251 }
 */
export function stretchRange(sample: BandSample | null, settings: ImagerySettings): BandRange {
  if (settings.stretch === 'manual') {
    const { min, max } = settings;
    return max > min ? { min, max } : { min, max: min + 1 };
  }
  const [low, high] = settings.stretch === 'minmax' ? [0, 100] : [2, 98];
  const ranges = [...new Set(settings.bands)]
    .map((band) => sample?.values[band - 1])
    .map((values) => (values ? percentileRange(values, sample?.nodata ?? null, low, high) : null))
    .filter((r): r is BandRange => r !== null);
  if (ranges.length === 0) {
    const bits = sample?.bitsPerSample ?? 8;
    return { min: 0, max: bits >= 32 ? 1 : 2 ** bits - 1 };
  }
  return {
    min: Math.min(...ranges.map((r) => r.min)),
    max: Math.max(...ranges.map((r) => r.max)),
  };
}

/**
 * The range of each of the red, green and blue bands: its own 2–98 % with `bandwise`, else the
 * one shared range of {@link stretchRange} for all three.
 */
export function stretchRanges(
  sample: BandSample | null,
  settings: ImagerySettings,
): [BandRange, BandRange, BandRange] {
  const shared = stretchRange(sample, settings);
  if (settings.stretch !== 'bandwise') return [shared, shared, shared];
  const own = (band: number) => {
    const values = sample?.values[band - 1];
    return (values && percentileRange(values, sample?.nodata ?? null, 2, 98)) || shared;
  };
  const [r, g, b] = settings.bands;
  return [own(r), own(g), own(b)];
}

/** Style variables of {@link STRETCH_COLOR}: the three bands and each one's range. */
export function styleVariables(
  settings: ImagerySettings,
  ranges: readonly [BandRange, BandRange, BandRange],
): Record<string, number> {
  const [r, g, b] = settings.bands;
  const [rr, gr, br] = ranges;
  return {
    r,
    g,
    b,
    loR: rr.min,
    hiR: rr.max,
    loG: gr.min,
    hiG: gr.max,
    loB: br.min,
    hiB: br.max,
  };
}

/** One band, scaled from its range to 0–1 and clamped. */
function scaled(variable: string, lo: string, hi: string): unknown[] {
  return [
    'clamp',
    ['/', ['-', ['band', ['var', variable]], ['var', lo]], ['-', ['var', hi], ['var', lo]]],
    0,
    1,
  ];
}

/**
 * The WebGL tile colour for raw (not normalised) band values: bands and range are style
 * variables, so a new band choice or stretch is a `updateStyleVariables` call, not a new source.
 */
export const STRETCH_COLOR: unknown[] = [
  'array',
  scaled('r', 'loR', 'hiR'),
  scaled('g', 'loG', 'hiG'),
  scaled('b', 'loB', 'hiB'),
  1,
];

/**
 * The heat layer's colour for the stored probability (0–255 = p × 255): transparent below `low`
 * (the faint background of every scene), then yellow → orange → red with rising opacity.
 */
export function heatColor(low = 51): unknown[] {
  const p = ['band', 1];
  return [
    'case',
    ['<', p, low],
    [0, 0, 0, 0],
    [
      'interpolate',
      ['linear'],
      p,
      low,
      [255, 235, 59, 0.35],
      (low + 255) / 2,
      [255, 152, 0, 0.55],
      255,
      [229, 57, 53, 0.75],
    ],
  ];
}
