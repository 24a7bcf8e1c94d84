/**
 * The analyst's operations on a team project's patches: the same rules and summaries as
 * PatchEditor (edit-rules.ts), each one transaction that locks the rows it touches, checks the
 * versions the writer read and records audit rows and the actor's undo entry (pg-history.ts).
 */
import type { PatchAttributes, ReviewState } from '../../../common/contract.js';
import { LandWatchError } from '../../errors.js';
import {
  STATE_VERB,
  attributeColumns,
  checkAttributeCodes,
  checkRejection,
  patchesNamed,
  shapePolygon,
} from '../edit-rules.js';
import type { Recorded } from '../history-log.js';
import type { SceneFrame } from '../patch-edits.js';
import { MANUAL_RUN_ID } from '../patch-edits.js';
import type { PatchRow } from '../patch-rows.js';
import { DELETED } from '../patch-rows.js';
import { settingsOf, codeListsOf } from './pg-lists.js';
import type { ReadVersions } from '../versions.js';
import { StaleWriteError, firstStale } from '../versions.js';
import { recordPg } from './pg-history.js';
import type { PgPatchTable, Queryable } from './pg-patch-table.js';
import { lockNumbers } from './pg-patch-table.js';
import type { OverrideOf, TeamRules } from './pg-team-rules.js';

/** What the edits need from the project, inside one transaction. */
export interface PgEditContext {
  db: Queryable;
  table: PgPatchTable;
  frame: SceneFrame;
  /** When the project was made (the manual run's start). */
  createdAt: string;
  /** Leases and roles of the team (pg-team-rules.ts), for the writer. */
  rules: TeamRules;
}

/**
 * Locks and returns the live rows of `ids`; stale versions are refused first, so that a writer
 * who missed a deletion hears who deleted the patch; then leases and role rules (TeamRules.guard).
 */
export async function liveRows(
  ctx: PgEditContext,
  ids: number[],
  expect: ReadVersions | undefined,
): Promise<PatchRow[]> {
  const unique = [...new Set(ids)];
  const rows = await ctx.table.lock([...unique, ...Object.keys(expect ?? {}).map(Number)]);
  const stale = firstStale(expect, (id) => rows.get(id));
  if (stale)
    throw new StaleWriteError(
      stale.id,
      stale.number,
      stale.read,
      stale.now,
      await ctx.table.lastChange(stale.id),
    );
  const live = unique.map((id) => ctx.table.live(id, rows.get(id)));
  await ctx.rules.guard(live);
  return live;
}

async function insertReview(
  db: Queryable,
  id: number,
  state: ReviewState,
  comment: string | null,
  actor: string,
  at: string,
  overrideOf: OverrideOf | null = null,
): Promise<void> {
  await db.query(
    `INSERT INTO reviews (patch_id, state, comment, reviewer, at, override_of)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, state, comment, actor, at, overrideOf && JSON.stringify(overrideOf)],
  );
}

export async function reviewPg(
  ctx: PgEditContext,
  ids: number[],
  state: ReviewState,
  comment: string | null,
  actor: string,
  expect?: ReadVersions,
): Promise<Recorded> {
  const rows = await liveRows(ctx, ids, expect);
  const text = comment?.trim() ? comment : null;
  checkRejection(rows, state, text, (await settingsOf(ctx.db)).rejectCommentMinConfidence);
  // A supervisor changing an analyst's decision: recorded as an override, with what it replaced.
  const overrides = await ctx.rules.overrides(rows, state);
  const recorded = await recordPg(
    ctx.db,
    ctx.table,
    'review',
    actor,
    `${STATE_VERB[state]} ${patchesNamed(rows)}`,
    rows.map((r) => r.id),
    async (at) => {
      for (const r of rows) {
        await ctx.table.apply(r.id, { state, comment: text, reviewer: actor, reviewed_at: at }, at);
        await insertReview(ctx.db, r.id, state, text, actor, at, overrides.get(r.id) ?? null);
      }
    },
    expect,
  );
  if (overrides.size > 0 && recorded.entry)
    await ctx.db.query(
      'UPDATE audit SET override = true WHERE history_seq = $1 AND patch_id = ANY($2::int[])',
      [recorded.entry.seq, [...overrides.keys()]],
    );
  return recorded;
}

export async function setAttributesPg(
  ctx: PgEditContext,
  ids: number[],
  attributes: Partial<PatchAttributes>,
  actor: string,
  expect?: ReadVersions,
): Promise<Recorded> {
  const rows = await liveRows(ctx, ids, expect);
  checkAttributeCodes(await codeListsOf(ctx.db), attributes);
  const snap = attributeColumns(attributes);
  return recordPg(
    ctx.db,
    ctx.table,
    'attributes',
    actor,
    `Set ${Object.keys(attributes).join(', ')} of ${patchesNamed(rows)}`,
    rows.map((r) => r.id),
    async (at) => {
      for (const r of rows) await ctx.table.apply(r.id, snap, at);
    },
    expect,
  );
}

export async function setGeometryPg(
  ctx: PgEditContext,
  id: number,
  rings: number[][][],
  actor: string,
  expect?: ReadVersions,
): Promise<Recorded> {
  const [row] = await liveRows(ctx, [id], expect);
  const shaped = shapePolygon(rings, `The new geometry of patch #${row.number}`, ctx.frame);
  return recordPg(
    ctx.db,
    ctx.table,
    'geometry',
    actor,
    `Edited the outline of patch #${row.number}`,
    [id],
    async (at) => {
      await ctx.table.apply(
        id,
        { geometry: shaped.geometry, area_m2: shaped.areaM2, perimeter_m: shaped.perimeterM },
        at,
      );
      // Edited unless the outline is the model's, vertex for vertex.
      await ctx.db.query(
        'UPDATE patches SET edited = CASE WHEN ST_OrderingEquals(geom, model_geom) THEN 0 ELSE 1 END WHERE id = $1',
        [id],
      );
    },
    expect,
  );
}

export async function revertGeometryPg(
  ctx: PgEditContext,
  id: number,
  actor: string,
  expect?: ReadVersions,
): Promise<Recorded> {
  const [row] = await liveRows(ctx, [id], expect);
  if (row.origin !== 'model')
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `Patch #${row.number} was ${row.origin === 'manual' ? 'drawn by hand' : `made by a ${row.origin}`}: there is no model geometry to return to (undo instead).`,
    );
  return recordPg(
    ctx.db,
    ctx.table,
    'revert',
    actor,
    `Reverted patch #${row.number} to the model's outline`,
    [id],
    async (at) => {
      await ctx.table.apply(
        id,
        {
          geometry: row.model_geometry,
          area_m2: row.model_area_m2,
          perimeter_m: row.model_perimeter_m,
          edited: 0,
        },
        at,
      );
    },
    expect,
  );
}

export async function createPg(
  ctx: PgEditContext,
  rings: number[][][],
  state: ReviewState,
  comment: string | null,
  attributes: Partial<PatchAttributes>,
  actor: string,
): Promise<Recorded> {
  ctx.rules.mayWrite();
  const shaped = shapePolygon(rings, 'The drawn patch', ctx.frame);
  checkAttributeCodes(await codeListsOf(ctx.db), attributes);
  const snap = attributeColumns(attributes);
  const text = comment?.trim() ? comment : null;
  await lockNumbers(ctx.db);
  return recordPg(ctx.db, ctx.table, 'create', actor, 'Drew a new patch', [], async (at) => {
    await ctx.db.query(
      `INSERT INTO runs (id, model_id, model_version, threshold, min_area, params,
         execution_provider, started_at, seconds, patch_count)
       VALUES ($1, 'manual', '-', 0, 0, '{}', 'none', $2, 0, 0) ON CONFLICT (id) DO NOTHING`,
      [MANUAL_RUN_ID, ctx.createdAt],
    );
    const id = await ctx.table.insert(
      {
        runId: MANUAL_RUN_ID,
        state,
        geometry: shaped.geometry,
        areaM2: shaped.areaM2,
        perimeterM: shaped.perimeterM,
        // Drawn by hand: the model never scored it.
        meanProb: null,
        maxProb: null,
        comment: text,
        reviewer: state === 'unreviewed' ? null : actor,
        reviewedAt: state === 'unreviewed' ? null : at,
        origin: 'manual',
        parents: [],
        attributes: {
          change_class: null,
          legality: null,
          parcel_no: null,
          field_result: null,
          note: null,
          change_kind: null,
          ...(snap as Record<string, string | null>),
        },
      },
      at,
    );
    if (state !== 'unreviewed') await insertReview(ctx.db, id, state, text, actor, at);
    return { created: [id] };
  });
}

export async function deletePg(
  ctx: PgEditContext,
  ids: number[],
  actor: string,
  expect?: ReadVersions,
): Promise<Recorded> {
  const rows = await liveRows(ctx, ids, expect);
  return recordPg(
    ctx.db,
    ctx.table,
    'delete',
    actor,
    `Deleted ${patchesNamed(rows)}`,
    rows.map((r) => r.id),
    async (at) => {
      for (const r of rows) await ctx.table.apply(r.id, { deleted: DELETED }, at);
    },
    expect,
  );
}
