/**
 * Split and merge in a team project: the same geometry (geometry/polygon-ops.ts) and the same
 * rules for what the pieces and the merged patch take over as PatchEditor.split and .merge; new
 * patches are numbered under the project's number lock.
 */
import { LandWatchError } from '../../errors.js';
import { shapePolygon } from '../edit-rules.js';
import { splitPolygonByLine, unionPolygons } from '../geometry/polygon-ops.js';
import type { PolygonRings } from '../geometry/rings.js';
import type { Recorded } from '../history-log.js';
import type { PatchRow } from '../patch-rows.js';
import { ATTRIBUTE_COLUMNS, DELETED } from '../patch-rows.js';
import type { NewPatchRow } from '../patch-table.js';
import type { ReadVersions } from '../versions.js';
import type { PgEditContext } from './pg-edits.js';
import { liveRows } from './pg-edits.js';
import { recordPg } from './pg-history.js';
import { lockNumbers } from './pg-patch-table.js';

const ringsOf = (row: PatchRow): PolygonRings =>
  (JSON.parse(row.geometry) as { coordinates: PolygonRings }).coordinates;

/** State, comment and attributes a piece or a merged patch takes over from `row`. */
function inherit(
  row: PatchRow,
): Omit<NewPatchRow, 'geometry' | 'areaM2' | 'perimeterM' | 'origin' | 'parents'> {
  return {
    runId: row.run_id,
    state: row.state,
    meanProb: row.unscored ? null : row.mean_prob,
    maxProb: row.unscored ? null : row.max_prob,
    comment: row.comment,
    reviewer: row.reviewer,
    reviewedAt: row.reviewed_at,
    attributes: {
      change_class: row.change_class,
      legality: row.legality,
      parcel_no: row.parcel_no,
      field_result: row.field_result,
      note: row.note,
      change_kind: row.change_kind,
    },
  };
}

/** Splits a patch along a polyline into two or more pieces that replace it. */
export async function splitPg(
  ctx: PgEditContext,
  id: number,
  line: number[][],
  actor: string,
  expect?: ReadVersions,
): Promise<Recorded> {
  await lockNumbers(ctx.db);
  const [row] = await liveRows(ctx, [id], expect);
  const pieces = splitPolygonByLine(
    ringsOf(row),
    line.map((p) => [p[0], p[1]]),
  );
  if (pieces.length < 2)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `The line does not cut patch #${row.number} apart: it must cross the patch, entering and leaving it through its outline.`,
    );
  const shaped = pieces.map((p, i) =>
    shapePolygon(p, `Piece ${i + 1} of patch #${row.number}`, ctx.frame, false),
  );
  return recordPg(
    ctx.db,
    ctx.table,
    'split',
    actor,
    `Split patch #${row.number} into ${pieces.length}`,
    [id],
    async (at) => {
      const created: number[] = [];
      for (const s of shaped)
        created.push(
          await ctx.table.insert(
            {
              ...inherit(row),
              geometry: s.geometry,
              areaM2: s.areaM2,
              perimeterM: s.perimeterM,
              origin: 'split',
              parents: [id],
            },
            at,
          ),
        );
      await ctx.table.apply(id, { deleted: DELETED }, at);
      return { created };
    },
    expect,
  );
}

/** Merges overlapping or edge-sharing patches into one new patch (see PatchEditor.merge). */
export async function mergePg(
  ctx: PgEditContext,
  ids: number[],
  primaryId: number | undefined,
  actor: string,
  expect?: ReadVersions,
): Promise<Recorded> {
  const unique = [...new Set(ids)];
  if (unique.length < 2)
    throw new LandWatchError('E_BAD_REQUEST', 'Merging needs at least two different patches.');
  await lockNumbers(ctx.db);
  const rows = (await liveRows(ctx, unique, expect)).sort((a, b) => b.area_m2 - a.area_m2);
  const primary = primaryId === undefined ? rows[0] : rows.find((r) => r.id === primaryId);
  if (!primary)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `primaryId ${primaryId} is not one of the patches to merge.`,
    );
  const parts = unionPolygons(rows.map(ringsOf));
  const names = rows.map((r) => `#${r.number}`).join(', ');
  if (parts.length !== 1)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `Patches ${names} make ${parts.length} separate areas: only patches that overlap or share an edge can be merged.`,
    );
  const shaped = shapePolygon(parts[0], `The union of patches ${names}`, ctx.frame, false);
  // The model's figures come from the patches it scored; drawn ones have none to give.
  const scored = rows.filter((r) => !r.unscored);
  const area = scored.reduce((s, r) => s + r.area_m2, 0);
  const attributes = inherit(primary).attributes;
  for (const col of Object.values(ATTRIBUTE_COLUMNS) as (keyof NewPatchRow['attributes'])[]) {
    attributes[col] ??= rows.find((r) => r[col] !== null)?.[col] ?? null;
  }
  const notes = [...new Set(rows.map((r) => r.note).filter((n): n is string => !!n))];
  attributes.note = notes.length > 0 ? notes.join('\n') : null;
  const merged: NewPatchRow = {
    ...inherit(primary),
    geometry: shaped.geometry,
    areaM2: shaped.areaM2,
    perimeterM: shaped.perimeterM,
    meanProb:
      scored.length === 0
        ? null
        : area > 0
          ? scored.reduce((s, r) => s + r.mean_prob * r.area_m2, 0) / area
          : scored[0].mean_prob,
    maxProb: scored.length === 0 ? null : Math.max(...scored.map((r) => r.max_prob)),
    attributes,
    origin: 'merge',
    parents: rows.map((r) => r.id),
  };
  return recordPg(
    ctx.db,
    ctx.table,
    'merge',
    actor,
    `Merged patches ${names}`,
    unique,
    async (at) => {
      const created = [await ctx.table.insert(merged, at)];
      for (const r of rows) await ctx.table.apply(r.id, { deleted: DELETED }, at);
      return { created };
    },
    expect,
  );
}
