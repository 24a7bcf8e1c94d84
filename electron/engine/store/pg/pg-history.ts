/**
 * Undo history of a team project (the PostgreSQL twin of history-log.ts, same `history` rows and
 * change format), with two differences a team needs:
 *
 * - Undo is per user: undo takes the actor's own newest `done` operation, redo their oldest
 *   `undone` one, and a new edit discards only the actor's redo stack.
 * - Undo never overwrites someone else's work: when another analyst has changed a column the
 *   operation set since, the undo (or redo) is refused with E_CONFLICT naming them.
 *
 * Each function runs inside the caller's transaction with the touched rows locked.
 */
import type { HistoryEntry, HistoryStatus } from '../../../common/contract.js';
import { LandWatchError } from '../../errors.js';
import type { EditOutcome, Recorded } from '../history-log.js';
import type { PatchRow, Snapshot } from '../patch-rows.js';
import { LIVE, VOID, diffSnapshots, snapshotOf } from '../patch-rows.js';
import type { ReadVersions } from '../versions.js';
import { StaleWriteError, firstStale } from '../versions.js';
import type { PgPatchTable, Queryable } from './pg-patch-table.js';

interface Change {
  id: number;
  before: Snapshot;
  after: Snapshot;
}

interface HistoryRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  summary: string;
  patch_ids: number[];
  changes: Change[];
  status: HistoryEntry['status'];
}

function entryOf(r: HistoryRow): HistoryEntry {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    summary: r.summary,
    patchIds: r.patch_ids.map(String),
    status: r.status,
  };
}

const LAST_DONE = `SELECT * FROM history WHERE actor = $1 AND status = 'done'
  ORDER BY seq DESC LIMIT 1`;
const FIRST_UNDONE = `SELECT * FROM history WHERE actor = $1 AND status = 'undone'
  ORDER BY seq ASC LIMIT 1`;

async function seen(db: Queryable, actor: string, at: string): Promise<void> {
  await db.query(
    `INSERT INTO users (id, display_name, first_seen, last_seen) VALUES ($1, $1, $2, $2)
     ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen`,
    [actor, at],
  );
}

/**
 * Runs `edit` and records it (see HistoryLog.record): locks the touched rows, refuses the write
 * if a patch in `expect` has moved on, snapshots before and after, writes one audit row per
 * changed patch and one history row, and discards the actor's redo stack.
 */
export async function recordPg(
  db: Queryable,
  table: PgPatchTable,
  action: string,
  actor: string,
  summary: string,
  touches: number[],
  edit: (at: string) => Promise<EditOutcome | void>,
  expect?: ReadVersions,
): Promise<Recorded> {
  const locked = await table.lock([...touches, ...Object.keys(expect ?? {}).map(Number)]);
  const stale = firstStale(expect, (id) => locked.get(id));
  if (stale)
    throw new StaleWriteError(
      stale.id,
      stale.number,
      stale.read,
      stale.now,
      await table.lastChange(stale.id),
    );
  const at = new Date().toISOString();
  await seen(db, actor, at);
  const before = new Map(touches.map((id) => [id, snapshotOf(table.checked(id, locked.get(id)))]));
  const created = ((await edit(at)) || {}).created ?? [];
  const changes: Change[] = [];
  const after = await table.lock([...before.keys()]);
  for (const [id, snap] of before) {
    const diff = diffSnapshots(snap, snapshotOf(table.checked(id, after.get(id))));
    if (diff) changes.push({ id, before: diff[0], after: diff[1] });
  }
  for (const id of created)
    changes.push({ id, before: { deleted: VOID }, after: { deleted: LIVE } });
  if (changes.length === 0) return { entry: null, patchIds: [] };
  const ids = changes.map((c) => c.id);
  await db.query("UPDATE history SET status = 'discarded' WHERE actor = $1 AND status = 'undone'", [
    actor,
  ]);
  const inserted = await db.query<HistoryRow>(
    `INSERT INTO history (at, actor, action, summary, patch_ids, changes)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [at, actor, action, summary, JSON.stringify(ids), JSON.stringify(changes)],
  );
  const seq = inserted.rows[0].seq;
  const createdSet = new Set(created);
  for (const c of changes) {
    // A new patch's audit row carries all of it, so its history reads from its first state.
    const isNew = createdSet.has(c.id);
    const full = isNew ? snapshotOf(await table.require(c.id)) : c.after;
    await table.audit(c.id, at, actor, action, isNew ? null : c.before, full, seq);
  }
  return { entry: entryOf(inserted.rows[0]), patchIds: ids };
}

/** Undoes (or redoes) the actor's own newest done (oldest undone) operation. */
export async function stepPg(
  db: Queryable,
  table: PgPatchTable,
  actor: string,
  action: 'undo' | 'redo',
  guard?: (rows: PatchRow[]) => Promise<void>,
): Promise<Recorded> {
  const picked = await db.query<HistoryRow>(
    `${action === 'undo' ? LAST_DONE : FIRST_UNDONE} FOR UPDATE`,
    [actor],
  );
  const row = picked.rows[0];
  if (!row) return { entry: null, patchIds: [] };
  const at = new Date().toISOString();
  await seen(db, actor, at);
  const locked = await table.lock(row.changes.map((c) => c.id));
  // Leases and roles hold for undo too (pg-team-rules.ts).
  await guard?.([...locked.values()]);
  const ordered = action === 'undo' ? [...row.changes].reverse() : row.changes;
  // First check every patch still holds what the operation left (undo) or found (redo).
  for (const c of ordered) {
    const expected = action === 'undo' ? c.after : c.before;
    const current = snapshotOf(locked.get(c.id)!);
    const moved = (Object.keys(expected) as (keyof Snapshot)[]).filter(
      (k) => (current[k] ?? null) !== (expected[k] ?? null),
    );
    if (moved.length > 0) {
      const last = await table.lastChange(c.id);
      const who = last ? ` by ${last.actor} at ${last.at}` : '';
      throw new LandWatchError(
        'E_CONFLICT',
        `Cannot ${action} "${row.summary}": patch #${locked.get(c.id)!.number} was changed${who} since (${moved.join(', ')}); ${action === 'undo' ? 'undoing' : 'redoing'} would overwrite that change.`,
        {
          details: {
            patchId: String(c.id),
            changedBy: last?.actor ?? null,
            changedAt: last?.at ?? null,
            columns: moved,
          },
        },
      );
    }
  }
  for (const c of ordered) {
    const target = action === 'undo' ? c.before : c.after;
    const current = snapshotOf(locked.get(c.id)!);
    const was: Snapshot = {};
    for (const k of Object.keys(target) as (keyof Snapshot)[]) was[k] = current[k] ?? null;
    await table.apply(c.id, target, at);
    await table.audit(c.id, at, actor, action, was, target, row.seq);
  }
  const updated = await db.query<HistoryRow>(
    'UPDATE history SET status = $1 WHERE seq = $2 RETURNING *',
    [action === 'undo' ? 'undone' : 'done', row.seq],
  );
  return { entry: entryOf(updated.rows[0]), patchIds: row.changes.map((c) => c.id) };
}

/** What undo and redo would do next for `actor`. */
export async function statusPg(db: Queryable, actor: string): Promise<HistoryStatus> {
  const undo = (await db.query<HistoryRow>(LAST_DONE, [actor])).rows[0];
  const redo = (await db.query<HistoryRow>(FIRST_UNDONE, [actor])).rows[0];
  return { undo: undo ? entryOf(undo) : null, redo: redo ? entryOf(redo) : null };
}

/** Everyone's newest operations first. */
export async function listPg(db: Queryable, limit: number): Promise<HistoryEntry[]> {
  const r = await db.query<HistoryRow>('SELECT * FROM history ORDER BY seq DESC LIMIT $1', [limit]);
  return r.rows.map(entryOf);
}
