/**
 * The selected patch's history (Y): every recorded change, oldest first, who and when, with
 * "revert to this outline" on each change of its outline and "revert to the model's outline" for
 * a detected patch a person reshaped. Reverts are edits like any other (one undo step each).
 */
import type {
  EditResult,
  LandWatchApi,
  PatchAuditEntry,
  PatchView,
} from '../../../electron/common/contract.js';
import { sourceLabel } from '../provenance.js';
import { selectedPatch, type AppState } from '../state.js';
import { h, replaceChildren } from '../ui/dom.js';

export interface HistoryPanelOptions {
  api: LandWatchApi;
  projectId(): string | null;
  edit(context: string, call: (projectId: string) => Promise<EditResult>): void;
  onError(err: unknown, context: string): void;
}

/** The outline an audit row replaced, as polygon rings, or null (none, or a multipolygon). */
export function outlineBefore(entry: PatchAuditEntry): number[][][] | null {
  const g = entry.before?.geometry;
  if (typeof g !== 'string') return null;
  try {
    const parsed = JSON.parse(g) as { type: string; coordinates: number[][][] };
    return parsed.type === 'Polygon' ? parsed.coordinates : null;
  } catch {
    return null;
  }
}

const FIELD_NAMES: Record<string, string> = {
  state: 'state',
  comment: 'comment',
  geometry: 'outline',
  change_class: 'class',
  note: 'note',
  deleted: 'deleted',
};

function describe(entry: PatchAuditEntry): string {
  const fields = Object.keys(entry.after ?? entry.before ?? {})
    .map((k) => FIELD_NAMES[k])
    .filter(Boolean);
  const what = fields.length > 0 ? `: ${[...new Set(fields)].join(', ')}` : '';
  return `${entry.action}${what}`;
}

export function createHistoryPanel(options: HistoryPanelOptions) {
  const title = h('h2', {}, 'History');
  const toggle = h(
    'button',
    {
      class: 'btn btn-ghost btn-sm',
      type: 'button',
      'data-testid': 'history-open',
      title: 'History of the selected patch (Y)',
    },
    'Show',
  );
  const source = h('p', { class: 'hint', 'data-testid': 'history-source' });
  const revertModel = h(
    'button',
    { class: 'btn btn-sm', type: 'button', 'data-testid': 'revert-model' },
    "Revert to the model's outline",
  );
  const list = h('ol', { class: 'history-list', 'data-testid': 'history-list' });
  const body = h('div', { class: 'history-body' }, source, revertModel, list);
  const element = h(
    'section',
    { class: 'panel history', 'aria-label': 'Patch history' },
    h('header', { class: 'panel-header' }, title, toggle),
    body,
  );
  let open = false;
  let shown: PatchView | null = null;
  let loading = 0;
  body.hidden = true;

  const revert = (patch: PatchView, label: string, rings: number[][][] | null) =>
    options.edit(label, (projectId) =>
      rings
        ? options.api.invoke('patches.setGeometry', {
            projectId,
            patchId: patch.id,
            geometry: { type: 'Polygon', coordinates: rings },
          })
        : options.api.invoke('patches.revertGeometry', { projectId, patchId: patch.id }),
    );
  revertModel.addEventListener('click', () => {
    if (shown) revert(shown, `Reverting #${shown.number} to the model's outline`, null);
  });

  async function load(patch: PatchView): Promise<void> {
    const projectId = options.projectId();
    if (!projectId) return;
    const ticket = ++loading;
    const entries = await options.api.invoke('patches.history', { projectId, patchId: patch.id });
    if (ticket !== loading) return;
    replaceChildren(
      list,
      ...entries.map((e) => {
        const rings = outlineBefore(e);
        return h(
          'li',
          { 'data-testid': 'history-entry' },
          h('span', { class: 'hint' }, `${e.at.slice(0, 16).replace('T', ' ')} · ${e.actor}`),
          h('div', {}, describe(e)),
          rings
            ? h(
                'button',
                {
                  class: 'btn btn-sm',
                  type: 'button',
                  'data-testid': 'revert-outline',
                  onclick: () =>
                    revert(patch, `Reverting #${patch.number} to an earlier outline`, rings),
                },
                'Revert to the outline before this',
              )
            : null,
        );
      }),
    );
  }

  function render(): void {
    body.hidden = !open;
    toggle.textContent = open ? 'Hide' : 'Show';
    const patch = shown;
    title.textContent = patch ? `History of #${patch.number}` : 'History';
    toggle.disabled = !patch;
    if (!open || !patch) return;
    source.textContent = `Outline: ${sourceLabel(patch)}`;
    source.dataset.source = sourceLabel(patch);
    revertModel.hidden = !(patch.origin === 'model' && patch.edited);
    void load(patch).catch((err: unknown) => options.onError(err, 'Patch history'));
  }

  toggle.addEventListener('click', () => {
    open = !open;
    render();
  });

  return {
    element,
    toggle() {
      open = !open;
      render();
    },
    update(state: AppState) {
      const patch = selectedPatch(state);
      if (patch === shown) return;
      shown = patch;
      render();
    },
  };
}
