/**
 * Handlers of the team channels (lease-contract.ts): leases, work packages and second checks. A
 * team project's store does the work and its checks (roles, leases); a local project file has
 * none of this, so its reads answer empty and its writes are refused with a clear message.
 */
import type { LeaseChannel } from '../../common/lease-contract.js';
import type { ParsedRequestOf, ResponseOf } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import type { ReviewStore, TeamOps } from '../store/review-store.js';

export type LeaseHandlers = {
  [C in LeaseChannel]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>>;
};

/** The team operations of a project, or E_BAD_REQUEST saying why a project file has none. */
function teamOf(store: ReviewStore, what: string): TeamOps {
  if (store.team) return store.team;
  throw new LandWatchError(
    'E_BAD_REQUEST',
    `${what} belong to team projects (PostgreSQL); this is a local project file with a single analyst.`,
  );
}

/**
 * @param store - the open project with that id (throws E_NOT_FOUND when it is not open)
 * @param actor - who is acting (the logged-in user on a team server)
 */
export function leaseHandlers(
  store: (projectId: string) => ReviewStore,
  actor: () => string,
): LeaseHandlers {
  return {
    'leases.take': async (req) =>
      teamOf(store(req.projectId), 'Leases').takeLease(Number(req.patchId), actor()),
    'leases.release': async (req) => {
      const team = store(req.projectId).team;
      return { released: team ? await team.releaseLease(Number(req.patchId), actor()) : false };
    },
    'leases.list': async (req) => {
      const team = store(req.projectId).team;
      return team ? team.leases(actor()) : { user: actor(), role: null, leases: [] };
    },
    'packages.create': async (req) =>
      teamOf(store(req.projectId), 'Work packages').createPackage(actor(), {
        name: req.name,
        assignee: req.assignee,
        ...(req.patchIds ? { patchIds: req.patchIds.map(Number) } : {}),
        ...(req.area ? { area: req.area.coordinates } : {}),
      }),
    'packages.list': async (req) => {
      const team = store(req.projectId).team;
      return team ? team.packages() : [];
    },
    'packages.delete': async (req) => ({
      deleted: await teamOf(store(req.projectId), 'Work packages').deletePackage(
        actor(),
        Number(req.packageId),
      ),
    }),
    'patches.check': async (req) =>
      teamOf(store(req.projectId), 'Second checks').check(actor(), req.patchIds.map(Number)),
  };
}
