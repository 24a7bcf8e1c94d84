/**
 * How sure the held-back labels are that one model beats another: F1 of both on resamples of
 * whole spatial blocks (labels within a block are not independent, so blocks are the unit drawn
 * with replacement). Adaptation ships a fitted head only when it wins on nearly every resample,
 * so a few unlucky blocks cannot make an analyst's county worse than the base model.
 */
import { seededRandom } from '../random.js';
import { sigmoid } from './head.js';
import type { SampleSet } from './samples.js';

/** A model's logits on a sample set and the threshold it is used at. */
export interface Scored {
  z: Float32Array;
  threshold: number;
}

/** Per block, weighted TP / FP / FN of each model: [block][model * 3 + k]. */
function blockCounts(set: SampleSet, models: Scored[]): Float64Array[] {
  const index = new Map<number, number>();
  const rows: Float64Array[] = [];
  for (let i = 0; i < set.n; i++) {
    let b = index.get(set.block[i]);
    if (b === undefined) {
      b = rows.length;
      index.set(set.block[i], b);
      rows.push(new Float64Array(models.length * 3));
    }
    const row = rows[b];
    models.forEach((m, k) => {
      const hit = sigmoid(m.z[i]) >= m.threshold;
      if (set.y[i] && hit) row[k * 3] += set.w[i];
      else if (hit) row[k * 3 + 1] += set.w[i];
      else if (set.y[i]) row[k * 3 + 2] += set.w[i];
    });
  }
  return rows;
}

/**
 * Fewest blocks holding change for a resample to mean anything: with fewer (one small labelled
 * scene), nothing is "nearly sure", and the simpler model stays.
 */
export const MIN_CHANGE_BLOCKS = 10;

const f1 = (tp: number, fp: number, fn: number) => (tp > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0);

/**
 * The share of `rounds` block resamples on which `a` has a higher F1 than `b` (ties count half);
 * 0 when fewer than {@link MIN_CHANGE_BLOCKS} blocks hold change.
 * @example winShare(set, adapted, base) >= 0.9 // adapted is better on 90 % of resamples
 */
export function winShare(set: SampleSet, a: Scored, b: Scored, rounds = 400, seed = 11): number {
  const rows = blockCounts(set, [a, b]);
  // Blocks with change (true positives or misses of either model).
  const withChange = rows.filter((r) => r[0] + r[2] > 0).length;
  if (withChange < MIN_CHANGE_BLOCKS) return 0;
  const rand = seededRandom(seed);
  let wins = 0;
  for (let r = 0; r < rounds; r++) {
    const s = new Float64Array(6);
    for (let k = 0; k < rows.length; k++) {
      const row = rows[Math.floor(rand() * rows.length)];
      for (let j = 0; j < 6; j++) s[j] += row[j];
    }
    const d = f1(s[0], s[1], s[2]) - f1(s[3], s[4], s[5]);
    wins += d > 0 ? 1 : d === 0 ? 0.5 : 0;
  }
  return wins / rounds;
}
