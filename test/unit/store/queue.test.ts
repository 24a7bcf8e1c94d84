/**
 * The review queue: ranking by mean probability × area, every filter, paging, the next-patch
 * walk and the count summary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatchFilter } from '../../../electron/common/contract.js';
import type { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { SIZE_M, X0, Y0, detection, newRun, tempProject } from './fixtures.js';

let store: ProjectStore;
let runA: string;
let runB: string;

beforeAll(() => {
  ({ store } = tempProject());
  const a = newRun();
  runA = a.id;
  // Patch n (1..20): a 10 m tall strip n m wide at x = 20 n; probability alternates.
  store.addRun(
    a,
    Array.from({ length: 20 }, (_, i) =>
      detection(20 * (i + 1), 0, 20 * (i + 1) + (i + 1), 10, i % 2 === 0 ? 0.9 : 0.6),
    ),
  );
  store.review(20, 'confirmed', null, 'a');
  store.review(19, 'rejected', 'old shed', 'a');
  store.review(18, 'field_check', null, 'a');
  store.setAttributes([1, 2, 3], { changeClass: '01' }, 'a');
  store.setAttributes([4], { changeClass: '05' }, 'a');
  // A second run far away (no overlaps): the untouched patches of run A are superseded.
  const b = newRun();
  runB = b.id;
  store.addRun(b, [detection(0, 300, 30, 330, 0.5)]);
});
afterAll(() => store.close());

const score = (p: { meanProb: number | null; areaM2: number }) => (p.meanProb ?? 0) * p.areaM2;
const ids = (filter: PatchFilter, offset = 0, limit = 100) =>
  store.queue(filter, offset, limit).items.map((p) => Number(p.id));

describe('patches queue', () => {
  it('ranks by mean probability × area, largest first', () => {
    const page = store.queue({ runIds: [runA] }, 0, 100);
    const scores = page.items.map(score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(page.items[0].id).toBe('19'); // 0.9 × 190 m² beats 0.6 × 200 m²
  });

  it('hides untouched patches of earlier runs but shows decided ones', () => {
    const shown = ids({});
    expect(shown.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 18, 19, 20, 21]);
    // Naming the run brings its superseded patches back.
    expect(ids({ runIds: [runA] })).toHaveLength(20);
    expect(ids({ runIds: [runB] })).toEqual([21]);
  });

  it('filters by state, area, confidence, change class and map bounds', () => {
    expect(ids({ states: ['confirmed', 'rejected'] }).sort()).toEqual([19, 20]);
    expect(ids({ runIds: [runA], minAreaM2: 100, maxAreaM2: 150 }).sort((a, b) => a - b)).toEqual([
      10, 11, 12, 13, 14, 15,
    ]);
    expect(ids({ runIds: [runA], minConfidence: 0.8, maxAreaM2: 40 }).sort()).toEqual([1, 3]);
    expect(ids({ changeClasses: ['01'] }).sort()).toEqual([1, 2, 3]);
    expect(ids({ changeClasses: ['05', null] }).sort((a, b) => a - b)).toEqual([4, 18, 19, 20, 21]);
    const by = Y0 - SIZE_M;
    expect(ids({ runIds: [runA], bbox: [X0 + 39, by, X0 + 61, by + 1] }).sort()).toEqual([2, 3]);
  });

  it('pages through the ranking with a total', () => {
    const all = ids({ runIds: [runA] });
    const pages = [0, 7, 14].flatMap((o) => ids({ runIds: [runA] }, o, 7));
    expect(pages).toEqual(all);
    expect(store.queue({ runIds: [runA] }, 14, 7)).toMatchObject({ total: 20, offset: 14 });
  });

  it('walks to the next patch in queue order under a filter', () => {
    const order = ids({ runIds: [runA], states: ['unreviewed'] });
    const walked: number[] = [];
    let cur = store.next({ runIds: [runA], states: ['unreviewed'] });
    while (cur) {
      walked.push(Number(cur.id));
      cur = store.next({ runIds: [runA], states: ['unreviewed'] }, Number(cur.id));
    }
    expect(walked).toEqual(order);
    expect(walked).not.toContain(20);
  });

  it('walks backwards (K) in the reverse queue order, from any patch', () => {
    const filter = { runIds: [runA], states: ['unreviewed' as const] };
    const order = ids(filter);
    const walked: number[] = [];
    let cur = store.next(filter, order[order.length - 1], true);
    while (cur) {
      walked.push(Number(cur.id));
      cur = store.next(filter, Number(cur.id), true);
    }
    expect(walked).toEqual(order.slice(0, -1).reverse());
    // From a patch the filter leaves out (just confirmed), back to its ranked neighbour.
    const ranked = ids({ runIds: [runA] });
    const before20 = ranked.slice(0, ranked.indexOf(20)).reverse();
    expect(store.next(filter, 20, true)?.id).toBe(
      String(before20.find((id) => order.includes(id))),
    );
  });

  it('filters by the change kind the model reported', () => {
    const kinds = store.queue({ changeKinds: ['no-such-kind'] });
    expect(kinds.total).toBe(0);
    expect(store.queue({ changeKinds: [null] }).total).toBe(store.queue({}).total);
  });

  it('summarises the live patches', () => {
    const s = store.summary();
    expect(s.total).toBe(8);
    expect(s.byState).toEqual({ unreviewed: 5, confirmed: 1, rejected: 1, field_check: 1 });
    expect(s.areaM2ByState.confirmed).toBe(200);
    expect(s.byChangeClass).toEqual({ '01': 3, '05': 1, '': 4 });
    expect(store.counts()).toEqual(s.byState);
  });
});
