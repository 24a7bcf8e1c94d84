/**
 * A team project in PostgreSQL + PostGIS: the {@link ReviewStore} every analyst of a team writes
 * at once. A project is one schema (default `landwatch`) of a database; outlines are geometry
 * columns in the project's CRS with a GiST index; each write is one transaction that locks the
 * rows it changes, so concurrent analysts never lose or double a decision, and writes carrying
 * the versions they read are refused when a patch moved on (StaleWriteError, E_CONFLICT).
 *
 * @example
 * const store = await PgReviewStore.open({ url: 'postgres://lw@127.0.0.1/round7' });
 * const p = await store.patch(12);
 * await store.review(12, 'confirmed', null, 'alice', { 12: p.version! });
 * await store.close();
 */
import type pg from 'pg';
import type {
  EditResult,
  PatchAttributes,
  PatchAuditEntry,
  PatchFilter,
  PatchView,
  ProjectSettings,
  ReviewState,
  RunView,
} from '../../../common/contract.js';
import { LandWatchError } from '../../errors.js';
import type { Recorded } from '../history-log.js';
import type { SceneFrame } from '../patch-edits.js';
import { MANUAL_RUN_ID } from '../patch-edits.js';
import { frameOf, sceneOf } from '../project-scenes.js';
import type { SceneSource, StoredScene } from '../project-scenes.js';
import type { NewDetection, NewRun } from '../project-store.js';
import type { ReviewStore, TeamOps } from '../review-store.js';
import type { ReadVersions } from '../versions.js';
import type { PgTarget } from './pg-connection.js';
import { DEFAULT_SCHEMA, checkSchema, inTransaction, openPool } from './pg-connection.js';
import type { PgEditContext } from './pg-edits.js';
import * as edits from './pg-edits.js';
import { listPg, statusPg, stepPg } from './pg-history.js';
import { codeListsOf, setSettingsOf, settingsOf } from './pg-lists.js';
import { PgQueue } from './pg-queue.js';
import { mergePg, splitPg } from './pg-reshape.js';
import { PgPatchTable, type Queryable } from './pg-patch-table.js';
import { addRunPg } from './pg-runs.js';
import { migratePg } from './pg-schema.js';
import { inheritPackage } from './pg-packages.js';
import { TeamRules } from './pg-team-rules.js';
import { leaseSecondsOf, pgTeamOps, type PgStoreOptions } from './pg-team.js';

export type { PgStoreOptions } from './pg-team.js';
import { withTeam } from './pg-team-views.js';

/** Where a target points, for messages (never the password). */
function describe(target: PgTarget): string {
  const u = new URL(target.url);
  return `schema "${target.schema ?? DEFAULT_SCHEMA}" of ${u.hostname}:${u.port || 5432}${u.pathname}`;
}

export class PgReviewStore implements ReviewStore {
  readonly backend = 'postgres' as const;
  readonly team: TeamOps;
  private readonly queue_: PgQueue;

  private constructor(
    private readonly pool: pg.Pool,
    /** Where the project lives, for messages: schema, host, port and database, no password. */
    readonly where: string,
    private readonly srid: number,
    private readonly frame: SceneFrame,
    private readonly createdAt: string,
    private readonly leaseSeconds: number,
  ) {
    this.queue_ = new PgQueue(pool, srid);
    this.team = pgTeamOps(pool, srid, (db) => this.table(db), leaseSeconds);
  }

  /**
   * Makes a new team project for two dates in an empty (or missing) schema; refuses a schema
   * that already holds one. The geometry columns take the SRID of the scenes' EPSG code (0 when
   * the CRS has none; the scenes keep its WKT).
   */
  static async create(
    target: PgTarget,
    name: string,
    before: SceneSource,
    after: SceneSource,
    options: PgStoreOptions = {},
  ): Promise<PgReviewStore> {
    const schema = checkSchema(target.schema ?? DEFAULT_SCHEMA);
    const srid = before.crs.epsg ?? 0;
    const admin = openPool({ ...target, schema });
    try {
      await inTransaction(admin, async (db) => {
        const exists = await db.query(
          "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'schema_version'",
          [schema],
        );
        if (exists.rows.length > 0)
          throw new LandWatchError(
            'E_OUTPUT',
            `${describe(target)}: a team project already exists there.`,
          );
        await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      });
      const client = await admin.connect();
      try {
        await migratePg(client, schema, srid);
      } finally {
        client.release();
      }
      await inTransaction(admin, async (db) => {
        await db.query("INSERT INTO meta (key, value) VALUES ('name', $1), ('created_at', $2)", [
          name,
          new Date().toISOString(),
        ]);
        for (const [role, info] of [
          ['before', before],
          ['after', after],
        ] as const)
          await db.query(
            `INSERT INTO scenes (role, path, name, width, height, bands, crs_id, crs_name, crs_wkt,
               crs_proj4, epsg, geotransform, acquired, geographic, metres_per_unit)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
            [
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
              info.crs.geographic,
              info.crs.metresPerUnit,
            ],
          );
      });
    } finally {
      await admin.end();
    }
    return PgReviewStore.open({ ...target, schema }, options);
  }

  /** Opens a team project, bringing its schema up to date. */
  static async open(target: PgTarget, options: PgStoreOptions = {}): Promise<PgReviewStore> {
    const schema = checkSchema(target.schema ?? DEFAULT_SCHEMA);
    const pool = openPool({ ...target, schema });
    try {
      const found = await pool.query(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'scenes'",
        [schema],
      );
      if (found.rows.length === 0)
        throw new LandWatchError('E_NOT_FOUND', `${describe(target)}: no team project there.`);
      const srid = (
        await pool.query<{ srid: number }>("SELECT Find_SRID($1, 'patches', 'geom') AS srid", [
          schema,
        ])
      ).rows[0].srid;
      const client = await pool.connect();
      try {
        await migratePg(client, schema, srid);
      } finally {
        client.release();
      }
      const scenes = (await pool.query('SELECT * FROM scenes')).rows.map((r) =>
        sceneOf(r as Record<string, unknown>),
      );
      const b = scenes.find((s) => s.role === 'before') as StoredScene;
      const a = scenes.find((s) => s.role === 'after') as StoredScene;
      const created = await pool.query<{ value: string }>(
        "SELECT value FROM meta WHERE key = 'created_at'",
      );
      return new PgReviewStore(
        pool,
        describe(target),
        srid,
        frameOf(b, a),
        created.rows[0]?.value ?? new Date(0).toISOString(),
        leaseSecondsOf(options),
      );
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  private table(db: Queryable): PgPatchTable {
    return new PgPatchTable(db, this.srid, this.where);
  }

  /** Runs an edit in one transaction and returns what it changed, as the handlers expect. */
  private edit(
    actor: string,
    work: (ctx: PgEditContext) => Promise<Recorded>,
  ): Promise<EditResult> {
    return inTransaction(this.pool, async (db) => {
      const table = this.table(db);
      const rules = await TeamRules.of(db, actor, this.leaseSeconds);
      const recorded = await work({
        db,
        table,
        frame: this.frame,
        createdAt: this.createdAt,
        rules,
      });
      return this.result(db, table, recorded, actor);
    });
  }

  private async result(
    db: Queryable,
    table: PgPatchTable,
    recorded: Recorded,
    actor: string,
  ): Promise<EditResult> {
    const changed: PatchView[] = [];
    for (const id of recorded.patchIds) changed.push(await table.viewOf((await table.row(id))!));
    return {
      entry: recorded.entry,
      changed: await withTeam(db, changed),
      history: await statusPg(db, actor),
    };
  }

  /**
   * Runs `work` in one transaction with the edit context the pg-edits functions take, so that
   * several edits (and rows of the caller's own, e.g. team-return markers) commit together or
   * not at all. Used by engine/team; the handlers use the named methods. `actor`'s role and
   * leases (no role checks: a tool's actor) are what `ctx.rules` checks, for work that goes
   * through it.
   */
  transaction<T>(work: (ctx: PgEditContext) => Promise<T>, actor = 'landwatch-return'): Promise<T> {
    return inTransaction(this.pool, (db) =>
      work({
        db,
        table: this.table(db),
        frame: this.frame,
        createdAt: this.createdAt,
        rules: TeamRules.forTool(db, actor, this.leaseSeconds),
      }),
    );
  }

  /** One date's scene as stored. */
  async scene(role: 'before' | 'after'): Promise<StoredScene> {
    const r = await this.pool.query('SELECT * FROM scenes WHERE role = $1', [role]);
    return sceneOf(r.rows[0] as Record<string, unknown>);
  }

  /** Review rows, oldest first (exported as the review history), as ProjectStore.reviews(). */
  async reviews(): Promise<Record<string, unknown>[]> {
    const r = await this.pool.query(
      'SELECT id, patch_id, state, comment, reviewer, at FROM reviews ORDER BY id',
    );
    return r.rows as Record<string, unknown>[];
  }

  async name(): Promise<string> {
    const r = await this.pool.query<{ value: string }>("SELECT value FROM meta WHERE key = 'name'");
    return r.rows[0]?.value ?? this.where;
  }

  /** The two scenes as stored (before, then after). */
  async scenes(): Promise<StoredScene[]> {
    const r = await this.pool.query("SELECT * FROM scenes ORDER BY role = 'after', role");
    return r.rows.map((x) => sceneOf(x as Record<string, unknown>));
  }

  async addRun(run: NewRun, polygons: NewDetection[]): Promise<RunView> {
    await inTransaction(this.pool, (db) => addRunPg(db, this.srid, run, polygons));
    return (await this.runs()).find((r) => r.id === run.id) as RunView;
  }

  async runs(): Promise<RunView[]> {
    const r = await this.pool.query(
      `SELECT r.*, CASE WHEN r.id = $1
         THEN (SELECT COUNT(*) FROM patches WHERE run_id = r.id AND deleted = 0)
         ELSE r.patch_count END AS shown_count
       FROM runs r ORDER BY r.started_at`,
      [MANUAL_RUN_ID],
    );
    return r.rows.map((x: Record<string, unknown>) => ({
      id: x.id as string,
      modelId: x.model_id as string,
      threshold: x.threshold as number,
      minArea: x.min_area as number,
      executionProvider: x.execution_provider as string,
      startedAt: x.started_at as string,
      seconds: x.seconds as number,
      patchCount: x.shown_count as number,
      kind: x.id === MANUAL_RUN_ID ? 'manual' : 'model',
    }));
  }

  async patch(id: number): Promise<PatchView> {
    const [view] = await withTeam(this.pool, [await this.table(this.pool).view(id)]);
    return view;
  }

  async patches(runId?: string): Promise<PatchView[]> {
    const table = this.table(this.pool);
    const rows = await this.queue_.rows(runId ? { runIds: [runId] } : {});
    return withTeam(this.pool, await Promise.all(rows.map((r) => table.viewOf(r))));
  }

  async queue(filter: PatchFilter, offset = 0, limit = 100) {
    const table = this.table(this.pool);
    const { total, rows } = await this.queue_.page(filter, offset, limit);
    const items = await Promise.all(rows.map((r) => table.viewOf(r)));
    return { total, offset, items: await withTeam(this.pool, items) };
  }

  async next(filter: PatchFilter, afterId?: number, backward = false) {
    const table = this.table(this.pool);
    const after = afterId === undefined ? undefined : await table.require(afterId);
    const row = await this.queue_.next(filter, after, backward);
    return row ? (await withTeam(this.pool, [await table.viewOf(row)]))[0] : null;
  }

  async summary() {
    return this.queue_.summary();
  }

  async review(
    id: number,
    state: ReviewState,
    comment: string | null,
    actor: string,
    expect?: ReadVersions,
  ): Promise<PatchView> {
    await this.edit(actor, (ctx) => edits.reviewPg(ctx, [id], state, comment, actor, expect));
    return this.patch(id);
  }

  async reviewMany(
    target: number[] | PatchFilter,
    state: ReviewState,
    comment: string | null,
    actor: string,
    expect?: ReadVersions,
  ): Promise<EditResult> {
    const ids = Array.isArray(target) ? target : await this.queue_.ids(target);
    if (ids.length === 0)
      throw new LandWatchError('E_BAD_REQUEST', 'No patch matches the filter: nothing to review.');
    return this.edit(actor, (ctx) => edits.reviewPg(ctx, ids, state, comment, actor, expect));
  }

  async setAttributes(
    ids: number[],
    attributes: Partial<PatchAttributes>,
    actor: string,
    expect?: ReadVersions,
  ) {
    return this.edit(actor, (ctx) => edits.setAttributesPg(ctx, ids, attributes, actor, expect));
  }

  async setGeometry(id: number, rings: number[][][], actor: string, expect?: ReadVersions) {
    return this.edit(actor, (ctx) => edits.setGeometryPg(ctx, id, rings, actor, expect));
  }

  async split(id: number, line: number[][], actor: string, expect?: ReadVersions) {
    return this.edit(actor, async (ctx) => {
      const recorded = await splitPg(ctx, id, line, actor, expect);
      await inheritPackage(
        ctx.db,
        [id],
        recorded.patchIds.filter((p) => p !== id),
      );
      return recorded;
    });
  }

  async merge(ids: number[], primaryId: number | undefined, actor: string, expect?: ReadVersions) {
    return this.edit(actor, async (ctx) => {
      const recorded = await mergePg(ctx, ids, primaryId, actor, expect);
      const parents = primaryId === undefined ? ids : [primaryId, ...ids];
      await inheritPackage(
        ctx.db,
        parents,
        recorded.patchIds.filter((p) => !ids.includes(p)),
      );
      return recorded;
    });
  }

  async revertGeometry(id: number, actor: string, expect?: ReadVersions) {
    return this.edit(actor, (ctx) => edits.revertGeometryPg(ctx, id, actor, expect));
  }

  async createPatch(
    rings: number[][][],
    state: ReviewState,
    comment: string | null,
    attributes: Partial<PatchAttributes>,
    actor: string,
  ) {
    return this.edit(actor, (ctx) => edits.createPg(ctx, rings, state, comment, attributes, actor));
  }

  async deletePatches(ids: number[], actor: string, expect?: ReadVersions) {
    return this.edit(actor, (ctx) => edits.deletePg(ctx, ids, actor, expect));
  }

  async undo(actor: string) {
    return this.edit(actor, (ctx) =>
      stepPg(ctx.db, ctx.table, actor, 'undo', (rows) => ctx.rules.guard(rows)),
    );
  }

  async redo(actor: string) {
    return this.edit(actor, (ctx) =>
      stepPg(ctx.db, ctx.table, actor, 'redo', (rows) => ctx.rules.guard(rows)),
    );
  }

  async historyStatus(actor: string) {
    return statusPg(this.pool, actor);
  }

  async historyList(limit = 50) {
    return listPg(this.pool, limit);
  }

  async patchHistory(id: number): Promise<PatchAuditEntry[]> {
    await this.table(this.pool).require(id);
    const r = await this.pool.query('SELECT * FROM audit WHERE patch_id = $1 ORDER BY id', [id]);
    return r.rows.map((x: Record<string, unknown>) => ({
      id: x.id as number,
      at: x.at as string,
      actor: x.actor as string,
      action: x.action as string,
      before: (x.before as PatchAuditEntry['before']) ?? null,
      after: (x.after as PatchAuditEntry['after']) ?? null,
      historySeq: (x.history_seq as number | null) ?? null,
      override: x.override === true,
    }));
  }

  async codeLists() {
    return codeListsOf(this.pool);
  }

  async settings() {
    return settingsOf(this.pool);
  }

  async setSettings(settings: ProjectSettings) {
    return setSettingsOf(this.pool, settings);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
