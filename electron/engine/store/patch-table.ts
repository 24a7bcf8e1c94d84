/**
 * Row-level access to the patches table for the edit operations and the history: reading rows,
 * writing partial snapshots (keeping the R*Tree bounds in step with the geometry), inserting new
 * patches and audit rows. Statements are prepared once; the ones whose column list varies are
 * cached by their SQL.
 */
import type Database from 'better-sqlite3';
import type { PatchView } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import { ringsBBox } from '../vector/geo.js';
import type { PatchRow, Snapshot, ViewRow } from './patch-rows.js';
import { DECIDED_SQL, LIVE, toView } from './patch-rows.js';
import type { LastChange } from './versions.js';

/** A patch created by an edit (split, merge, drawn by hand). */
export interface NewPatchRow {
  runId: string;
  state: string;
  geometry: string;
  areaM2: number;
  perimeterM: number;
  /** The model's probabilities; null when the model never scored the patch (drawn by hand). */
  meanProb: number | null;
  maxProb: number | null;
  comment: string | null;
  reviewer: string | null;
  reviewedAt: string | null;
  origin: 'manual' | 'split' | 'merge';
  parents: number[];
  attributes: Record<
    'change_class' | 'legality' | 'parcel_no' | 'field_result' | 'note' | 'change_kind',
    string | null
  >;
}

/** Bounds of a stored GeoJSON Polygon or MultiPolygon. */
export function geometryBBox(geometry: string): [number, number, number, number] {
  const g = JSON.parse(geometry) as { type: string; coordinates: number[][][] | number[][][][] };
  const rings =
    g.type === 'MultiPolygon'
      ? (g.coordinates as number[][][][]).flat()
      : (g.coordinates as number[][][]);
  return ringsBBox(rings);
}

/** Reads and writes single patch rows; used inside the transactions of edits and undo. */
export class PatchTable {
  private readonly stmts;
  private readonly updates = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly fileName: string,
  ) {
    this.stmts = {
      row: db.prepare('SELECT * FROM patches WHERE id = ?'),
      bounds: db.prepare(
        'UPDATE patches_rtree SET minx = ?, maxx = ?, miny = ?, maxy = ? WHERE id = ?',
      ),
      insert: db.prepare(
        `INSERT INTO patches (run_id, number, state, geometry, model_geometry, area_m2, perimeter_m,
           model_area_m2, model_perimeter_m, mean_prob, max_prob, comment, reviewer, reviewed_at,
           created_at, updated_at, change_class, legality, parcel_no, field_result, note,
           change_kind, origin, parents, unscored)
         VALUES (@runId, @number, @state, @geometry, @geometry, @areaM2, @perimeterM, @areaM2,
           @perimeterM, @meanProb, @maxProb, @comment, @reviewer, @reviewedAt, @at, @at,
           @change_class, @legality, @parcel_no, @field_result, @note, @change_kind, @origin,
           @parents, @unscored)`,
      ),
      insertBounds: db.prepare(
        'INSERT INTO patches_rtree (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)',
      ),
      maxNumber: db.prepare('SELECT COALESCE(MAX(number), 0) AS n FROM patches'),
      audit: db.prepare(
        `INSERT INTO audit (patch_id, at, actor, action, before, after, history_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      lastChange: db.prepare(
        'SELECT actor, at, action FROM audit WHERE patch_id = ? ORDER BY id DESC LIMIT 1',
      ),
      linksOf: db.prepare(
        `SELECT l.patch_id AS id FROM patch_links l CROSS JOIN patches k ON k.id = l.patch_id
         WHERE l.detection_id = ? AND ${DECIDED_SQL} ORDER BY l.patch_id`,
      ),
    };
  }

  row(id: number): PatchRow | undefined {
    return this.stmts.row.get(id) as PatchRow | undefined;
  }

  /** Who changed patch `id` last, when and how (its newest audit row); null if never changed. */
  lastChange(id: number): LastChange | null {
    return (this.stmts.lastChange.get(id) as LastChange | undefined) ?? null;
  }

  /** The row of patch `id`; E_NOT_FOUND if there is none (or it is void). */
  require(id: number): PatchRow {
    const row = this.row(id);
    if (!row || row.deleted === 2)
      throw new LandWatchError('E_NOT_FOUND', `Patch ${id} does not exist in ${this.fileName}.`);
    return row;
  }

  /** The row of a patch that is not deleted; deleted ones cannot be edited (undo first). */
  requireLive(id: number): PatchRow {
    const row = this.require(id);
    if (row.deleted !== LIVE)
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `Patch #${row.number} (id ${id}) is deleted; undo the deletion before editing it.`,
      );
    return row;
  }

  view(id: number): PatchView {
    return this.viewOf(this.require(id));
  }

  viewOf(row: ViewRow): PatchView {
    if (row.linked !== 1) return toView(row);
    const links = (this.stmts.linksOf.all(row.id) as { id: number }[]).map((r) => r.id);
    return toView(row, links);
  }

  /** Writes the columns of a (partial) snapshot; moves the R*Tree bounds with the geometry. */
  apply(id: number, snapshot: Snapshot, at: string): void {
    const cols = Object.keys(snapshot).sort();
    if (cols.length === 0) return;
    const sql = `UPDATE patches SET ${cols.map((c) => `${c} = @${c}`).join(', ')}, updated_at = @updated_at, version = version + 1 WHERE id = @id`;
    let stmt = this.updates.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.updates.set(sql, stmt);
    }
    stmt.run({ ...snapshot, updated_at: at, id });
    if (typeof snapshot.geometry === 'string') {
      const [minx, miny, maxx, maxy] = geometryBBox(snapshot.geometry);
      this.stmts.bounds.run(minx, maxx, miny, maxy, id);
    }
  }

  /**
   * Inserts a patch made by an edit; returns its id. Without model probabilities it is stored
   * `unscored` with 0 for both, so the ranking puts it after the detections.
   */
  insert(p: NewPatchRow, at: string): number {
    const number = (this.stmts.maxNumber.get() as { n: number }).n + 1;
    const unscored = p.meanProb === null || p.maxProb === null;
    const info = this.stmts.insert.run({
      ...p,
      ...p.attributes,
      meanProb: unscored ? 0 : p.meanProb,
      maxProb: unscored ? 0 : p.maxProb,
      unscored: unscored ? 1 : 0,
      number,
      at,
      parents: JSON.stringify(p.parents),
    });
    const id = Number(info.lastInsertRowid);
    const [minx, miny, maxx, maxy] = geometryBBox(p.geometry);
    this.stmts.insertBounds.run(id, minx, maxx, miny, maxy);
    return id;
  }

  audit(
    id: number,
    at: string,
    actor: string,
    action: string,
    before: Snapshot | null,
    after: Snapshot | null,
    seq: number | null,
  ): void {
    this.stmts.audit.run(
      id,
      at,
      actor,
      action,
      before ? JSON.stringify(before) : null,
      after ? JSON.stringify(after) : null,
      seq,
    );
  }
}
