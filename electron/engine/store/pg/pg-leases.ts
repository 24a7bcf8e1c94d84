/**
 * Leases of a team project's patches: opening a patch for edit takes its lease, so the others see
 * "being reviewed by …" and their writes to it are refused (pg-team-rules.ts) until the holder
 * releases it or leaves it idle for the lease time. Taking again, or any write of the holder,
 * renews it. At most one active lease per patch: two users taking at once, one of them gets it.
 */
import type { LeaseListView, LeaseView } from '../../../common/contract.js';
import type { PgPatchTable, Queryable } from './pg-patch-table.js';
import { TeamRules, roleOf } from './pg-team-rules.js';

interface LeaseRow {
  patch_id: number;
  user_name: string;
  since: string;
  expires_at: string;
}

const view = (r: LeaseRow, actor: string): LeaseView => ({
  patchId: String(r.patch_id),
  user: r.user_name,
  since: r.since,
  expiresAt: r.expires_at,
  mine: r.user_name === actor,
});

/**
 * Takes or renews `actor`'s lease of patch `id` (inside a transaction). Held by someone else:
 * returns their lease unchanged. Refused (E_FORBIDDEN) where the actor may not change the patch.
 */
export async function takeLease(
  db: Queryable,
  table: PgPatchTable,
  id: number,
  actor: string,
  seconds: number,
): Promise<LeaseView> {
  const row = table.live(id, (await table.lock([id])).get(id));
  const rules = await TeamRules.of(db, actor, seconds);
  await rules.mayChange([row]);
  const taken = await db.query<LeaseRow>(
    `INSERT INTO leases (patch_id, user_name, since, expires_at)
     VALUES ($1, $2, now(), now() + make_interval(secs => $3))
     ON CONFLICT (patch_id) DO UPDATE SET
       since = CASE WHEN leases.user_name = excluded.user_name AND leases.expires_at > now()
                    THEN leases.since ELSE excluded.since END,
       user_name = excluded.user_name,
       expires_at = excluded.expires_at
     WHERE leases.user_name = excluded.user_name OR leases.expires_at <= now()
     RETURNING *`,
    [id, actor, seconds],
  );
  if (taken.rows[0]) return view(taken.rows[0], actor);
  const held = await db.query<LeaseRow>('SELECT * FROM leases WHERE patch_id = $1', [id]);
  return view(held.rows[0], actor);
}

/** Ends `actor`'s lease of patch `id`; false when they held none. */
export async function releaseLease(db: Queryable, id: number, actor: string): Promise<boolean> {
  const r = await db.query('DELETE FROM leases WHERE patch_id = $1 AND user_name = $2', [
    id,
    actor,
  ]);
  return (r.rowCount ?? 0) > 0;
}

/** The active leases of the project (expired ones are cleared on the way). */
export async function listLeases(db: Queryable, actor: string): Promise<LeaseListView> {
  await db.query('DELETE FROM leases WHERE expires_at <= now()');
  const r = await db.query<LeaseRow>(
    'SELECT * FROM leases WHERE expires_at > now() ORDER BY patch_id',
  );
  return {
    user: actor,
    role: await roleOf(db, actor),
    leases: r.rows.map((x) => view(x, actor)),
  };
}
