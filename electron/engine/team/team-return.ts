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
 * id>` = the team id of a patch made offline), in the same transaction, so a second return of the
 * same file finds nothing left to do, and a later return of further offline work applies only that.
 */
import type { PgEditContext } from '../store/pg/pg-edits.js';
import { recordPg } from '../store/pg/pg-history.js';
import type { PgReviewStore } from '../store/pg/pg-review-store.js';
import { MANUAL_RUN_ID } from '../store/patch-edits.js';
import type { PatchRow, Snapshot } from '../store/patch-rows.js';
import { snapshotOf } from '../store/patch-rows.js';
import { ProjectStore } from '../store/project-store.js';
import { readCheckoutRecord, type CheckoutRecord } from './checkout-record.js';
import {
  describeChanges,
  offlineChanges,
  returnGroups,
  type ReturnGroup,
} from './return-groups.js';
import { openTeamStore, redactUrl } from './team-target.js';

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

type Markers = Map<string, string>;

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
function offlineRows(local: ProjectStore, record: CheckoutRecord) {
  return {
    reviews: local.db
      .prepare('SELECT * FROM reviews WHERE id > ? ORDER BY id')
      .all(record.reviewsUpTo) as {
      id: number;
      patch_id: number;
      state: string;
      comment: string | null;
      reviewer: string;
      at: string;
    }[],
    audit: local.db
      .prepare('SELECT patch_id, actor, at, before, after FROM audit WHERE id > ? ORDER BY id')
      .all(record.auditUpTo) as {
      patch_id: number;
      actor: string;
      at: string;
      before: string | null;
      after: string | null;
    }[],
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

async function mark(ctx: PgEditContext, key: string, value: string | number): Promise<void> {
  await ctx.db.query(
    'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
    [key, String(value)],
  );
}

async function applyGroup(
  ctx: PgEditContext,
  group: ReturnGroup,
  local: Map<number, PatchRow>,
  record: CheckoutRecord,
  markers: Markers,
  offline: ReturnType<typeof offlineRows>,
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
