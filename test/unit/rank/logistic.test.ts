/**
 * The ranking's logistic regression: it learns the right sign on separable data, gives a column
 * without spread no weight, treats a missing value as the mean, and fits the same every time.
 */
import { describe, expect, it } from 'vitest';
import {
  contributions,
  fitLogistic,
  predictLogistic,
} from '../../../electron/engine/rank/logistic.js';
import { seededRandom } from '../../../electron/engine/random.js';

/** 60 rows: y = 1 when column 0 is high, column 1 is noise, column 2 is constant. */
function toyData(seed = 3) {
  const rand = seededRandom(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 60; i++) {
    const y = i % 2;
    rows.push([y ? 5 + rand() * 3 : 1 + rand() * 3, rand() * 10, 7]);
    labels.push(y);
  }
  return { rows, labels };
}

describe('fitLogistic', () => {
  it('learns a positive weight for a column that separates the classes, and a negative one when flipped', () => {
    const { rows, labels } = toyData();
    const up = fitLogistic(rows, labels);
    expect(up.coef[0]).toBeGreaterThan(1);
    expect(Math.abs(up.coef[1])).toBeLessThan(up.coef[0] / 4);
    const down = fitLogistic(
      rows,
      labels.map((y) => 1 - y),
    );
    expect(down.coef[0]).toBeLessThan(-1);
    expect(predictLogistic(up, [8, 5, 7])).toBeGreaterThan(0.9);
    expect(predictLogistic(up, [1, 5, 7])).toBeLessThan(0.1);
  });

  it('gives a flat column no weight and no contribution, and a missing value the mean', () => {
    const { rows, labels } = toyData();
    const model = fitLogistic(rows, labels);
    expect(model.std[2]).toBe(0);
    expect(model.coef[2]).toBe(0);
    const c = contributions(model, [Number.NaN, 5, 123]);
    expect(c[0]).toBe(0);
    expect(c[2]).toBe(0);
  });

  it('stays finite on perfectly separable data (the penalty bounds the weights)', () => {
    const model = fitLogistic([[0], [1], [2], [3]], [0, 0, 1, 1], { lambda: 1 });
    expect(Number.isFinite(model.coef[0])).toBe(true);
    expect(model.coef[0]).toBeGreaterThan(0);
    const weaker = fitLogistic([[0], [1], [2], [3]], [0, 0, 1, 1], { lambda: 10 });
    expect(weaker.coef[0]).toBeLessThan(model.coef[0]);
  });

  it('is deterministic', () => {
    const { rows, labels } = toyData(9);
    const a = fitLogistic(rows, labels);
    const b = fitLogistic(rows, labels);
    expect([...a.coef, a.intercept]).toEqual([...b.coef, b.intercept]);
  });

  it('learns corrections to a fixed offset; an infinite penalty fits the intercept only', () => {
    const { rows, labels } = toyData();
    // An offset that already explains the labels: column 0's correction is smaller than without it.
    const offset = labels.map((y) => (y ? 2 : -2));
    const plain = fitLogistic(rows, labels);
    const corrected = fitLogistic(rows, labels, { offset });
    expect(Math.abs(corrected.coef[0])).toBeLessThan(Math.abs(plain.coef[0]));
    const only = fitLogistic(rows, labels, { offset, lambda: Infinity });
    expect([...only.coef]).toEqual([0, 0, 0]);
    expect(Number.isFinite(only.intercept)).toBe(true);
    // With no corrections, the order of predictions is the order of the offsets.
    expect(predictLogistic(only, rows[0], 1)).toBeGreaterThan(predictLogistic(only, rows[1], 0.5));
    expect(() => fitLogistic(rows, labels, { offset: [1] })).toThrow(/60 rows and 1 offsets/);
  });

  it('refuses rows and labels of different lengths', () => {
    expect(() => fitLogistic([[1]], [0, 1])).toThrow(/1 rows and 2 labels/);
  });
});
