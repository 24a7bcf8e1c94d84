/**
 * The queue that learns (issue 14, deliverable 4): from the analyst's decisions so far, the
 * probability that each patch will be confirmed, and why, as a logistic regression on the
 * features of patch-features.ts, learnt as corrections to the model's own probability: its
 * log-odds are a fixed offset, and the penalty on the corrections is chosen by cross-validation on
 * the decisions (shrinkage.ts), so with nothing to learn the ranking is the probability order.
 *
 * Training rows: patches the model found (or a split / merge made of them) that are confirmed (1)
 * or rejected (0). Patches sent to a field check are not decided yet and teach nothing; drawn
 * patches had no model output to learn from. Every live patch, decided or not, gets a probability.
 */
import { contributions, fitLogistic, predictLogistic, type LogisticModel } from './logistic.js';
import { featureTable, type FeatureColumn, type RankPatch } from './patch-features.js';
import {
  choosePenalty,
  filledOffsets,
  finiteMean,
  probabilityOffset,
  type PenaltyChoice,
} from './shrinkage.js';

/** Decisions (confirmed + rejected) before a ranking is learnt. */
export const MIN_DECISIONS = 20;
/** Of each kind (confirmed, rejected) at least this many. */
export const MIN_PER_CLASS = 3;

export interface DecisionCounts {
  confirmed: number;
  rejected: number;
}

/** One feature that moved a patch's probability: its phrase and its term in the log-odds. */
export interface RankReason {
  key: string;
  phrase: string;
  contribution: number;
}

export interface NotReady {
  ready: false;
  decisions: DecisionCounts;
  /** Decisions still needed (at the least). */
  needed: number;
  message: string;
}

export interface LearntRanking {
  ready: true;
  decisions: DecisionCounts;
  columns: FeatureColumn[];
  model: LogisticModel;
  /** The penalty on the corrections to the model probability, and how it was chosen. */
  penalty: PenaltyChoice;
  /** P(confirmed) by patch id. */
  probability: Map<string, number>;
  /** Features of a patch by contribution, strongest first, in the direction of its verdict. */
  reasons(id: string, top?: number): RankReason[];
}

export type Ranking = NotReady | LearntRanking;

/** Does a patch teach the ranking, and what: 1 confirmed, 0 rejected, null neither. */
export function trainingLabel(p: RankPatch): 0 | 1 | null {
  if (p.origin === 'manual') return null;
  return p.state === 'confirmed' ? 1 : p.state === 'rejected' ? 0 : null;
}

function readiness(decisions: DecisionCounts): NotReady | null {
  const total = decisions.confirmed + decisions.rejected;
  const shortC = Math.max(0, MIN_PER_CLASS - decisions.confirmed);
  const shortR = Math.max(0, MIN_PER_CLASS - decisions.rejected);
  const needed = Math.max(MIN_DECISIONS - total, shortC + shortR);
  if (needed === 0) return null;
  let message = `The learnt ranking needs ${MIN_DECISIONS} decisions (confirmed or rejected), with at least ${MIN_PER_CLASS} of each; ${total} so far`;
  if (shortC > 0 || shortR > 0) {
    const lacking = [
      shortC > 0 ? `${shortC} more confirmed` : null,
      shortR > 0 ? `${shortR} more rejected` : null,
    ].filter(Boolean);
    message += ` (${lacking.join(' and ')})`;
  }
  return { ready: false, decisions, needed, message: `${message}: ${needed} more to go.` };
}

/**
 * Learns the ranking of `patches` from their decided ones.
 *
 * @param layers - names of the reference layers, in the order of each patch's `referenceShares`
 * @returns not ready (with how many more decisions are needed) or the fitted ranking
 */
export function learnRanking(
  patches: readonly RankPatch[],
  layers: readonly string[] = [],
): Ranking {
  const labels = patches.map(trainingLabel);
  const decisions: DecisionCounts = {
    confirmed: labels.filter((l) => l === 1).length,
    rejected: labels.filter((l) => l === 0).length,
  };
  const notReady = readiness(decisions);
  if (notReady) return notReady;
  const table = featureTable(patches, layers);
  const taught = labels.flatMap((l, i) => (l === null ? [] : [i]));
  const train = taught.map((i) => table.rows[i]);
  const y = taught.map((i) => labels[i] as number);
  // The model's log-odds; a patch without a model probability takes the decided patches' mean.
  const raw = patches.map((p) => probabilityOffset(p.meanProb));
  const offsets = filledOffsets(raw, finiteMean(taught.map((i) => raw[i])));
  const trainOffsets = taught.map((i) => offsets[i]);
  const penalty = choosePenalty(train, y, trainOffsets);
  const model = fitLogistic(train, y, { lambda: penalty.lambda, offset: trainOffsets });
  const meanOffset = finiteMean(trainOffsets);
  const index = new Map(patches.map((p, i) => [p.id, i]));
  const probability = new Map(
    patches.map((p, i) => [p.id, predictLogistic(model, table.rows[i], offsets[i])]),
  );
  const probColumn = table.columns.findIndex((c) => c.key === 'meanProb');
  return {
    ready: true,
    decisions,
    columns: table.columns,
    model,
    penalty,
    probability,
    reasons(id, top = 3) {
      const i = index.get(id);
      if (i === undefined) return [];
      const row = table.rows[i];
      const c = contributions(model, row);
      // The model's own confidence weighs through the offset too (relative to the decided mean).
      c[probColumn] += offsets[i] - meanOffset;
      const high = (probability.get(id) ?? 0) >= 0.5;
      const all = table.columns
        .map((col, j) => ({
          key: col.key,
          // Above the training mean: the "high" phrase; a missing value counts as the mean.
          phrase: row[j] > model.mean[j] ? col.high : col.low,
          contribution: c[j],
        }))
        .filter((r) => Math.abs(r.contribution) >= 0.005);
      const sign = high ? 1 : -1;
      const forVerdict = all
        .filter((r) => r.contribution * sign > 0)
        .sort((a, b) => (b.contribution - a.contribution) * sign || a.key.localeCompare(b.key));
      if (forVerdict.length > 0) return forVerdict.slice(0, top);
      return all.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)).slice(0, top);
    },
  };
}

/** "large area (+0.8), high model confidence (+0.6)". */
export function reasonText(reasons: readonly RankReason[]): string {
  return reasons
    .map(
      (r) =>
        `${r.phrase} (${r.contribution >= 0 ? '+' : '−'}${Math.abs(r.contribution).toFixed(1)})`,
    )
    .join(', ');
}
