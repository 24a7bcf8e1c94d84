/**
 * The review queue: live patches ranked by mean probability × area (likely changes over large
 * areas first; ties by patch number), filtered by state, area, confidence, run, change class and
 * map bounds and overlap with reference layers, one page at a time; plus the counts the UI
 * summarises.
 *
 * "Live" means not deleted, not superseded by a later run (see ProjectStore.addRun) and not a
 * re-run detection linked to a patch an analyst has decided. The SQL depends only on which
 * filters are given, so each shape of filter is prepared once and cached.
 */
import type Database from 'better-sqlite3';
import type { PatchFilter, PatchSummary, ReviewState } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import type { ViewRow } from './patch-rows.js';
import { DECIDED_SQL, VIEW_COLUMNS } from './patch-rows.js';

/** Ranking expression; the same text as in the patches_ranked index, so the index serves it. */
export const SCORE_SQL = '(p.mean_prob * p.area_m2)';

// The flag first: only the few patches with links pay for the lookup.
const LINKED_SQL = `(p.linked = 1 AND EXISTS (SELECT 1 FROM patch_links l
  CROSS JOIN patches k ON k.id = l.patch_id WHERE l.detection_id = p.id AND ${DECIDED_SQL}))`;

/** The ranking score of a row, computed as SQLite computes SCORE_SQL (same doubles). */
const score = (r: ViewRow): number => r.mean_prob * r.area_m2;

interface Where {
  /** FROM clause defining alias `p` (and `r` for the R*Tree). */
  from: string;
  sql: string;
  params: unknown[];
}

/** The WHERE clause (on alias `p`) for a filter. */
export function filterWhere(filter: PatchFilter): Where {
  if (filter.assignee !== undefined)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      'Filtering by assignee needs a team project: a local project file has no work packages.',
    );
  const terms = ['p.deleted = 0'];
  const params: unknown[] = [];
  const list = (values: readonly unknown[]) => {
    params.push(...values);
    return values.map(() => '?').join(', ');
  };
  // Naming runs shows their patches even if a later run superseded them.
  if (filter.runIds) terms.push(`p.run_id IN (${list(filter.runIds)})`);
  else terms.push('p.superseded_by IS NULL');
  if (!filter.includeLinked) terms.push(`NOT ${LINKED_SQL}`);
  if (filter.states) terms.push(`p.state IN (${list(filter.states)})`);
  const bound = (sql: string, value: number | undefined) => {
    if (value === undefined) return;
    terms.push(sql);
    params.push(value);
  };
  bound('p.area_m2 >= ?', filter.minAreaM2);
  bound('p.area_m2 <= ?', filter.maxAreaM2);
  bound('p.mean_prob >= ?', filter.minConfidence);
  bound('p.mean_prob <= ?', filter.maxConfidence);
  const oneOf = (column: string, values: readonly (string | null)[] | undefined) => {
    if (!values) return;
    const given = values.filter((c): c is string => c !== null);
    const alts = given.length > 0 ? [`${column} IN (${list(given)})`] : [];
    if (given.length < values.length) alts.push(`${column} IS NULL`);
    terms.push(`(${alts.join(' OR ')})`);
  };
  oneOf('p.change_class', filter.changeClasses);
  oneOf('p.change_kind', filter.changeKinds);
  if (filter.referenceOverlap) {
    // Share of the patch inside a reference layer (0 without a row); the layer's rows are
    // reached through the overlaps' primary key, so this costs one seek per candidate patch.
    const { layerId, minShare, maxShare, rankOutside } = filter.referenceOverlap;
    const share = `(SELECT COALESCE(MAX(o.share), 0) FROM reference_overlaps o
      WHERE o.layer_id = ? AND o.patch_id = p.id)`;
    if (minShare === undefined && maxShare === undefined && !rankOutside) {
      terms.push(`${share} > 0`);
      params.push(Number(layerId));
    }
    for (const [op, value] of [
      ['>=', minShare],
      ['<=', maxShare],
    ] as const) {
      if (value === undefined) continue;
      terms.push(`${share} ${op} ?`);
      params.push(Number(layerId), value);
    }
  }
  if (filter.bbox) {
    const [minx, miny, maxx, maxy] = filter.bbox;
    terms.push('r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?');
    params.push(maxx, minx, maxy, miny);
  }
  // With map bounds the R*Tree drives (CROSS JOIN keeps it the outer loop): a viewport then
  // costs what it holds, not what the project holds.
  const from = filter.bbox ? 'patches_rtree r CROSS JOIN patches p ON p.id = r.id' : 'patches p';
  return { from, sql: terms.join(' AND '), params };
}

/**
 * The ranking score of a filter: confidence × area, or with `referenceOverlap.rankOutside`
 * confidence × the area outside that layer. The layer id is a validated integer, written into the
 * SQL so that every use of the score binds no extra parameters (one prepared statement per layer).
 */
export function scoreSql(filter: PatchFilter): string {
  const rank = filter.referenceOverlap?.rankOutside ? filter.referenceOverlap.layerId : null;
  if (rank === null) return SCORE_SQL;
  const layer = Number(rank);
  if (!Number.isSafeInteger(layer)) throw new Error(`bad reference layer id ${rank}`);
  return `(p.mean_prob * p.area_m2 * (1 - (SELECT COALESCE(MAX(o.share), 0)
    FROM reference_overlaps o WHERE o.layer_id = ${layer} AND o.patch_id = p.id)))`;
}

/** Ranked, filtered reads of the patches table (queue pages, next patch, bulk ids, counts). */
export class PatchQueue {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /**
   * `FROM` clause for ranked reads: walk the ranking index in order (it holds every filter
   * column, so rows are only read for the ones returned); with map bounds, the R*Tree.
   */
  private ranked(w: Where, filter: PatchFilter): string {
    if (scoreSql(filter) !== SCORE_SQL) return w.from;
    return w.from === 'patches p' ? 'patches p INDEXED BY patches_ranked' : w.from;
  }

  /** A row's ranking score under a filter's ranking, as SQLite computes it (same doubles). */
  private scoreOf(filter: PatchFilter, row: ViewRow): number {
    const sql = scoreSql(filter);
    if (sql === SCORE_SQL) return score(row);
    return (
      this.stmt(`SELECT ${sql} AS s FROM patches p WHERE p.id = ?`).get(row.id) as { s: number }
    ).s;
  }

  /** Rows for ids, in the order given: one statement for the lot, without the model geometry. */
  private rowsById(ids: { id: number }[]): ViewRow[] {
    if (ids.length === 0) return [];
    const rows = this.stmt(
      `SELECT ${VIEW_COLUMNS} FROM patches p WHERE p.id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ids.map((r) => r.id))) as ViewRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((r) => byId.get(r.id) as ViewRow);
  }

  /** One page of the ranked queue and the number of patches matching over all pages. */
  page(filter: PatchFilter, offset: number, limit: number): { total: number; rows: ViewRow[] } {
    const w = filterWhere(filter);
    const count = this.stmt(`SELECT COUNT(*) AS n FROM ${w.from} WHERE ${w.sql}`);
    const total = (count.get(...w.params) as { n: number }).n;
    // Ids first: skipping `offset` entries then happens in the index, not on whole rows.
    const ids = this.stmt(
      `SELECT p.id FROM ${this.ranked(w, filter)} WHERE ${w.sql}
       ORDER BY ${scoreSql(filter)} DESC, p.number LIMIT ? OFFSET ?`,
    ).all(...w.params, limit, offset) as { id: number }[];
    return { total, rows: this.rowsById(ids) };
  }

  /**
   * The patch ranked right after `after` (the first one without it), or undefined; with
   * `backward`, the one ranked right before it.
   */
  next(filter: PatchFilter, after?: ViewRow, backward = false): ViewRow | undefined {
    const w = filterWhere(filter);
    const from = this.ranked(w, filter);
    const rank = scoreSql(filter);
    const order = backward
      ? `ORDER BY ${rank} ASC, p.number DESC LIMIT 1`
      : `ORDER BY ${rank} DESC, p.number LIMIT 1`;
    const [to, beyond, past] = backward ? ['>=', '>', '<'] : ['<=', '<', '>'];
    const at = after ? this.scoreOf(filter, after) : 0;
    const found = after
      ? (this.stmt(
          // Written as a range on the score so the index seeks to `after` instead of scanning.
          `SELECT p.id FROM ${from} WHERE ${w.sql} AND ${rank} ${to} ?
             AND (${rank} ${beyond} ? OR p.number ${past} ?) ${order}`,
        ).get(...w.params, at, at, after.number) as { id: number } | undefined)
      : (this.stmt(`SELECT p.id FROM ${from} WHERE ${w.sql} ${order}`).get(...w.params) as
          { id: number } | undefined);
    return found ? this.rowsById([found])[0] : undefined;
  }

  /** Ids of every patch matching a filter, in queue order (for bulk actions). */
  ids(filter: PatchFilter): number[] {
    const w = filterWhere(filter);
    return (
      this.stmt(
        `SELECT p.id FROM ${this.ranked(w, filter)} WHERE ${w.sql}
         ORDER BY ${scoreSql(filter)} DESC, p.number`,
      ).all(...w.params) as { id: number }[]
    ).map((r) => r.id);
  }

  /** Rows matching a filter, by patch number (the plain list). */
  rows(filter: PatchFilter): ViewRow[] {
    const w = filterWhere(filter);
    return this.stmt(`SELECT ${VIEW_COLUMNS} FROM ${w.from} WHERE ${w.sql} ORDER BY p.number`).all(
      ...w.params,
    ) as ViewRow[];
  }

  /** Counts of the live patches by state (with areas) and by change class. */
  summary(): PatchSummary {
    const w = filterWhere({});
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
    // One pass over the covering index for states, areas and classes together.
    const groups = this.stmt(
      `SELECT p.state, p.change_class AS c, COUNT(*) AS n, SUM(p.area_m2) AS a
       FROM patches p WHERE ${w.sql} GROUP BY p.state, p.change_class`,
    ).all(...w.params) as { state: ReviewState; c: string | null; n: number; a: number }[];
    for (const r of groups) {
      out.byState[r.state] += r.n;
      out.areaM2ByState[r.state] += r.a;
      out.byChangeClass[r.c ?? ''] = (out.byChangeClass[r.c ?? ''] ?? 0) + r.n;
      out.total += r.n;
    }
    out.linked = (
      this.stmt(
        `SELECT COUNT(*) AS n FROM patches p INDEXED BY patches_linked
         WHERE p.linked = 1 AND p.deleted = 0 AND ${LINKED_SQL}`,
      ).get() as {
        n: number;
      }
    ).n;
    out.deleted = (
      this.stmt('SELECT COUNT(*) AS n FROM patches WHERE deleted = 1').get() as { n: number }
    ).n;
    return out;
  }
}
