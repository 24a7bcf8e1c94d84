/**
 * The review queue of a team project: the same filters, ranking and counts as patch-queue.ts
 * (whose WHERE clause it reuses, with `$n` placeholders), map bounds answered by the GiST index
 * on the outlines instead of SQLite's R*Tree.
 */
import type { PatchFilter, PatchSummary, ReviewState } from '../../../common/contract.js';
import { LandWatchError } from '../../errors.js';
import { SCORE_SQL, filterWhere } from '../patch-queue.js';
import type { ViewRow } from '../patch-rows.js';
import { DECIDED_SQL } from '../patch-rows.js';
import { numbered } from './pg-connection.js';
import type { Queryable } from './pg-patch-table.js';
import { PG_VIEW_COLUMNS } from './pg-patch-table.js';

interface PgWhere {
  sql: string;
  params: unknown[];
}

/** The WHERE clause (alias `p`) of a filter, its parameters numbered from $1. */
export function pgFilterWhere(filter: PatchFilter, srid: number): PgWhere {
  const { bbox, referenceOverlap, assignee, ...rest } = filter;
  if (referenceOverlap)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      'Filtering by reference layers is not available in team projects yet.',
    );
  const w = filterWhere(rest);
  const params = [...w.params];
  // SQLite's CROSS JOIN (a join-order hint) is a plain join to PostgreSQL's planner.
  let sql = numbered(w.sql.replace(/CROSS JOIN/g, 'JOIN'));
  if (bbox) {
    params.push(...bbox);
    const n = params.length;
    sql += ` AND p.geom && ST_MakeEnvelope($${n - 3}, $${n - 2}, $${n - 1}, $${n}, ${srid})`;
  }
  if (assignee !== undefined) {
    params.push(assignee);
    sql += ` AND p.id IN (SELECT pp.patch_id FROM package_patches pp
      JOIN packages k ON k.id = pp.package_id WHERE k.assignee = $${params.length})`;
  }
  return { sql, params };
}

const LINKED_SQL = `(p.linked = 1 AND EXISTS (SELECT 1 FROM patch_links l
  JOIN patches k ON k.id = l.patch_id WHERE l.detection_id = p.id AND ${DECIDED_SQL}))`;

/** Ranked, filtered reads of a team project's patches. */
export class PgQueue {
  constructor(
    private readonly db: Queryable,
    private readonly srid: number,
  ) {}

  private async rowsById(ids: number[]): Promise<ViewRow[]> {
    if (ids.length === 0) return [];
    const r = await this.db.query(
      `SELECT ${PG_VIEW_COLUMNS} FROM patches p WHERE p.id = ANY($1::int[])`,
      [ids],
    );
    const byId = new Map((r.rows as ViewRow[]).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) as ViewRow);
  }

  async page(filter: PatchFilter, offset: number, limit: number) {
    const w = pgFilterWhere(filter, this.srid);
    const total = (
      await this.db.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM patches p WHERE ${w.sql}`,
        w.params,
      )
    ).rows[0].n;
    const n = w.params.length;
    const ids = await this.db.query<{ id: number }>(
      `SELECT p.id FROM patches p WHERE ${w.sql} ORDER BY ${SCORE_SQL} DESC, p.number
       LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...w.params, limit, offset],
    );
    return { total, rows: await this.rowsById(ids.rows.map((r) => r.id)) };
  }

  /** The patch ranked right after `after` (before it with `backward`), or undefined. */
  async next(filter: PatchFilter, after?: ViewRow, backward = false): Promise<ViewRow | undefined> {
    const w = pgFilterWhere(filter, this.srid);
    const order = backward
      ? `ORDER BY ${SCORE_SQL} ASC, p.number DESC LIMIT 1`
      : `ORDER BY ${SCORE_SQL} DESC, p.number LIMIT 1`;
    const [to, beyond, past] = backward ? ['>=', '>', '<'] : ['<=', '<', '>'];
    const n = w.params.length;
    const found = after
      ? await this.db.query<{ id: number }>(
          `SELECT p.id FROM patches p WHERE ${w.sql} AND ${SCORE_SQL} ${to} $${n + 1}
             AND (${SCORE_SQL} ${beyond} $${n + 1} OR p.number ${past} $${n + 2}) ${order}`,
          [...w.params, after.mean_prob * after.area_m2, after.number],
        )
      : await this.db.query<{ id: number }>(
          `SELECT p.id FROM patches p WHERE ${w.sql} ${order}`,
          w.params,
        );
    const id = found.rows[0]?.id;
    return id === undefined ? undefined : (await this.rowsById([id]))[0];
  }

  /** Ids of every patch matching a filter, in queue order. */
  async ids(filter: PatchFilter): Promise<number[]> {
    const w = pgFilterWhere(filter, this.srid);
    const r = await this.db.query<{ id: number }>(
      `SELECT p.id FROM patches p WHERE ${w.sql} ORDER BY ${SCORE_SQL} DESC, p.number`,
      w.params,
    );
    return r.rows.map((x) => x.id);
  }

  /** Rows matching a filter, by patch number. */
  async rows(filter: PatchFilter): Promise<ViewRow[]> {
    const w = pgFilterWhere(filter, this.srid);
    const r = await this.db.query(
      `SELECT ${PG_VIEW_COLUMNS} FROM patches p WHERE ${w.sql} ORDER BY p.number`,
      w.params,
    );
    return r.rows as ViewRow[];
  }

  async summary(): Promise<PatchSummary> {
    const w = pgFilterWhere({}, this.srid);
    const zero = (): Record<ReviewState, number> => ({
      unreviewed: 0,
      confirmed: 0,
      rejected: 0,
      field_check: 0,
    });
    const out: PatchSummary = {
      total: 0,
      byState: zero(),
      areaM2ByState: zero(),
      byChangeClass: {},
      linked: 0,
      deleted: 0,
    };
    const groups = await this.db.query<{
      state: ReviewState;
      c: string | null;
      n: number;
      a: number;
    }>(
      `SELECT p.state, p.change_class AS c, COUNT(*) AS n, SUM(p.area_m2) AS a
       FROM patches p WHERE ${w.sql} GROUP BY p.state, p.change_class`,
      w.params,
    );
    for (const r of groups.rows) {
      out.byState[r.state] += r.n;
      out.areaM2ByState[r.state] += r.a;
      out.byChangeClass[r.c ?? ''] = (out.byChangeClass[r.c ?? ''] ?? 0) + r.n;
      out.total += r.n;
    }
    const counts = await this.db.query<{ linked: number; deleted: number }>(
      `SELECT (SELECT COUNT(*) FROM patches p WHERE p.deleted = 0 AND ${LINKED_SQL}) AS linked,
              (SELECT COUNT(*) FROM patches WHERE deleted = 1) AS deleted`,
    );
    out.linked = counts.rows[0].linked;
    out.deleted = counts.rows[0].deleted;
    return out;
  }
}
