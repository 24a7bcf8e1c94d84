/**
 * Application state and the pure functions that change it. No DOM, no API calls: every function
 * takes a state and returns a new one, so ordering, filtering and selection movement are
 * unit-tested in Node. `createStore` holds the current state and tells subscribers when it changes.
 */
import type {
  ApiEvent,
  AppInfo,
  CodeLists,
  EditResult,
  HistoryStatus,
  LearntRankingView,
  PatchFilter,
  PatchSummary,
  PatchView,
  ProjectView,
  ReviewState,
  RunView,
} from '../../electron/common/contract.js';
import { RANK_SORT, sortPatches } from './queue-sort.js';

export type StateFilter = 'all' | ReviewState;
export type CompareMode = 'swipe' | 'blend' | 'flicker' | 'side';

/** The order S cycles through the comparison modes (V jumps to side by side). */
export const COMPARE_MODES: readonly CompareMode[] = ['swipe', 'blend', 'flicker', 'side'];

/** Change-class filter: every class, unclassified patches (`''`), or one class code. */
export type ClassFilter = 'all' | string;

export interface Filters {
  /** Show only patches in this review state. */
  state: StateFilter;
  /** Hide patches whose mean probability is below this (0–1). */
  minConfidence: number;
  /** Hide patches smaller than this (m²). */
  minAreaM2: number;
  changeClass: ClassFilter;
  /** `all`, `''` (no kind reported) or one change kind (`new_building`, …). */
  changeKind: 'all' | string;
  /** `all` or one run's id: its patches only (also those a later run superseded). */
  runId: 'all' | string;
}

/** What a map click or drag does: select (default), move vertices, draw a patch, draw a split line. */
export type EditMode = 'select' | 'modify' | 'draw' | 'split';

export type JobStatus = 'starting' | 'running' | 'done' | 'failed' | 'cancelled';

/** The detection job this window started, as far as its events have told. */
export interface JobState {
  /** Null until `detect.start` answers. */
  jobId: string | null;
  projectId: string;
  status: JobStatus;
  phase: string;
  done: number;
  total: number;
  etaSeconds: number | null;
  executionProvider: string | null;
  error: string | null;
  run: RunView | null;
}

export interface AppState {
  info: AppInfo | null;
  project: ProjectView | null;
  /** The run whose patches are listed. */
  runId: string | null;
  /** Patches of `runId`, ranked by {@link rankPatches}. */
  patches: PatchView[];
  selectedId: string | null;
  filters: Filters;
  compareMode: CompareMode;
  job: JobState | null;
  /** Execution provider of the most recent run (finished here or loaded with the project). */
  lastExecutionProvider: string | null;
  /** Counts from `patches.summary` (refreshed after every change). */
  summary: PatchSummary | null;
  codeLists: CodeLists | null;
  /** The multi-selection (Ctrl / Shift+click, Ctrl+A): bulk decisions and M act on it and the selected one. */
  marked: readonly string[];
  history: HistoryStatus;
  editMode: EditMode;
  /** The probability heat layer is shown (H). */
  heat: boolean;
  /** Queue order, a value of SORT_OPTIONS (queue-sort.ts). */
  sort: string;
  /** Shares inside the reference layer the queue sorts by (`reference` sort), by patch id. */
  referenceShares: Readonly<Record<string, number>> | null;
  /** The ranking learnt from the decisions so far (`rank.learnt`, refreshed after every change). */
  learnt: LearntRankingView | null;
}

export const initialState: AppState = {
  info: null,
  project: null,
  runId: null,
  patches: [],
  selectedId: null,
  filters: {
    state: 'all',
    minConfidence: 0,
    minAreaM2: 0,
    changeClass: 'all',
    changeKind: 'all',
    runId: 'all',
  },
  compareMode: 'swipe',
  job: null,
  lastExecutionProvider: null,
  summary: null,
  codeLists: null,
  marked: [],
  history: { undo: null, redo: null },
  editMode: 'select',
  heat: false,
  sort: RANK_SORT,
  referenceShares: null,
  learnt: null,
};

/**
 * How much a patch matters for review: likely changes over large areas first. A patch drawn by
 * hand has no model probability and scores 0, after every detection (as the store ranks it).
 */
export function patchScore(patch: PatchView): number {
  return (patch.meanProb ?? 0) * patch.areaM2;
}

/** Patches by score descending; ties by patch number ascending (stable and predictable). */
export function rankPatches(patches: readonly PatchView[]): PatchView[] {
  return [...patches].sort((a, b) => patchScore(b) - patchScore(a) || a.number - b.number);
}

export function matchesFilters(patch: PatchView, filters: Filters): boolean {
  if (filters.state !== 'all' && patch.state !== filters.state) return false;
  if (filters.minAreaM2 > 0 && patch.areaM2 < filters.minAreaM2) return false;
  if (filters.changeClass !== 'all') {
    const code = patch.attributes?.changeClass ?? '';
    if (code !== filters.changeClass) return false;
  }
  if (filters.changeKind !== 'all' && (patch.attributes?.changeKind ?? '') !== filters.changeKind) {
    return false;
  }
  if (filters.runId !== 'all' && patch.runId !== filters.runId) return false;
  // A drawn patch has no confidence: it passes only the no-minimum filter (as in the store).
  return (patch.meanProb ?? 0) >= filters.minConfidence;
}

/** The same filters as the backend's queue filter (for `patches.queue` / `patches.next`). */
export function toPatchFilter(filters: Filters): PatchFilter {
  const filter: PatchFilter = {};
  if (filters.state !== 'all') filter.states = [filters.state];
  if (filters.minConfidence > 0) filter.minConfidence = filters.minConfidence;
  if (filters.minAreaM2 > 0) filter.minAreaM2 = filters.minAreaM2;
  if (filters.changeClass !== 'all') filter.changeClasses = [filters.changeClass || null];
  if (filters.changeKind !== 'all') filter.changeKinds = [filters.changeKind || null];
  if (filters.runId !== 'all') filter.runIds = [filters.runId];
  return filter;
}

/** What to ask `patches.next` for the patch `delta` steps from the selection (J / K). */
export interface NextRequest {
  afterPatchId?: string;
  filter: PatchFilter;
  backward: boolean;
}

/**
 * The `patches.next` request for J (`delta` 1) or K (-1): the store walks its ranking under the
 * queue's filters from the selected patch (even one the filters now hide, like a patch just
 * confirmed under "Unreviewed"). Without a selection both keys start at the top of the queue.
 */
export function nextRequest(state: AppState, delta: 1 | -1): NextRequest {
  const filter = toPatchFilter(state.filters);
  if (state.selectedId === null) return { filter, backward: false };
  return { afterPatchId: state.selectedId, filter, backward: delta < 0 };
}

/**
 * Selects the patch `patches.next` answered with; a patch the list does not hold yet (one of a
 * superseded run) is ranked in first. Null (the end of the queue) keeps the selection.
 */
export function selectFound(state: AppState, found: PatchView | null): AppState {
  if (!found) return state;
  const known = state.patches.some((p) => p.id === found.id);
  const patches = known ? state.patches : rankPatches([...state.patches, found]);
  return found.id === state.selectedId && known
    ? state
    : { ...state, patches, selectedId: found.id };
}

/** Runs the run filter offers: the model's runs, newest first (with their patch counts). */
export function runChoices(project: ProjectView | null): RunView[] {
  return [...(project?.runs ?? [])]
    .filter((r) => r.kind !== 'manual')
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** The change kinds present among the patches (for the kind filter), sorted. */
export function changeKinds(patches: readonly PatchView[]): string[] {
  const kinds = new Set<string>();
  for (const p of patches) if (p.attributes?.changeKind) kinds.add(p.attributes.changeKind);
  return [...kinds].sort();
}

/** The run whose probability the heat layer shows: the filtered run, else the latest with one. */
export function heatRun(state: AppState): RunView | null {
  const runs = state.project?.runs ?? [];
  if (state.filters.runId !== 'all') {
    return runs.find((r) => r.id === state.filters.runId && r.probabilityUrl) ?? null;
  }
  return runChoices(state.project).find((r) => r.probabilityUrl) ?? null;
}

/** The patches the queue shows under the current filters, in the queue's order. */
export function visiblePatches(state: AppState): PatchView[] {
  const shown = state.patches.filter((p) => matchesFilters(p, state.filters));
  return state.sort === RANK_SORT
    ? shown
    : sortPatches(shown, state.sort, {
        shares: state.referenceShares,
        learnt: state.learnt?.ready ? state.learnt.probabilities : null,
      });
}

export function selectedPatch(state: AppState): PatchView | null {
  return state.patches.find((p) => p.id === state.selectedId) ?? null;
}

/** The most recent run of a project (by start time), or null before the first detection. */
export function latestRun(project: ProjectView): RunView | null {
  let latest: RunView | null = null;
  for (const run of project.runs) {
    if (!latest || run.startedAt > latest.startedAt) latest = run;
  }
  return latest;
}

export function select(state: AppState, id: string | null): AppState {
  if (id !== null && !state.patches.some((p) => p.id === id)) return state;
  return id === state.selectedId ? state : { ...state, selectedId: id };
}

export function setFilters(state: AppState, filters: Partial<Filters>): AppState {
  return { ...state, filters: { ...state.filters, ...filters } };
}

/** Shows a project and the patches of `runId`; keeps the selection if that patch is still there. */
export function setProject(
  state: AppState,
  project: ProjectView,
  runId: string | null,
  patches: readonly PatchView[],
): AppState {
  const ranked = rankPatches(patches);
  const keep = ranked.some((p) => p.id === state.selectedId);
  const run = project.runs.find((r) => r.id === runId) ?? latestRun(project);
  return {
    ...state,
    project,
    runId,
    patches: ranked,
    selectedId: keep ? state.selectedId : null,
    marked: state.marked.filter((id) => ranked.some((p) => p.id === id)),
    lastExecutionProvider: run?.executionProvider ?? state.lastExecutionProvider,
  };
}

/** Replaces a reviewed patch (ranking does not depend on state) and moves the project counts. */
export function applyReview(state: AppState, updated: PatchView): AppState {
  const previous = state.patches.find((p) => p.id === updated.id);
  if (!previous) return state;
  const patches = state.patches.map((p) => (p.id === updated.id ? updated : p));
  let project = state.project;
  if (project && previous.state !== updated.state) {
    const counts = { ...project.counts };
    counts[previous.state] = Math.max(0, (counts[previous.state] ?? 0) - 1);
    counts[updated.state] = (counts[updated.state] ?? 0) + 1;
    project = { ...project, counts };
  }
  return { ...state, patches, project };
}

/**
 * Applies what an edit, undo or redo returned: changed patches are replaced, deleted ones
 * dropped, new ones added (and ranked in). A selected patch that is gone gives way to the first
 * new patch of the result (the piece of a split, the merged patch), else to nothing.
 */
export function applyEdit(state: AppState, result: EditResult): AppState {
  const changed = new Map(result.changed.map((p) => [p.id, p]));
  const kept: PatchView[] = [];
  for (const p of state.patches) {
    const next = changed.get(p.id);
    if (!next) kept.push(p);
    else if (!next.deleted) kept.push(next);
  }
  const known = new Set(state.patches.map((p) => p.id));
  const added = result.changed.filter((p) => !p.deleted && !known.has(p.id));
  const patches = rankPatches([...kept, ...added]);
  const alive = new Set(patches.map((p) => p.id));
  let selectedId = state.selectedId;
  if (selectedId !== null && !alive.has(selectedId)) selectedId = added[0]?.id ?? null;
  const marked = state.marked.filter((id) => alive.has(id));
  return { ...state, patches, selectedId, marked, history: result.history };
}

/** Shift-click: adds a patch to (or takes it out of) the set to merge. */
export function toggleMarked(state: AppState, id: string): AppState {
  if (!state.patches.some((p) => p.id === id)) return state;
  const marked = state.marked.includes(id)
    ? state.marked.filter((m) => m !== id)
    : [...state.marked, id];
  return { ...state, marked };
}

/** The patches a merge would join: the marked ones and the selected one, without repeats. */
export function mergeCandidates(state: AppState): string[] {
  const ids = [...state.marked];
  if (state.selectedId && !ids.includes(state.selectedId)) ids.push(state.selectedId);
  return ids;
}

/** "x of n reviewed": every state but `unreviewed` counts as reviewed. */
export function reviewProgress(patches: readonly PatchView[]): { reviewed: number; total: number } {
  const reviewed = patches.reduce((n, p) => n + (p.state === 'unreviewed' ? 0 : 1), 0);
  return { reviewed, total: patches.length };
}

export function toggleCompareMode(state: AppState): AppState {
  const next = COMPARE_MODES[(COMPARE_MODES.indexOf(state.compareMode) + 1) % COMPARE_MODES.length];
  return { ...state, compareMode: next };
}

/** A detection was requested for `projectId`; its job id is not known yet. */
export function jobStarting(state: AppState, projectId: string): AppState {
  const job: JobState = {
    jobId: null,
    projectId,
    status: 'starting',
    phase: 'Starting…',
    done: 0,
    total: 0,
    etaSeconds: null,
    executionProvider: null,
    error: null,
    run: null,
  };
  return { ...state, job };
}

/**
 * `detect.start` answered with `jobId`. Events can beat that answer over SSE, so the caller passes
 * those it buffered meanwhile; the ones for this job are applied in order.
 */
export function jobStarted(
  state: AppState,
  jobId: string,
  buffered: readonly ApiEvent[],
): AppState {
  if (!state.job) return state;
  let next: AppState = { ...state, job: { ...state.job, jobId, status: 'running' } };
  for (const event of buffered) next = applyJobEvent(next, event);
  return next;
}

export function jobFailedToStart(state: AppState, message: string): AppState {
  if (!state.job) return state;
  return { ...state, job: { ...state.job, status: 'failed', error: message, phase: 'Failed' } };
}

/** Applies a job event to the job of this window; events of other jobs leave state unchanged. */
export function applyJobEvent(state: AppState, event: ApiEvent): AppState {
  const job = state.job;
  if (!job || job.jobId === null || event.jobId !== job.jobId) return state;
  if (job.status !== 'running') return state;
  switch (event.type) {
    case 'job.progress':
      return {
        ...state,
        job: {
          ...job,
          phase: event.phase,
          done: event.done,
          total: event.total,
          etaSeconds: event.etaSeconds,
          executionProvider: event.executionProvider ?? job.executionProvider,
        },
        lastExecutionProvider: event.executionProvider ?? state.lastExecutionProvider,
      };
    case 'job.done':
      return {
        ...state,
        job: {
          ...job,
          status: 'done',
          phase: 'Done',
          done: job.total || 1,
          total: job.total || 1,
          etaSeconds: 0,
          executionProvider: event.run.executionProvider,
          run: event.run,
        },
        lastExecutionProvider: event.run.executionProvider,
      };
    case 'job.failed':
      return {
        ...state,
        job: { ...job, status: 'failed', phase: 'Failed', error: event.error.message },
      };
    case 'job.cancelled':
      return { ...state, job: { ...job, status: 'cancelled', phase: 'Cancelled' } };
    default:
      return state;
  }
}

/** Percentage 0–100 of a job, for the progress bar. */
export function jobPercent(job: JobState): number {
  if (job.status === 'done') return 100;
  if (job.total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((job.done / job.total) * 100)));
}

export function clearJob(state: AppState): AppState {
  return state.job ? { ...state, job: null } : state;
}

export interface Store<S> {
  get(): S;
  /** Applies `change` and notifies subscribers if it returned a different object. */
  update(change: (state: S) => S): void;
  /** Listener gets the new and previous state; returns an unsubscribe function. */
  subscribe(listener: (state: S, previous: S) => void): () => void;
}

export function createStore<S>(initial: S): Store<S> {
  let current = initial;
  const listeners = new Set<(state: S, previous: S) => void>();
  return {
    get: () => current,
    update(change) {
      const previous = current;
      const next = change(previous);
      if (next === previous) return;
      current = next;
      for (const listener of [...listeners]) listener(current, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
