/**
 * What the analyst does to patches from the keyboard, the panels and the map: reviews and J / K
 * steps, edits with undo / redo, class keys, edit tools, merge and delete. Reviews, steps and edits
 * each run one after another, every one on the selection of its turn, so a quick key sequence never
 * overtakes itself even when the backend is slow. Every failure reaches `report`.
 */
import type {
  EditResult,
  LandWatchApi,
  PatchFilter,
  PatchView,
  ReviewState,
} from '../../electron/common/contract.js';
import { activeClasses } from './attribute-rules.js';
import { classIndexForKey } from './keys.js';
import { RANK_SORT } from './queue-sort.js';
import * as S from './state.js';
import { promptComment } from './ui/modal.js';

/** What the actions need of the map (it is created after them, so reached through functions). */
export interface ActionMap {
  zoomToPatch(id: string): void;
  /** Shows the stored patches and edit mode again after a refused edit. */
  showStored(state: S.AppState): void;
}

export interface PatchActionDeps {
  api: LandWatchApi;
  store: S.Store<S.AppState>;
  report: (err: unknown, context?: string) => void;
  map: ActionMap;
  refreshCounts: (projectId: string) => Promise<void>;
  /** The queue filter with the reference-layer filter added. */
  withReference: (projectId: string, filter: PatchFilter) => PatchFilter;
  /** The version a review says it read (team projects: a stale one is refused), or nothing. */
  readVersions?: (patch: PatchView) => { expectVersions?: Record<string, number> };
}

export type PatchActions = ReturnType<typeof createPatchActions>;

export function createPatchActions(deps: PatchActionDeps) {
  const { api, store, report, map, refreshCounts, withReference } = deps;

  // Edits run one after another, like reviews, so a quick Ctrl+Z never overtakes the edit it undoes.
  let editChain: Promise<void> = Promise.resolve();
  function edit(context: string, call: (projectId: string) => Promise<EditResult>): void {
    editChain = editChain.then(async () => {
      const projectId = store.get().project?.id;
      if (!projectId) return;
      try {
        const result = await call(projectId);
        store.update((s) => S.applyEdit(s, result));
        await refreshCounts(projectId);
      } catch (err) {
        report(err, context);
        // What the map shows may be a refused edit (a dragged vertex): show what is stored again.
        map.showStored(store.get());
      }
    });
  }

  function selectedOrWarn(what: string): PatchView | null {
    const patch = S.selectedPatch(store.get());
    if (!patch) report(new Error(`Select a patch first (J / K or a click) to ${what}.`), 'Editing');
    return patch;
  }

  function setClassByKey(key: string): void {
    const index = classIndexForKey(key);
    const s = store.get();
    const patch = S.selectedPatch(s);
    if (index === null || !patch) return;
    const entry = activeClasses(s.codeLists)[index];
    if (!entry) return;
    edit(`Setting the change class of #${patch.number}`, (projectId) =>
      api.invoke('patches.setAttributes', {
        projectId,
        patchIds: [patch.id],
        attributes: { changeClass: entry.code },
      }),
    );
  }

  function toggleTool(mode: S.EditMode): void {
    if (mode !== 'draw' && !selectedOrWarn(mode === 'split' ? 'split it' : 'edit it')) return;
    store.update((s) => ({ ...s, editMode: s.editMode === mode ? 'select' : mode }));
  }

  function mergeMarked(): void {
    const ids = S.mergeCandidates(store.get());
    if (ids.length < 2) {
      report(
        new Error(
          'Ctrl+click the patches to merge with the selected one in the queue (Shift+click on the map), then press M.',
        ),
        'Merging',
      );
      return;
    }
    const primaryId = store.get().selectedId ?? undefined;
    edit('Merging patches', (projectId) =>
      api.invoke('patches.merge', {
        projectId,
        patchIds: ids,
        ...(primaryId ? { primaryId } : {}),
      }),
    );
  }

  function deleteSelected(): void {
    const patch = selectedOrWarn('delete it');
    if (!patch) return;
    edit(`Deleting patch #${patch.number}`, (projectId) =>
      api.invoke('patches.delete', { projectId, patchIds: [patch.id] }),
    );
  }

  function undoRedo(which: 'undo' | 'redo'): void {
    edit(which === 'undo' ? 'Undo' : 'Redo', (projectId) =>
      api.invoke(which === 'undo' ? 'history.undo' : 'history.redo', { projectId }),
    );
  }

  function toggleHeat(): void {
    const s = store.get();
    if (!s.heat && !S.heatRun(s)) {
      report(
        new Error('No probability raster to show: run Detect (runs keep theirs in a work folder).'),
        'Heat layer',
      );
      return;
    }
    store.update((st) => ({ ...st, heat: !st.heat }));
  }

  function selectAndZoom(id: string | null): void {
    store.update((s) => S.select(s, id));
    if (id) map.zoomToPatch(id);
  }

  // J / K ask the store for the neighbour in its ranking (patches.next), so stepping costs the
  // same on 10,000 patches as on ten. Steps run one after another, each from the selection of its
  // turn, so J pressed three times moves three patches.
  let moveChain: Promise<void> = Promise.resolve();
  function move(delta: 1 | -1): Promise<void> {
    moveChain = moveChain.then(async () => {
      const s = store.get();
      if (!s.project) return;
      if (s.sort !== RANK_SORT) return moveInList(s, delta);
      try {
        const request = S.nextRequest(s, delta);
        const found = await api.invoke('patches.next', {
          projectId: s.project.id,
          ...request,
          filter: withReference(s.project.id, request.filter),
        });
        const before = store.get().selectedId;
        store.update((st) => S.selectFound(st, found));
        const after = store.get().selectedId;
        if (after && after !== before) map.zoomToPatch(after);
      } catch (err) {
        report(err, delta > 0 ? 'Next patch' : 'Previous patch');
      }
    });
    return moveChain;
  }

  /** J / K under another sort than the store's ranking: the neighbour in the list as shown. */
  function moveInList(s: S.AppState, delta: 1 | -1): void {
    const shown = S.visiblePatches(s);
    const at = shown.findIndex((p) => p.id === s.selectedId);
    const next = at < 0 ? shown[0] : shown[at + delta];
    if (next) selectAndZoom(next.id);
  }

  // Reviews run one after another, each on the selection of its turn: pressing C three times
  // confirms three patches in queue order even if the backend is slow.
  let reviewChain: Promise<void> = Promise.resolve();
  function review(state: ReviewState, comment?: string): void {
    reviewChain = reviewChain.then(async () => {
      const s = store.get();
      const patch = S.selectedPatch(s);
      if (!patch || !s.project) return;
      try {
        const updated = await api.invoke('patches.review', {
          projectId: s.project.id,
          patchId: patch.id,
          state,
          ...(comment !== undefined ? { comment } : {}),
          ...deps.readVersions?.(patch),
        });
        store.update((st) => S.applyReview(st, updated));
        // Awaited, so the next review in the chain acts on the patch moved to.
        if (state !== 'unreviewed' && store.get().selectedId === patch.id) await move(1);
        void refreshCounts(s.project.id).catch((err: unknown) => report(err, 'Counting'));
      } catch (err) {
        report(err, `Reviewing patch #${patch.number}`);
      }
    });
  }

  async function rejectWithComment(): Promise<void> {
    const patch = S.selectedPatch(store.get());
    if (!patch) return;
    const comment = await promptComment(`Reject patch #${patch.number}`);
    if (comment !== null) review('rejected', comment || undefined);
  }

  return {
    edit,
    setClassByKey,
    toggleTool,
    mergeMarked,
    deleteSelected,
    undoRedo,
    toggleHeat,
    selectAndZoom,
    move,
    review,
    rejectWithComment,
  };
}
