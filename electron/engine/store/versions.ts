/**
 * Optimistic concurrency for patches, shared by both store backends. Every analyst change of a
 * patch (edit, undo, redo) counts its `version` up. A write may carry, per patch, the version
 * its author read; when a patch has moved on since, the write is refused with a
 * {@link StaleWriteError} that says who changed it and when, so nobody overwrites a decision they
 * never saw. Writes that carry no versions behave as before (last writer wins, as on one desktop).
 */
import { LandWatchError } from '../errors.js';

/** Patch id → the version the writer read. */
export type ReadVersions = Readonly<Record<number, number>>;

/** The newest audit row of a patch: who changed it last, when, and how. */
export interface LastChange {
  actor: string;
  at: string;
  action: string;
}

/** A write based on a version of a patch that someone has since changed (E_CONFLICT, HTTP 409). */
export class StaleWriteError extends LandWatchError {
  constructor(
    readonly patchId: number,
    readonly patchNumber: number,
    readonly readVersion: number,
    readonly currentVersion: number,
    readonly lastChange: LastChange | null,
  ) {
    const who = lastChange
      ? ` by ${lastChange.actor} at ${lastChange.at} (${lastChange.action})`
      : '';
    super(
      'E_CONFLICT',
      `Patch #${patchNumber} was changed${who} after you opened it (you read version ${readVersion}, it is now at version ${currentVersion}); nothing was written. Reload the patch and decide again.`,
      {
        details: {
          patchId: String(patchId),
          number: patchNumber,
          readVersion,
          currentVersion,
          changedBy: lastChange?.actor ?? null,
          changedAt: lastChange?.at ?? null,
          action: lastChange?.action ?? null,
        },
      },
    );
  }
}

/**
 * The first patch in `expect` whose current version differs from the one read, or null.
 *
 * @param current - the current version and number of each patch (rows already read)
 */
export function firstStale(
  expect: ReadVersions | undefined,
  current: (id: number) => { version: number; number: number } | undefined,
): { id: number; number: number; read: number; now: number } | null {
  if (!expect) return null;
  for (const [key, read] of Object.entries(expect)) {
    const id = Number(key);
    const row = current(id);
    if (!row)
      throw new LandWatchError('E_NOT_FOUND', `Patch ${id} does not exist in this project.`);
    if (row.version !== read) return { id, number: row.number, read, now: row.version };
  }
  return null;
}
