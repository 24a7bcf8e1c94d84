/**
 * One row of the review queue: number (with a mark when a person edited ✎ or drew ✍ the outline),
 * state, area in m² and mu (or the change class), and the model's confidence ("—" for a drawn
 * patch). Selected and multi-selected rows are marked for styles and tests.
 */
import type { PatchView } from '../../../electron/common/contract.js';
import { formatArea, formatMu, stateLabel } from '../format.js';
import { confidenceCell, confidenceText, patchSource, sourceLabel } from '../provenance.js';
import { h } from '../ui/dom.js';

export function row(
  patch: PatchView,
  selected: boolean,
  marked: boolean,
  index: number,
): HTMLElement {
  const cls = patch.attributes?.changeClass;
  return h(
    'li',
    {
      class: `patch-row${selected ? ' selected' : ''}${marked ? ' marked' : ''}`,
      role: 'option',
      'aria-selected': String(selected),
      'aria-posinset': index + 1,
      tabindex: '-1',
      'data-testid': 'patch-row',
      'data-patch-id': patch.id,
      'data-state': patch.state,
      'data-change-class': cls ?? '',
      'data-source': patchSource(patch),
      title: 'Click: select · Ctrl+click: add to the selection · Shift+click: select a range',
    },
    h(
      'span',
      { class: 'col-num' },
      `#${patch.number}`,
      patchSource(patch) === 'model'
        ? null
        : h(
            'span',
            { class: `src-mark src-${patchSource(patch)}`, title: sourceLabel(patch) },
            patchSource(patch) === 'drawn' ? '✍' : '✎',
          ),
    ),
    h('span', { class: `badge badge-${patch.state}` }, stateLabel(patch.state)),
    h(
      'span',
      { class: 'col-area' },
      h('span', {}, formatArea(patch.areaM2)),
      h('span', { class: 'muted' }, cls ? `类${cls}` : formatMu(patch.areaMu)),
    ),
    h(
      'span',
      {
        class: 'col-conf',
        title: confidenceText(patch),
      },
      confidenceCell(patch),
    ),
  );
}
