/**
 * One project = one SQLite file (WAL, foreign keys, numbered migrations, one connection, prepared
 * statements created once). Holds both dates, the detection runs, their change patches, every
 * review decision and edit with an audit row, and the undo history (history-log.ts).
 *
 * This class is the facade; the work is done by PatchEditor (edits), HistoryLog (undo/redo),
 * PatchQueue (ranked, filtered reads), RerunLinker (what a new run does to decided patches) and
 * ProjectLists (code lists and settings).
 */
import type Database from 'better-sqlite3';
import { openSqlite } from '../sqlite.js';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type {
  CodeLists,
  EditResult,
  HistoryEntry,
  HistoryStatus,
  PatchAttributes,
  PatchAuditEntry,
  PatchFilter,
  PatchQueuePage,
  PatchSummary,
  PatchView,
  ProjectSettings,
  ReviewState,
  RunView,
} from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import type { ChangePolygon } from '../vector/polygonize.js';
import type { Recorded } from './history-log.js';
import { HistoryLog } from './history-log.js';
import { migrate } from './migrations.js';
import {
  MANUAL_RUN_ID,
  PatchEditor,
  type InheritedDecision,
  type SceneFrame,
} from './patch-edits.js';
import { PatchQueue } from './patch-queue.js';
import type { SceneSource, StoredScene } from './project-scenes.js';
import { frameOf, sceneOf } from './project-scenes.js';
import { PatchTable } from './patch-table.js';
import { ProjectLists } from './project-lists.js';
import { RerunLinker } from './rerun-links.js';
import type { ReadVersions } from './versions.js';

export type { SceneSource, StoredScene } from './project-scenes.js';

/** A detection to store; `changeKind` where the vectoriser reports one. */
export type NewDetection = ChangePolygon & { changeKind?: string | null };

export interface NewRun {
  id: string;
  modelId: string;
  modelVersion: string;
  threshold: number;
  minArea: number;
  params: Record<string, unknown>;
  executionProvider: string;
  startedAt: string;
  seconds: number;
  /** Bounds of the run's area of interest; earlier patches outside it stay current. */
  area?: [number, number, number, number];
}

/**
 * A project file, opened with {@link ProjectStore.open} or made with {@link ProjectStore.create}.
 *
 * @example
 * const store = ProjectStore.open(path);
 * store.reviewMany({ states: ['unreviewed'], maxConfidence: 0.3 }, 'rejected', null, 'alice');
 * store.undo('alice');
 * store.close();
 */
export class ProjectStore {
  private readonly stmts;
  private readonly table: PatchTable;
  private readonly history: HistoryLog;
  private readonly lists: ProjectLists;
  private readonly editor: PatchEditor;
  private readonly queue_: PatchQueue;
  private readonly linker: RerunLinker;
  private frame_: SceneFrame | null = null;

  private constructor(
    readonly path: string,
    /** The one connection; engine modules with tables of their own (codes/) share it. */
    readonly db: Database.Database,
  ) {
    this.stmts = {
      scene: db.prepare('SELECT * FROM scenes WHERE role = ?'),
      runs: db.prepare(
        `SELECT r.*, CASE WHEN r.id = '${MANUAL_RUN_ID}'
           THEN (SELECT COUNT(*) FROM patches WHERE run_id = r.id AND deleted = 0)
           ELSE r.patch_count END AS shown_count
         FROM runs r ORDER BY r.started_at`,
      ),
      insertRun: db.prepare(
        `INSERT INTO runs (id, model_id, model_version, threshold, min_area, params, execution_provider, started_at, seconds, patch_count)
         VALUES (@id, @modelId, @modelVersion, @threshold, @minArea, @params, @executionProvider, @startedAt, @seconds, @patchCount)`,
      ),
      insertPatch: db.prepare(
        `INSERT INTO patches (run_id, number, geometry, model_geometry, area_m2, perimeter_m,
           model_area_m2, model_perimeter_m, mean_prob, max_prob, change_kind, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertBounds: db.prepare(
        'INSERT INTO patches_rtree (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)',
      ),
      maxNumber: db.prepare('SELECT COALESCE(MAX(number), 0) AS n FROM patches'),
      meta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      reviews: db.prepare('SELECT * FROM reviews ORDER BY id'),
      audit: db.prepare('SELECT * FROM audit WHERE patch_id = ? ORDER BY id'),
    };
    this.table = new PatchTable(db, basename(path));
    this.history = new HistoryLog(db, this.table);
    this.lists = new ProjectLists(db);
    this.queue_ = new PatchQueue(db);
    this.linker = new RerunLinker(db);
    this.editor = new PatchEditor(
      db,
      this.table,
      this.history,
      this.lists,
      () => this.frame(),
      () => this.meta('created_at') ?? new Date(0).toISOString(),
    );
  }

  /** Creates a new project file for two dates; refuses to overwrite an existing file. */
  static create(path: string, name: string, before: SceneSource, after: SceneSource): ProjectStore {
    if (existsSync(path))
      throw new LandWatchError('E_OUTPUT', `${path}: a project file already exists there.`);
    const store = new ProjectStore(path, openDb(path));
    const insertScene = store.db.prepare(
      `INSERT INTO scenes (role, path, name, width, height, bands, crs_id, crs_name, crs_wkt, crs_proj4, epsg, geotransform, acquired, geographic, metres_per_unit)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    store.db
      .transaction(() => {
        store.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('name', name);
        store.db
          .prepare('INSERT INTO meta (key, value) VALUES (?, ?)')
          .run('created_at', new Date().toISOString());
        for (const [role, info] of [
          ['before', before],
          ['after', after],
        ] as const) {
          insertScene.run(
            role,
            info.path,
            info.name,
            info.width,
            info.height,
            info.bands,
            info.crs.id,
            info.crs.name,
            info.crs.wkt,
            info.crs.proj4,
            info.crs.epsg,
            JSON.stringify(info.geoTransform),
            info.metadata.date,
            info.crs.geographic ? 1 : 0,
            info.crs.metresPerUnit,
          );
        }
      })
      .immediate();
    return store;
  }

  static open(path: string): ProjectStore {
    if (!existsSync(path))
      throw new LandWatchError('E_FILE_NOT_FOUND', `${basename(path)}: project file not found.`);
    const db = openDb(path);
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'scenes'").get()) {
      db.close();
      throw new LandWatchError('E_BAD_REQUEST', `${basename(path)}: not a LandWatch project.`);
    }
    return new ProjectStore(path, db);
  }

  get name(): string {
    return this.meta('name') ?? basename(this.path);
  }

  /** Renames the project (kept in the project file). */
  rename(name: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run('name', name);
  }

  /** The recent list's picture of the project (a PNG data URI), or null before it is made. */
  thumbnail(): string | null {
    return this.meta('thumbnail') ?? null;
  }

  /** Keeps the recent list's picture in the project file (see api/project-thumbnail.ts). */
  setThumbnail(uri: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run('thumbnail', uri);
  }

  private meta(key: string): string | undefined {
    return (this.stmts.meta.get(key) as { value: string } | undefined)?.value;
  }

  scene(role: 'before' | 'after'): StoredScene {
    return sceneOf(this.stmts.scene.get(role) as Record<string, unknown>);
  }

  /**
   * Where patches may lie (the overlap of both dates' extents) and how to measure them. Projects
   * made before the scenes recorded their units fall back to the EPSG table, then to metres.
   */
  frame(): SceneFrame {
    this.frame_ ??= frameOf(this.scene('before'), this.scene('after'));
    return this.frame_;
  }

  runs(): RunView[] {
    return (this.stmts.runs.all() as Record<string, unknown>[]).map((r) => ({
      id: r.id as string,
      modelId: r.model_id as string,
      threshold: r.threshold as number,
      minArea: r.min_area as number,
      executionProvider: r.execution_provider as string,
      startedAt: r.started_at as string,
      seconds: r.seconds as number,
      patchCount: r.shown_count as number,
      kind: r.id === MANUAL_RUN_ID ? 'manual' : 'model',
    }));
  }

  /** The probability GeoTIFF a detection run kept on disk (from its params), or null. */
  runProbabilityPath(runId: string): string | null {
    const row = (this.stmts.runs.all() as { id: string; params: string }[]).find(
      (r) => r.id === runId,
    );
    const params = row ? (JSON.parse(row.params) as { probabilityPath?: unknown }) : null;
    return typeof params?.probabilityPath === 'string' ? params.probabilityPath : null;
  }

  /**
   * Stores a run and all its patches in one transaction. Never touches a patch an analyst has
   * decided or shaped: new detections overlapping one are linked to it (and hidden from the
   * queue), and untouched patches of earlier runs are superseded by this run (rerun-links.ts).
   */
  addRun(run: NewRun, polygons: NewDetection[]): RunView {
    const now = new Date().toISOString();
    this.db
      .transaction(() => {
        this.stmts.insertRun.run({
          ...run,
          params: JSON.stringify(run.params),
          patchCount: polygons.length,
        });
        let n = (this.stmts.maxNumber.get() as { n: number }).n;
        const inserted = polygons.map((p) => {
          const geometry = JSON.stringify({ type: 'Polygon', coordinates: p.rings });
          const info = this.stmts.insertPatch.run(
            run.id,
            ++n,
            geometry,
            geometry,
            p.areaM2,
            p.perimeter,
            p.areaM2,
            p.perimeter,
            p.meanProb,
            p.maxProb,
            p.changeKind ?? null,
            now,
            now,
          );
          const id = Number(info.lastInsertRowid);
          const [minx, miny, maxx, maxy] = p.bbox;
          this.stmts.insertBounds.run(id, minx, maxx, miny, maxy);
          return { id, rings: p.rings, bbox: p.bbox };
        });
        this.linker.apply(run.id, inserted, now, run.area);
      })
      .immediate();
    return this.runs().find((r) => r.id === run.id) as RunView;
  }

  /**
   * The live patches by number: not deleted and not linked to a decided patch; without `runId`
   * also not superseded by a later run. With `runId`, that run's patches only.
   */
  patches(runId?: string): PatchView[] {
    return this.queue_.rows(runId ? { runIds: [runId] } : {}).map((r) => this.table.viewOf(r));
  }

  /** One patch as stored, deleted ones included. */
  patch(id: number): PatchView {
    return this.table.view(id);
  }

  /** Records a review decision (with its review, audit and undo rows) and returns the patch. */
  review(
    id: number,
    state: ReviewState,
    comment: string | null,
    reviewer: string,
    expect?: ReadVersions,
  ): PatchView {
    this.editor.review([id], state, comment, reviewer, expect);
    return this.patch(id);
  }

  /** Counts of the live patches by state (what the project view shows). */
  counts(): Record<ReviewState, number> {
    return this.queue_.summary().byState;
  }

  /** Review rows, oldest first (exported as the review history). */
  reviews(): Record<string, unknown>[] {
    return this.stmts.reviews.all() as Record<string, unknown>[];
  }

  // --- review queue ------------------------------------------------------------------------

  queue(filter: PatchFilter, offset = 0, limit = 100): PatchQueuePage {
    const { total, rows } = this.queue_.page(filter, offset, limit);
    return { total, offset, items: rows.map((r) => this.table.viewOf(r)) };
  }

  /**
   * The patch ranked after `afterId` under `filter` (the first without it), or null; with
   * `backward`, the one ranked before it.
   */
  next(filter: PatchFilter, afterId?: number, backward = false): PatchView | null {
    const row = this.queue_.next(
      filter,
      afterId === undefined ? undefined : this.table.require(afterId),
      backward,
    );
    return row ? this.table.viewOf(row) : null;
  }

  summary(): PatchSummary {
    return this.queue_.summary();
  }

  // --- edits (each one transaction with audit rows and an undo entry) -------------------------

  reviewMany(
    target: number[] | PatchFilter,
    state: ReviewState,
    comment: string | null,
    actor: string,
    expect?: ReadVersions,
  ): EditResult {
    const ids = Array.isArray(target) ? target : this.queue_.ids(target);
    if (ids.length === 0)
      throw new LandWatchError('E_BAD_REQUEST', 'No patch matches the filter: nothing to review.');
    return this.result(this.editor.review(ids, state, comment, actor, expect));
  }

  /** Takes over an earlier patch's decision (carry-over), undoable as one step. */
  inherit(
    id: number,
    decision: InheritedDecision,
    label: string,
    actor: string,
    expect?: ReadVersions,
  ): EditResult {
    return this.result(this.editor.inheritDecision(id, decision, label, actor, expect));
  }

  setAttributes(
    ids: number[],
    attributes: Partial<PatchAttributes>,
    actor: string,
    expect?: ReadVersions,
  ): EditResult {
    return this.result(this.editor.setAttributes(ids, attributes, actor, expect));
  }

  setGeometry(id: number, rings: number[][][], actor: string, expect?: ReadVersions): EditResult {
    return this.result(this.editor.setGeometry(id, rings, actor, expect));
  }

  revertGeometry(id: number, actor: string, expect?: ReadVersions): EditResult {
    return this.result(this.editor.revertGeometry(id, actor, expect));
  }

  split(id: number, line: number[][], actor: string, expect?: ReadVersions): EditResult {
    return this.result(this.editor.split(id, line, actor, expect));
  }

  merge(
    ids: number[],
    primaryId: number | undefined,
    actor: string,
    expect?: ReadVersions,
  ): EditResult {
    return this.result(this.editor.merge(ids, primaryId, actor, expect));
  }

  createPatch(
    rings: number[][][],
    state: ReviewState,
    comment: string | null,
    attributes: Partial<PatchAttributes>,
    actor: string,
  ): EditResult {
    return this.result(this.editor.create(rings, state, comment, attributes, actor));
  }

  deletePatches(ids: number[], actor: string, expect?: ReadVersions): EditResult {
    return this.result(this.editor.delete(ids, actor, expect));
  }

  undo(actor: string): EditResult {
    return this.result(this.history.undo(actor));
  }

  redo(actor: string): EditResult {
    return this.result(this.history.redo(actor));
  }

  historyStatus(): HistoryStatus {
    return this.history.status();
  }

  historyList(limit = 50): HistoryEntry[] {
    return this.history.list(limit);
  }

  /** Every audit row of a patch, oldest first: reviews, attribute and geometry edits, undo/redo. */
  patchHistory(id: number): PatchAuditEntry[] {
    this.table.require(id);
    return (this.stmts.audit.all(id) as Record<string, unknown>[]).map((r) => ({
      id: r.id as number,
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      before: r.before ? JSON.parse(r.before as string) : null,
      after: r.after ? JSON.parse(r.after as string) : null,
      historySeq: (r.history_seq as number | null) ?? null,
    }));
  }

  private result(recorded: Recorded): EditResult {
    return {
      entry: recorded.entry,
      changed: recorded.patchIds.map((id) => this.table.viewOf(this.table.row(id)!)),
      history: this.history.status(),
    };
  }

  // --- code lists and settings ---------------------------------------------------------------

  codeLists(): CodeLists {
    return this.lists.codeLists();
  }

  settings(): ProjectSettings {
    return this.lists.settings();
  }

  setSettings(settings: ProjectSettings): ProjectSettings {
    return this.lists.setSettings(settings);
  }

  /** Runs `PRAGMA integrity_check`; "ok" when the file is sound. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('; ');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** How long a write waits for another process's write to finish before "database is locked". */
export const BUSY_TIMEOUT_MS = 15_000;

/**
 * One connection per project file. Every write transaction in the store is IMMEDIATE
 * (`db.transaction(fn).immediate()`): it takes the write lock before its first read, so when a
 * second process (the CLI, another window) writes the same project it waits up to BUSY_TIMEOUT_MS
 * instead of failing — a deferred transaction that read first cannot wait, its snapshot is stale.
 */
function openDb(path: string): Database.Database {
  const db = openSqlite(path, { timeout: BUSY_TIMEOUT_MS });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  return db;
}
