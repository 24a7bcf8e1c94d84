/**
 * The project's undo history: an ordered list of operations in the `history` table, each holding
 * for every patch it touched the columns it changed, before and after. Because it lives in the
 * project file, undo and redo survive closing and reopening the project.
 *
 * The stack is the `status` column: undo takes the newest `done` operation and marks it `undone`,
 * redo takes the oldest `undone` one. A new edit marks every `undone` operation `discarded` (kept
 * for the record, never redone), exactly as an editor's redo stack is cleared by typing.
 *
 * Every operation — the edit, its audit rows and its history row, or an undo with its audit rows
 * — is one SQLite transaction: after a crash either all of it is in the file or none of it.
 */
import type Database from 'better-sqlite3';
import type { HistoryEntry, HistoryStatus } from '../../common/contract.js';
import type { Snapshot } from './patch-rows.js';
import { LIVE, VOID, diffSnapshots, snapshotOf } from './patch-rows.js';
import type { PatchTable } from './patch-table.js';
import type { ReadVersions } from './versions.js';
import { StaleWriteError, firstStale } from './versions.js';

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
  patch_ids: string;
  changes: string;
  status: HistoryEntry['status'];
}

/** What an edit function reports back to {@link HistoryLog.record}. */
export interface EditOutcome {
  /** Patches the edit created (their "before" is void: undo voids them, redo revives them). */
  created?: number[];
}

/** An operation as recorded, and the patches whose state it changed. */
export interface Recorded {
  entry: HistoryEntry | null;
  patchIds: number[];
}

function entryOf(r: HistoryRow): HistoryEntry {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    summary: r.summary,
    patchIds: (JSON.parse(r.patch_ids) as number[]).map(String),
    status: r.status,
  };
}

/** The undo/redo stack of one project file; see the module comment for how it works. */
export class HistoryLog {
  private readonly stmts;

  constructor(
    private readonly db: Database.Database,
    private readonly table: PatchTable,
  ) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO history (at, actor, action, summary, patch_ids, changes)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      discardRedo: db.prepare("UPDATE history SET status = 'discarded' WHERE status = 'undone'"),
      lastDone: db.prepare("SELECT * FROM history WHERE status = 'done' ORDER BY seq DESC LIMIT 1"),
      firstUndone: db.prepare(
        "SELECT * FROM history WHERE status = 'undone' ORDER BY seq ASC LIMIT 1",
      ),
      setStatus: db.prepare('UPDATE history SET status = ? WHERE seq = ?'),
      list: db.prepare('SELECT * FROM history ORDER BY seq DESC LIMIT ?'),
      bySeq: db.prepare('SELECT * FROM history WHERE seq = ?'),
      user: db.prepare(
        `INSERT INTO users (id, display_name, first_seen, last_seen) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen`,
      ),
    };
  }

  /**
   * Runs `edit` and records it, in one transaction: snapshots the patches in `touches` before and
   * after, writes an audit row per changed patch and one history row, and clears the redo stack.
   * An edit that changes nothing records nothing (entry null).
   *
   * @param touches - existing patches the edit may change
   * @param edit - does the change (with the shared timestamp `at`); reports created patches
   * @param expect - versions the writer read; a patch that moved on since refuses the write
   *   (StaleWriteError) before anything is changed
   */
  record(
    action: string,
    actor: string,
    summary: string,
    touches: number[],
    edit: (at: string) => EditOutcome | void,
    expect?: ReadVersions,
  ): Recorded {
    return this.db
      .transaction((): Recorded => {
        const stale = firstStale(expect, (id) => this.table.row(id));
        if (stale)
          throw new StaleWriteError(
            stale.id,
            stale.number,
            stale.read,
            stale.now,
            this.table.lastChange(stale.id),
          );
        const at = new Date().toISOString();
        this.stmts.user.run(actor, actor, at, at);
        const before = new Map(touches.map((id) => [id, snapshotOf(this.table.require(id))]));
        const created = (edit(at) || {}).created ?? [];
        const changes: Change[] = [];
        for (const [id, snap] of before) {
          const diff = diffSnapshots(snap, snapshotOf(this.table.require(id)));
          if (diff) changes.push({ id, before: diff[0], after: diff[1] });
        }
        for (const id of created)
          changes.push({ id, before: { deleted: VOID }, after: { deleted: LIVE } });
        if (changes.length === 0) return { entry: null, patchIds: [] };
        const ids = changes.map((c) => c.id);
        this.stmts.discardRedo.run();
        const seq = Number(
          this.stmts.insert.run(
            at,
            actor,
            action,
            summary,
            JSON.stringify(ids),
            JSON.stringify(changes),
          ).lastInsertRowid,
        );
        const createdSet = new Set(created);
        for (const c of changes) {
          // A new patch's audit row carries all of it, so its history reads from its first state.
          const after = createdSet.has(c.id) ? snapshotOf(this.table.require(c.id)) : c.after;
          this.table.audit(
            c.id,
            at,
            actor,
            action,
            createdSet.has(c.id) ? null : c.before,
            after,
            seq,
          );
        }
        return { entry: this.entry(seq), patchIds: ids };
      })
      .immediate();
  }

  /** Undoes the newest operation still done; null when there is none. */
  undo(actor: string): Recorded {
    return this.step(actor, this.stmts.lastDone, 'undo');
  }

  /** Redoes the oldest undone operation; null when there is none. */
  redo(actor: string): Recorded {
    return this.step(actor, this.stmts.firstUndone, 'redo');
  }

  private step(actor: string, pick: Database.Statement, action: 'undo' | 'redo'): Recorded {
    return this.db
      .transaction((): Recorded => {
        const row = pick.get() as HistoryRow | undefined;
        if (!row) return { entry: null, patchIds: [] };
        const at = new Date().toISOString();
        this.stmts.user.run(actor, actor, at, at);
        const changes = JSON.parse(row.changes) as Change[];
        // Undo walks the changes backwards, so a patch touched twice ends in its first state.
        const ordered = action === 'undo' ? [...changes].reverse() : changes;
        for (const c of ordered) {
          const target = action === 'undo' ? c.before : c.after;
          const current = snapshotOf(this.table.row(c.id)!);
          const was: Snapshot = {};
          for (const k of Object.keys(target) as (keyof Snapshot)[]) was[k] = current[k] ?? null;
          this.table.apply(c.id, target, at);
          this.table.audit(c.id, at, actor, action, was, target, row.seq);
        }
        this.stmts.setStatus.run(action === 'undo' ? 'undone' : 'done', row.seq);
        return { entry: this.entry(row.seq), patchIds: changes.map((c) => c.id) };
      })
      .immediate();
  }

  private entry(seq: number): HistoryEntry {
    return entryOf(this.stmts.bySeq.get(seq) as HistoryRow);
  }

  /** What undo and redo would do next. */
  status(): HistoryStatus {
    const undo = this.stmts.lastDone.get() as HistoryRow | undefined;
    const redo = this.stmts.firstUndone.get() as HistoryRow | undefined;
    return { undo: undo ? entryOf(undo) : null, redo: redo ? entryOf(redo) : null };
  }

  /** The newest operations first. */
  list(limit: number): HistoryEntry[] {
    return (this.stmts.list.all(limit) as HistoryRow[]).map(entryOf);
  }
}
