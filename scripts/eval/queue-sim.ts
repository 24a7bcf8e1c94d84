/**
 * The simulated analyst of `npm run eval:queue` (protocol in eval-queue.ts): takes decisions on
 * patches in a given order (confirms real changes, rejects the rest), then compares the first
 * unreviewed patches of two orders — by model probability, and by the ranking learnt from those
 * decisions — by their share of real changes.
 */
import type { RankPatch } from '../../electron/engine/rank/patch-features.js';
import { learnRanking } from '../../electron/engine/rank/queue-ranker.js';

export interface SimPatch extends RankPatch {
  /** Real change by the protocol's rule. */
  real: boolean;
}

export interface SimResult {
  /** Patches decided (fewer than asked when the scenes have fewer). */
  decided: number;
  confirmed: number;
  /** Unreviewed patches left, and how many of them are real. */
  open: number;
  openReal: number;
  /** Share of real changes among the first `top` unreviewed by model probability. */
  byProbability: number;
  /** The same for the app's default rank (mean probability × area). */
  byAppRank: number;
  /** The same for the learnt ranking; null when it was not ready (too few or one-class decisions). */
  byLearnt: number | null;
  /** How many patches the shares are taken over: min(top, open). */
  top: number;
  /**
   * Diagnostic over every open patch, not only the first `top` (less noisy than a share of 20):
   * ROC AUC of real vs not real by model probability and by the learnt probability.
   */
  aucProbability: number | null;
  aucLearnt: number | null;
  /** The penalty the ranking chose on the decisions (Infinity: the probability order); null when not ready. */
  lambda: number | null;
}

/** P(a real patch scores above a patch that is not), ties counting half; null without both. */
export function rocAuc(scores: readonly number[], real: readonly boolean[]): number | null {
  const order = scores.map((s, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let neg = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (real[order[k]]) rankSum += midRank;
    i = j + 1;
  }
  for (const r of real) {
    if (r) pos++;
    else neg++;
  }
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

const byNumber = (a: RankPatch, b: RankPatch) => a.id.localeCompare(b.id);
/** The model's mean probability; a patch it never scored (drawn) has none and comes last. */
const prob = (p: RankPatch) => p.meanProb ?? 0;
/** Model probability, highest first (the mean probability over the patch). */
export const probabilityOrder = (a: RankPatch, b: RankPatch) => prob(b) - prob(a) || byNumber(a, b);
/** The app's default queue order (Rank: mean probability × area, highest first). */
export const appRankOrder = (a: RankPatch, b: RankPatch) =>
  prob(b) * b.areaM2 - prob(a) * a.areaM2 || byNumber(a, b);

function shareReal(patches: SimPatch[], top: number): number {
  const head = patches.slice(0, top);
  return head.length === 0 ? 0 : head.filter((p) => p.real).length / head.length;
}

/**
 * @param decisionOrder - the patches in the order the analyst reviews them
 * @param decisions - how many they decide before the queue is re-ranked
 * @param top - the head of the queue that is scored
 */
export function simulate(
  patches: readonly SimPatch[],
  decisionOrder: readonly SimPatch[],
  decisions: number,
  top: number,
): SimResult {
  const decided = new Set(decisionOrder.slice(0, decisions).map((p) => p.id));
  const state = patches.map((p): SimPatch => ({
    ...p,
    state: decided.has(p.id) ? (p.real ? 'confirmed' : 'rejected') : 'unreviewed',
  }));
  const open = state.filter((p) => p.state === 'unreviewed');
  const n = Math.min(top, open.length);
  const ranking = learnRanking(state);
  const learnt = ranking.ready
    ? [...open].sort(
        (a, b) => ranking.probability.get(b.id)! - ranking.probability.get(a.id)! || byNumber(a, b),
      )
    : null;
  return {
    decided: decided.size,
    confirmed: state.filter((p) => p.state === 'confirmed').length,
    open: open.length,
    openReal: open.filter((p) => p.real).length,
    byProbability: shareReal([...open].sort(probabilityOrder), n),
    byAppRank: shareReal([...open].sort(appRankOrder), n),
    byLearnt: learnt ? shareReal(learnt, n) : null,
    top: n,
    aucProbability: rocAuc(
      open.map(prob),
      open.map((p) => p.real),
    ),
    lambda: ranking.ready ? ranking.penalty.lambda : null,
    aucLearnt: ranking.ready
      ? rocAuc(
          open.map((p) => ranking.probability.get(p.id)!),
          open.map((p) => p.real),
        )
      : null,
  };
}
