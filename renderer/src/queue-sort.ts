/**
 * The orders the review queue can show, as one list: each entry a value, a label and a compare
 * function (ties always by patch number, so every order is total and predictable). A new order
 * is one more entry here (like the learnt ranking); `rank` is the store's own ranking, which J / K
 * walk on the backend; other orders are walked in the list as shown.
 */
import type { PatchView, ReviewState } from '../../electron/common/contract.js';

/** What some orders need besides the patches. */
export interface SortContext {
  /** Share of each patch inside the reference layer sorted by (absent: 0), or null. */
  shares: Readonly<Record<string, number>> | null;
  /** Learnt probability of being confirmed, by patch id (`rank.learnt`), or null before it is ready. */
  learnt?: Readonly<Record<string, number>> | null;
}

export interface SortOption {
  value: string;
  label: string;
  compare(a: PatchView, b: PatchView, context: SortContext): number;
}

const STATE_ORDER: Record<ReviewState, number> = {
  unreviewed: 0,
  field_check: 1,
  confirmed: 2,
  rejected: 3,
};

const byNumber = (a: PatchView, b: PatchView) => a.number - b.number;
/** A drawn patch has no model probability: it sorts after every detection, by rank or confidence. */
const conf = (p: PatchView) => p.meanProb ?? -1;
const byRank = (a: PatchView, b: PatchView) =>
  (b.meanProb ?? 0) * b.areaM2 - (a.meanProb ?? 0) * a.areaM2 ||
  (a.meanProb === null ? 1 : 0) - (b.meanProb === null ? 1 : 0) ||
  byNumber(a, b);

/** Likely changes over large areas first (the store's ranking: mean probability × area). */
export const RANK_SORT = 'rank';

/** Most likely to be confirmed first, as learnt from the decisions so far (`rank.learnt`). */
export const LEARNT_SORT = 'learnt';

/** Least inside the chosen reference layer first (e.g. outside approved construction). */
export const REFERENCE_SORT = 'reference';

export const SORT_OPTIONS: SortOption[] = [
  {
    value: RANK_SORT,
    label: 'Rank (confidence × area)',
    compare: byRank,
  },
  {
    value: LEARNT_SORT,
    label: 'Rank learnt (likely confirmed first)',
    // Before the ranking is ready (or for a patch it has not seen yet) the store's rank decides.
    compare: (a, b, { learnt }) => (learnt?.[b.id] ?? -1) - (learnt?.[a.id] ?? -1) || byRank(a, b),
  },
  {
    value: 'confidence',
    label: 'Confidence',
    compare: (a, b) => conf(b) - conf(a) || byNumber(a, b),
  },
  { value: 'area', label: 'Area', compare: (a, b) => b.areaM2 - a.areaM2 || byNumber(a, b) },
  {
    value: 'date',
    label: 'Last changed',
    compare: (a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '') || byNumber(a, b),
  },
  {
    value: 'state',
    label: 'State (open first)',
    compare: (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || byNumber(a, b),
  },
  {
    value: REFERENCE_SORT,
    label: 'Reference overlap (outside first)',
    compare: (a, b, { shares }) => (shares?.[a.id] ?? 0) - (shares?.[b.id] ?? 0) || byRank(a, b),
  },
  { value: 'number', label: 'Patch number', compare: byNumber },
];

/** The patches in the order `sort` names (the rank order for an unknown one); a new array. */
export function sortPatches(
  patches: readonly PatchView[],
  sort: string,
  context: SortContext = { shares: null },
): PatchView[] {
  const option = SORT_OPTIONS.find((o) => o.value === sort) ?? SORT_OPTIONS[0];
  return [...patches].sort((a, b) => option.compare(a, b, context));
}
