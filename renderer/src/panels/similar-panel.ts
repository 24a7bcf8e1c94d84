/**
 * Patch codes in the review desk (METHODS M5): the "Find similar" list (patches ranked by code
 * distance to the selected one; click or Enter goes to one) and the carry-over hint (the decision
 * taken on an earlier patch at the selected patch's place, with the key that inherits it).
 * Talks to the backend only through `patches.similar`, `patches.carryOver` and `patches.inherit`.
 */
import type { CarryOver, SimilarResult } from '../../../electron/common/codes-contract.js';
import type { EditResult, LandWatchApi, PatchView } from '../../../electron/common/contract.js';
import { formatArea, stateLabel } from '../format.js';
import { keyHint } from '../keys.js';
import { selectedPatch, type AppState } from '../state.js';
import { h, replaceChildren } from '../ui/dom.js';

export interface SimilarPanelOptions {
  api: LandWatchApi;
  /** Selects a patch and zooms to it; false when it is not in the current list. */
  select(id: string): boolean;
  /** Runs an edit through the app's edit chain (so undo and the counts follow). */
  edit(context: string, call: (projectId: string) => Promise<EditResult>): void;
  report(err: unknown, context: string): void;
}

export interface SimilarPanel {
  /** The ranked list (hidden until the first search). */
  element: HTMLElement;
  /** The carry-over line for the review panel (empty when there is nothing to carry over). */
  hint: HTMLElement;
  update(state: AppState): void;
  /** Ranks the project's patches by similarity to the selected one. */
  findSimilar(): void;
  /** Takes over the earlier decision shown in the hint. */
  inherit(): void;
}

function decisionText(c: CarryOver['earlier']): string {
  const parts = [stateLabel(c.state)];
  if (c.changeClass) parts.push(`class ${c.changeClass}`);
  if (c.note) parts.push(`“${c.note}”`);
  return parts.join(' · ');
}

export function createSimilarPanel(options: SimilarPanelOptions): SimilarPanel {
  const { api } = options;
  const title = h('h2', {}, 'Similar patches');
  const list = h('ol', { class: 'similar-list', 'data-testid': 'similar-list' });
  const status = h('p', { class: 'muted' });
  const close = h(
    'button',
    { class: 'btn btn-ghost btn-sm', type: 'button', onclick: () => (element.hidden = true) },
    'Close',
  );
  const element = h(
    'section',
    { class: 'panel similar', 'aria-label': 'Similar patches', hidden: true },
    h('header', { class: 'panel-header' }, title, close),
    status,
    list,
  );
  const hint = h('p', { class: 'carry-over', 'data-testid': 'carry-over', hidden: true });

  let state: AppState | null = null;
  let hintFor: string | null = null;
  let carry: CarryOver | null = null;
  let hintSeq = 0;

  function row(item: SimilarResult['items'][number], closeDistance: number): HTMLElement {
    const p: PatchView = item.patch;
    const cls = p.attributes?.changeClass ? ` · class ${p.attributes.changeClass}` : '';
    const button = h(
      'button',
      {
        class: `similar-item${item.distance <= closeDistance ? ' close' : ''}`,
        type: 'button',
        'data-patch-id': p.id,
        onclick: () => {
          if (!options.select(p.id))
            status.textContent = `#${p.number} is not in the current list (check the filters).`;
        },
      },
      h('span', { class: 'similar-number' }, `#${p.number}`),
      h('span', { class: 'similar-distance' }, `distance ${item.distance}`),
      h('span', { class: 'muted' }, `${stateLabel(p.state)}${cls} · ${formatArea(p.areaM2)}`),
    );
    return h('li', {}, button);
  }

  async function refreshHint(s: AppState, patch: PatchView): Promise<void> {
    const seq = ++hintSeq;
    const project = s.project;
    if (!project || patch.state !== 'unreviewed') return;
    try {
      const found = await api.invoke('patches.carryOver', {
        projectId: project.id,
        patchId: patch.id,
      });
      if (seq !== hintSeq) return; // the selection moved on while we waited
      carry = found;
      if (!found) return;
      hint.hidden = false;
      hint.classList.toggle('close', found.close);
      hint.textContent = found.close
        ? `Earlier round: ${decisionText(found.earlier)} — ${keyHint('press to inherit', 'inherit')}`
        : `Earlier decision here: ${decisionText(found.earlier)} (a different change: code distance ${found.distance})`;
    } catch (err) {
      // No code model installed, or the imagery is gone: the review desk works without the hint.
      if (seq === hintSeq) carry = null;
      void err;
    }
  }

  return {
    element,
    hint,
    update(s) {
      state = s;
      const patch = selectedPatch(s);
      const key = patch ? `${patch.id}:${patch.state}` : null;
      if (key === hintFor) return;
      hintFor = key;
      carry = null;
      hint.hidden = true;
      hintSeq++;
      if (patch) void refreshHint(s, patch);
    },
    findSimilar() {
      const s = state;
      const patch = s && selectedPatch(s);
      if (!s?.project || !patch) {
        options.report(
          new Error('Select a patch first (J / K or a click) to find similar ones.'),
          'Find similar',
        );
        return;
      }
      element.hidden = false;
      title.textContent = `Similar to #${patch.number}`;
      status.textContent = 'Comparing patch codes…';
      replaceChildren(list);
      api
        .invoke('patches.similar', { projectId: s.project.id, patchId: patch.id, limit: 10 })
        .then((result) => {
          status.textContent =
            result.items.length === 0
              ? 'No other patch to compare with.'
              : `Nearest first; distance ≤ ${result.closeDistance} is the same kind of change.`;
          replaceChildren(list, ...result.items.map((it) => row(it, result.closeDistance)));
          (list.querySelector('button') as HTMLButtonElement | null)?.focus();
        })
        .catch((err: unknown) => {
          status.textContent = '';
          options.report(err, `Finding patches similar to #${patch.number}`);
        });
    },
    inherit() {
      const patch = state && selectedPatch(state);
      if (!patch) return;
      if (!carry || !carry.close) {
        options.report(
          new Error(`Patch #${patch.number} has no close earlier decision to inherit.`),
          'Inherit',
        );
        return;
      }
      const from = carry.earlier.number;
      options.edit(`Inheriting the decision of #${from} for #${patch.number}`, (projectId) =>
        api.invoke('patches.inherit', { projectId, patchId: patch.id }),
      );
    },
  };
}
