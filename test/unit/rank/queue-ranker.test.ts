/**
 * The learnt queue ranking on made-up patches: not ready (with how many decisions are missing)
 * before enough decisions of both kinds, what teaches it (drawn and field-check patches do not),
 * the probabilities it learns, and the order of its explanations.
 */
import { describe, expect, it } from 'vitest';
import type { ReviewState } from '../../../electron/common/contract.js';
import { elongation, type RankPatch } from '../../../electron/engine/rank/patch-features.js';
import {
  MIN_DECISIONS,
  learnRanking,
  reasonText,
  type LearntRanking,
} from '../../../electron/engine/rank/queue-ranker.js';

let next = 1;
/** A w × h rectangle patch; `big` patches are the ones the analyst confirms. */
function patch(
  state: ReviewState,
  w: number,
  h: number,
  meanProb = 0.6,
  extra: Partial<RankPatch> = {},
): RankPatch {
  const ring = [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
    [0, 0],
  ];
  return {
    id: String(next++),
    state,
    origin: 'model',
    meanProb,
    maxProb: meanProb + 0.2,
    areaM2: w * h,
    perimeterM: 2 * (w + h),
    geometry: { type: 'Polygon', coordinates: [ring] },
    changeKind: null,
    code: null,
    referenceShares: [],
    ...extra,
  };
}

/** `n` decisions: confirmed ones large, rejected ones small; probabilities say nothing. */
function decided(confirmed: number, rejected: number): RankPatch[] {
  const out: RankPatch[] = [];
  for (let i = 0; i < confirmed; i++)
    out.push(patch('confirmed', 20 + (i % 5), 20, 0.6 + (i % 3) * 0.05));
  for (let i = 0; i < rejected; i++)
    out.push(patch('rejected', 3 + (i % 4), 3, 0.6 + (i % 3) * 0.05));
  return out;
}

describe('learnRanking readiness', () => {
  it('is not ready before enough decisions and says how many more', () => {
    const r = learnRanking([...decided(6, 6), patch('unreviewed', 10, 10)]);
    expect(r.ready).toBe(false);
    if (r.ready) return;
    expect(r.decisions).toEqual({ confirmed: 6, rejected: 6 });
    expect(r.needed).toBe(MIN_DECISIONS - 12);
    expect(r.message).toMatch(/12 so far: 8 more to go/);
  });

  it('is not ready with one kind of decision only, however many', () => {
    const r = learnRanking(decided(40, 0));
    expect(r.ready).toBe(false);
    if (r.ready) return;
    expect(r.needed).toBe(3);
    expect(r.message).toMatch(/3 more rejected/);
  });

  it('learns from confirmed and rejected model patches only (not drawn, not field check)', () => {
    const extra = [
      patch('confirmed', 5, 5, 0, { origin: 'manual' }),
      patch('field_check', 5, 5),
      patch('field_check', 5, 5),
    ];
    const r = learnRanking([...decided(10, 9), ...extra]);
    expect(r.ready).toBe(false);
    expect(r.decisions).toEqual({ confirmed: 10, rejected: 9 });
    expect(learnRanking([...decided(10, 10), ...extra]).ready).toBe(true);
  });
});

describe('learnRanking', () => {
  const big = patch('unreviewed', 22, 20);
  const small = patch('unreviewed', 4, 3);
  const r = learnRanking([...decided(12, 12), big, small]) as LearntRanking;

  it('ranks an unreviewed patch like the confirmed ones above one like the rejected ones', () => {
    expect(r.ready).toBe(true);
    const areaCoef = r.model.coef[r.columns.findIndex((c) => c.key === 'logArea')];
    expect(areaCoef).toBeGreaterThan(0);
    expect(r.probability.get(big.id)!).toBeGreaterThan(0.7);
    expect(r.probability.get(small.id)!).toBeLessThan(0.3);
  });

  it('explains a high patch by what raised it, strongest first, and a low one by what lowered it', () => {
    const high = r.reasons(big.id);
    expect(high.length).toBeGreaterThan(0);
    expect(high[0].phrase).toBe('large area');
    for (const reason of high) expect(reason.contribution).toBeGreaterThan(0);
    for (let i = 1; i < high.length; i++) {
      expect(high[i - 1].contribution).toBeGreaterThanOrEqual(high[i].contribution);
    }
    const low = r.reasons(small.id);
    expect(low[0].phrase).toBe('small area');
    for (const reason of low) expect(reason.contribution).toBeLessThan(0);
    for (let i = 1; i < low.length; i++) {
      expect(low[i - 1].contribution).toBeLessThanOrEqual(low[i].contribution);
    }
    expect(reasonText(high.slice(0, 1))).toMatch(/^large area \(\+\d\.\d\)$/);
    expect(r.reasons('999999')).toEqual([]);
  });

  it('uses the change kind and reference layers as columns', () => {
    const kinds = decided(12, 12).map((p) => ({
      ...p,
      changeKind: p.state === 'confirmed' ? 'new_building' : 'demolished',
      referenceShares: [p.state === 'confirmed' ? 0 : 1],
    }));
    const k = learnRanking(kinds, ['批准用地']) as LearntRanking;
    const keys = k.columns.map((c) => c.key);
    expect(keys).toContain('kind:new_building');
    expect(keys).toContain('reference:0');
    const j = keys.indexOf('reference:0');
    expect(k.model.coef[j]).toBeLessThan(0);
    expect(k.columns[j].high).toBe('inside “批准用地”');
  });
});

describe('learnRanking on the model probability', () => {
  it('keeps the probability order when the decisions follow the probability alone', () => {
    // Same-sized patches: confirmed where the model was confident, rejected where it was not.
    const made: RankPatch[] = [];
    for (let i = 0; i < 30; i++) {
      const p = 0.3 + (i / 30) * 0.6;
      made.push(patch(i % 7 === 0 ? 'rejected' : p > 0.6 ? 'confirmed' : 'rejected', 10, 10, p));
    }
    const open = [0.82, 0.35, 0.55, 0.71, 0.42].map((p) => patch('unreviewed', 10, 10, p));
    const r = learnRanking([...made, ...open]) as LearntRanking;
    expect(r.ready).toBe(true);
    expect(r.penalty.logLoss).toHaveLength(5);
    const byLearnt = [...open].sort((a, b) => r.probability.get(b.id)! - r.probability.get(a.id)!);
    expect(byLearnt.map((p) => p.meanProb)).toEqual([0.82, 0.71, 0.55, 0.42, 0.35]);
    expect(r.reasons(open[0].id)[0].phrase).toBe('high model confidence');
  });
});

describe('elongation', () => {
  it('is 0 for a square and grows with the aspect ratio', () => {
    const rect = (w: number, h: number) => ({
      type: 'Polygon' as const,
      coordinates: [
        [
          [0, 0],
          [w, 0],
          [w, h],
          [0, h],
          [0, 0],
        ],
      ],
    });
    expect(elongation(rect(10, 10))).toBeCloseTo(0, 9);
    expect(elongation(rect(40, 10))).toBeCloseTo(0.75, 9);
    expect(elongation(rect(10, 40))).toBeCloseTo(0.75, 9);
  });
});
