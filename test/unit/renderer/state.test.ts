import { describe, expect, it, vi } from 'vitest';
import type { ApiEvent, RunView } from '../../../electron/common/contract.js';
import * as S from '../../../renderer/src/state.js';
import { patch, project } from './fixtures.js';

// Scores (meanProb × area): a 45, b 80, c 80, d 10.
const a = patch('a', 1, 0.9, 50);
const b = patch('b', 2, 0.8, 100);
const c = patch('c', 3, 0.4, 200, 'confirmed');
const d = patch('d', 4, 0.5, 20);

function withPatches(...patches: ReturnType<typeof patch>[]): S.AppState {
  return S.setProject(S.initialState, project(), null, patches);
}

const run = (id: string, startedAt: string, ep = 'cpu'): RunView => ({
  id,
  modelId: 'm',
  threshold: 0.5,
  minArea: 50,
  executionProvider: ep,
  startedAt,
  seconds: 1,
  patchCount: 0,
});

describe('ranking', () => {
  it('orders by meanProb × area descending, ties by number', () => {
    expect(S.rankPatches([a, d, c, b]).map((p) => p.id)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('does not mutate its input', () => {
    const input = [a, b];
    S.rankPatches(input);
    expect(input).toEqual([a, b]);
  });

  it('ranks on setProject', () => {
    expect(withPatches(a, b, c, d).patches.map((p) => p.id)).toEqual(['b', 'c', 'a', 'd']);
  });
});

describe('filters', () => {
  it('filters by state and confidence', () => {
    let s = withPatches(a, b, c, d);
    s = S.setFilters(s, { state: 'unreviewed' });
    expect(S.visiblePatches(s).map((p) => p.id)).toEqual(['b', 'a', 'd']);
    s = S.setFilters(s, { minConfidence: 0.7 });
    expect(S.visiblePatches(s).map((p) => p.id)).toEqual(['b', 'a']);
    s = S.setFilters(s, { state: 'all', minConfidence: 0 });
    expect(S.visiblePatches(s)).toHaveLength(4);
  });
});

describe('selection movement (J / K through patches.next)', () => {
  it('asks the store from the selection, with the queue filters, backward for K', () => {
    let s = S.setFilters(withPatches(a, b, c, d), { state: 'unreviewed', runId: 'r1' });
    expect(S.nextRequest(s, 1)).toEqual({
      filter: { states: ['unreviewed'], runIds: ['r1'] },
      backward: false,
    });
    expect(S.nextRequest(s, -1).afterPatchId).toBeUndefined();
    s = S.select(s, 'c'); // confirmed: hidden by the filter, still the place to walk from
    expect(S.nextRequest(s, 1)).toMatchObject({ afterPatchId: 'c', backward: false });
    expect(S.nextRequest(s, -1)).toMatchObject({ afterPatchId: 'c', backward: true });
  });

  it('selects what the store answered; the end of the queue keeps the selection', () => {
    let s = withPatches(a, b, c, d);
    s = S.selectFound(s, b);
    expect(s.selectedId).toBe('b');
    expect(S.selectFound(s, null)).toBe(s);
    expect(S.selectFound(s, b)).toBe(s);
  });

  it('ranks in a patch the list did not hold (a superseded run named in the filter)', () => {
    const e = patch('e', 5, 0.9, 1000);
    const s = S.selectFound(withPatches(a, b), e);
    expect(s.selectedId).toBe('e');
    expect(s.patches.map((p) => p.id)).toEqual(['e', 'b', 'a']);
  });

  it('ignores unknown ids', () => {
    const s = withPatches(a, b);
    expect(S.select(s, 'zzz')).toBe(s);
  });

  it('keeps the selection across a reload only if the patch is still there', () => {
    let s = S.select(withPatches(a, b), 'a');
    s = S.setProject(s, project(), null, [a, c]);
    expect(s.selectedId).toBe('a');
    s = S.setProject(s, project(), null, [b]);
    expect(s.selectedId).toBeNull();
  });
});

describe('reviews', () => {
  it('replaces the patch, keeps the order and moves counts', () => {
    const start = withPatches(a, b, c, d);
    const s = S.applyReview(start, { ...a, state: 'rejected', comment: 'shadow' });
    expect(s.patches.map((p) => p.id)).toEqual(['b', 'c', 'a', 'd']);
    expect(S.selectedPatch(S.select(s, 'a'))?.comment).toBe('shadow');
    expect(s.project?.counts.rejected).toBe(1);
    expect(S.reviewProgress(s.patches)).toEqual({ reviewed: 2, total: 4 });
  });

  it('ignores a patch it does not know', () => {
    const s = withPatches(a);
    expect(S.applyReview(s, b)).toBe(s);
  });
});

describe('runs', () => {
  it('picks the latest run and its execution provider', () => {
    const p = project([
      run('r1', '2024-01-01T00:00:00Z', 'cpu'),
      run('r2', '2024-02-01T00:00:00Z', 'cuda'),
    ]);
    expect(S.latestRun(p)?.id).toBe('r2');
    expect(S.setProject(S.initialState, p, 'r2', []).lastExecutionProvider).toBe('cuda');
    expect(S.latestRun(project())).toBeNull();
  });
});

describe('jobs', () => {
  const progress = (jobId: string, done: number): ApiEvent => ({
    type: 'job.progress',
    jobId,
    projectId: 'p1',
    phase: 'Inference',
    done,
    total: 10,
    etaSeconds: 5,
    executionProvider: 'webgpu',
  });

  it('applies buffered events of its own job only', () => {
    let s = S.jobStarting(S.initialState, 'p1');
    expect(s.job?.status).toBe('starting');
    s = S.jobStarted(s, 'j1', [progress('other', 9), progress('j1', 4)]);
    expect(s.job).toMatchObject({
      jobId: 'j1',
      status: 'running',
      done: 4,
      executionProvider: 'webgpu',
    });
    expect(S.jobPercent(s.job!)).toBe(40);
    expect(s.lastExecutionProvider).toBe('webgpu');
  });

  it('finishes, fails and cancels', () => {
    const running = S.jobStarted(S.jobStarting(S.initialState, 'p1'), 'j1', []);
    const done = S.applyJobEvent(running, {
      type: 'job.done',
      jobId: 'j1',
      projectId: 'p1',
      run: run('r9', '2024-03-01T00:00:00Z', 'cuda'),
    });
    expect(done.job?.status).toBe('done');
    expect(S.jobPercent(done.job!)).toBe(100);
    expect(done.lastExecutionProvider).toBe('cuda');
    // Nothing moves a finished job.
    expect(S.applyJobEvent(done, progress('j1', 1))).toBe(done);

    const failed = S.applyJobEvent(running, {
      type: 'job.failed',
      jobId: 'j1',
      projectId: 'p1',
      error: { code: 'MODEL', message: 'Model file is missing' },
    });
    expect(failed.job).toMatchObject({ status: 'failed', error: 'Model file is missing' });

    const cancelled = S.applyJobEvent(running, {
      type: 'job.cancelled',
      jobId: 'j1',
      projectId: 'p1',
    });
    expect(cancelled.job?.status).toBe('cancelled');
    expect(S.clearJob(cancelled).job).toBeNull();
  });

  it('ignores events when no job is known', () => {
    expect(S.applyJobEvent(S.initialState, progress('j1', 1))).toBe(S.initialState);
  });
});

describe('comparison modes', () => {
  it('S cycles swipe → blend → flicker → side by side → swipe', () => {
    let st = S.initialState;
    const seen = [st.compareMode];
    for (let i = 0; i < 4; i++) {
      st = S.toggleCompareMode(st);
      seen.push(st.compareMode);
    }
    expect(seen).toEqual(['swipe', 'blend', 'flicker', 'side', 'swipe']);
  });
});

describe('store', () => {
  it('notifies on change only', () => {
    const store = S.createStore(S.initialState);
    const listener = vi.fn();
    const off = store.subscribe(listener);
    store.update((s) => s);
    expect(listener).not.toHaveBeenCalled();
    store.update(S.toggleCompareMode);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.get().compareMode).toBe('blend');
    off();
    store.update(S.toggleCompareMode);
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('edits', () => {
  const history = { undo: null, redo: null };
  it('applies an edit result: replaces, drops deleted, adds new and ranks them in', () => {
    let s = S.select(withPatches(a, b, c, d), 'b');
    const e = patch('e', 5, 0.9, 1000);
    s = S.applyEdit(s, {
      entry: null,
      changed: [{ ...b, deleted: true }, e, { ...a, state: 'confirmed' }],
      history,
    });
    expect(s.patches.map((p) => p.id)).toEqual(['e', 'c', 'a', 'd']);
    expect(s.patches.find((p) => p.id === 'a')?.state).toBe('confirmed');
    expect(s.selectedId).toBe('e');
  });

  it('marks patches for a merge and lists the candidates', () => {
    let s = S.select(withPatches(a, b, c), 'a');
    s = S.toggleMarked(s, 'b');
    expect(S.mergeCandidates(s)).toEqual(['b', 'a']);
    s = S.toggleMarked(s, 'b');
    expect(S.mergeCandidates(s)).toEqual(['a']);
    expect(S.toggleMarked(s, 'nope')).toBe(s);
  });

  it('filters by area and change class, and says so to the backend', () => {
    const classified = { ...a, attributes: { ...emptyAttrs, changeClass: '01' } };
    let s = withPatches(classified, b, c, d);
    s = S.setFilters(s, { minAreaM2: 60 });
    expect(S.visiblePatches(s).map((p) => p.id)).toEqual(['b', 'c']);
    s = S.setFilters(s, { minAreaM2: 0, changeClass: '01' });
    expect(S.visiblePatches(s).map((p) => p.id)).toEqual(['a']);
    s = S.setFilters(s, { changeClass: '' });
    expect(S.visiblePatches(s).map((p) => p.id)).toEqual(['b', 'c', 'd']);
    expect(S.toPatchFilter({ ...s.filters, state: 'confirmed', minAreaM2: 5 })).toEqual({
      states: ['confirmed'],
      minAreaM2: 5,
      changeClasses: [null],
    });
  });

  it('filters by run and change kind, and says so to the backend', () => {
    const road = { ...a, runId: 'r2', attributes: { ...emptyAttrs, changeKind: 'new_road' } };
    let s = withPatches(road, b, c, d);
    expect(S.changeKinds(s.patches)).toEqual(['new_road']);
    s = S.setFilters(s, { runId: 'r2' });
    expect(S.visiblePatches(s).map((p) => p.id)).toEqual(['a']);
    s = S.setFilters(s, { runId: 'all', changeKind: '' });
    expect(S.visiblePatches(s).map((p) => p.id)).toEqual(['b', 'c', 'd']);
    expect(S.toPatchFilter({ ...s.filters, runId: 'r2', changeKind: 'new_road' })).toEqual({
      changeKinds: ['new_road'],
      runIds: ['r2'],
    });
    expect(S.toPatchFilter(s.filters)).toEqual({ changeKinds: [null] });
  });
});

describe('runs for the run filter and the heat layer', () => {
  const withUrl = (r: RunView, url: string | null): RunView => ({ ...r, probabilityUrl: url });
  const runs = [
    withUrl(run('old', '2024-01-01T00:00:00Z'), '/files/old'),
    withUrl(run('new', '2024-02-01T00:00:00Z'), null),
    { ...run('manual', '2024-03-01T00:00:00Z'), kind: 'manual' as const },
  ];
  const st = S.setProject(S.initialState, { ...project(), runs }, null, []);

  it('lists model runs newest first, without the hand-drawn run', () => {
    expect(S.runChoices(st.project).map((r) => r.id)).toEqual(['new', 'old']);
  });

  it('heats the filtered run, else the newest run that kept its probability', () => {
    expect(S.heatRun(st)?.id).toBe('old');
    expect(S.heatRun(S.setFilters(st, { runId: 'new' }))).toBeNull();
    expect(S.heatRun(S.setFilters(st, { runId: 'old' }))?.probabilityUrl).toBe('/files/old');
  });
});

const emptyAttrs = {
  changeClass: null,
  legality: null,
  parcelNo: null,
  fieldResult: null,
  note: null,
  changeKind: null,
};
