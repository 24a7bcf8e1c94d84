/**
 * A team project in the window: ties the {@link TeamClient} (leases, packages) to the app's
 * store and panels. Opening a patch takes its lease; another user's lease disables the editing
 * buttons; a write refused with E_CONFLICT shows who changed the patch and when, and reloads it;
 * opening a patch reads it afresh (others decide and override too);
 * "Assigned to me" narrows the queue on the backend (`filter.assignee`).
 */
import type { LandWatchApi, PatchFilter, PatchView } from '../../../electron/common/contract.js';
import * as S from '../state.js';
import { createPackageList } from './package-list.js';
import { EMPTY_TEAM, TeamClient, lockReason, type TeamSnapshot } from './team-client.js';
import { createTeamPanel } from './team-panel.js';

export interface TeamDeskDeps {
  api: LandWatchApi;
  store: S.Store<S.AppState>;
  report(err: unknown, context?: string): void;
  /** Loads the queue again (its backend filter changed). */
  reloadQueue(): Promise<void>;
  /** Disables the patch panel's editing with a reason, or enables it (null). */
  lock(reason: string | null): void;
}

export type TeamDesk = ReturnType<typeof createTeamDesk>;

export function createTeamDesk(deps: TeamDeskDeps) {
  const { api, store, report } = deps;
  let team: TeamSnapshot = EMPTY_TEAM;
  const client = new TeamClient({
    api,
    onChange: (next) => {
      team = next;
      render(store.get());
    },
    onError: report,
  });

  const projectId = () => store.get().project?.id ?? null;
  const apply = (patches: PatchView[]) =>
    store.update((s) => patches.reduce((st, p) => S.applyReview(st, p), s));

  async function reload(patchId: string): Promise<void> {
    const id = projectId();
    if (id) apply([await api.invoke('patches.get', { projectId: id, patchId })]);
  }

  const panel = createTeamPanel((patch) => {
    const id = projectId();
    if (!id) return;
    api
      .invoke('patches.check', { projectId: id, patchIds: [patch.id] })
      .then(apply)
      .catch((err: unknown) => report(err, `Second-checking patch #${patch.number}`));
  });

  const packages = createPackageList({
    onAssignedToMe: (on) => {
      client.setAssignedToMe(on);
      deps
        .reloadQueue()
        .catch((err: unknown) => report(err, 'Loading the patches assigned to you'));
    },
    onCreate: (name, assignee) => {
      const id = projectId();
      const patchIds = S.mergeCandidates(store.get());
      if (!id) return;
      if (patchIds.length === 0) {
        report(
          new Error('Mark the patches to assign in the queue (Ctrl+click) first.'),
          'Work packages',
        );
        return;
      }
      api
        .invoke('packages.create', { projectId: id, name, assignee, patchIds })
        .then(() => client.refresh())
        .catch((err: unknown) => report(err, 'Assigning a work package'));
    },
    onDelete: (pkg) => {
      const id = projectId();
      if (!id) return;
      api
        .invoke('packages.delete', { projectId: id, packageId: pkg.id })
        .then(() => client.refresh())
        .catch((err: unknown) => report(err, `Deleting work package "${pkg.name}"`));
    },
  });

  function render(state: S.AppState): void {
    panel.update(state, team);
    packages.update(team);
    deps.lock(lockReason(team, S.selectedPatch(state)));
  }

  return {
    panel: panel.element,
    packages: packages.element,
    update(state: S.AppState, previous: S.AppState): void {
      client.setProject(state.project?.id ?? null, state.project?.team === true);
      if (state.selectedId !== previous.selectedId || state.project?.id !== previous.project?.id) {
        client.setSelected(state.selectedId);
        // Others change patches too: the one opened is read afresh (decisions, overrides).
        const opened = state.selectedId;
        if (opened && state.project?.team)
          reload(opened).catch((e: unknown) => report(e, 'Reading the patch'));
      }
      render(state);
    },
    /** A write failed: true when it was a team conflict, now shown in the panel (patch reloaded). */
    writeFailed(err: unknown): boolean {
      const selected = store.get().selectedId;
      if (!client.conflict(err, selected) || !selected) return false;
      reload(selected).catch((e: unknown) => report(e, 'Reloading the patch'));
      return true;
    },
    /** The backend queue filter of "Assigned to me". */
    filter(): Partial<PatchFilter> {
      return team.active && team.assignedToMe && team.me ? { assignee: team.me } : {};
    },
    /** The version a write on a team project says it read (refused as stale if it moved on). */
    expectVersions(patch: PatchView): { expectVersions?: Record<string, number> } {
      return team.active && patch.version ? { expectVersions: { [patch.id]: patch.version } } : {};
    },
  };
}
