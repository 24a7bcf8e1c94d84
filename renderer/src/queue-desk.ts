/**
 * Review at scale, wired together: the multi-selection bar with its bulk decisions, the review
 * keys acting on the multi-selection while two or more patches are picked, select all (Ctrl+A),
 * and go to a patch number or a point (G).
 */
import type { LandWatchApi, ReviewState } from '../../electron/common/contract.js';
import { createBulkActions } from './bulk-actions.js';
import { resolveGoTo } from './go-to.js';
import { clearMarked, markAll } from './multi-select.js';
import type { PatchActions } from './patch-actions.js';
import { createBulkBar } from './panels/bulk-bar.js';
import { LEARNT_SORT, REFERENCE_SORT } from './queue-sort.js';
import type { AppState, Store } from './state.js';
import { promptComment } from './ui/modal.js';

export interface QueueDeskDeps {
  api: LandWatchApi;
  store: Store<AppState>;
  actions: PatchActions;
  centerOn(point: [number, number]): void;
  /** The reference layer the reference panel filters on, if any. */
  referenceLayer(projectId: string): string | null;
  report(err: unknown, context?: string): void;
}

export function createQueueDesk(deps: QueueDeskDeps) {
  const { api, store, actions, report } = deps;
  const bulk = createBulkActions(api, store, actions.edit);
  const selectAll = () => store.update(markAll);
  const clear = () => store.update(clearMarked);
  const bar = createBulkBar({
    review: (state) => {
      if (!bulk.review(state))
        report(new Error('Select two or more patches first.'), 'Bulk review');
    },
    setClass: (code) => void bulk.setClass(code),
    selectAll,
    clear,
  });

  async function goTo(): Promise<void> {
    const typed = await promptComment(
      'Go to a patch number, or x, y in the scene CRS',
      '17  or  500120.5, 3400250',
    );
    if (!typed) return;
    const s = store.get();
    const found = resolveGoTo(typed, s.patches, s.project?.scenes.before.extent ?? null);
    if (found instanceof Error) return report(found, 'Go to');
    if ('patchId' in found) {
      // A patch the filters hide is still selected: the filters go back to show everything.
      if (!store.get().patches.some((p) => p.id === found.patchId)) return;
      actions.selectAndZoom(found.patchId);
    } else deps.centerOn(found.point);
  }

  /**
   * Sorting by reference overlap first fetches every patch's share of the chosen layer; the learnt
   * ranking is fetched afresh (before it is ready the queue keeps the store's rank and says why).
   */
  async function setSort(sort: string): Promise<void> {
    const projectId = store.get().project?.id;
    if (sort === LEARNT_SORT && projectId) {
      const learnt = await api.invoke('rank.learnt', { projectId });
      store.update((s) => (s.project?.id === projectId ? { ...s, sort, learnt } : s));
      if (!learnt.ready && learnt.message) throw new Error(learnt.message);
      return;
    }
    if (sort !== REFERENCE_SORT || !projectId) {
      store.update((s) => ({ ...s, sort }));
      return;
    }
    const layers = await api.invoke('reference.list', { projectId });
    const layerId = deps.referenceLayer(projectId) ?? layers[0]?.id;
    if (!layerId) {
      throw new Error('Import a reference layer first (Reference layers panel) to sort by it.');
    }
    const shares = await api.invoke('reference.shares', { projectId, layerId });
    store.update((s) => ({ ...s, sort, referenceShares: shares }));
  }

  return {
    bar,
    setSort: (sort: string) =>
      void setSort(sort).catch((err: unknown) => {
        report(err, 'Sorting the queue');
        store.update((s) => ({ ...s })); // the sort menu shows the order kept
      }),
    selectAll,
    clear,
    goTo: () => void goTo().catch((err: unknown) => report(err, 'Go to')),
    /** A review key: the multi-selection when there is one, else the selected patch. */
    review(state: ReviewState): void {
      if (!bulk.review(state)) {
        if (state === 'rejected') void actions.rejectWithComment();
        else actions.review(state);
      }
    },
    setClassByKey(key: string): void {
      if (!bulk.setClassByKey(key)) actions.setClassByKey(key);
    },
  };
}
