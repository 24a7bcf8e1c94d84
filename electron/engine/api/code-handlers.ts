/**
 * Handlers of the patch-code channels (codes-contract.ts): find similar patches, the earlier
 * decision at a patch's place, inheriting it, and coding what has no current code. The backend has
 * validated each payload; codes missing or stale are computed before any answer.
 */
import type { CodeChannel } from '../../common/codes-contract.js';
import type { ParsedRequestOf, ResponseOf } from '../../common/contract.js';
import { carryOver, inheritDecision } from '../codes/carry-over.js';
import { projectCodes } from '../codes/project-codes.js';
import type { ProjectStore } from '../store/project-store.js';

export type CodeHandlers = {
  [C in CodeChannel]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>>;
};

/**
 * Builds the handlers.
 *
 * @param store - the open project with that id (throws E_NOT_FOUND when it is not open)
 * @param actor - who is acting (recorded in the review, audit and history rows of an inherit)
 */
export function codeHandlers(
  store: (projectId: string) => ProjectStore,
  actor: () => string,
): CodeHandlers {
  const codes = (projectId: string) => projectCodes(store(projectId));
  return {
    'patches.similar': async (req) =>
      codes(req.projectId).similar(Number(req.patchId), req.limit, req.states),
    'patches.carryOver': async (req) => carryOver(codes(req.projectId), Number(req.patchId)),
    'patches.inherit': async (req) =>
      inheritDecision(codes(req.projectId), Number(req.patchId), actor()),
    'codes.update': async (req) => {
      const { coded, seconds } = await codes(req.projectId).ensure();
      return { coded, seconds };
    },
  };
}
