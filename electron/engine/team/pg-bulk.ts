/**
 * Bulk writes into a team project: rows sent as one JSON array per batch and expanded by
 * `jsonb_to_recordset`, so that thousands of patches go in a few statements instead of one
 * round trip each; and sequences moved past rows inserted with their own ids.
 */
import type { Queryable } from '../store/pg/pg-patch-table.js';

/** A column and its PostgreSQL type as `jsonb_to_recordset` should read it. */
export type Column = readonly [name: string, type: string];

const BATCH = 500;

/**
 * Inserts `rows` (keys = column names) into `table`. `exprs` replaces a column's value by an SQL
 * expression over the record `x` (e.g. a geometry built from GeoJSON text); `rename` gives a
 * column's name in the table where it differs from the row's key.
 */
export async function insertRows(
  db: Queryable,
  table: string,
  columns: readonly Column[],
  rows: Record<string, unknown>[],
  exprs: Record<string, string> = {},
  rename: (name: string) => string = (name) => name,
): Promise<void> {
  const names = columns.map(([n]) => n);
  const types = columns.map(([n, t]) => `${n} ${t}`).join(', ');
  const values = names.map((n) => exprs[n] ?? `x.${n}`).join(', ');
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows
      .slice(i, i + BATCH)
      .map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? null])));
    await db.query(
      `INSERT INTO ${table} (${names.map(rename).join(', ')})
       SELECT ${values} FROM jsonb_to_recordset($1::jsonb) AS x(${types})`,
      [JSON.stringify(batch)],
    );
  }
}

/** Moves the sequence of `table.column` past its largest value (after inserts with given ids). */
export async function syncSequence(db: Queryable, table: string, column: string): Promise<void> {
  await db.query(
    `SELECT setval(pg_get_serial_sequence($1, $2),
       GREATEST((SELECT COALESCE(MAX(${column}), 0) FROM ${table}), 1),
       (SELECT COUNT(*) > 0 FROM ${table}))`,
    [table, column],
  );
}

/** A JSON text column of a SQLite row as the value a jsonb column should hold. */
export function parsedJson(text: unknown): unknown {
  return typeof text === 'string' ? (JSON.parse(text) as unknown) : (text ?? null);
}
