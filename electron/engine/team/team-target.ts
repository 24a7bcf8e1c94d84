/**
 * Naming a team project from the command line or a checkout file: a `postgres://` URL and a
 * schema, checked before anything connects; the URL as it may be written down (never with its
 * password); and opening the project with one clear message when the server cannot be reached.
 */
import { LandWatchError } from '../errors.js';
import { PgReviewStore } from '../store/pg/pg-review-store.js';
import { DEFAULT_SCHEMA, checkSchema, type PgTarget } from '../store/pg/pg-connection.js';

/** Checks `url` and `schema` (default `landwatch`) and returns them as a target. */
export function teamTarget(url: string, schema?: string): PgTarget {
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new LandWatchError('E_BAD_REQUEST', `--db ${redactUrl(url)}: give a postgres:// URL.`);
  try {
    new URL(url);
  } catch {
    throw new LandWatchError('E_BAD_REQUEST', `--db: "${redactUrl(url)}" is not a valid URL.`);
  }
  return { url, schema: checkSchema(schema ?? DEFAULT_SCHEMA) };
}

/** `url` without its password, for messages and for the record kept in a checkout file. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, '@');
  }
}

/** Host, port and database of a URL, for messages. */
export function serverOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

/**
 * A connection failure as one message naming the server (never the password); other errors as
 * they are.
 */
export function connectionError(url: string, error: unknown): unknown {
  const e = error as { code?: string; message?: string };
  if (e.code && UNREACHABLE.has(e.code))
    return new LandWatchError(
      'E_BAD_REQUEST',
      `Cannot reach the team database at ${serverOf(url)} (${e.code}): is PostgreSQL running there?`,
    );
  if (e.code === '3D000' || e.code === '28P01' || e.code === '28000')
    return new LandWatchError(
      'E_BAD_REQUEST',
      `The team database at ${serverOf(url)} refused the connection: ${e.message}.`,
    );
  return error;
}

/** Opens the team project at `url`/`schema` (default `landwatch`). */
export async function openTeamStore(url: string, schema?: string): Promise<PgReviewStore> {
  const target = teamTarget(url, schema);
  try {
    return await PgReviewStore.open(target);
  } catch (error) {
    throw connectionError(url, error);
  }
}
