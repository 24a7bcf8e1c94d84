/**
 * The record a checked-out project file keeps of where its patches came from (meta key
 * `team_checkout`): which team project, which patches at which versions, when, and the last
 * review and audit rows copied (newer ones were made offline).
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { LandWatchError } from '../errors.js';
import type { ProjectStore } from '../store/project-store.js';

const recordSchema = z.object({
  /** Names this checkout in the team project's return markers. */
  id: z.string().min(1),
  /** The database URL without its password. */
  db: z.string(),
  schema: z.string(),
  /** When the patches were read. */
  at: z.string(),
  /** Patch id → the version read. */
  patches: z.record(z.string(), z.number().int()),
  /** The largest review and audit ids copied from the team project. */
  reviewsUpTo: z.number().int(),
  auditUpTo: z.number().int(),
});

export type CheckoutRecord = z.infer<typeof recordSchema>;

const KEY = 'team_checkout';

export function writeCheckoutRecord(store: ProjectStore, record: CheckoutRecord): void {
  store.db
    .prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    )
    .run(KEY, JSON.stringify(record));
}

/** The record of a checked-out file; one clear message when the file is not a checkout. */
export function readCheckoutRecord(store: ProjectStore): CheckoutRecord {
  const row = store.db.prepare('SELECT value FROM meta WHERE key = ?').get(KEY) as
    { value: string } | undefined;
  if (!row)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${basename(store.path)}: not a team checkout (it was not made by \`landwatch team checkout\`); to make a team project from it use \`landwatch team push\`.`,
    );
  const parsed = recordSchema.safeParse(JSON.parse(row.value));
  if (!parsed.success)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${basename(store.path)}: its team checkout record is damaged (${parsed.error.issues[0].message}).`,
    );
  return parsed.data;
}
