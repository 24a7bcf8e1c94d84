/**
 * Handlers of the learnt-ranking channels (rank-contract.ts). The backend has validated each
 * payload; the ranking is refitted only when the project changed since the last request.
 */
import type { ParsedRequestOf, ResponseOf } from '../../common/contract.js';
import type { RankChannel } from '../../common/rank-contract.js';
import { LandWatchError } from '../errors.js';
import { projectRanking } from '../rank/project-ranking.js';
import type { ProjectStore } from '../store/project-store.js';

export type RankHandlers = {
  [C in RankChannel]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>>;
};

/** @param store - the open project with that id (throws E_NOT_FOUND when it is not open) */
export function rankHandlers(store: (projectId: string) => ProjectStore): RankHandlers {
  return {
    'rank.learnt': async (req) => {
      const ranking = projectRanking(store(req.projectId));
      if (!ranking.ready) {
        const { decisions, needed, message } = ranking;
        return { ready: false, decisions, needed, message, probabilities: {} };
      }
      return {
        ready: true,
        decisions: ranking.decisions,
        needed: 0,
        message: null,
        probabilities: Object.fromEntries(ranking.probability),
      };
    },
    'rank.explain': async (req) => {
      const project = store(req.projectId);
      const ranking = projectRanking(project);
      if (!ranking.ready) {
        return {
          ready: false,
          probability: null,
          verdict: null,
          reasons: [],
          message: ranking.message,
        };
      }
      const probability = ranking.probability.get(req.patchId);
      if (probability === undefined) {
        const p = project.patch(Number(req.patchId)); // E_NOT_FOUND for a patch that never was
        throw new LandWatchError(
          'E_BAD_REQUEST',
          `Patch #${p.number} is not in the queue (deleted, or hidden behind a decided patch): it has no learnt rank.`,
        );
      }
      return {
        ready: true,
        probability,
        verdict: probability >= 0.5 ? 'high' : 'low',
        reasons: ranking
          .reasons(req.patchId, req.top)
          .map((r) => ({ phrase: r.phrase, contribution: r.contribution })),
        message: null,
      };
    },
  };
}
