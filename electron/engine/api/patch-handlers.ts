/**
 * Handlers of the review and editing channels: the queue, bulk review, attributes, geometry
 * edits, undo/redo, patch history, code lists and settings. The backend has already validated
 * each payload against the contract; what is left here is turning ids into numbers, picking the
 * open project and naming the actor.
 */
import type { CodeChannel } from '../../common/codes-contract.js';
import type { Channel, ParsedRequestOf, ResponseOf } from '../../common/contract.js';
import type { ProjectStore } from '../store/project-store.js';

type PatchChannel = Extract<
  Channel,
  `patches.${string}` | `history.${string}` | 'codeLists.get' | 'settings.get' | 'settings.set'
>;

/**
 * Channels handled here (patches.list and patches.review stay in the backend as they were; the
 * patch-code channels are in code-handlers.ts).
 */
export type PatchHandlers = {
  [C in Exclude<PatchChannel, 'patches.list' | 'patches.review' | CodeChannel>]: (
    req: ParsedRequestOf<C>,
  ) => Promise<ResponseOf<C>>;
};

/** Contract ids are validated decimal strings; the store keys patches by integer. */
const num = (id: string): number => Number(id);
const nums = (ids: string[]): number[] => ids.map(num);

/**
 * Builds the handlers.
 *
 * @param store - the open project with that id (throws E_NOT_FOUND when it is not open)
 * @param actor - who is acting (recorded in reviews, audit rows and the history)
 */
export function patchHandlers(
  store: (projectId: string) => ProjectStore,
  actor: () => string,
): PatchHandlers {
  return {
    'patches.queue': async (req) => store(req.projectId).queue(req.filter, req.offset, req.limit),
    'patches.next': async (req) =>
      store(req.projectId).next(
        req.filter,
        req.afterPatchId === undefined ? undefined : num(req.afterPatchId),
        req.backward,
      ),
    'patches.summary': async (req) => store(req.projectId).summary(),
    'patches.get': async (req) => store(req.projectId).patch(num(req.patchId)),
    'patches.reviewMany': async (req) =>
      store(req.projectId).reviewMany(
        req.patchIds ? nums(req.patchIds) : (req.filter ?? {}),
        req.state,
        req.comment ?? null,
        actor(),
      ),
    'patches.setAttributes': async (req) =>
      store(req.projectId).setAttributes(nums(req.patchIds), req.attributes, actor()),
    'patches.setGeometry': async (req) =>
      store(req.projectId).setGeometry(num(req.patchId), req.geometry.coordinates, actor()),
    'patches.revertGeometry': async (req) =>
      store(req.projectId).revertGeometry(num(req.patchId), actor()),
    'patches.split': async (req) => store(req.projectId).split(num(req.patchId), req.line, actor()),
    'patches.merge': async (req) =>
      store(req.projectId).merge(
        nums(req.patchIds),
        req.primaryId === undefined ? undefined : num(req.primaryId),
        actor(),
      ),
    'patches.create': async (req) =>
      store(req.projectId).createPatch(
        req.geometry.coordinates,
        req.state,
        req.comment ?? null,
        req.attributes ?? {},
        actor(),
      ),
    'patches.delete': async (req) =>
      store(req.projectId).deletePatches(nums(req.patchIds), actor()),
    'patches.history': async (req) => store(req.projectId).patchHistory(num(req.patchId)),
    'history.undo': async (req) => store(req.projectId).undo(actor()),
    'history.redo': async (req) => store(req.projectId).redo(actor()),
    'history.list': async (req) => {
      const s = store(req.projectId);
      return { entries: s.historyList(req.limit), status: s.historyStatus() };
    },
    'codeLists.get': async (req) => store(req.projectId).codeLists(),
    'settings.get': async (req) => store(req.projectId).settings(),
    'settings.set': async (req) =>
      store(req.projectId).setSettings({
        rejectCommentMinConfidence: req.rejectCommentMinConfidence,
      }),
  };
}
