/**
 * A small L2-regularised logistic regression on standardised features, fitted by Newton's method
 * (iteratively reweighted least squares). Meant for a few hundred rows and a few dozen columns:
 * every step solves the d × d system exactly, so the fit is deterministic and needs no learning
 * rate. Columns whose training values do not vary get a zero coefficient (they can tell nothing
 * apart), and a missing value (NaN) counts as the training mean (standardised 0). A fixed
 * per-row offset (e.g. the log-odds of a prior model) can be added to the linear predictor; the
 * coefficients then learn corrections to it, and the L2 penalty shrinks them toward the offset.
 */

export interface LogisticModel {
  /** Training mean and standard deviation of each column (the standardisation). */
  mean: Float64Array;
  std: Float64Array;
  /** Coefficients on standardised columns; 0 for a column without spread. */
  coef: Float64Array;
  intercept: number;
  /** Newton steps taken until the change fell below the tolerance. */
  iterations: number;
}

export interface LogisticOptions {
  /** L2 penalty on the coefficients (not the intercept); default 1; Infinity fits the intercept only. */
  lambda?: number;
  /** Most Newton steps; default 50. */
  maxIterations?: number;
  /** A fixed term added to each row's log-odds (same order as the rows); default none. */
  offset?: ArrayLike<number>;
}

const sigmoid = (t: number) => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));

/** The standardised value of `x` in column `j` (0 for a missing value or a flat column). */
export function standardise(model: LogisticModel, j: number, x: number): number {
  if (!Number.isFinite(x) || model.std[j] === 0) return 0;
  return (x - model.mean[j]) / model.std[j];
}

/**
 * Fits P(y = 1 | x) = σ(o + b + Σ w_j z_j) with z the standardised columns and o the row's fixed
 * offset (0 without one), minimising the negative log-likelihood + λ/2 ‖w‖².
 *
 * @param rows - one feature vector per training row, all of the same length
 * @param labels - 0 or 1 per row
 * @example fitLogistic([[0], [1], [2], [3]], [0, 0, 1, 1]).coef[0] > 0 // true
 */
export function fitLogistic(
  rows: readonly ArrayLike<number>[],
  labels: readonly number[],
  options: LogisticOptions = {},
): LogisticModel {
  const n = rows.length;
  if (n === 0 || n !== labels.length) {
    throw new Error(`fitLogistic: ${n} rows and ${labels.length} labels; need the same, > 0.`);
  }
  const d = rows[0].length;
  const lambda = options.lambda ?? 1;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let sum = 0;
    let count = 0;
    for (const r of rows) {
      if (!Number.isFinite(r[j])) continue;
      sum += r[j];
      count++;
    }
    mean[j] = count > 0 ? sum / count : 0;
    let ss = 0;
    for (const r of rows) if (Number.isFinite(r[j])) ss += (r[j] - mean[j]) ** 2;
    const s = count > 1 ? Math.sqrt(ss / count) : 0;
    std[j] = s > 1e-12 ? s : 0;
  }
  const model: LogisticModel = {
    mean,
    std,
    coef: new Float64Array(d),
    intercept: 0,
    iterations: 0,
  };
  // Design matrix with a leading 1 (the intercept); flat columns stay 0 and keep a 0 weight.
  const p = d + 1;
  const z = rows.map((r) => {
    const out = new Float64Array(p);
    out[0] = 1;
    for (let j = 0; j < d; j++) out[j + 1] = standardise(model, j, r[j]);
    return out;
  });
  const offset = options.offset;
  if (offset && offset.length !== n) {
    throw new Error(`fitLogistic: ${n} rows and ${offset.length} offsets; need the same.`);
  }
  const w = new Float64Array(p);
  const maxIterations = options.maxIterations ?? 50;
  for (let it = 1; it <= maxIterations; it++) {
    const grad = new Float64Array(p);
    const hess = new Float64Array(p * p);
    for (let i = 0; i < n; i++) {
      const zi = z[i];
      let t = offset ? offset[i] : 0;
      for (let k = 0; k < p; k++) t += w[k] * zi[k];
      const mu = sigmoid(t);
      const s = Math.max(mu * (1 - mu), 1e-10);
      const r = mu - labels[i];
      for (let a = 0; a < p; a++) {
        grad[a] += r * zi[a];
        const sa = s * zi[a];
        for (let b = 0; b <= a; b++) hess[a * p + b] += sa * zi[b];
      }
    }
    for (let a = 1; a < p; a++) {
      if (lambda === Infinity) {
        // Infinite penalty: every coefficient stays 0, only the intercept is fitted.
        grad[a] = 0;
        for (let b = 0; b < p; b++) hess[a * p + b] = hess[b * p + a] = a === b ? 1 : 0;
        continue;
      }
      grad[a] += lambda * w[a];
      hess[a * p + a] += lambda;
    }
    hess[0] += 1e-8; // keeps the system solvable when one class has every row
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) hess[a * p + b] = hess[b * p + a];
    const step = solveSymmetric(hess, grad, p);
    let change = 0;
    for (let k = 0; k < p; k++) {
      w[k] -= step[k];
      change = Math.max(change, Math.abs(step[k]));
    }
    model.iterations = it;
    if (change < 1e-8) break;
  }
  model.intercept = w[0];
  for (let j = 0; j < d; j++) model.coef[j] = std[j] === 0 ? 0 : w[j + 1];
  return model;
}

/** The term each column adds to the log-odds of `x` (coefficient × standardised value). */
export function contributions(model: LogisticModel, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(model.coef.length);
  for (let j = 0; j < out.length; j++) out[j] = model.coef[j] * standardise(model, j, x[j]);
  return out;
}

/** P(y = 1 | x), with `offset` added to the log-odds (a model fitted with offsets needs the row's). */
export function predictLogistic(model: LogisticModel, x: ArrayLike<number>, offset = 0): number {
  let t = model.intercept + offset;
  for (const c of contributions(model, x)) t += c;
  return sigmoid(t);
}

/**
 * Solves A x = b for a symmetric positive definite A (row-major, p × p) by Cholesky; a pivot that
 * is not positive (rounding on a near-singular system) is lifted to a small positive value.
 */
function solveSymmetric(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * p + j];
      for (let k = 0; k < j; k++) sum -= l[i * p + k] * l[j * p + k];
      if (i === j) l[i * p + i] = Math.sqrt(Math.max(sum, 1e-12));
      else l[i * p + j] = sum / l[j * p + j];
    }
  }
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * p + k] * y[k];
    y[i] = sum / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < p; k++) sum -= l[k * p + i] * x[k];
    x[i] = sum / l[i * p + i];
  }
  return x;
}
