/**
 * One row of the review queue: number (with a mark when a person edited ✎ or drew ✍ the outline),
 * state, area in m² and mu (or the change class), the model's confidence ("—" for a drawn
 * patch) and the learnt probability that the analyst confirms it ("—" before the ranking has
 * enough decisions; the tooltip says how many more). Selected and multi-selected rows are marked for styles and tests.
 */
import type { LearntRankingView, PatchView } from '../../../electron/common/contract.js';
import { formatArea, formatMu, stateLabel } from '../format.js';
import { confidenceCell, confidenceText, patchSource, sourceLabel } from '../provenance.js';
import { h } from '../ui/dom.js';

export function row(
  patch: PatchView,
  selected: boolean,
  marked: boolean,
  index: number,
  learnt: LearntRankingView | null = null,
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
    learntCell(patch, learnt),
  );
}

/** The learnt-probability cell: a percentage, or "—" with why there is none yet. */
export function learntCell(patch: PatchView, learnt: LearntRankingView | null): HTMLElement {
  const p = learnt?.ready ? learnt.probabilities[patch.id] : undefined;
  const title =
    p !== undefined
      ? `Learnt: ${Math.round(p * 100)} % likely to be confirmed (from ${learnt!.decisions.confirmed} confirmed and ${learnt!.decisions.rejected} rejected patches)`
      : (learnt?.message ?? 'The learnt ranking is loading…');
  return h(
    'span',
    { class: 'col-learnt', title, 'data-testid': 'learnt-cell' },
    p === undefined ? '—' : `${Math.round(p * 100)}%`,
  );
}
