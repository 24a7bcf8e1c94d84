/**
 * What a team adds to patch views: the active lease (who is reviewing it now), the override of an
 * analyst's decision that stands (a supervisor's change not undone since) and a second check that
 * still holds (the patch has not changed since). Three queries per batch of views.
 */
import type { OverrideView, PatchView } from '../../../common/contract.js';
import type { Queryable } from './pg-patch-table.js';
import type { OverrideOf } from './pg-team-rules.js';

export async function withTeam(db: Queryable, views: PatchView[]): Promise<PatchView[]> {
  if (views.length === 0) return views;
  const ids = views.map((v) => Number(v.id));
  const leases = await db.query<{ patch_id: number; user_name: string; expires_at: string }>(
    `SELECT patch_id, user_name, expires_at FROM leases
     WHERE patch_id = ANY($1::int[]) AND expires_at > now()`,
    [ids],
  );
  const reviews = await db.query<{
    patch_id: number;
    state: string;
    reviewer: string;
    at: string;
    comment: string | null;
    override_of: OverrideOf | null;
  }>(
    `SELECT DISTINCT ON (patch_id) patch_id, state, reviewer, at, comment, override_of
     FROM reviews WHERE patch_id = ANY($1::int[]) ORDER BY patch_id, id DESC`,
    [ids],
  );
  const checks = await db.query<{
    patch_id: number;
    checked_by: string;
    checked_at: string;
    version: number;
  }>('SELECT * FROM checks WHERE patch_id = ANY($1::int[])', [ids]);
  const lease = new Map(leases.rows.map((r) => [r.patch_id, r]));
  const last = new Map(reviews.rows.map((r) => [r.patch_id, r]));
  const check = new Map(checks.rows.map((r) => [r.patch_id, r]));
  return views.map((v) => {
    const id = Number(v.id);
    const l = lease.get(id);
    const r = last.get(id);
    const c = check.get(id);
    // The override stands while the patch still holds that decision (not undone or changed).
    const override: OverrideView | null =
      r?.override_of && r.state === v.state && r.reviewer === v.reviewer
        ? {
            by: r.reviewer,
            at: r.at,
            comment: r.comment,
            previousState: r.override_of.state,
            previousReviewer: r.override_of.reviewer,
          }
        : null;
    return {
      ...v,
      lease: l ? { user: l.user_name, expiresAt: l.expires_at } : null,
      override,
      secondCheck: c && c.version === v.version ? { by: c.checked_by, at: c.checked_at } : null,
    };
  });
}
