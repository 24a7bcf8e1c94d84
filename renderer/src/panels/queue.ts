/**
 * The review queue: patches ranked by meanProb × area (most important first) with number, state,
 * area (m² and mu) and confidence. A click selects the patch (the map then zooms to it).
 */
import type { PatchView } from '../../../electron/common/contract.js';
import { formatArea, formatMu, formatPercent, stateLabel } from '../format.js';
import { visiblePatches, type AppState, type Filters, type StateFilter } from '../state.js';
import { h, replaceChildren } from '../ui/dom.js';

export interface QueueOptions {
  onSelect(id: string): void;
  onFilter(filters: Partial<Filters>): void;
}

export interface QueuePanel {
  element: HTMLElement;
  update(state: AppState): void;
}

const STATE_FILTERS: { value: StateFilter; label: string }[] = [
  { value: 'all', label: 'All states' },
  { value: 'unreviewed', label: 'Unreviewed' },
  { value: 'confirmed', label: 'Confirmed' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'field_check', label: 'Field check' },
];

const CONFIDENCE_FILTERS = [0, 0.5, 0.7, 0.9];

function row(patch: PatchView, onSelect: (id: string) => void): HTMLElement {
  return h(
    'li',
    {
      class: 'patch-row',
      role: 'option',
      'aria-selected': 'false',
      tabindex: '-1',
      'data-testid': 'patch-row',
      'data-patch-id': patch.id,
      'data-state': patch.state,
      onclick: () => onSelect(patch.id),
    },
    h('span', { class: 'col-num' }, `#${patch.number}`),
    h('span', { class: `badge badge-${patch.state}` }, stateLabel(patch.state)),
    h(
      'span',
      { class: 'col-area' },
      h('span', {}, formatArea(patch.areaM2)),
      h('span', { class: 'muted' }, formatMu(patch.areaMu)),
    ),
    h(
      'span',
      {
        class: 'col-conf',
        title: `mean ${formatPercent(patch.meanProb)}, max ${formatPercent(patch.maxProb)}`,
      },
      formatPercent(patch.meanProb),
    ),
  );
}

export function createQueuePanel(options: QueueOptions): QueuePanel {
  const stateSelect = h(
    'select',
    { class: 'input input-sm', 'aria-label': 'Filter by state', 'data-testid': 'filter-state' },
    ...STATE_FILTERS.map((f) => h('option', { value: f.value }, f.label)),
  );
  const confSelect = h(
    'select',
    {
      class: 'input input-sm',
      'aria-label': 'Minimum confidence',
      'data-testid': 'filter-confidence',
    },
    ...CONFIDENCE_FILTERS.map((c) =>
      h('option', { value: String(c) }, c === 0 ? 'Any confidence' : `≥ ${formatPercent(c)}`),
    ),
  );
  stateSelect.addEventListener('change', () =>
    options.onFilter({ state: stateSelect.value as StateFilter }),
  );
  confSelect.addEventListener('change', () =>
    options.onFilter({ minConfidence: Number(confSelect.value) }),
  );
  const count = h('span', { class: 'queue-count', 'data-testid': 'queue-count' });
  const list = h('ul', { class: 'queue-list', role: 'listbox', 'aria-label': 'Patches' });
  const empty = h('p', { class: 'queue-empty' });
  const element = h(
    'section',
    { class: 'panel queue' },
    h('header', { class: 'panel-header' }, h('h2', {}, 'Patches'), count),
    h('div', { class: 'queue-filters' }, stateSelect, confSelect),
    h(
      'div',
      { class: 'queue-head', 'aria-hidden': 'true' },
      h('span', { class: 'col-num' }, 'No.'),
      h('span', {}, 'State'),
      h('span', { class: 'col-area' }, 'Area'),
      h('span', { class: 'col-conf' }, 'Conf.'),
    ),
    list,
    empty,
  );

  let shownPatches: PatchView[] | null = null;
  let shownFilters: Filters | null = null;
  let shownSelection: string | null = null;
  const rows = new Map<string, HTMLElement>();

  function markSelection(id: string | null): void {
    if (shownSelection) {
      const old = rows.get(shownSelection);
      old?.classList.remove('selected');
      old?.setAttribute('aria-selected', 'false');
    }
    shownSelection = id;
    const current = id ? rows.get(id) : undefined;
    if (current) {
      current.classList.add('selected');
      current.setAttribute('aria-selected', 'true');
      current.scrollIntoView({ block: 'nearest' });
    }
  }

  return {
    element,
    update(state) {
      if (state.patches !== shownPatches || state.filters !== shownFilters) {
        shownPatches = state.patches;
        shownFilters = state.filters;
        stateSelect.value = state.filters.state;
        confSelect.value = String(state.filters.minConfidence);
        const visible = visiblePatches(state);
        rows.clear();
        shownSelection = null;
        replaceChildren(
          list,
          ...visible.map((patch) => {
            const el = row(patch, options.onSelect);
            rows.set(patch.id, el);
            return el;
          }),
        );
        count.textContent = `${visible.length} of ${state.patches.length}`;
        empty.hidden = visible.length > 0;
        list.hidden = visible.length === 0;
        empty.textContent = !state.project
          ? 'No project open.'
          : state.patches.length === 0
            ? 'No patches yet: run Detect to find changes.'
            : 'No patch matches the filters.';
      }
      if (state.selectedId !== shownSelection) markSelection(state.selectedId);
    },
  };
}
