/**
 * Who may change which patch of a team project, checked inside each write's transaction with the
 * patches' rows locked:
 *
 * - A patch leased by someone else (someone has it open for review) is refused with E_CONFLICT
 *   naming them and since when, except to supervisors, who may override.
 * - Viewers change nothing (E_FORBIDDEN).
 * - An analyst changes the patches of work packages assigned to them, or open patches: in no one
 *   else's package and not decided by someone else (E_FORBIDDEN otherwise).
 * - A write renews its author's leases on the patches it touches.
 *
 * Roles come from `landwatch_team.users` in the same database (team-users.ts). An actor who is not
 * a user of the team (a local tool working on the database; the team server only ever passes
 * logged-in users) gets no role rules, but leases still hold against them.
 */
import { LandWatchError } from '../../errors.js';
import type { Role } from '../../team/team-users.js';
import type { PatchRow } from '../patch-rows.js';
import type { Queryable } from './pg-patch-table.js';

/** How long a lease lasts without activity, unless the store is opened with another. */
export const DEFAULT_LEASE_SECONDS = 300;

/** The decision an override replaced. */
export interface OverrideOf {
  state: string;
  reviewer: string;
  at: string | null;
  comment: string | null;
}

/** The role of `user` in this database's team, or null (no team, or not one of its users). */
export async function roleOf(db: Queryable, user: string): Promise<Role | null> {
  const team = await db.query<{ ok: boolean }>(
    "SELECT to_regclass('landwatch_team.users') IS NOT NULL AS ok",
  );
  if (!team.rows[0].ok) return null;
  const r = await db.query<{ role: Role }>(
    'SELECT role FROM landwatch_team.users WHERE name = $1',
    [user],
  );
  return r.rows[0]?.role ?? null;
}

/** Roles of several users (those who are users of the team). */
async function rolesOf(db: Queryable, users: string[]): Promise<Map<string, Role>> {
  if (users.length === 0) return new Map();
  const team = await db.query<{ ok: boolean }>(
    "SELECT to_regclass('landwatch_team.users') IS NOT NULL AS ok",
  );
  if (!team.rows[0].ok) return new Map();
  const r = await db.query<{ name: string; role: Role }>(
    'SELECT name, role FROM landwatch_team.users WHERE name = ANY($1::text[])',
    [users],
  );
  return new Map(r.rows.map((x) => [x.name, x.role]));
}

export function forbidden(message: string, details?: Record<string, unknown>): LandWatchError {
  return new LandWatchError('E_FORBIDDEN', message, details ? { details } : undefined);
}

/** `10:02 UTC` of an ISO time. */
export function clock(iso: string): string {
  return `${new Date(iso).toISOString().slice(11, 16)} UTC`;
}

/** The write rules for one actor, inside one transaction. */
export class TeamRules {
  private constructor(
    private readonly db: Queryable,
    readonly actor: string,
    readonly role: Role | null,
    private readonly leaseSeconds: number,
  ) {}

  static async of(db: Queryable, actor: string, leaseSeconds: number): Promise<TeamRules> {
    return new TeamRules(db, actor, await roleOf(db, actor), leaseSeconds);
  }

  /**
   * Rules of a tool rather than a user (e.g. returning offline work, which checks versions
   * itself): no role checks, leases still apply; made without a query, so the caller's
   * transaction can still set its isolation level first.
   */
  static forTool(db: Queryable, actor: string, leaseSeconds: number): TeamRules {
    return new TeamRules(db, actor, null, leaseSeconds);
  }

  /** Refuses viewers (any write at all). */
  mayWrite(): void {
    if (this.role === 'viewer')
      throw forbidden(
        `${this.actor} is a viewer: viewers can read this team project but not change it.`,
      );
  }

  /**
   * Refuses the write when a role rule forbids one of the patches (see the file comment);
   * checks nothing about leases.
   */
  async mayChange(rows: PatchRow[]): Promise<void> {
    this.mayWrite();
    if (this.role !== 'analyst' || rows.length === 0) return;
    const r = await this.db.query<{ patch_id: number; assignee: string; name: string }>(
      `SELECT pp.patch_id, k.assignee, k.name FROM package_patches pp
       JOIN packages k ON k.id = pp.package_id WHERE pp.patch_id = ANY($1::int[])`,
      [rows.map((row) => row.id)],
    );
    const packageOf = new Map(r.rows.map((x) => [x.patch_id, x]));
    for (const row of rows) {
      const pkg = packageOf.get(row.id);
      if (pkg?.assignee === this.actor) continue;
      if (pkg)
        throw forbidden(
          `Patch #${row.number} is in work package "${pkg.name}", assigned to ${pkg.assignee}: an analyst changes the patches of their own packages and open patches only.`,
          { patchId: String(row.id), assignee: pkg.assignee, package: pkg.name },
        );
      if (row.state !== 'unreviewed' && row.reviewer && row.reviewer !== this.actor)
        throw forbidden(
          `Patch #${row.number} was decided by ${row.reviewer}: only they or a supervisor may change that decision.`,
          { patchId: String(row.id), reviewer: row.reviewer },
        );
    }
  }

  /** Refuses the write when someone else holds a lease on one of the patches (not to supervisors). */
  async notLeasedByOthers(rows: PatchRow[]): Promise<void> {
    if (this.role === 'supervisor' || rows.length === 0) return;
    const r = await this.db.query<{
      patch_id: number;
      user_name: string;
      since: string;
      expires_at: string;
    }>(
      `SELECT patch_id, user_name, since, expires_at FROM leases
       WHERE patch_id = ANY($1::int[]) AND user_name <> $2 AND expires_at > now()
       ORDER BY patch_id LIMIT 1`,
      [rows.map((row) => row.id), this.actor],
    );
    const held = r.rows[0];
    if (!held) return;
    const number = rows.find((row) => row.id === held.patch_id)?.number ?? held.patch_id;
    throw new LandWatchError(
      'E_CONFLICT',
      `Patch #${number} is being reviewed by ${held.user_name} (since ${clock(held.since)}); nothing was written. Wait until they are done, or ask a supervisor.`,
      {
        details: {
          patchId: String(held.patch_id),
          number,
          leasedBy: held.user_name,
          since: held.since,
          expiresAt: held.expires_at,
        },
      },
    );
  }

  /** Every check of a write on `rows`, then renews the actor's leases on them. */
  async guard(rows: PatchRow[]): Promise<void> {
    await this.notLeasedByOthers(rows);
    await this.mayChange(rows);
    if (rows.length === 0) return;
    await this.db.query(
      `UPDATE leases SET expires_at = now() + make_interval(secs => $3)
       WHERE patch_id = ANY($1::int[]) AND user_name = $2 AND expires_at > now()`,
      [rows.map((row) => row.id), this.actor, this.leaseSeconds],
    );
  }

  /**
   * The rows whose decision a supervisor's new `state` overrides: decided by an analyst, to
   * something else. Empty unless the actor is a supervisor.
   */
  async overrides(rows: PatchRow[], state: string): Promise<Map<number, OverrideOf>> {
    const out = new Map<number, OverrideOf>();
    if (this.role !== 'supervisor') return out;
    const changed = rows.filter(
      (r) =>
        r.state !== 'unreviewed' && r.state !== state && r.reviewer && r.reviewer !== this.actor,
    );
    const roles = await rolesOf(this.db, [...new Set(changed.map((r) => r.reviewer as string))]);
    for (const r of changed)
      if (roles.get(r.reviewer as string) === 'analyst')
        out.set(r.id, {
          state: r.state,
          reviewer: r.reviewer as string,
          at: r.reviewed_at,
          comment: r.comment,
        });
    return out;
  }
}
