/**
 * The selected patch: its numbers, its comment, and the review buttons. Clicking Reject sends the
 * comment typed here; the X key asks for one in a prompt instead.
 */
import type { PatchView, ReviewState } from '../../../electron/common/contract.js';
import { formatArea, formatMu, stateLabel } from '../format.js';
import { confidenceText, patchSource, sourceLabel } from '../provenance.js';
import { selectedPatch, type AppState } from '../state.js';
import { h, replaceChildren } from '../ui/dom.js';

export interface ReviewOptions {
  onReview(state: ReviewState, comment: string | undefined): void;
  onZoom(): void;
  /** Shown under the patch's facts (why the learnt ranking placed it where it is). */
  extra?: HTMLElement;
}

export interface ReviewPanel {
  element: HTMLElement;
  update(state: AppState): void;
  /** Disables reviewing with a reason (another user is reviewing the patch), or enables it. */
  setLocked(reason: string | null): void;
}

const ACTIONS: { state: ReviewState; label: string; key: string; testId: string; cls: string }[] = [
  { state: 'confirmed', label: 'Confirm', key: 'C', testId: 'confirm', cls: 'btn-confirm' },
  { state: 'rejected', label: 'Reject', key: 'X', testId: 'reject', cls: 'btn-reject' },
  { state: 'field_check', label: 'Field check', key: 'F', testId: 'field-check', cls: 'btn-field' },
  { state: 'unreviewed', label: 'Unreviewed', key: 'U', testId: 'unreview', cls: 'btn-unreview' },
];

function fact(label: string, value: string): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, value)];
}

export function createReviewPanel(options: ReviewOptions): ReviewPanel {
  const title = h('h2', {}, 'No patch selected');
  const facts = h('dl', { class: 'facts' });
  const comment = h('textarea', {
    class: 'input',
    rows: 2,
    maxlength: 2000,
    placeholder: 'Comment (optional, saved with the review)',
    'aria-label': 'Review comment',
    'data-testid': 'review-comment',
  });
  const zoom = h(
    'button',
    {
      class: 'btn btn-ghost btn-sm',
      type: 'button',
      title: 'Zoom to patch (Z)',
      onclick: () => options.onZoom(),
    },
    'Zoom',
  );
  const buttons = ACTIONS.map((action) =>
    h(
      'button',
      {
        class: `btn ${action.cls}`,
        type: 'button',
        title: `${action.label} (${action.key})`,
        'data-testid': action.testId,
        'data-review-state': action.state,
        'data-title': `${action.label} (${action.key})`,
        onclick: () => options.onReview(action.state, comment.value.trim() || undefined),
      },
      action.label,
      h('kbd', {}, action.key),
    ),
  );
  const element = h(
    'section',
    { class: 'panel review', 'aria-label': 'Selected patch' },
    h('header', { class: 'panel-header' }, title, zoom),
    facts,
    options.extra ?? null,
    comment,
    h('div', { class: 'review-buttons' }, ...buttons),
  );

  let shown: PatchView | null | undefined;
  let locked: string | null = null;
  const enable = () => {
    for (const button of buttons) {
      button.disabled = !shown || locked !== null;
      button.title = locked ?? button.dataset.title ?? '';
    }
    comment.disabled = !shown || locked !== null;
  };

  return {
    element,
    update(state) {
      const patch = selectedPatch(state);
      if (patch === shown) return;
      const sameId = shown?.id === patch?.id;
      shown = patch;
      for (const button of buttons)
        button.classList.toggle('active', patch?.state === button.dataset.reviewState);
      enable();
      zoom.disabled = !patch;
      if (!patch) {
        title.textContent = 'No patch selected';
        replaceChildren(
          facts,
          h('p', { class: 'muted' }, 'Pick a patch in the list or on the map (J / K).'),
        );
        comment.value = '';
        return;
      }
      title.textContent = `Patch #${patch.number}`;
      replaceChildren(
        facts,
        ...fact('State', stateLabel(patch.state)),
        ...fact('Area', `${formatArea(patch.areaM2)} · ${formatMu(patch.areaMu)}`),
        ...fact('Perimeter', `${Math.round(patch.perimeterM).toLocaleString('en-US')} m`),
        ...fact('Confidence', confidenceText(patch)),
      );
      const source = h('dd', { 'data-testid': 'patch-source', 'data-source': patchSource(patch) });
      source.append(
        h('span', { class: `badge badge-source-${patchSource(patch)}` }, sourceLabel(patch)),
      );
      facts.append(h('dt', {}, 'Source'), source);
      // Keep what the analyst is typing when only the state of the same patch changed.
      if (!sameId) comment.value = patch.comment ?? '';
    },
    setLocked(reason) {
      if (reason === locked) return;
      locked = reason;
      enable();
    },
  };
}
