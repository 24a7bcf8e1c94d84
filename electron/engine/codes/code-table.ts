/**
 * Patch codes in the project file (`patch_codes`, migration 5). A code is valid for the model
 * that made it and for the R*Tree bounds it was cut for: a geometry edit that moves the bounds,
 * a split, a merge or a drawn patch leaves a patch without a current code, and
 * {@link PatchCodeTable.stale} lists exactly those, so codes are recomputed lazily without the
 * edit code knowing about them.
 */
import type Database from 'better-sqlite3';
import type { BBox } from './patch-chips.js';

/** A patch that needs a (new) code, with the bounds to cut its chip from. */
export interface StalePatch {
  id: number;
  bbox: BBox;
}

/** Reads and writes `patch_codes` on a project's connection; statements are prepared once. */
export class PatchCodeTable {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      stale: db.prepare(
        `SELECT p.id, r.minx, r.miny, r.maxx, r.maxy
         FROM patches p JOIN patches_rtree r ON r.id = p.id
         LEFT JOIN patch_codes c ON c.patch_id = p.id
         WHERE p.deleted = 0 AND (c.patch_id IS NULL OR c.model_id <> ? OR c.minx <> r.minx
           OR c.miny <> r.miny OR c.maxx <> r.maxx OR c.maxy <> r.maxy)
         ORDER BY p.id`,
      ),
      put: db.prepare(
        `INSERT OR REPLACE INTO patch_codes (patch_id, model_id, minx, miny, maxx, maxy, code)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      current: db.prepare(
        `SELECT c.patch_id AS id, c.code FROM patch_codes c JOIN patches_rtree r ON r.id = c.patch_id
         WHERE c.model_id = ? AND c.minx = r.minx AND c.miny = r.miny AND c.maxx = r.maxx
           AND c.maxy = r.maxy`,
      ),
      one: db.prepare(
        `SELECT c.code FROM patch_codes c JOIN patches_rtree r ON r.id = c.patch_id
         WHERE c.patch_id = ? AND c.model_id = ? AND c.minx = r.minx AND c.miny = r.miny
           AND c.maxx = r.maxx AND c.maxy = r.maxy`,
      ),
    };
  }

  /** Live patches whose code is missing, from another model, or cut for other bounds. */
  stale(modelId: string): StalePatch[] {
    return (
      this.stmts.stale.all(modelId) as {
        id: number;
        minx: number;
        miny: number;
        maxx: number;
        maxy: number;
      }[]
    ).map((r) => ({ id: r.id, bbox: [r.minx, r.miny, r.maxx, r.maxy] }));
  }

  /** Stores packed codes with the bounds they were cut for, in one transaction. */
  putMany(modelId: string, rows: { patch: StalePatch; packed: Uint8Array }[]): void {
    this.db
      .transaction(() => {
        for (const { patch, packed } of rows) {
          const [minx, miny, maxx, maxy] = patch.bbox;
          this.stmts.put.run(patch.id, modelId, minx, miny, maxx, maxy, Buffer.from(packed));
        }
      })
      .immediate();
  }

  /** Every current code of `modelId` (packed), deleted patches included (callers filter). */
  current(modelId: string): { id: number; code: Uint8Array }[] {
    return (this.stmts.current.all(modelId) as { id: number; code: Buffer }[]).map((r) => ({
      id: r.id,
      code: new Uint8Array(r.code),
    }));
  }

  /** The current packed code of one patch, or null when it has none (or a stale one). */
  code(id: number, modelId: string): Uint8Array | null {
    const row = this.stmts.one.get(id, modelId) as { code: Buffer } | undefined;
    return row ? new Uint8Array(row.code) : null;
  }
}
