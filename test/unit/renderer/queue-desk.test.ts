/** Queue at scale, the pure parts: sort options, multi-selection and go to. */
import { describe, expect, it } from 'vitest';
import { parseGoTo, resolveGoTo } from '../../../renderer/src/go-to.js';
import {
  bulkTargets,
  clearMarked,
  markAll,
  markRange,
} from '../../../renderer/src/multi-select.js';
import { SORT_OPTIONS, sortPatches } from '../../../renderer/src/queue-sort.js';
import * as S from '../../../renderer/src/state.js';
import { patch, project } from './fixtures.js';

// Scores (meanProb × area): a 45, b 80, c 80, d 10.
const a = patch('a', 1, 0.9, 50);
const b = patch('b', 2, 0.8, 100);
const c = patch('c', 3, 0.4, 200, 'confirmed');
const d = patch('d', 4, 0.5, 20);
const state = S.setProject(S.initialState, project(), null, [a, b, c, d]);
const ids = (ps: { id: string }[]) => ps.map((p) => p.id);

describe('sort options', () => {
  it('sorts by rank, confidence, area, state and number; unknown falls back to rank', () => {
    expect(ids(sortPatches([a, b, c, d], 'rank'))).toEqual(['b', 'c', 'a', 'd']);
    expect(ids(sortPatches([a, b, c, d], 'confidence'))).toEqual(['a', 'b', 'd', 'c']);
    expect(ids(sortPatches([a, b, c, d], 'area'))).toEqual(['c', 'b', 'a', 'd']);
    expect(ids(sortPatches([c, a, b, d], 'state'))).toEqual(['a', 'b', 'd', 'c']);
    expect(ids(sortPatches([d, c, b, a], 'number'))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(sortPatches([a, b, c, d], 'learnt'))).toEqual(['b', 'c', 'a', 'd']);
    expect(new Set(SORT_OPTIONS.map((o) => o.value)).size).toBe(SORT_OPTIONS.length);
  });

  it('sorts by reference overlap: least inside the layer first, then by rank', () => {
    const shares = { a: 0.9, c: 0.2 };
    expect(ids(sortPatches([a, b, c, d], 'reference', { shares }))).toEqual(['b', 'd', 'c', 'a']);
    const s = { ...state, sort: 'reference', referenceShares: shares };
    expect(ids(S.visiblePatches(s))).toEqual(['b', 'd', 'c', 'a']);
  });

  it('a drawn patch (no model probability) sorts after every detection by rank and confidence', () => {
    const drawn = { ...patch('e', 5, 0.5, 10_000), origin: 'manual' as const, meanProb: null };
    expect(ids(sortPatches([drawn, a, b, c, d], 'rank'))).toEqual(['b', 'c', 'a', 'd', 'e']);
    expect(ids(sortPatches([drawn, a, b, c, d], 'confidence'))).toEqual(['a', 'b', 'd', 'c', 'e']);
    expect(ids(sortPatches([a, drawn, b], 'area'))).toEqual(['e', 'b', 'a']);
  });

  it('sorts by the learnt rank once it is ready (unseen patches last, by rank), else by rank', () => {
    const learnt = { a: 0.9, c: 0.1, d: 0.6 };
    expect(ids(sortPatches([a, b, c, d], 'learnt', { shares: null, learnt }))).toEqual([
      'a',
      'd',
      'c',
      'b',
    ]);
    const ready = { ready: true, decisions: { confirmed: 10, rejected: 10 }, needed: 0 };
    const s = {
      ...state,
      sort: 'learnt',
      learnt: { ...ready, message: null, probabilities: learnt },
    };
    expect(ids(S.visiblePatches(s))).toEqual(['a', 'd', 'c', 'b']);
    const notReady = { ...ready, ready: false, needed: 5, message: 'not yet', probabilities: {} };
    expect(ids(S.visiblePatches({ ...s, learnt: notReady }))).toEqual(['b', 'c', 'a', 'd']);
  });

  it('the queue shows the chosen order under its filters', () => {
    const s = S.setFilters({ ...state, sort: 'area' }, { state: 'unreviewed' });
    expect(ids(S.visiblePatches(s))).toEqual(['b', 'a', 'd']);
  });
});

describe('multi-selection', () => {
  it('Shift+click marks the range from the selected patch, in the order shown', () => {
    const s = markRange(S.select(state, 'b'), 'd');
    expect(s.marked).toEqual(['b', 'c', 'a', 'd']);
    expect(bulkTargets(s)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('select all takes what the filters show; bulk leaves out a hidden selected patch', () => {
    const s = markAll(S.select(S.setFilters(state, { state: 'unreviewed' }), 'c'));
    expect(s.marked).toEqual(['b', 'a', 'd']);
    expect(bulkTargets(s).sort()).toEqual(['a', 'b', 'd']);
    expect(bulkTargets(clearMarked(s))).toEqual([]);
  });
});

describe('go to', () => {
  it('reads a patch number or a point', () => {
    expect(parseGoTo('#17')).toEqual({ kind: 'patch', number: 17 });
    expect(parseGoTo(' 500120.5, 3400250 ')).toEqual({ kind: 'point', x: 500120.5, y: 3400250 });
    expect(parseGoTo('500 300')).toEqual({ kind: 'point', x: 500, y: 300 });
    expect(parseGoTo('north')).toBeNull();
  });

  it('finds the patch, refuses unknown numbers and points outside the scene', () => {
    expect(resolveGoTo('3', [a, b, c, d], null)).toEqual({ patchId: 'c' });
    expect(resolveGoTo('9', [a, b], null)).toBeInstanceOf(Error);
    expect(resolveGoTo('5, 5', [], [0, 0, 10, 10])).toEqual({ point: [5, 5] });
    expect(String(resolveGoTo('50, 5', [], [0, 0, 10, 10]))).toMatch(/outside the scene/);
  });
});
