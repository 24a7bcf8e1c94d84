/**
 * The review queue: patches ranked by meanProb × area (most important first) with number, state,
 * area (m² and mu) and confidence, filtered by state, confidence, area, change class, change kind
 * and run. Only the
 * rows in view are in the DOM (a windowed list), so 10,000 patches scroll and step as fast as ten.
 * A click selects a patch (the map zooms to it); Ctrl+click adds it to the multi-selection
 * (what bulk decisions and M act on), Shift+click a range.
 */
import type { PatchSummary, PatchView } from '../../../electron/common/contract.js';
import { formatPercent, kindLabel, runLabel } from '../format.js';
import { row } from './queue-row.js';
import {
  changeKinds,
  runChoices,
  visiblePatches,
  type AppState,
  type ClassFilter,
  type Filters,
  type StateFilter,
} from '../state.js';
import { h, replaceChildren } from '../ui/dom.js';
import { scrollToShow, visibleRange } from '../ui/window-range.js';
import { LEARNT_SORT, SORT_OPTIONS } from '../queue-sort.js';
import { resizeHandle } from '../ui/resize-handle.js';

export interface QueueOptions {
  onSelect(id: string): void;
  /** Ctrl/Cmd+click: add to or take out of the multi-selection (also what M merges). */
  onMark(id: string): void;
  /** Shift+click: the range from the selected patch to this one joins the multi-selection. */
  onRange(id: string): void;
  onFilter(filters: Partial<Filters>): void;
  /** A value of SORT_OPTIONS. */
  onSort(sort: string): void;
  /** Shown above the rows (the multi-selection bar). */
  bar?: HTMLElement;
}

export interface QueuePanel {
  element: HTMLElement;
  update(state: AppState): void;
}

/** Row height in CSS pixels; styles.css gives `.patch-row` the same. */
export const ROW_HEIGHT = 30;

const STATE_FILTERS: { value: StateFilter; label: string }[] = [
  { value: 'all', label: 'All states' },
  { value: 'unreviewed', label: 'Unreviewed' },
  { value: 'confirmed', label: 'Confirmed' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'field_check', label: 'Field check' },
];

const CONFIDENCE_FILTERS = [0, 0.5, 0.7, 0.9];
const AREA_FILTERS = [0, 100, 500, 1000, 5000];

function summaryText(summary: PatchSummary | null): string {
  if (!summary) return '';
  const s = summary.byState;
  return `${s.unreviewed} open · ${s.confirmed} confirmed · ${s.rejected} rejected · ${s.field_check} field`;
}

function select(label: string, testId: string, options: [string, string][]): HTMLSelectElement {
  return h(
    'select',
    { class: 'input input-sm', 'aria-label': label, title: label, 'data-testid': testId },
    ...options.map(([value, text]) => h('option', { value }, text)),
  );
}

export function createQueuePanel(options: QueueOptions): QueuePanel {
  const stateSelect = select(
    'Filter by state',
    'filter-state',
    STATE_FILTERS.map((f) => [f.value, f.label]),
  );
  const confSelect = select(
    'Minimum confidence',
    'filter-confidence',
    CONFIDENCE_FILTERS.map((c) => [
      String(c),
      c === 0 ? 'Any confidence' : `≥ ${formatPercent(c)}`,
    ]),
  );
  const areaSelect = select(
    'Minimum area',
    'filter-area',
    AREA_FILTERS.map((a) => [String(a), a === 0 ? 'Any area' : `≥ ${a} m²`]),
  );
  const classSelect = select('Change class', 'filter-class', [['all', 'All classes']]);
  const kindSelect = select('Change kind (as the model reported it)', 'filter-kind', [
    ['all', 'All kinds'],
  ]);
  const runSelect = select('Detection run', 'filter-run', [['all', 'All runs']]);
  kindSelect.addEventListener('change', () => options.onFilter({ changeKind: kindSelect.value }));
  runSelect.addEventListener('change', () => options.onFilter({ runId: runSelect.value }));
  stateSelect.addEventListener('change', () =>
    options.onFilter({ state: stateSelect.value as StateFilter }),
  );
  confSelect.addEventListener('change', () =>
    options.onFilter({ minConfidence: Number(confSelect.value) }),
  );
  areaSelect.addEventListener('change', () =>
    options.onFilter({ minAreaM2: Number(areaSelect.value) }),
  );
  classSelect.addEventListener('change', () =>
    options.onFilter({ changeClass: classSelect.value as ClassFilter }),
  );
  const sortSelect = select(
    'Sort the queue',
    'queue-sort',
    SORT_OPTIONS.map((o) => [o.value, `Sort: ${o.label}`]),
  );
  sortSelect.addEventListener('change', () => options.onSort(sortSelect.value));
  const count = h('span', { class: 'queue-count', 'data-testid': 'queue-count' });
  const summaryLine = h('p', { class: 'queue-summary hint', 'data-testid': 'queue-summary' });
  const rowsEl = h('ul', { class: 'queue-rows' });
  const spacer = h('div', { class: 'queue-spacer' }, rowsEl);
  const list = h(
    'div',
    { class: 'queue-list', role: 'listbox', 'aria-label': 'Patches', 'data-testid': 'queue-list' },
    spacer,
  );
  const empty = h('p', { class: 'queue-empty' });
  const element = h(
    'section',
    { class: 'panel queue' },
    h('header', { class: 'panel-header' }, h('h2', {}, 'Patches'), count),
    h('div', { class: 'queue-filters' }, stateSelect, confSelect),
    h('div', { class: 'queue-filters' }, areaSelect, classSelect),
    h('div', { class: 'queue-filters' }, kindSelect, runSelect),
    h('div', { class: 'queue-filters' }, sortSelect),
    summaryLine,
    options.bar ?? null,
    h(
      'div',
      { class: 'queue-head', 'aria-hidden': 'true' },
      h('span', { class: 'col-num' }, 'No.'),
      h('span', {}, 'State'),
      h('span', { class: 'col-area' }, 'Area'),
      h('span', { class: 'col-conf' }, 'Conf.'),
      h('span', { class: 'col-learnt', title: 'Learnt probability of being confirmed' }, 'Learnt'),
    ),
    list,
    empty,
  );
  element.append(resizeHandle(element, 'landwatch.queueHeight'));

  // One listener for every row: rows come and go as the list scrolls.
  rowsEl.addEventListener('click', (event) => {
    const li = (event.target as HTMLElement).closest<HTMLElement>('.patch-row');
    const id = li?.dataset.patchId;
    if (!id) return;
    const mouse = event as MouseEvent;
    if (mouse.ctrlKey || mouse.metaKey) options.onMark(id);
    else if (mouse.shiftKey) options.onRange(id);
    else options.onSelect(id);
  });

  let visible: PatchView[] = [];
  let shownPatches: PatchView[] | null = null;
  let shownFilters: Filters | null = null;
  let shownSort = '';
  let shownShares: AppState['referenceShares'] = null;
  let learnt: AppState['learnt'] = null;
  let shownCodes: AppState['codeLists'] = null;
  let shownProject: AppState['project'] = null;
  let shownKinds = '';
  let selectedId: string | null = null;
  let marked: readonly string[] = [];
  let drawn = { start: -1, end: -1 };
  let drawnKey = '';

  function draw(force = false): void {
    const range = visibleRange(
      list.scrollTop,
      list.clientHeight || 600,
      ROW_HEIGHT,
      visible.length,
    );
    const key = `${selectedId}|${marked.join(',')}`;
    if (!force && range.start === drawn.start && range.end === drawn.end && key === drawnKey) {
      return;
    }
    drawn = range;
    drawnKey = key;
    const markedSet = new Set(marked);
    const rows: HTMLElement[] = [];
    for (let i = range.start; i < range.end; i++) {
      const p = visible[i];
      rows.push(row(p, p.id === selectedId, markedSet.has(p.id), i, learnt));
    }
    rowsEl.style.transform = `translateY(${range.start * ROW_HEIGHT}px)`;
    replaceChildren(rowsEl, ...rows);
  }

  let frame = 0;
  list.addEventListener('scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      draw();
    });
  });
  new ResizeObserver(() => draw(true)).observe(list);

  return {
    element,
    update(state) {
      let force = false;
      if (state.codeLists !== shownCodes) {
        shownCodes = state.codeLists;
        replaceChildren(
          classSelect,
          h('option', { value: 'all' }, 'All classes'),
          h('option', { value: '' }, 'Unclassified'),
          ...(state.codeLists?.changeClass ?? [])
            .filter((c) => c.active)
            .map((c) => h('option', { value: c.code }, `${c.code} ${c.label}`)),
        );
        classSelect.value = state.filters.changeClass;
      }
      if (state.project !== shownProject) {
        shownProject = state.project;
        replaceChildren(
          runSelect,
          h('option', { value: 'all' }, 'All runs'),
          ...runChoices(state.project).map((r) => h('option', { value: r.id }, runLabel(r))),
        );
        runSelect.value = state.filters.runId;
      }
      if (state.patches !== shownPatches) {
        // Kinds come from the patches (the model's vocabulary), so the list follows them.
        const kinds = changeKinds(state.patches);
        if (kinds.join('|') !== shownKinds) {
          shownKinds = kinds.join('|');
          replaceChildren(
            kindSelect,
            h('option', { value: 'all' }, 'All kinds'),
            h('option', { value: '' }, 'No kind reported'),
            ...kinds.map((k) => h('option', { value: k }, kindLabel(k))),
          );
        }
      }
      if (
        state.patches !== shownPatches ||
        state.filters !== shownFilters ||
        state.sort !== shownSort ||
        state.referenceShares !== shownShares ||
        (state.learnt !== learnt && state.sort === LEARNT_SORT)
      ) {
        shownShares = state.referenceShares;
        shownPatches = state.patches;
        shownFilters = state.filters;
        shownSort = state.sort;
        sortSelect.value = state.sort;
        stateSelect.value = state.filters.state;
        confSelect.value = String(state.filters.minConfidence);
        areaSelect.value = String(state.filters.minAreaM2);
        classSelect.value = state.filters.changeClass;
        kindSelect.value = state.filters.changeKind;
        runSelect.value = state.filters.runId;
        visible = visiblePatches(state);
        spacer.style.height = `${visible.length * ROW_HEIGHT}px`;
        count.textContent = `${visible.length} of ${state.patches.length}`;
        count.dataset.shown = String(visible.length);
        count.dataset.total = String(state.patches.length);
        empty.hidden = visible.length > 0;
        list.hidden = visible.length === 0;
        empty.textContent = !state.project
          ? 'No project open.'
          : state.patches.length === 0
            ? 'No patches yet: run Detect to find changes.'
            : 'No patch matches the filters.';
        force = true;
      }
      if (state.learnt !== learnt) {
        learnt = state.learnt; // the learnt column changes in every row
        force = true;
      }
      if (sortSelect.value !== state.sort) sortSelect.value = state.sort;
      summaryLine.textContent = summaryText(state.summary);
      if (state.selectedId !== selectedId || state.marked !== marked || force) {
        const moved = state.selectedId !== selectedId;
        selectedId = state.selectedId;
        marked = state.marked;
        if (moved && selectedId) {
          const index = visible.findIndex((p) => p.id === selectedId);
          const top =
            index < 0 ? null : scrollToShow(index, list.scrollTop, list.clientHeight, ROW_HEIGHT);
          if (top !== null) list.scrollTop = top;
        }
        draw(true);
      }
    },
  };
}
