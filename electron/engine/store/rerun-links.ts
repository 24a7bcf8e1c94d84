/**
 * What a new detection run does to the patches already in a project, so that no human decision
 * is ever replaced:
 *
 * - A new detection whose interior overlaps a patch an analyst has decided or shaped (reviewed,
 *   commented, classified, edited, split, merged, drawn, or deleted) gets a row in `patch_links`
 *   to that patch. Candidates come from the R*Tree on bounds; the overlap is then decided on the
 *   real polygons (a shared edge or corner is not an overlap). Linked detections stay in the file
 *   (`includeLinked` shows them) but are left out of the queue, the lists and the counts: the
 *   decided patch stands for them. If the decision is later undone, the link stops hiding them.
 * - Patches of earlier runs that nobody has touched are marked `superseded_by` the new run: the
 *   new run is the model's current answer for them. Naming their run in a filter still shows them.
 *
 * Decided patches themselves are never modified by a run.
 */
import type Database from 'better-sqlite3';
import { polygonsOverlap } from './geometry/polygon-ops.js';
import { DECIDED_SQL } from './patch-rows.js';
import { MANUAL_RUN_ID } from './patch-edits.js';

/** A detection just inserted by the run. */
export interface InsertedDetection {
  id: number;
  rings: number[][][];
  bbox: [number, number, number, number];
}

/** Applies the re-run rules above to one new run, inside ProjectStore.addRun's transaction. */
export class RerunLinker {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      candidates: db.prepare(
        // CROSS JOIN keeps the R*Tree as the outer loop (SQLite does not reorder it).
        `SELECT k.id, k.geometry FROM patches_rtree r CROSS JOIN patches k ON k.id = r.id
         WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?
           AND k.run_id <> ? AND ${DECIDED_SQL}`,
      ),
      link: db.prepare(
        'INSERT OR IGNORE INTO patch_links (detection_id, patch_id, run_id, at) VALUES (?, ?, ?, ?)',
      ),
      flag: db.prepare('UPDATE patches SET linked = 1 WHERE id = ?'),
      anyDecided: db.prepare(`SELECT 1 FROM patches k WHERE ${DECIDED_SQL} LIMIT 1`),
      supersede: db.prepare(
        `UPDATE patches AS k SET superseded_by = ?
         WHERE k.run_id NOT IN (?, ?) AND k.superseded_by IS NULL AND k.deleted = 0
           AND NOT ${DECIDED_SQL}`,
      ),
      // A run over an area of interest answers for that area only.
      supersedeIn: db.prepare(
        `UPDATE patches AS k SET superseded_by = ?
         WHERE k.run_id NOT IN (?, ?) AND k.superseded_by IS NULL AND k.deleted = 0
           AND NOT ${DECIDED_SQL} AND k.id IN (SELECT id FROM patches_rtree
             WHERE minx < ? AND maxx > ? AND miny < ? AND maxy > ?)`,
      ),
    };
  }

  /**
   * Links the run's detections to the decided patches they overlap and supersedes untouched
   * patches of earlier runs (with `area`, the bounds of the run's area of interest: only those
   * meeting it). Runs inside the caller's transaction (ProjectStore.addRun).
   */
  apply(
    runId: string,
    detections: InsertedDetection[],
    at: string,
    area?: [number, number, number, number],
  ): { linked: number; superseded: number } {
    let linked = 0;
    // A first run (or one over a project nobody has reviewed yet) has nothing to link to.
    const anyDecided = this.stmts.anyDecided.get() !== undefined;
    for (const d of anyDecided ? detections : []) {
      const [minx, miny, maxx, maxy] = d.bbox;
      const rows = this.stmts.candidates.all(maxx, minx, maxy, miny, runId) as {
        id: number;
        geometry: string;
      }[];
      for (const k of rows) {
        const rings = (JSON.parse(k.geometry) as { coordinates: number[][][] }).coordinates;
        if (polygonsOverlap(d.rings, rings)) {
          this.stmts.link.run(d.id, k.id, runId, at);
          this.stmts.flag.run(d.id);
          linked++;
        }
      }
    }
    const superseded = area
      ? this.stmts.supersedeIn.run(runId, runId, MANUAL_RUN_ID, area[2], area[0], area[3], area[1])
          .changes
      : this.stmts.supersede.run(runId, runId, MANUAL_RUN_ID).changes;
    return { linked, superseded };
  }
}
