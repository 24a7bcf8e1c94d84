/**
 * Handlers of the review and editing channels: the queue, bulk review, attributes, geometry
 * edits, undo/redo, patch history, code lists and settings. The backend has already validated
 * each payload against the contract; what is left here is turning ids into numbers, picking the
 * open project and naming the actor.
 *
 * They work only through the async {@link ReviewStore}, so the same handlers serve a project
 * file and a team project.
 */
import type { CodeChannel } from '../../common/codes-contract.js';
import type { Channel, ParsedRequestOf, ResponseOf } from '../../common/contract.js';
import type { LeaseChannel } from '../../common/lease-contract.js';
import { LandWatchError } from '../errors.js';
import type { ReviewStore } from '../store/review-store.js';
import type { ReadVersions } from '../store/versions.js';

type PatchChannel = Extract<
  Channel,
  `patches.${string}` | `history.${string}` | 'codeLists.get' | 'settings.get' | 'settings.set'
>;

/** Channels handled here (patch codes: code-handlers.ts; second checks: lease-handlers.ts). */
export type PatchHandlers = {
  [C in Exclude<PatchChannel, CodeChannel | LeaseChannel>]: (
    req: ParsedRequestOf<C>,
  ) => Promise<ResponseOf<C>>;
};

/** Contract ids are validated decimal strings; the store keys patches by integer. */
const num = (id: string): number => Number(id);
const nums = (ids: string[]): number[] => ids.map(num);

/** patches.review takes any id string (older clients); it must still be an integer. */
function integerId(id: string): number {
  const n = Number(id);
  if (!Number.isInteger(n)) throw new LandWatchError('E_BAD_REQUEST', `Invalid patch id "${id}".`);
  return n;
}

/** The contract's `expectVersions` (patch id strings → version) as the store takes them. */
function versions(given: Record<string, number> | undefined): ReadVersions | undefined {
  if (!given) return undefined;
  const out: Record<number, number> = {};
  for (const [id, v] of Object.entries(given)) out[num(id)] = v;
  return out;
}

/**
 * Builds the handlers.
 *
 * @param store - the open project with that id (throws E_NOT_FOUND when it is not open)
 * @param actor - who is acting (recorded in reviews, audit rows and the history)
 */
export function patchHandlers(
  store: (projectId: string) => ReviewStore,
  actor: () => string,
): PatchHandlers {
  return {
    'patches.list': async (req) => store(req.projectId).patches(req.runId),
    'patches.review': async (req) =>
      store(req.projectId).review(
        integerId(req.patchId),
        req.state,
        req.comment ?? null,
        actor(),
        versions(req.expectVersions),
      ),
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
        versions(req.expectVersions),
      ),
    'patches.setAttributes': async (req) =>
      store(req.projectId).setAttributes(
        nums(req.patchIds),
        req.attributes,
        actor(),
        versions(req.expectVersions),
      ),
    'patches.setGeometry': async (req) =>
      store(req.projectId).setGeometry(
        num(req.patchId),
        req.geometry.coordinates,
        actor(),
        versions(req.expectVersions),
      ),
    'patches.revertGeometry': async (req) =>
      store(req.projectId).revertGeometry(num(req.patchId), actor(), versions(req.expectVersions)),
    'patches.split': async (req) =>
      store(req.projectId).split(num(req.patchId), req.line, actor(), versions(req.expectVersions)),
    'patches.merge': async (req) =>
      store(req.projectId).merge(
        nums(req.patchIds),
        req.primaryId === undefined ? undefined : num(req.primaryId),
        actor(),
        versions(req.expectVersions),
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
      store(req.projectId).deletePatches(nums(req.patchIds), actor(), versions(req.expectVersions)),
    'patches.history': async (req) => store(req.projectId).patchHistory(num(req.patchId)),
    'history.undo': async (req) => store(req.projectId).undo(actor()),
    'history.redo': async (req) => store(req.projectId).redo(actor()),
    'history.list': async (req) => {
      const s = store(req.projectId);
      return { entries: await s.historyList(req.limit), status: await s.historyStatus(actor()) };
    },
    'codeLists.get': async (req) => store(req.projectId).codeLists(),
    'settings.get': async (req) => store(req.projectId).settings(),
    'settings.set': async (req) =>
      store(req.projectId).setSettings({
        rejectCommentMinConfidence: req.rejectCommentMinConfidence,
      }),
  };
}
