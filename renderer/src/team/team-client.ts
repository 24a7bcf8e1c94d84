/**
 * The renderer's side of a team project (lease-contract.ts), DOM-free: the lease of the patch open
 * in the panel (taken on opening, renewed every minute while it stays open, released on leaving
 * it), everyone's leases and work packages polled every 10 s, and what the panel shows from them:
 * who is reviewing the patch, why it cannot be edited here, and a write refused as stale.
 */
import type {
  LandWatchApi,
  LeaseListView,
  LeaseView,
  PatchView,
  WorkPackageView,
} from '../../../electron/common/contract.js';
import { describeError } from '../api/errors.js';

export const RENEW_MS = 60_000;
export const POLL_MS = 10_000;

/** What the team panels show. */
export interface TeamSnapshot {
  /** A team project is open. */
  active: boolean;
  me: string | null;
  role: LeaseListView['role'];
  /** Active leases by patch id. */
  leases: ReadonlyMap<string, LeaseView>;
  packages: readonly WorkPackageView[];
  /** The open patch may not be edited by this user (E_FORBIDDEN from `leases.take`). */
  refused: { patchId: string; message: string } | null;
  /** The last write refused with E_CONFLICT (who changed or holds the patch, and when). */
  stale: { patchId: string; message: string } | null;
  /** The queue shows only the patches of packages assigned to this user. */
  assignedToMe: boolean;
}

export const EMPTY_TEAM: TeamSnapshot = {
  active: false,
  me: null,
  role: null,
  leases: new Map(),
  packages: [],
  refused: null,
  stale: null,
  assignedToMe: false,
};

/** Why the open patch cannot be edited by this user right now, or null. */
export function lockReason(team: TeamSnapshot, patch: PatchView | null): string | null {
  if (!team.active || !patch) return null;
  if (team.role === 'viewer') return 'You are a viewer: this project is read-only for you.';
  if (team.refused?.patchId === patch.id) return team.refused.message;
  const lease = team.leases.get(patch.id) ?? null;
  if (lease && !lease.mine && team.role !== 'supervisor') return `Being reviewed by ${lease.user}`;
  return null;
}

/** The other user reviewing the patch (a lease not ours), or null. */
export function otherLease(team: TeamSnapshot, patch: PatchView | null): LeaseView | null {
  const lease = patch && team.active ? team.leases.get(patch.id) : undefined;
  return lease && !lease.mine ? lease : null;
}

/** "Overridden by supervisor bob: only a shadow" (and what it replaced), or null. */
export function overrideText(patch: PatchView | null): string | null {
  const o = patch?.override;
  if (!o) return null;
  const why = o.comment ? `: ${o.comment}` : '';
  return `Overridden by supervisor ${o.by}${why} (was ${o.previousState.replace('_', ' ')} by ${o.previousReviewer})`;
}

export interface TeamClientDeps {
  api: LandWatchApi;
  onChange(team: TeamSnapshot): void;
  onError(err: unknown, context: string): void;
}

/** Keeps leases and packages of the open team project, and tells `onChange` what changed. */
export class TeamClient {
  private snap: TeamSnapshot = EMPTY_TEAM;
  private projectId: string | null = null;
  private held: string | null = null;
  /** setProject has been called (so a first "no team project" is told to onChange once). */
  private opened = false;
  private poll: ReturnType<typeof setInterval> | null = null;
  private renew: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly deps: TeamClientDeps) {}

  get snapshot(): TeamSnapshot {
    return this.snap;
  }

  private set(next: Partial<TeamSnapshot>): void {
    this.snap = { ...this.snap, ...next };
    this.deps.onChange(this.snap);
  }

  /** A project was opened (or closed); a team one starts the polling. */
  setProject(projectId: string | null, team: boolean): void {
    const key = team && projectId !== null ? projectId : null;
    if (key === this.projectId && this.opened) return;
    this.opened = true;
    this.stop();
    this.projectId = key;
    this.set({ ...EMPTY_TEAM, active: key !== null });
    if (!this.snap.active) return;
    void this.refresh();
    this.poll = setInterval(() => void this.refresh(), POLL_MS);
  }

  /** The patch open in the panel changed: leave the old one's lease, take the new one's. */
  setSelected(patchId: string | null): void {
    const projectId = this.projectId;
    if (!projectId || patchId === this.held) return;
    const previous = this.held;
    this.held = patchId;
    if (this.renew) clearInterval(this.renew);
    this.renew = null;
    this.set({ stale: null, refused: null });
    if (previous && this.snap.leases.get(previous)?.mine) {
      void this.deps.api
        .invoke('leases.release', { projectId, patchId: previous })
        .then(() => this.forget(previous))
        .catch((err: unknown) => this.deps.onError(err, 'Releasing the lease'));
    }
    if (!patchId || this.snap.role === 'viewer') return;
    void this.take(projectId, patchId);
    this.renew = setInterval(() => void this.take(projectId, patchId), RENEW_MS);
  }

  private forget(patchId: string): void {
    const leases = new Map(this.snap.leases);
    if (leases.get(patchId)?.mine) leases.delete(patchId);
    this.set({ leases });
  }

  private async take(projectId: string, patchId: string): Promise<void> {
    try {
      const lease = await this.deps.api.invoke('leases.take', { projectId, patchId });
      if (this.projectId !== projectId) return;
      const leases = new Map(this.snap.leases);
      leases.set(patchId, lease);
      this.set({ leases, refused: null });
    } catch (err) {
      const e = describeError(err);
      if (e.code === 'E_FORBIDDEN') this.set({ refused: { patchId, message: e.message } });
      else this.deps.onError(err, 'Taking the lease of the patch');
    }
  }

  /** Reads everyone's leases (and the packages) again. */
  async refresh(): Promise<void> {
    const projectId = this.projectId;
    if (!projectId) return;
    try {
      const [list, packages] = await Promise.all([
        this.deps.api.invoke('leases.list', { projectId }),
        this.deps.api.invoke('packages.list', { projectId }),
      ]);
      if (this.projectId !== projectId) return;
      this.set({
        me: list.user,
        role: list.role,
        leases: new Map(list.leases.map((l) => [l.patchId, l])),
        packages,
      });
    } catch (err) {
      this.deps.onError(err, 'Reading who is reviewing what');
    }
  }

  /**
   * A write failed: an E_CONFLICT on a team project becomes the panel's stale-write message (and
   * true: handled); anything else is left to the caller.
   */
  conflict(err: unknown, patchId: string | null): boolean {
    const e = describeError(err);
    if (!this.snap.active || e.code !== 'E_CONFLICT' || !patchId) return false;
    this.set({ stale: { patchId, message: e.message } });
    void this.refresh();
    return true;
  }

  setAssignedToMe(on: boolean): void {
    this.set({ assignedToMe: on });
  }

  /** Stops the timers (the lease then ends by itself after its idle time). */
  stop(): void {
    if (this.poll) clearInterval(this.poll);
    if (this.renew) clearInterval(this.renew);
    this.poll = null;
    this.renew = null;
    this.held = null;
  }
}
