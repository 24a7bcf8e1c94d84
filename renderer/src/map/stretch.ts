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
 * Per-file-band min/max arrays as `ol/source/GeoTIFF` wants them (indexed by band in the file,
 * `undefined` where the default applies).
 */
export function sourceMinMax(
  bandCount: number,
  ranges: ReadonlyMap<number, BandRange>,
): { min: (number | undefined)[]; max: (number | undefined)[] } {
  const min: (number | undefined)[] = new Array<number | undefined>(bandCount).fill(undefined);
  const max: (number | undefined)[] = new Array<number | undefined>(bandCount).fill(undefined);
  for (const [band, range] of ranges) {
    if (band >= 1 && band <= bandCount) {
      min[band - 1] = range.min;
      max[band - 1] = range.max;
    }
  }
  return { min, max };
}

/**
 * The WebGL tile style colour expression for `shown` bands (values already normalised to 0–1 by
 * the source). Band indexes in the expression count the *selected* bands, starting at 1. Nodata
 * is discarded by OpenLayers itself, so alpha is constant.
 */
export function colorExpression(shown: number): unknown[] {
  const b = (i: number) => ['band', i];
  return shown >= 3 ? ['array', b(1), b(2), b(3), 1] : ['array', b(1), b(1), b(1), 1];
}

/**
 * Turns per-band percentile ranges into what the map shows. Colour balance matters to analysts
 * comparing roofs and soil, so all bands share one range (the widest); 8-bit imagery that already
 * spans most of 0–255 is shown as it is, like the engine's "auto" stretch.
 */
export function displayRanges(
  ranges: ReadonlyMap<number, BandRange>,
  bitsPerSample: number,
): Map<number, BandRange> {
  if (ranges.size === 0) return new Map();
  const all = [...ranges.values()];
  let min = Math.min(...all.map((r) => r.min));
  let max = Math.max(...all.map((r) => r.max));
  if (bitsPerSample === 8 && max >= 160) {
    min = 0;
    max = 255;
  }
  return new Map([...ranges.keys()].map((band) => [band, { min, max }]));
}
