/**
 * `landwatch team return`: brings a checked-out work package back. For each group of patches
 * (return-groups.ts), one transaction on the team project: the offline decisions and edits
 * (reviews, attributes, outlines, deletions, and patches drawn, split or merged offline) are
 * written through the team project's own edit recording (audit rows and an undo entry by the
 * offline analyst, versions counted up) — unless a patch of the group was changed on the team
 * side since it was read: then nothing of the group is written and it is listed as a conflict,
 * naming who changed it and when and what the offline side wanted.
 *
 * Returning is idempotent: each applied group leaves markers in the team project's `meta`
 * (`return:<checkout id>:v:<patch id>` = the version it left, `return:<checkout id>:new:<local
 * id>` = the team id of a patch made offline, `return:<checkout id>:r:<local id>` = its last
 * offline review row sent), in the same transaction, so a second return of the same file finds
 * nothing left to do, and a later return of further offline work applies only that.
 */
import type { PgEditContext } from '../store/pg/pg-edits.js';
import type { PgReviewStore } from '../store/pg/pg-review-store.js';
import type { PatchRow } from '../store/patch-rows.js';
import { ProjectStore } from '../store/project-store.js';
import { readCheckoutRecord, type CheckoutRecord } from './checkout-record.js';
import {
  applyGroup,
  type Markers,
  type OfflineWork,
  type ReturnConflict,
  type ReturnedGroup,
} from './return-apply.js';
import { returnGroups } from './return-groups.js';
import { openTeamStore, redactUrl } from './team-target.js';

export type { ReturnConflict, ReturnedGroup } from './return-apply.js';

export interface ReturnResult {
  schema: string;
  db: string;
  applied: ReturnedGroup[];
  conflicts: ReturnConflict[];
  /** Checked-out patches with no offline change (or already returned). */
  unchanged: number;
  /** Offline work that does not map onto the team project, with the reason. */
  skipped: string[];
}

/** Returns the checkout at `path`; `url` overrides the database the file names (credentials). */
export async function returnCheckout(
  path: string,
  options: { url?: string } = {},
): Promise<ReturnResult> {
  const local = ProjectStore.open(path);
  try {
    const record = readCheckoutRecord(local);
    const url = options.url ?? record.db;
    const team = await openTeamStore(url, record.schema);
    try {
      return { ...(await returnTo(team, local, record)), db: redactUrl(url) };
    } finally {
      await team.close();
    }
  } finally {
    local.close();
  }
}

async function returnTo(
  team: PgReviewStore,
  local: ProjectStore,
  record: CheckoutRecord,
): Promise<ReturnResult> {
  const rows = local.db.prepare('SELECT * FROM patches ORDER BY id').all() as PatchRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const checkedOut = new Set(Object.keys(record.patches).map(Number));
  const result: ReturnResult = {
    schema: record.schema,
    db: redactUrl(record.db),
    applied: [],
    conflicts: [],
    unchanged: 0,
    skipped: [],
  };
  for (const r of rows)
    if (!checkedOut.has(r.id) && r.origin === 'model')
      result.skipped.push(
        `patch #${r.number}: detected by an offline run; run detection on the team project instead`,
      );
  const offline = offlineRows(local, record);
  // Every offline change left an audit row; groups without one have nothing to send.
  const touched = new Set(offline.audit.map((a) => a.patch_id));
  const key = (kind: string, id: number | string) => `return:${record.id}:${kind}:${id}`;
  for (const group of returnGroups(rows, checkedOut)) {
    if (![...group.existing, ...group.made].some((id) => touched.has(id))) {
      result.unchanged += group.existing.length + group.made.length;
      continue;
    }
    const outcome = await team.transaction(async (ctx) => {
      // Serialises returns of the same checkout, so two at once cannot both apply a group.
      await ctx.db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `landwatch-return:${record.id}`,
      ]);
      const markers = await readMarkers(ctx, [
        ...group.made.flatMap((id) => [key('new', id), key('r', id)]),
        ...group.existing.flatMap((id) => [key('v', id), key('r', id)]),
      ]);
      const mapped = group.made.flatMap((id) => markers.get(key('new', id)) ?? []);
      for (const [k, v] of await readMarkers(
        ctx,
        mapped.map((id) => key('v', id)),
      ))
        markers.set(k, v);
      return applyGroup(ctx, group, byId, record, markers, offline);
    });
    if (outcome === 'unchanged') result.unchanged += group.existing.length + group.made.length;
    else if ('wanted' in outcome) result.conflicts.push(outcome);
    else result.applied.push(outcome);
  }
  return result;
}

/** Reviews and audit rows made offline (after the checkout copied the team's). */
function offlineRows(local: ProjectStore, record: CheckoutRecord): OfflineWork {
  return {
    reviews: local.db
      .prepare('SELECT * FROM reviews WHERE id > ? ORDER BY id')
      .all(record.reviewsUpTo) as OfflineWork['reviews'],
    audit: local.db
      .prepare('SELECT patch_id, actor, at, before, after FROM audit WHERE id > ? ORDER BY id')
      .all(record.auditUpTo) as OfflineWork['audit'],
  };
}

/** The values of the return markers named by `keys` that exist. */
async function readMarkers(ctx: PgEditContext, keys: string[]): Promise<Markers> {
  if (keys.length === 0) return new Map();
  const r = await ctx.db.query<{ key: string; value: string }>(
    'SELECT key, value FROM meta WHERE key = ANY($1::text[])',
    [keys],
  );
  return new Map(r.rows.map((x) => [x.key, x.value]));
}
