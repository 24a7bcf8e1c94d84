/**
 * One project = one SQLite file (WAL, foreign keys, numbered migrations, one connection, prepared
 * statements created once). Holds both dates, the detection runs, their change patches and every
 * review decision with an audit row.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { PatchView, PolygonGeometry, ReviewState, RunView } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import type { RasterInfo } from '../raster/raster-source.js';
import { M2_PER_MU } from '../vector/geo.js';
import type { ChangePolygon } from '../vector/polygonize.js';
import { migrate } from './migrations.js';

export interface StoredScene {
  role: 'before' | 'after';
  path: string;
  name: string;
  width: number;
  height: number;
  bands: number;
  crsId: string;
  crsName: string;
  crsWkt: string | null;
  crsProj4: string | null;
  epsg: number | null;
  geoTransform: [number, number, number, number, number, number];
  acquired: string | null;
}

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
}

interface PatchRow {
  id: number;
  run_id: string;
  number: number;
  state: ReviewState;
  geometry: string;
  area_m2: number;
  perimeter_m: number;
  mean_prob: number;
  max_prob: number;
  comment: string | null;
}

export class ProjectStore {
  private readonly stmts;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
  ) {
    this.stmts = {
      scene: db.prepare('SELECT * FROM scenes WHERE role = ?'),
      runs: db.prepare('SELECT * FROM runs ORDER BY started_at'),
      insertRun: db.prepare(
        `INSERT INTO runs (id, model_id, model_version, threshold, min_area, params, execution_provider, started_at, seconds, patch_count)
         VALUES (@id, @modelId, @modelVersion, @threshold, @minArea, @params, @executionProvider, @startedAt, @seconds, @patchCount)`,
      ),
      insertPatch: db.prepare(
        `INSERT INTO patches (run_id, number, geometry, model_geometry, area_m2, perimeter_m, mean_prob, max_prob, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertBounds: db.prepare(
        'INSERT INTO patches_rtree (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)',
      ),
      maxNumber: db.prepare('SELECT COALESCE(MAX(number), 0) AS n FROM patches'),
      patches: db.prepare('SELECT * FROM patches ORDER BY number'),
      patchesOfRun: db.prepare('SELECT * FROM patches WHERE run_id = ? ORDER BY number'),
      patch: db.prepare('SELECT * FROM patches WHERE id = ?'),
      setState: db.prepare(
        'UPDATE patches SET state = ?, comment = ?, reviewer = ?, reviewed_at = ?, updated_at = ? WHERE id = ?',
      ),
      insertReview: db.prepare(
        'INSERT INTO reviews (patch_id, state, comment, reviewer, at) VALUES (?, ?, ?, ?, ?)',
      ),
      insertAudit: db.prepare(
        'INSERT INTO audit (patch_id, at, actor, action, before, after) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      counts: db.prepare('SELECT state, COUNT(*) AS n FROM patches GROUP BY state'),
      meta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      reviews: db.prepare('SELECT * FROM reviews ORDER BY id'),
    };
  }

  /** Creates a new project file for two dates; refuses to overwrite an existing file. */
  static create(path: string, name: string, before: RasterInfo, after: RasterInfo): ProjectStore {
    if (existsSync(path))
      throw new LandWatchError('E_OUTPUT', `${path}: a project file already exists there.`);
    const store = new ProjectStore(path, openDb(path));
    const insertScene = store.db.prepare(
      `INSERT INTO scenes (role, path, name, width, height, bands, crs_id, crs_name, crs_wkt, crs_proj4, epsg, geotransform, acquired)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    store.db.transaction(() => {
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
        );
      }
    })();
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
    return (
      (this.stmts.meta.get('name') as { value: string } | undefined)?.value ?? basename(this.path)
    );
  }

  scene(role: 'before' | 'after'): StoredScene {
    const r = this.stmts.scene.get(role) as Record<string, unknown>;
    return {
      role,
      path: r.path as string,
      name: r.name as string,
      width: r.width as number,
      height: r.height as number,
      bands: r.bands as number,
      crsId: r.crs_id as string,
      crsName: r.crs_name as string,
      crsWkt: r.crs_wkt as string | null,
      crsProj4: r.crs_proj4 as string | null,
      epsg: r.epsg as number | null,
      geoTransform: JSON.parse(r.geotransform as string),
      acquired: r.acquired as string | null,
    };
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
      patchCount: r.patch_count as number,
    }));
  }

  /** Stores a run and all its patches in one transaction. */
  addRun(run: NewRun, polygons: ChangePolygon[]): RunView {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.stmts.insertRun.run({
        ...run,
        params: JSON.stringify(run.params),
        patchCount: polygons.length,
      });
      let n = (this.stmts.maxNumber.get() as { n: number }).n;
      for (const p of polygons) {
        const geometry = JSON.stringify({ type: 'Polygon', coordinates: p.rings });
        const info = this.stmts.insertPatch.run(
          run.id,
          ++n,
          geometry,
          geometry,
          p.areaM2,
          p.perimeter,
          p.meanProb,
          p.maxProb,
          now,
          now,
        );
        const [minx, miny, maxx, maxy] = p.bbox;
        this.stmts.insertBounds.run(info.lastInsertRowid, minx, maxx, miny, maxy);
      }
    })();
    return this.runs().find((r) => r.id === run.id) as RunView;
  }

  patches(runId?: string): PatchView[] {
    const rows = (
      runId ? this.stmts.patchesOfRun.all(runId) : this.stmts.patches.all()
    ) as PatchRow[];
    return rows.map(toView);
  }

  patch(id: number): PatchView {
    const row = this.stmts.patch.get(id) as PatchRow | undefined;
    if (!row)
      throw new LandWatchError(
        'E_NOT_FOUND',
        `Patch ${id} does not exist in ${basename(this.path)}.`,
      );
    return toView(row);
  }

  /** Records a review decision, its review row and its audit row atomically. */
  review(id: number, state: ReviewState, comment: string | null, reviewer: string): PatchView {
    const before = this.patch(id);
    const at = new Date().toISOString();
    this.db.transaction(() => {
      this.stmts.setState.run(state, comment, reviewer, at, at, id);
      this.stmts.insertReview.run(id, state, comment, reviewer, at);
      this.stmts.insertAudit.run(
        id,
        at,
        reviewer,
        'review',
        JSON.stringify({ state: before.state, comment: before.comment }),
        JSON.stringify({ state, comment }),
      );
    })();
    return this.patch(id);
  }

  counts(): Record<ReviewState, number> {
    const out: Record<ReviewState, number> = {
      unreviewed: 0,
      confirmed: 0,
      rejected: 0,
      field_check: 0,
    };
    for (const r of this.stmts.counts.all() as { state: ReviewState; n: number }[])
      out[r.state] = r.n;
    return out;
  }

  /** Review rows, oldest first (exported as the review history). */
  reviews(): Record<string, unknown>[] {
    return this.stmts.reviews.all() as Record<string, unknown>[];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function openDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  return db;
}

function toView(r: PatchRow): PatchView {
  return {
    id: String(r.id),
    runId: r.run_id,
    number: r.number,
    state: r.state,
    areaM2: r.area_m2,
    areaMu: r.area_m2 / M2_PER_MU,
    perimeterM: r.perimeter_m,
    meanProb: r.mean_prob,
    maxProb: r.max_prob,
    comment: r.comment,
    geometry: JSON.parse(r.geometry) as PolygonGeometry,
  };
}
