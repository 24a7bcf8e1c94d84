/**
 * Fits the adapter head (head.ts) on labelled feature samples, in plain TypeScript: class-balanced
 * logistic loss, Adam on mini-batches of standardised features, weights penalised by their distance
 * from the identity head (the base model). The number of passes and the threshold come from
 * cross-validation over spatial blocks ("held back": each sample scored by a head that did not
 * see its block).
 *
 * The result is chosen on those held-back scores among three candidates, each kept only when
 * resampling the held-back blocks says it beats the simpler one with 90 % confidence, so adaptation
 * does not ship what the analyst's own held-back decisions cannot show to be better:
 *   base       the base model as it is (threshold 0.5)
 *   calibrated the base model with its decision threshold moved to the best F1
 *   adapted    the fitted head, its threshold moved to the best F1
 * Thresholds are held back too: each fold is scored at the threshold that was best on the other
 * folds, never at its own best. A threshold picked on the very samples it is scored on looks
 * better than it is, most where the share of change differs between scenes (a threshold fitted to
 * one scene's prevalence does not carry to the next), which is where it harms a county.
 * A chosen threshold (now fitted on all samples) is folded into the head's bias, so the adapted
 * model's own 0.5 is it.
 */
import { throwIfAborted } from '../errors.js';
import { seededRandom } from '../random.js';
import { headLogit, identityHead, shiftHead, sigmoid, type HeadWeights } from './head.js';
import { winShare, type Scored } from './block-bootstrap.js';
import type { SampleSet } from './samples.js';

export interface FitOptions {
  /** Box sizes of the context channels the samples carry (context.ts; default none). */
  context?: number[];
  /** Hidden units of the MLP term (default 16; 0 = linear head). */
  hidden?: number;
  /** Most passes over the training samples (default 25). */
  epochs?: number;
  /** Adam step size (default 0.003). */
  learningRate?: number;
  /** Penalty on the distance from the identity head (default 1e-3). */
  l2?: number;
  seed?: number;
  signal?: AbortSignal;
  /**
   * Share of block resamples on which a candidate must beat the simpler one to be chosen
   * (default 0.9).
   */
  confidence?: number;
  /** Progress over all passes (every fold's and the final fit's); F1 once known, else -1. */
  onEpoch?: (done: number, total: number, heldBackF1: number) => void;
}

/** Pixel precision, recall and F1 (weighted by the pixels each sample stands for). */
export interface PixelScores {
  precision: number;
  recall: number;
  f1: number;
}

export type Candidate = 'base' | 'calibrated' | 'adapted';

export interface FitResult {
  /** The chosen head, threshold folded in. */
  head: HeadWeights;
  chosen: Candidate;
  /** Share of block resamples on which each candidate beat the one chosen before it. */
  wins: Record<Candidate, number>;
  /** Threshold of the chosen candidate's own probability (before folding into the bias). */
  threshold: number;
  /** Held-back scores of every candidate at its threshold. */
  heldBack: Record<Candidate, PixelScores & { threshold: number }>;
  epochs: number;
}

const BINS = 200;

/** Best-F1 threshold of logits `z` against labels, from a weighted histogram of probabilities. */
export function bestThreshold(
  z: Float32Array,
  set: SampleSet,
  include?: (i: number) => boolean,
): { threshold: number; scores: PixelScores } {
  const pos = new Float64Array(BINS);
  const neg = new Float64Array(BINS);
  for (let i = 0; i < set.n; i++) {
    if (include && !include(i)) continue;
    const b = Math.min(BINS - 1, Math.floor(sigmoid(z[i]) * BINS));
    (set.y[i] ? pos : neg)[b] += set.w[i];
  }
  let tp = pos.reduce((a, b) => a + b, 0);
  const totalPos = tp;
  let fp = neg.reduce((a, b) => a + b, 0);
  let best = { threshold: 0.5, scores: { precision: 0, recall: 0, f1: 0 } };
  // Threshold at bin edge b/BINS: everything in bins ≥ b is called change.
  for (let b = 0; b < BINS; b++) {
    const t = b / BINS;
    if (t >= 0.02 && t <= 0.98) {
      const s = prf(tp, fp, totalPos - tp);
      if (s.f1 > best.scores.f1) best = { threshold: t, scores: s };
    }
    tp -= pos[b];
    fp -= neg[b];
  }
  return best;
}

function prf(tp: number, fp: number, fn: number): PixelScores {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** Scores of logits `z` at a fixed threshold. */
export function scoresAt(z: Float32Array, set: SampleSet, threshold: number): PixelScores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < set.n; i++) {
    const hit = sigmoid(z[i]) >= threshold;
    if (set.y[i] && hit) tp += set.w[i];
    else if (set.y[i]) fn += set.w[i];
    else if (hit) fp += set.w[i];
  }
  return prf(tp, fp, fn);
}

export function logits(head: HeadWeights, set: SampleSet): Float32Array {
  const z = new Float32Array(set.n);
  for (let i = 0; i < set.n; i++) z[i] = headLogit(head, set.x, i * set.channels);
  return z;
}

const logit = (p: number) => Math.log(p / (1 - p));

/**
 * `z` with each fold's samples shifted by the threshold that is best on the other folds, so that
 * 0.5 on the result scores every sample at a threshold it did not help choose. A fold whose
 * complement lacks a class keeps 0.5.
 */
export function heldBackThresholds(z: Float32Array, set: SampleSet, folds: number): Float32Array {
  const out = z.slice();
  for (let f = 0; f < folds; f++) {
    let pos = 0;
    let neg = 0;
    let held = 0;
    for (let i = 0; i < set.n; i++) {
      if (set.fold[i] === f) held++;
      else if (set.y[i]) pos++;
      else neg++;
    }
    if (held === 0 || pos === 0 || neg === 0) continue;
    const { threshold } = bestThreshold(z, set, (i) => set.fold[i] !== f);
    const shift = logit(threshold);
    for (let i = 0; i < set.n; i++) if (set.fold[i] === f) out[i] = z[i] - shift;
  }
  return out;
}

/**
 * Fits a head on `set` (see the file comment). Model choice, the number of passes and the
 * threshold are decided by cross-validation over the samples' folds (spatial blocks): out-of-fold
 * logits of every sample after every pass; the pass with the best pooled out-of-fold F1 is then
 * trained on all samples. `baseChannel` is the features channel holding the base model's logit.
 */
export function fitHead(set: SampleSet, baseChannel: number, options: FitOptions = {}): FitResult {
  const c = set.channels;
  const hidden = options.hidden ?? 16;
  const epochs = options.epochs ?? 25;
  const base = identityHead(c, hidden, baseChannel, options.context ?? []);
  const baseZ = logits(base, set);
  const folds = Math.max(...set.fold) + 1;
  // The threshold that ships is fitted on all samples; its score is held back (see the file comment).
  const calibrated = bestThreshold(baseZ, set);
  const calibratedZ = heldBackThresholds(baseZ, set, folds);
  // Out-of-fold logits per pass; a sample whose fold cannot be held out keeps the base logit.
  const oof = Array.from({ length: epochs }, () => baseZ.slice());
  let done = 0;
  const total = folds * epochs + epochs;
  for (let f = 0; f < folds; f++) {
    const rows: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < set.n; i++) (set.fold[i] === f ? held : rows).push(i);
    const classes = new Set(rows.map((i) => set.y[i]));
    if (held.length === 0 || classes.size < 2) {
      done += epochs;
      continue;
    }
    const trainer = new HeadTrainer(set, Uint32Array.from(rows), baseChannel, hidden, options);
    for (let e = 0; e < epochs; e++) {
      throwIfAborted(options.signal);
      trainer.epoch();
      const head = trainer.head();
      for (const i of held) oof[e][i] = headLogit(head, set.x, i * c);
      options.onEpoch?.(++done, total, -1);
    }
  }
  // Passes are chosen on out-of-fold logits scored at out-of-fold thresholds.
  let best = { f1: -1, epochs: 1, z: baseZ };
  for (let e = 0; e < epochs; e++) {
    const z = heldBackThresholds(oof[e], set, folds);
    const f1 = scoresAt(z, set, 0.5).f1;
    if (f1 > best.f1 + 1e-4) best = { f1, epochs: e + 1, z };
  }
  const adaptedThreshold = bestThreshold(oof[best.epochs - 1], set).threshold;
  const all = new Uint32Array(set.n);
  for (let i = 0; i < set.n; i++) all[i] = i;
  const trainer = new HeadTrainer(set, all, baseChannel, hidden, options);
  for (let e = 0; e < best.epochs; e++) {
    throwIfAborted(options.signal);
    trainer.epoch();
    options.onEpoch?.(++done, total, best.f1);
  }
  const adapted = trainer.head();
  const heldBackScores = {
    base: { ...scoresAt(baseZ, set, 0.5), threshold: 0.5 },
    calibrated: { ...scoresAt(calibratedZ, set, 0.5), threshold: calibrated.threshold },
    adapted: { ...scoresAt(best.z, set, 0.5), threshold: adaptedThreshold },
  };
  // The simplest candidate stays unless the held-back blocks are nearly sure the next one is
  // better (block-bootstrap.ts): a few blocks must not be able to talk a county into a worse model.
  const confidence = options.confidence ?? 0.9;
  const scored: Record<Candidate, Scored> = {
    base: { z: baseZ, threshold: 0.5 },
    calibrated: { z: calibratedZ, threshold: 0.5 },
    adapted: { z: best.z, threshold: 0.5 },
  };
  let chosen: Candidate = 'base';
  const wins: Record<Candidate, number> = { base: 1, calibrated: 0, adapted: 0 };
  for (const next of ['calibrated', 'adapted'] as const) {
    wins[next] = winShare(set, scored[next], scored[chosen]);
    if (wins[next] >= confidence) chosen = next;
  }
  const pick = chosen === 'adapted' ? adapted : base;
  const threshold = heldBackScores[chosen].threshold;
  return {
    head: shiftHead(pick, -logit(threshold)),
    chosen,
    wins,
    threshold,
    heldBack: heldBackScores,
    epochs: best.epochs,
  };
}

/**
 * Adam on the standardised features of some rows of a sample set; `head()` folds the
 * standardisation back into raw units.
 */
class HeadTrainer {
  private readonly mean: Float32Array;
  private readonly std: Float32Array;
  private readonly params: Float32Array;
  private readonly init: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private step = 0;
  private readonly rand: () => number;
  private readonly classWeight: [number, number];
  private readonly xs: Float32Array;
  // Layout of params: u[c], ub, W1[h*c], b1[h], w2[h], b2.
  private readonly oU = 0;
  private readonly oUb: number;
  private readonly oW1: number;
  private readonly oB1: number;
  private readonly oW2: number;
  private readonly oB2: number;

  constructor(
    private readonly set: SampleSet,
    private readonly rows: Uint32Array,
    baseChannel: number,
    private readonly hidden: number,
    private readonly options: FitOptions,
  ) {
    const c = set.channels;
    const h = hidden;
    this.oUb = c;
    this.oW1 = c + 1;
    this.oB1 = this.oW1 + h * c;
    this.oW2 = this.oB1 + h;
    this.oB2 = this.oW2 + h;
    const size = this.oB2 + 1;
    this.params = new Float32Array(size);
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
    this.rand = seededRandom(options.seed ?? 1);
    this.mean = new Float32Array(c);
    this.std = new Float32Array(c);
    const n = rows.length;
    for (const i of rows) for (let k = 0; k < c; k++) this.mean[k] += set.x[i * c + k];
    for (let k = 0; k < c; k++) this.mean[k] /= Math.max(1, n);
    for (const i of rows) {
      for (let k = 0; k < c; k++) this.std[k] += (set.x[i * c + k] - this.mean[k]) ** 2;
    }
    for (let k = 0; k < c; k++) this.std[k] = Math.sqrt(this.std[k] / Math.max(1, n)) || 1;
    // Standardised rows, packed in `rows` order.
    this.xs = new Float32Array(n * c);
    rows.forEach((i, r) => {
      for (let k = 0; k < c; k++)
        this.xs[r * c + k] = (set.x[i * c + k] - this.mean[k]) / this.std[k];
    });
    // Identity start: the base logit channel passes through (z = f0).
    this.params[this.oU + baseChannel] = this.std[baseChannel];
    this.params[this.oUb] = this.mean[baseChannel];
    const scale = Math.sqrt(2 / c) * 0.5;
    for (let i = 0; i < h * c; i++) this.params[this.oW1 + i] = (this.rand() * 2 - 1) * scale;
    this.init = this.params.slice();
    let pos = 0;
    for (const i of rows) pos += set.y[i];
    const neg = n - pos;
    this.classWeight = [n / (2 * Math.max(1, neg)), n / (2 * Math.max(1, pos))];
  }

  /** One pass over the samples in random mini-batches of 256. */
  epoch(): void {
    const { set, rows, params: p, hidden: h } = this;
    const c = set.channels;
    const n = rows.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const grad = new Float32Array(p.length);
    const a = new Float32Array(h);
    const batch = 256;
    for (let start = 0; start < n; start += batch) {
      grad.fill(0);
      const end = Math.min(n, start + batch);
      for (let s = start; s < end; s++) {
        const r = order[s];
        const xo = r * c;
        let z = p[this.oUb] + p[this.oB2];
        for (let k = 0; k < c; k++) z += p[this.oU + k] * this.xs[xo + k];
        for (let j = 0; j < h; j++) {
          let v = p[this.oB1 + j];
          const row = this.oW1 + j * c;
          for (let k = 0; k < c; k++) v += p[row + k] * this.xs[xo + k];
          a[j] = v;
          if (v > 0) z += p[this.oW2 + j] * v;
        }
        const y = set.y[rows[r]];
        const dz = this.classWeight[y] * (sigmoid(z) - y);
        for (let k = 0; k < c; k++) grad[this.oU + k] += dz * this.xs[xo + k];
        grad[this.oUb] += dz;
        grad[this.oB2] += dz;
        for (let j = 0; j < h; j++) {
          if (a[j] <= 0) continue;
          grad[this.oW2 + j] += dz * a[j];
          const da = dz * p[this.oW2 + j];
          if (da === 0) continue;
          grad[this.oB1 + j] += da;
          const row = this.oW1 + j * c;
          for (let k = 0; k < c; k++) grad[row + k] += da * this.xs[xo + k];
        }
      }
      this.adam(grad, end - start);
    }
  }

  private adam(grad: Float32Array, count: number): void {
    const lr = this.options.learningRate ?? 0.003;
    const l2 = this.options.l2 ?? 1e-3;
    const { params: p, init, m, v } = this;
    this.step++;
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] / count + l2 * (p[i] - init[i]);
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
    }
  }

  /** The current weights in raw feature units (x_std = (x − mean) / std folded in). */
  head(): HeadWeights {
    const { params: p, mean, std, hidden: h } = this;
    const c = this.set.channels;
    const linW = new Float32Array(c);
    let linB = p[this.oUb];
    for (let k = 0; k < c; k++) {
      linW[k] = p[this.oU + k] / std[k];
      linB -= (p[this.oU + k] * mean[k]) / std[k];
    }
    const w1 = new Float32Array(h * c);
    const b1 = new Float32Array(h);
    for (let j = 0; j < h; j++) {
      let bias = p[this.oB1 + j];
      for (let k = 0; k < c; k++) {
        const wjk = p[this.oW1 + j * c + k];
        w1[j * c + k] = wjk / std[k];
        bias -= (wjk * mean[k]) / std[k];
      }
      b1[j] = bias;
    }
    return {
      channels: c,
      context: this.options.context ?? [],
      hidden: h,
      linW,
      linB,
      w1,
      b1,
      w2: p.slice(this.oW2, this.oW2 + h),
      b2: p[this.oB2],
    };
  }
}
