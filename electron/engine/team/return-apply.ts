/**
 * One group of a returned checkout written to the team project (see team-return.ts): compares the
 * file's rows with the team's, refuses the group when a patch moved on since it was read, else
 * writes the changes through the team project's edit recording (recordPg: row locks, version
 * check, audit rows, an undo entry) together with the offline review rows and return markers.
 */
import type { PgEditContext } from '../store/pg/pg-edits.js';
import { recordPg } from '../store/pg/pg-history.js';
import { MANUAL_RUN_ID } from '../store/patch-edits.js';
import type { PatchRow, Snapshot } from '../store/patch-rows.js';
import { snapshotOf } from '../store/patch-rows.js';
import type { CheckoutRecord } from './checkout-record.js';
import { describeChanges, offlineChanges, type ReturnGroup } from './return-groups.js';

export interface ReturnedGroup {
  /** Team patch numbers written (made offline ones with their new numbers). */
  numbers: number[];
  summary: string;
  actor: string;
}

export interface ReturnConflict {
  /** The team patch number changed on the server. */
  number: number;
  /** Who changed it last on the server, and when (null if the audit has no row). */
  changedBy: string | null;
  changedAt: string | null;
  /** What the offline side wanted for the group. */
  wanted: string;
}

/** Return markers of a checkout in the team project's meta table: key → value. */
export type Markers = Map<string, string>;

/** Review and audit rows made offline (after those the checkout copied). */
export interface OfflineWork {
  reviews: {
    id: number;
    patch_id: number;
    state: string;
    comment: string | null;
    reviewer: string;
    at: string;
  }[];
  audit: {
    patch_id: number;
    actor: string;
    at: string;
    before: string | null;
    after: string | null;
  }[];
}

async function mark(ctx: PgEditContext, key: string, value: string | number): Promise<void> {
  await ctx.db.query(
    'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
    [key, String(value)],
  );
}

/**
 * Applies one group in the caller's transaction: the offline changes of its patches and the
 * patches made offline, recorded as one team edit in the offline analyst's name with the review
 * rows made offline and the return markers; or the conflict that keeps all of it out; or
 * `unchanged` when the team project already holds what the file holds.
 */
export async function applyGroup(
  ctx: PgEditContext,
  group: ReturnGroup,
  local: Map<number, PatchRow>,
  record: CheckoutRecord,
  markers: Markers,
  offline: OfflineWork,
): Promise<ReturnedGroup | ReturnConflict | 'unchanged'> {
  const key = (kind: string, id: number) => `return:${record.id}:${kind}:${id}`;
  // Team ids of every patch of the group: checked-out ones keep theirs; made ones were mapped by
  // an earlier return, or are new.
  const teamId = new Map<number, number>(group.existing.map((id) => [id, id]));
  for (const id of group.made) {
    const known = markers.get(key('new', id));
    if (known) teamId.set(id, Number(known));
  }
  const fresh = group.made.filter((id) => !teamId.has(id));
  const known = [...teamId.values()];
  const rows = await ctx.table.lock(known);
  const changes = new Map<number, Snapshot>();
  for (const [localId, id] of teamId) {
    const row = rows.get(id);
    if (!row)
      return {
        number: local.get(localId)!.number,
        changedBy: null,
        changedAt: null,
        wanted: `patch id ${id} is gone from the team project; nothing of its group was written`,
      };
    const change = offlineChanges(snapshotOf(row), snapshotOf(local.get(localId)!));
    if (change) changes.set(localId, change);
  }
  if (changes.size === 0 && fresh.length === 0) return 'unchanged';
  // What the offline analyst changed (their audit rows name the columns), as opposed to what the
  // team side changed since: the columns where the two differ.
  const wantedOf = (localId: number, diff: Snapshot): Snapshot => {
    const columns = new Set(
      offline.audit
        .filter((a) => a.patch_id === localId)
        .flatMap((a) => [
          ...Object.keys(JSON.parse(a.after ?? '{}')),
          ...Object.keys(JSON.parse(a.before ?? '{}')),
        ]),
    );
    const picked = Object.fromEntries(
      Object.entries(diff).filter(([c]) => columns.has(c)),
    ) as Snapshot;
    return Object.keys(picked).length > 0 ? picked : diff;
  };
  const wanted = [
    ...[...changes].map(
      ([l, c]) => `#${local.get(l)!.number}: ${describeChanges(wantedOf(l, c)) || 'reviewer'}`,
    ),
    ...fresh.map((l) => `new ${local.get(l)!.origin} patch (offline #${local.get(l)!.number})`),
  ].join('; ');
  // A patch changed on the team side since it was read (or since the last return) is kept.
  const expect: Record<number, number> = {};
  for (const [localId, id] of teamId) {
    const base = Number(markers.get(key('v', id)) ?? record.patches[String(localId)] ?? NaN);
    const row = rows.get(id)!;
    if (Number.isFinite(base) && row.version !== base) {
      const last = await ctx.table.lastChange(id);
      return {
        number: row.number,
        changedBy: last?.actor ?? null,
        changedAt: last?.at ?? null,
        wanted,
      };
    }
    if (Number.isFinite(base)) expect[id] = base;
  }
  const localIds = [...group.existing, ...group.made];
  const actor =
    offline.audit.filter((a) => localIds.includes(a.patch_id)).at(-1)?.actor ??
    offline.reviews.filter((r) => localIds.includes(r.patch_id)).at(-1)?.reviewer ??
    'offline';
  const made: number[] = [];
  const recorded = await recordPg(
    ctx.db,
    ctx.table,
    'return',
    actor,
    `Returned offline work (${record.schema} checkout of ${record.at.slice(0, 16).replace('T', ' ')}): ${wanted}`,
    known,
    async (at) => {
      if (fresh.length > 0) await ensureManualRun(ctx);
      for (const localId of fresh) {
        const l = local.get(localId)!;
        const parents = (l.parents ? (JSON.parse(l.parents) as number[]) : []).map(
          (p) => teamId.get(p) ?? p,
        );
        const id = await ctx.table.insert(
          {
            runId: l.run_id,
            state: l.state,
            geometry: l.geometry,
            areaM2: l.area_m2,
            perimeterM: l.perimeter_m,
            meanProb: l.unscored ? null : l.mean_prob,
            maxProb: l.unscored ? null : l.max_prob,
            comment: l.comment,
            reviewer: l.reviewer,
            reviewedAt: l.reviewed_at,
            origin: l.origin as 'manual' | 'split' | 'merge',
            parents,
            attributes: {
              change_class: l.change_class,
              legality: l.legality,
              parcel_no: l.parcel_no,
              field_result: l.field_result,
              note: l.note,
              change_kind: l.change_kind,
            },
          },
          at,
        );
        teamId.set(localId, id);
        made.push(id);
        // What else happened to it offline (merged away later, edited flag): as the file says.
        const inserted = (await ctx.table.row(id))!;
        const rest = offlineChanges(snapshotOf(inserted), snapshotOf(l));
        if (rest) await ctx.table.apply(id, rest, at);
      }
      for (const [localId, change] of changes)
        await ctx.table.apply(teamId.get(localId)!, change, at);
      return { created: made };
    },
    expect,
  );
  // Review rows made offline and not returned before (a patch may come back more than once).
  const reviewsDone = (localId: number) =>
    Number(markers.get(key('r', localId)) ?? record.reviewsUpTo);
  const reviews = offline.reviews.filter(
    (x) => teamId.has(x.patch_id) && x.id > reviewsDone(x.patch_id),
  );
  for (const r of reviews) {
    await ctx.db.query(
      'INSERT INTO reviews (patch_id, state, comment, reviewer, at) VALUES ($1, $2, $3, $4, $5)',
      [teamId.get(r.patch_id), r.state, r.comment, r.reviewer, r.at],
    );
    await mark(ctx, key('r', r.patch_id), r.id);
  }
  for (const [localId, id] of teamId) {
    if (group.made.includes(localId)) await mark(ctx, key('new', localId), id);
    const v = await ctx.db.query<{ version: number }>('SELECT version FROM patches WHERE id = $1', [
      id,
    ]);
    await mark(ctx, key('v', id), v.rows[0].version);
  }
  const numbers = await ctx.db.query<{ number: number }>(
    'SELECT number FROM patches WHERE id = ANY($1::int[]) ORDER BY number',
    [recorded.patchIds],
  );
  return { numbers: numbers.rows.map((r) => r.number), summary: wanted, actor };
}

/** The run drawn patches belong to, made on first use as the team store's createPatch does. */
async function ensureManualRun(ctx: PgEditContext): Promise<void> {
  await ctx.db.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':numbers'))");
  await ctx.db.query(
    `INSERT INTO runs (id, model_id, model_version, threshold, min_area, params,
       execution_provider, started_at, seconds, patch_count)
     VALUES ($1, 'manual', '-', 0, 0, '{}', 'none', $2, 0, 0) ON CONFLICT (id) DO NOTHING`,
    [MANUAL_RUN_ID, ctx.createdAt],
  );
}
