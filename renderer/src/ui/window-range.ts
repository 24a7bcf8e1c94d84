/**
 * Which rows of a long list to put in the DOM: only those in view plus a few either side, so the
 * queue stays fast with 10,000 patches. Pure and unit-tested.
 */

export interface RowRange {
  /** First row to render (inclusive). */
  start: number;
  /** Row after the last one to render (exclusive). */
  end: number;
}

/**
 * Rows of height `rowHeight` that meet the viewport `[scrollTop, scrollTop + viewportHeight)`,
 * widened by `overscan` rows each way and clamped to `[0, count)`.
 *
 * @example visibleRange(300, 600, 30, 10_000, 5) // → { start: 5, end: 35 }
 */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 8,
): RowRange {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  return {
    start: Math.max(0, Math.min(count, first - overscan)),
    end: Math.max(0, Math.min(count, last + overscan)),
  };
}

/**
 * The scrollTop that brings row `index` fully into view with the least movement, or null when it
 * already is.
 */
export function scrollToShow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}
