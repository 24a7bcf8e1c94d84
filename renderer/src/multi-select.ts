/**
 * Multi-selection in the queue, as pure state changes: Ctrl/Cmd+click toggles one patch,
 * Shift+click takes the range from the selected patch to the clicked one, "select all" takes
 * every patch matching the filters. The set is `marked` (it is also what M merges); bulk actions
 * act on the marked patches and the selected one, as far as the queue shows them.
 */
import type { AppState } from './state.js';
import { mergeCandidates, select, visiblePatches } from './state.js';

/** Shift+click: marks every shown patch from the selected one to `id` (both included). */
export function markRange(state: AppState, id: string): AppState {
  const shown = visiblePatches(state);
  const to = shown.findIndex((p) => p.id === id);
  if (to < 0) return state;
  const from = shown.findIndex((p) => p.id === state.selectedId);
  if (from < 0) return { ...select(state, id), marked: [id] };
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  const range = shown.slice(lo, hi + 1).map((p) => p.id);
  const marked = [...new Set([...state.marked, ...range])];
  return { ...state, marked };
}

/** Marks every patch the queue shows under its filters. */
export function markAll(state: AppState): AppState {
  return { ...state, marked: visiblePatches(state).map((p) => p.id) };
}

export function clearMarked(state: AppState): AppState {
  return state.marked.length === 0 ? state : { ...state, marked: [] };
}

/**
 * What a bulk decision acts on: the marked patches and the selected one, those the queue shows
 * (a selected patch the filters now hide is left alone); empty when nothing is marked.
 */
export function bulkTargets(state: AppState): string[] {
  if (state.marked.length === 0) return [];
  const shown = new Set(visiblePatches(state).map((p) => p.id));
  return mergeCandidates(state).filter((id) => shown.has(id));
}
