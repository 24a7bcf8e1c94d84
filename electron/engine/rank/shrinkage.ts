/**
 * How far the learnt queue ranking may move away from the model's own probability: the L2 penalty
 * on its corrections, chosen by cross-validation on the analyst's decisions themselves (never on
 * patches they have not decided). The ranking's log-odds are the model's log-odds (a fixed offset)
 * plus learnt corrections; an infinite penalty leaves only an intercept, i.e. the model-probability
 * order exactly, so the ranking departs from that order only where held-back decisions say it
 * predicts them better.
 */
import { fitLogistic, predictLogistic } from './logistic.js';

/** Penalties tried, weakest first; Infinity = the model probability's order (no corrections). */
export const RANK_LAMBDAS = [0.5, 2, 8, 32, Infinity] as const;

/** Most cross-validation folds (fewer when there are fewer decisions). */
export const RANK_FOLDS = 10;

const clampP = (p: number) => Math.min(0.995, Math.max(0.005, p));

/** Log-odds of a model probability (clamped to 0.5 %–99.5 %); NaN for a missing one. */
export function probabilityOffset(p: number | null): number {
  if (p === null || !Number.isFinite(p)) return Number.NaN;
  const q = clampP(p);
  return Math.log(q / (1 - q));
}

/** Offsets with missing values replaced by `fill` (the training rows' mean offset). */
export function filledOffsets(offsets: readonly number[], fill: number): number[] {
  return offsets.map((o) => (Number.isFinite(o) ? o : fill));
}

/** Mean of the finite values (0 when none). */
export function finiteMean(values: readonly number[]): number {
  const ok = values.filter((v) => Number.isFinite(v));
  return ok.length ? ok.reduce((s, v) => s + v, 0) / ok.length : 0;
}

export interface PenaltyChoice {
  lambda: number;
  /** Mean held-out log loss per penalty tried, in the order of {@link RANK_LAMBDAS}. */
  logLoss: number[];
  folds: number;
}

/**
 * Chooses the penalty with the lowest mean held-out log loss over `RANK_FOLDS` folds (rows dealt
 * to folds in order of their offset, so every fold spans the probability range); on a tie the
 * stronger penalty wins. Folds whose training part lacks a class are skipped.
 */
export function choosePenalty(
  rows: readonly Float64Array[],
  labels: readonly number[],
  offsets: readonly number[],
): PenaltyChoice {
  const n = rows.length;
  const folds = Math.max(2, Math.min(RANK_FOLDS, n));
  const order = offsets.map((o, i) => i).sort((a, b) => offsets[a] - offsets[b] || a - b);
  const fold = new Int32Array(n);
  order.forEach((i, r) => (fold[i] = r % folds));
  const loss = RANK_LAMBDAS.map(() => 0);
  let counted = 0;
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? held : train).push(i);
    if (held.length === 0 || new Set(train.map((i) => labels[i])).size < 2) continue;
    counted += held.length;
    RANK_LAMBDAS.forEach((lambda, li) => {
      const model = fitLogistic(
        train.map((i) => rows[i]),
        train.map((i) => labels[i]),
        { lambda, offset: train.map((i) => offsets[i]) },
      );
      for (const i of held) {
        const p = clampP(predictLogistic(model, rows[i], offsets[i]));
        loss[li] -= labels[i] ? Math.log(p) : Math.log(1 - p);
      }
    });
  }
  const logLoss = loss.map((l) => (counted ? l / counted : 0));
  let best = RANK_LAMBDAS.length - 1;
  for (let li = RANK_LAMBDAS.length - 2; li >= 0; li--) {
    if (logLoss[li] < logLoss[best] - 1e-9) best = li;
  }
  return { lambda: RANK_LAMBDAS[best], logLoss, folds };
}
