/**
 * Connections to a team project: a pool whose sessions work in the project's schema (then
 * `public`, where PostGIS lives), in UTC, with the value types the store's rows expect — 64-bit
 * counts as numbers and timestamps as ISO 8601 strings, as the SQLite project file holds them.
 */
import pg from 'pg';
import { LandWatchError } from '../../errors.js';

/** Where a team project lives: a PostgreSQL URL and the schema holding the project. */
export interface PgTarget {
  url: string;
  /** Schema name (lower-case letters, digits, `_`); default `landwatch`. */
  schema?: string;
}

export const DEFAULT_SCHEMA = 'landwatch';

const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMPTZ = 1184;

/** `2026-12-06 01:53:07.12+00` (DateStyle ISO, UTC) → `2026-12-06T01:53:07.120Z`. */
function isoTimestamp(text: string): string {
  return new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    if (oid === TIMESTAMPTZ) return isoTimestamp;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Checks a schema name; only plain identifiers are allowed, so they never need quoting. */
export function checkSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `"${schema}" is not a usable team project schema name: use lower-case letters, digits and _ (at most 63).`,
    );
  return schema;
}

/** A pool for one project; the caller owns it (`end()` it when done). */
export function openPool(target: PgTarget): pg.Pool {
  const schema = checkSchema(target.schema ?? DEFAULT_SCHEMA);
  return new pg.Pool({
    connectionString: target.url,
    types,
    options: `-c search_path=${schema},public -c TimeZone=UTC -c DateStyle=ISO`,
    max: 10,
  });
}

/** SQLSTATEs after which the whole transaction can simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);

/**
 * Runs `work` in one transaction on one pooled connection: committed when it resolves, rolled back
 * when it throws; retried (up to 3 times) after a deadlock or serialization failure.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (error as { code?: string }).code;
      if (attempt < 3 && code && RETRYABLE.has(code)) continue;
      throw error;
    } finally {
      client.release();
    }
  }
}

/** SQLite-style `?` placeholders → PostgreSQL `$n`, numbered from `first`. */
export function numbered(sql: string, first = 1): string {
  let n = first;
  return sql.replace(/\?/g, () => `$${n++}`);
}
