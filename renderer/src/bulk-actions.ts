/**
 * Decisions on many patches at once (the queue's multi-selection): review state and change class,
 * each one call and so one undo step (`patches.reviewMany`, `patches.setAttributes`). The review
 * keys use them while two or more patches are marked.
 */
import type { LandWatchApi, ReviewState } from '../../electron/common/contract.js';
import { activeClasses } from './attribute-rules.js';
import { classIndexForKey } from './keys.js';
import { bulkTargets, clearMarked } from './multi-select.js';
import type { PatchActions } from './patch-actions.js';
import type { AppState, Store } from './state.js';
import { promptComment } from './ui/modal.js';

export interface BulkActions {
  /** Reviews the multi-selection; false (nothing done) when fewer than two patches are marked. */
  review(state: ReviewState): boolean;
  /** Sets the change class of the key (1–9) on the multi-selection; false as for review. */
  setClassByKey(key: string): boolean;
  /** Sets a change class code on the multi-selection. */
  setClass(code: string): boolean;
}

export function createBulkActions(
  api: LandWatchApi,
  store: Store<AppState>,
  edit: PatchActions['edit'],
): BulkActions {
  const targets = () => {
    const ids = bulkTargets(store.get());
    return ids.length >= 2 ? ids : null;
  };

  async function review(state: ReviewState, ids: string[]): Promise<void> {
    let comment: string | undefined;
    if (state === 'rejected') {
      const typed = await promptComment(`Reject ${ids.length} patches`);
      if (typed === null) return;
      comment = typed || undefined;
    }
    edit(`Reviewing ${ids.length} patches`, (projectId) =>
      api.invoke('patches.reviewMany', {
        projectId,
        patchIds: ids,
        state,
        ...(comment ? { comment } : {}),
      }),
    );
    store.update(clearMarked);
  }

  function setClass(code: string): boolean {
    const ids = targets();
    if (!ids) return false;
    edit(`Setting the change class of ${ids.length} patches`, (projectId) =>
      api.invoke('patches.setAttributes', {
        projectId,
        patchIds: ids,
        attributes: { changeClass: code },
      }),
    );
    return true;
  }

  return {
    review(state) {
      const ids = targets();
      if (!ids) return false;
      void review(state, ids);
      return true;
    },
    setClassByKey(key) {
      const index = classIndexForKey(key);
      const entry = index === null ? undefined : activeClasses(store.get().codeLists)[index];
      return entry ? setClass(entry.code) : false;
    },
    setClass,
  };
}
