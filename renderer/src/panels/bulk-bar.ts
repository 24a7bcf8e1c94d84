/**
 * The bar above the queue for the multi-selection: how many patches are selected, select all
 * matching the filters (Ctrl+A), clear (Esc), and one decision for all of them — confirm, reject,
 * field check or a change class — each one undo step.
 */
import type { ReviewState } from '../../../electron/common/contract.js';
import { activeClasses } from '../attribute-rules.js';
import { bulkTargets } from '../multi-select.js';
import { visiblePatches, type AppState } from '../state.js';
import { h, replaceChildren } from '../ui/dom.js';

export interface BulkBarOptions {
  review(state: ReviewState): void;
  setClass(code: string): void;
  selectAll(): void;
  clear(): void;
}

export interface BulkBar {
  element: HTMLElement;
  update(state: AppState): void;
}

export function createBulkBar(options: BulkBarOptions): BulkBar {
  const button = (label: string, testId: string, title: string, onclick: () => void) =>
    h(
      'button',
      { class: 'btn btn-sm', type: 'button', title, 'data-testid': testId, onclick },
      label,
    );
  const count = h('span', { class: 'bulk-count', 'data-testid': 'bulk-count' });
  const selectAll = button(
    'Select all',
    'bulk-select-all',
    'Select every patch matching the filters (Ctrl+A)',
    options.selectAll,
  );
  const clear = button('Clear', 'bulk-clear', 'Clear the selection (Esc)', options.clear);
  const classSelect = h('select', {
    class: 'input input-sm',
    'aria-label': 'Change class of the selected patches',
    'data-testid': 'bulk-class',
  });
  classSelect.addEventListener('change', () => {
    if (classSelect.value) options.setClass(classSelect.value);
    classSelect.value = '';
  });
  const decisions = h(
    'div',
    { class: 'bulk-decisions' },
    button('Confirm', 'bulk-confirm', 'Confirm every selected patch (C)', () =>
      options.review('confirmed'),
    ),
    button('Reject', 'bulk-reject', 'Reject every selected patch (X)', () =>
      options.review('rejected'),
    ),
    button('Field check', 'bulk-field', 'Field check for every selected patch (F)', () =>
      options.review('field_check'),
    ),
    classSelect,
  );
  const element = h(
    'div',
    { class: 'bulk-bar', 'data-testid': 'bulk-bar' },
    h('div', { class: 'bulk-line' }, count, selectAll, clear),
    decisions,
  );
  let shownCodes: AppState['codeLists'] = null;

  return {
    element,
    update(state) {
      const n = bulkTargets(state).length;
      const shown = visiblePatches(state).length;
      count.textContent = n > 0 ? `${n} selected` : 'Ctrl+click, Shift+click: select several';
      count.dataset.count = String(n);
      selectAll.textContent = `Select all ${shown}`;
      selectAll.disabled = shown === 0;
      clear.hidden = n === 0;
      decisions.hidden = n < 2;
      if (state.codeLists !== shownCodes) {
        shownCodes = state.codeLists;
        replaceChildren(
          classSelect,
          h('option', { value: '' }, 'Set class…'),
          ...activeClasses(state.codeLists).map((c) =>
            h('option', { value: c.code }, `${c.code} ${c.label}`),
          ),
        );
      }
    },
  };
}
