/**
 * The penalty on the learnt ranking's corrections is chosen on the decisions themselves: when the
 * model's probability already explains them, no correction (Infinity: the probability order);
 * when a feature the probability misses tells them apart, a finite penalty that lets it weigh.
 */
import { describe, expect, it } from 'vitest';
import {
  RANK_LAMBDAS,
  choosePenalty,
  probabilityOffset,
} from '../../../electron/engine/rank/shrinkage.js';
import { seededRandom } from '../../../electron/engine/random.js';

/** 40 decisions: a model probability, a noise column and a column that may carry the label. */
function decisions(labelFrom: 'probability' | 'column', seed = 5) {
  const rand = seededRandom(seed);
  const rows: Float64Array[] = [];
  const labels: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < 40; i++) {
    const p = 0.05 + 0.9 * rand();
    const hidden = rand() < 0.5 ? 1 : 0;
    const y = labelFrom === 'probability' ? (rand() < p ? 1 : 0) : hidden;
    rows.push(Float64Array.from([p, rand(), hidden + 0.3 * rand()]));
    labels.push(y);
    offsets.push(probabilityOffset(p));
  }
  return { rows, labels, offsets };
}

describe('choosePenalty', () => {
  it('keeps the probability order when the probability explains the decisions', () => {
    const { rows, labels, offsets } = decisions('probability');
    // Only columns that carry nothing beyond the probability: the noise column.
    const noise = rows.map((r) => Float64Array.from([r[1]]));
    const choice = choosePenalty(noise, labels, offsets);
    expect(choice.lambda).toBe(Infinity);
    expect(choice.logLoss).toHaveLength(RANK_LAMBDAS.length);
    expect(choice.folds).toBe(10);
  });

  it('lets a feature weigh when it tells the decisions apart and the probability does not', () => {
    const { rows, labels, offsets } = decisions('column');
    const choice = choosePenalty(rows, labels, offsets);
    expect(Number.isFinite(choice.lambda)).toBe(true);
    const inf = choice.logLoss[RANK_LAMBDAS.length - 1];
    expect(Math.min(...choice.logLoss)).toBeLessThan(inf);
  });

  it('is deterministic and reads a missing probability as NaN', () => {
    const { rows, labels, offsets } = decisions('column', 8);
    expect(choosePenalty(rows, labels, offsets)).toEqual(choosePenalty(rows, labels, offsets));
    expect(probabilityOffset(null)).toBeNaN();
    expect(probabilityOffset(1)).toBeCloseTo(Math.log(0.995 / 0.005), 9);
  });
});
