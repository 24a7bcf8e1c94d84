/**
 * Row-level access to a team project's patches inside one transaction (the PostgreSQL twin of
 * patch-table.ts): rows read with their outlines as GeoJSON text, so the snapshots, diffs and
 * views of patch-rows.ts serve both backends; partial snapshots written back (outlines through
 * PostGIS, in the project's SRID), each write counting the patch's version up; new patches and
 * audit rows inserted.
 */
import type pg from 'pg';
import type { PatchView } from '../../../common/contract.js';
import { LandWatchError } from '../../errors.js';
import type { PatchRow, Snapshot, ViewRow } from '../patch-rows.js';
import { DECIDED_SQL, LIVE, VIEW_COLUMNS, toView } from '../patch-rows.js';
import type { NewPatchRow } from '../patch-table.js';
import type { LastChange } from '../versions.js';

/** Anything that runs a query: the pool or a client in a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** GeoJSON text of a geometry column: full precision, no `crs` member. */
export const geojson = (column: string) => `ST_AsGeoJSON(${column}, 15, 0)`;

/** {@link VIEW_COLUMNS} as PostgreSQL reads them (alias `p`). */
export const PG_VIEW_COLUMNS = VIEW_COLUMNS.replace(
  'p.geometry',
  `${geojson('p.geom')} AS geometry`,
).replace('p.parents', 'p.parents::text AS parents');

/** Every column of a {@link PatchRow} (alias `p`). */
export const PG_ROW_COLUMNS = `${PG_VIEW_COLUMNS}, ${geojson('p.model_geom')} AS model_geometry,
  p.model_area_m2, p.model_perimeter_m`;

/** Reads and writes patch rows of one project within one transaction. */
export class PgPatchTable {
  constructor(
    private readonly db: Queryable,
    /** The SRID of the project's geometry columns. */
    readonly srid: number,
    private readonly projectName: string,
  ) {}

  async row(id: number): Promise<PatchRow | undefined> {
    const r = await this.db.query(`SELECT ${PG_ROW_COLUMNS} FROM patches p WHERE p.id = $1`, [id]);
    return r.rows[0] as PatchRow | undefined;
  }

  /**
   * Locks the rows of `ids` for this transaction (in id order, so concurrent writers never
   * deadlock) and returns them by id; missing ids are left out.
   */
  async lock(ids: number[]): Promise<Map<number, PatchRow>> {
    if (ids.length === 0) return new Map();
    const r = await this.db.query(
      `SELECT ${PG_ROW_COLUMNS} FROM patches p WHERE p.id = ANY($1::int[]) ORDER BY p.id FOR UPDATE`,
      [[...new Set(ids)]],
    );
    return new Map((r.rows as PatchRow[]).map((row) => [row.id, row]));
  }

  /** The row of patch `id`; E_NOT_FOUND if there is none (or it is void). */
  async require(id: number): Promise<PatchRow> {
    return this.checked(id, await this.row(id));
  }

  /** `row` as {@link require} would return it, or its error. */
  checked(id: number, row: PatchRow | undefined): PatchRow {
    if (!row || row.deleted === 2)
      throw new LandWatchError('E_NOT_FOUND', `Patch ${id} does not exist in ${this.projectName}.`);
    return row;
  }

  /** `row` if it is not deleted; deleted ones cannot be edited (undo first). */
  live(id: number, row: PatchRow | undefined): PatchRow {
    const r = this.checked(id, row);
    if (r.deleted !== LIVE)
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `Patch #${r.number} (id ${id}) is deleted; undo the deletion before editing it.`,
      );
    return r;
  }

  /** Who changed patch `id` last, when and how; null if never changed. */
  async lastChange(id: number): Promise<LastChange | null> {
    const r = await this.db.query(
      'SELECT actor, at, action FROM audit WHERE patch_id = $1 ORDER BY id DESC LIMIT 1',
      [id],
    );
    return (r.rows[0] as LastChange | undefined) ?? null;
  }

  async view(id: number): Promise<PatchView> {
    return this.viewOf(await this.require(id));
  }

  async viewOf(row: ViewRow): Promise<PatchView> {
    if (row.linked !== 1) return toView(row);
    const r = await this.db.query(
      `SELECT l.patch_id AS id FROM patch_links l JOIN patches k ON k.id = l.patch_id
       WHERE l.detection_id = $1 AND ${DECIDED_SQL} ORDER BY l.patch_id`,
      [row.id],
    );
    return toView(
      row,
      r.rows.map((x: { id: number }) => x.id),
    );
  }

  /** Writes the columns of a (partial) snapshot and counts the version up. */
  async apply(id: number, snapshot: Snapshot, at: string): Promise<void> {
    const cols = Object.keys(snapshot).sort() as (keyof Snapshot)[];
    if (cols.length === 0) return;
    const params: unknown[] = [id, at];
    const sets = cols.map((c) => {
      params.push(snapshot[c]);
      const p = `$${params.length}`;
      return c === 'geometry'
        ? `geom = ST_SetSRID(ST_GeomFromGeoJSON(${p}), ${this.srid})`
        : `${c} = ${p}`;
    });
    await this.db.query(
      `UPDATE patches SET ${sets.join(', ')}, updated_at = $2, version = version + 1 WHERE id = $1`,
      params,
    );
  }

  /**
   * Inserts a patch made by an edit; returns its id. The caller holds the project's number lock
   * ({@link lockNumbers}), so numbers stay unique and gapless under concurrent writers.
   */
  async insert(p: NewPatchRow, at: string): Promise<number> {
    const a = p.attributes;
    // Without model probabilities: stored `unscored` with 0s, ranked after the detections.
    const unscored = p.meanProb === null || p.maxProb === null;
    const g = `ST_SetSRID(ST_GeomFromGeoJSON($3), ${this.srid})`;
    const r = await this.db.query<{ id: number }>(
      `INSERT INTO patches (run_id, number, state, geom, model_geom, area_m2, perimeter_m,
         model_area_m2, model_perimeter_m, mean_prob, max_prob, comment, reviewer, reviewed_at,
         created_at, updated_at, change_class, legality, parcel_no, field_result, note,
         change_kind, origin, parents, unscored)
       VALUES ($1, (SELECT COALESCE(MAX(number), 0) + 1 FROM patches), $2, ${g}, ${g}, $4, $5,
         $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
       RETURNING id`,
      [
        p.runId,
        p.state,
        p.geometry,
        p.areaM2,
        p.perimeterM,
        unscored ? 0 : p.meanProb,
        unscored ? 0 : p.maxProb,
        p.comment,
        p.reviewer,
        p.reviewedAt,
        at,
        a.change_class,
        a.legality,
        a.parcel_no,
        a.field_result,
        a.note,
        a.change_kind,
        p.origin,
        JSON.stringify(p.parents),
        unscored ? 1 : 0,
      ],
    );
    return r.rows[0].id;
  }

  async audit(
    id: number,
    at: string,
    actor: string,
    action: string,
    before: Snapshot | null,
    after: Snapshot | null,
    seq: number | null,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO audit (patch_id, at, actor, action, before, after, history_seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        id,
        at,
        actor,
        action,
        before && JSON.stringify(before),
        after && JSON.stringify(after),
        seq,
      ],
    );
  }
}

/** Serialises the writers that number new patches (runs, drawn patches) in this project. */
export async function lockNumbers(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':numbers'))");
}
