/**
 * Change-detection metrics: pixel confusion counts and object-level matching (a predicted object
 * matches a true one when their IoU ≥ 0.5, M3), plus the classic baseline (|after − before| summed
 * over bands, Otsu threshold).
 */
import { labelComponents } from '../../electron/engine/vector/components.js';

export interface PixelCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export function pixelCounts(pred: Uint8Array, truth: Uint8Array): PixelCounts {
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let i = 0; i < pred.length; i++) {
    if (pred[i] && truth[i]) c.tp++;
    else if (pred[i]) c.fp++;
    else if (truth[i]) c.fn++;
    else c.tn++;
  }
  return c;
}

export function addCounts(a: PixelCounts, b: PixelCounts): PixelCounts {
  return { tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn, tn: a.tn + b.tn };
}

export function scores(c: PixelCounts) {
  const precision = c.tp / Math.max(1, c.tp + c.fp);
  const recall = c.tp / Math.max(1, c.tp + c.fn);
  const f1 = (2 * precision * recall) / Math.max(1e-12, precision + recall);
  const iou = c.tp / Math.max(1, c.tp + c.fp + c.fn);
  return { precision, recall, f1, iou };
}

export interface ObjectCounts {
  /** True objects (≥ min size) matched by a prediction with IoU ≥ 0.5. */
  matchedTruth: number;
  truth: number;
  /** Predicted objects (≥ min size) matching a true object with IoU ≥ 0.5. */
  matchedPred: number;
  pred: number;
}

/** Object-level matching at IoU ≥ 0.5; objects smaller than `minPixels` are not counted. */
export function objectCounts(
  pred: Uint8Array,
  truth: Uint8Array,
  width: number,
  height: number,
  minPixels: number,
): ObjectCounts {
  const P = labelComponents(pred, width, height, { connectivity: 8 });
  const T = labelComponents(truth, width, height, { connectivity: 8 });
  const pSize = new Float64Array(P.count + 1);
  const tSize = new Float64Array(T.count + 1);
  const inter = new Map<number, number>();
  for (let i = 0; i < pred.length; i++) {
    const p = P.labels[i];
    const t = T.labels[i];
    if (p) pSize[p]++;
    if (t) tSize[t]++;
    if (p && t) inter.set(p * (T.count + 1) + t, (inter.get(p * (T.count + 1) + t) ?? 0) + 1);
  }
  const tMatched = new Uint8Array(T.count + 1);
  const pMatched = new Uint8Array(P.count + 1);
  for (const [key, n] of inter) {
    const p = Math.floor(key / (T.count + 1));
    const t = key % (T.count + 1);
    if (n / (pSize[p] + tSize[t] - n) >= 0.5) {
      tMatched[t] = 1;
      pMatched[p] = 1;
    }
  }
  const c: ObjectCounts = { matchedTruth: 0, truth: 0, matchedPred: 0, pred: 0 };
  for (let t = 1; t <= T.count; t++) {
    if (tSize[t] < minPixels) continue;
    c.truth++;
    c.matchedTruth += tMatched[t];
  }
  for (let p = 1; p <= P.count; p++) {
    if (pSize[p] < minPixels) continue;
    c.pred++;
    c.matchedPred += pMatched[p];
  }
  return c;
}

/** The baseline: per-pixel sum of absolute band differences, thresholded by Otsu's method. */
export function absDiffOtsu(a: Float32Array[], b: Float32Array[]): Uint8Array {
  const n = a[0].length;
  const diff = new Float32Array(n);
  for (let k = 0; k < a.length; k++)
    for (let i = 0; i < n; i++) diff[i] += Math.abs(a[k][i] - b[k][i]);
  const t = otsu(diff, 256 * a.length);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = diff[i] > t ? 1 : 0;
  return out;
}

export function otsu(values: Float32Array, bins: number): number {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const hist = new Float64Array(bins);
  const scale = max > 0 ? (bins - 1) / max : 0;
  for (const v of values) hist[Math.round(v * scale)]++;
  const total = values.length;
  let sumAll = 0;
  for (let i = 0; i < bins; i++) sumAll += i * hist[i];
  let wB = 0;
  let sumB = 0;
  let best = 0;
  let bestVar = -1;
  for (let i = 0; i < bins; i++) {
    wB += hist[i];
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += i * hist[i];
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > bestVar) {
      bestVar = between;
      best = i;
    }
  }
  return scale > 0 ? best / scale : 0;
}
