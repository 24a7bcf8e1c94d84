/**
 * Carry-over between monitoring rounds: a patch at the place of a patch decided in another run
 * shows that decision, and when the two codes are close (the same kind of change) it can take the
 * decision over in one undoable step (`patches.inherit`).
 */
import { basename } from 'node:path';
import type { EditResult } from '../../common/contract.js';
import type { CarryOver } from '../../common/codes-contract.js';
import { LandWatchError } from '../errors.js';
import { polygonsOverlap } from '../store/geometry/polygon-ops.js';
import type { PatchRow } from '../store/patch-rows.js';
import { storedPolygons } from '../vector/geo.js';
import { l1 } from './code-packing.js';
import type { ProjectCodes } from './project-codes.js';

/** Rings of a stored Polygon or MultiPolygon, as one list of polygons. */

function overlaps(a: string, b: string): boolean {
  const pa = storedPolygons(a);
  return storedPolygons(b).some((pb) => pa.some((x) => polygonsOverlap(x, pb)));
}

/**
 * The decided patch of another run that overlaps `patchId` and has the nearest code, or null.
 * Decided here means reviewed (a state other than unreviewed) and not deleted.
 */
export async function carryOver(codes: ProjectCodes, patchId: number): Promise<CarryOver | null> {
  const db = codes.store.db;
  const row = db.prepare('SELECT * FROM patches WHERE id = ?').get(patchId) as PatchRow | undefined;
  if (!row || row.deleted === 2)
    throw new LandWatchError(
      'E_NOT_FOUND',
      `Patch ${patchId} does not exist in ${basename(codes.store.path)}.`,
    );
  const box = db
    .prepare('SELECT minx, miny, maxx, maxy FROM patches_rtree WHERE id = ?')
    .get(patchId) as {
    minx: number;
    miny: number;
    maxx: number;
    maxy: number;
  };
  const candidates = db
    .prepare(
      `SELECT k.* FROM patches_rtree r CROSS JOIN patches k ON k.id = r.id
       WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?
         AND k.id <> ? AND k.run_id <> ? AND k.deleted = 0 AND k.state <> 'unreviewed'`,
    )
    .all(box.maxx, box.minx, box.maxy, box.miny, patchId, row.run_id) as PatchRow[];
  const places = candidates.filter((k) => overlaps(row.geometry, k.geometry));
  if (places.length === 0) return null;
  // The review desk asks on every selection: code only when one of these codes is missing.
  if ([patchId, ...places.map((k) => k.id)].some((id) => !codes.codeOf(id))) await codes.ensure();
  const mine = codes.codeOf(patchId);
  let best: { k: PatchRow; distance: number } | null = null;
  for (const k of places) {
    const theirs = codes.codeOf(k.id);
    if (!mine || !theirs) continue;
    const distance = l1(mine, theirs);
    if (!best || distance < best.distance || (distance === best.distance && k.id > best.k.id))
      best = { k, distance };
  }
  if (!best) return null;
  const { k, distance } = best;
  const closeDistance = codes.model.card.code.closeDistance;
  return {
    earlier: {
      id: String(k.id),
      number: k.number,
      runId: k.run_id,
      state: k.state,
      changeClass: k.change_class,
      legality: k.legality,
      fieldResult: k.field_result,
      note: k.note,
      comment: k.comment,
    },
    distance,
    close: distance <= closeDistance,
    closeDistance,
  };
}

/**
 * Copies the earlier decision onto `patchId` as one history entry (one undo step): state, class,
 * legality, field result, note and comment, with a review row in the acting analyst's name.
 * Refuses when there is no earlier decision or the codes are not close.
 */
export async function inheritDecision(
  codes: ProjectCodes,
  patchId: number,
  actor: string,
): Promise<EditResult> {
  const store = codes.store;
  const found = await carryOver(codes, patchId);
  const number = store.patch(patchId).number;
  if (!found)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `Patch #${number} has no decided patch of another run at its place.`,
    );
  if (!found.close) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `Patch #${number} differs from patch #${found.earlier.number} (code distance ${found.distance} > ${found.closeDistance}): decide it yourself.`,
    );
  }
  const e = found.earlier;
  return store.inherit(
    patchId,
    e,
    `Patch #${number} inherited the decision of patch #${e.number}`,
    actor,
  );
}
