/**
 * Puts both dates on one radiometric scale before the model compares them. By default the after
 * date is mapped linearly onto the before date, band by band, from robust statistics (median and
 * 10–90 % spread of samples), and both dates then share the before date's stretch: a season's or
 * a sensor's global brightness and colour shift is removed, while a local change — a new roof,
 * bare earth — still stands out.
 */
import {
  percentile,
  sampleBands,
  stretchFromSamples,
  type BandLinear,
  type SampledSource,
  type BandStretch,
  type StretchMode,
} from './bands.js';

export interface DatePreparation {
  stretch: (BandStretch | null)[];
  linear: (BandLinear | null)[];
}

export interface RadiometryOptions {
  stretch: StretchMode;
  /** Match the after date to the before date (default true). */
  match: boolean;
}

/**
 * Statistics for both dates from sampled windows. Returns [before, after] and notes saying what
 * was done, for the run record.
 */
export async function prepareDates(
  before: SampledSource,
  after: SampledSource,
  bands: [number[], number[]],
  options: RadiometryOptions,
  signal?: AbortSignal,
): Promise<{ dates: [DatePreparation, DatePreparation]; notes: string[] }> {
  const [sb, sa] = await Promise.all([
    sampleBands(before, bands[0], signal),
    sampleBands(after, bands[1], signal),
  ]);
  const notes: string[] = [];
  const beforeStretch = stretchFromSamples(sb, before.info, options.stretch);
  if (beforeStretch.some((s) => s !== null)) notes.push('before: stretched 2–98 % to 0–255');
  const none = bands[0].map(() => null);
  if (!options.match) {
    const afterStretch = stretchFromSamples(sa, after.info, options.stretch);
    if (afterStretch.some((s) => s !== null)) notes.push('after: stretched 2–98 % to 0–255');
    return {
      dates: [
        { stretch: beforeStretch, linear: none },
        { stretch: afterStretch, linear: none },
      ],
      notes,
    };
  }
  const linear = sa.map((values, b) => matchBand(values, sb[b]));
  notes.push(
    `after matched to before: ${linear
      .map((l) =>
        l
          ? `×${l.gain.toFixed(3)} ${l.offset >= 0 ? '+' : '−'}${Math.abs(l.offset).toFixed(1)}`
          : 'unchanged',
      )
      .join(', ')}`,
  );
  return {
    dates: [
      { stretch: beforeStretch, linear: none },
      { stretch: beforeStretch, linear },
    ],
    notes,
  };
}

/** Gain and offset that map `from`'s median and 10–90 % spread onto `to`'s. */
export function matchBand(from: Float32Array, to: Float32Array): BandLinear | null {
  if (from.length === 0 || to.length === 0) return null;
  const spreadFrom = percentile(from, 0.9) - percentile(from, 0.1);
  const spreadTo = percentile(to, 0.9) - percentile(to, 0.1);
  if (!(spreadFrom > 0) || !(spreadTo > 0)) return null;
  const gain = spreadTo / spreadFrom;
  const offset = percentile(to, 0.5) - gain * percentile(from, 0.5);
  return { gain, offset };
}
