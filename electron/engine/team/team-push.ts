/**
 * `landwatch team push`: a new team project (one PostgreSQL schema) made from a local project file
 * with everything in it — scenes, runs, every patch (deleted, superseded and void ones too, with
 * their links, provenance, attributes and drawn/unscored flags), reviews, the undo history and
 * the audit trail with their actors and times, users, code lists and settings. Ids and numbers are
 * kept, so history and audit rows still point at their patches; versions start fresh at 1 (they
 * count team writes). The copy is one transaction; when it fails the new schema is dropped again.
 *
 * @example
 * const result = await pushProject('/data/round7.landwatch', { url, schema: 'round7' });
 */
import { basename } from 'node:path';
import type pg from 'pg';
import { LandWatchError } from '../errors.js';
import { openPool, type PgTarget } from '../store/pg/pg-connection.js';
import { PgReviewStore } from '../store/pg/pg-review-store.js';
import type { Queryable } from '../store/pg/pg-patch-table.js';
import { frameOf } from '../store/project-scenes.js';
import { ProjectStore, type SceneSource, type StoredScene } from '../store/project-store.js';
import { insertRows, parsedJson, syncSequence, type Column } from './pg-bulk.js';
import { connectionError, serverOf, teamTarget } from './team-target.js';

export interface PushResult {
  schema: string;
  server: string;
  runs: number;
  patches: number;
  reviews: number;
  history: number;
  audit: number;
  /** What the local project holds that a team project does not (yet), with counts. */
  notCarried: string[];
}

/** A stored scene as the description a new project takes. */
export function sceneSource(s: StoredScene): SceneSource {
  // Projects made before scenes recorded their units measure by the EPSG table (as frameOf does).
  const units = s.units ?? frameOf(s, s).units;
  return {
    path: s.path,
    name: s.name,
    width: s.width,
    height: s.height,
    bands: s.bands,
    geoTransform: s.geoTransform,
    crs: {
      id: s.crsId,
      name: s.crsName,
      wkt: s.crsWkt,
      proj4: s.crsProj4,
      epsg: s.epsg,
      geographic: units.geographic,
      metresPerUnit: units.metresPerUnit,
    },
    metadata: { date: s.acquired },
  };
}

export const PATCH_COLUMNS: readonly Column[] = [
  ['id', 'integer'],
  ['run_id', 'text'],
  ['number', 'integer'],
  ['state', 'text'],
  ['geometry', 'text'],
  ['model_geometry', 'text'],
  ['area_m2', 'float8'],
  ['perimeter_m', 'float8'],
  ['model_area_m2', 'float8'],
  ['model_perimeter_m', 'float8'],
  ['mean_prob', 'float8'],
  ['max_prob', 'float8'],
  ['comment', 'text'],
  ['reviewer', 'text'],
  ['reviewed_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['change_class', 'text'],
  ['legality', 'text'],
  ['parcel_no', 'text'],
  ['field_result', 'text'],
  ['note', 'text'],
  ['change_kind', 'text'],
  ['origin', 'text'],
  ['parents', 'jsonb'],
  ['edited', 'smallint'],
  ['deleted', 'smallint'],
  ['superseded_by', 'text'],
  ['linked', 'smallint'],
  ['unscored', 'smallint'],
];

const RUN_COLUMNS: readonly Column[] = [
  ['id', 'text'],
  ['model_id', 'text'],
  ['model_version', 'text'],
  ['threshold', 'float8'],
  ['min_area', 'float8'],
  ['params', 'jsonb'],
  ['execution_provider', 'text'],
  ['started_at', 'timestamptz'],
  ['seconds', 'float8'],
  ['patch_count', 'integer'],
];

const REVIEW_COLUMNS: readonly Column[] = [
  ['id', 'bigint'],
  ['patch_id', 'integer'],
  ['state', 'text'],
  ['comment', 'text'],
  ['reviewer', 'text'],
  ['at', 'timestamptz'],
];

const AUDIT_COLUMNS: readonly Column[] = [
  ['id', 'bigint'],
  ['patch_id', 'integer'],
  ['at', 'timestamptz'],
  ['actor', 'text'],
  ['action', 'text'],
  ['before', 'jsonb'],
  ['after', 'jsonb'],
  ['history_seq', 'integer'],
];

/** Geometry columns written from the GeoJSON text a project file keeps. */
export function geometryExprs(srid: number): Record<string, string> {
  return {
    geometry: `ST_SetSRID(ST_GeomFromGeoJSON(x.geometry), ${srid})`,
    model_geometry: `ST_SetSRID(ST_GeomFromGeoJSON(x.model_geometry), ${srid})`,
  };
}

/** The patches table's column names on the PostgreSQL side (geometry is `geom` there). */
export const pgPatchColumn = (name: string) =>
  name === 'geometry' ? 'geom' : name === 'model_geometry' ? 'model_geom' : name;

/** Inserts patch rows of a project file (their own ids and numbers; versions start at 1). */
export async function insertPatchRows(
  db: Queryable,
  srid: number,
  rows: Record<string, unknown>[],
): Promise<void> {
  const data = rows.map((r) => ({ ...r, parents: parsedJson(r.parents) }));
  await insertRows(db, 'patches', PATCH_COLUMNS, data, geometryExprs(srid), pgPatchColumn);
}

/** Copies the project file at `path` into a new team project at `target`. */
export async function pushProject(path: string, target: PgTarget): Promise<PushResult> {
  const checked = teamTarget(target.url, target.schema);
  const local = ProjectStore.open(path);
  try {
    const rows = (sql: string) => local.db.prepare(sql).all() as Record<string, unknown>[];
    // Only a schema this push makes may be dropped again when the copy fails.
    await refuseExistingSchema(checked);
    let team: PgReviewStore;
    try {
      team = await PgReviewStore.create(
        checked,
        local.name,
        sceneSource(local.scene('before')),
        sceneSource(local.scene('after')),
      );
    } catch (error) {
      throw connectionError(checked.url, error);
    }
    const counts = { runs: 0, patches: 0, reviews: 0, history: 0, audit: 0 };
    try {
      await team.transaction(async ({ db, table }) => {
        const srid = table.srid;
        const meta = rows(
          "SELECT key, value FROM meta WHERE key NOT IN ('thumbnail', 'team_checkout')",
        );
        for (const m of meta)
          await db.query(
            'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
            [m.key, m.value],
          );
        const runs = rows('SELECT * FROM runs').map((r) => ({
          ...r,
          params: parsedJson(r.params),
        }));
        await insertRows(db, 'runs', RUN_COLUMNS, runs);
        const patches = rows('SELECT * FROM patches ORDER BY id');
        await insertPatchRows(db, srid, patches);
        await insertRows(
          db,
          'patch_links',
          [
            ['detection_id', 'integer'],
            ['patch_id', 'integer'],
            ['run_id', 'text'],
            ['at', 'timestamptz'],
          ],
          rows('SELECT detection_id, patch_id, run_id, at FROM patch_links'),
        );
        const reviews = rows('SELECT * FROM reviews ORDER BY id');
        await insertRows(db, 'reviews', REVIEW_COLUMNS, reviews);
        const history = rows('SELECT * FROM history ORDER BY seq').map((h) => ({
          ...h,
          patch_ids: parsedJson(h.patch_ids),
          changes: parsedJson(h.changes),
        }));
        await insertRows(
          db,
          'history',
          [
            ['seq', 'integer'],
            ['at', 'timestamptz'],
            ['actor', 'text'],
            ['action', 'text'],
            ['summary', 'text'],
            ['patch_ids', 'jsonb'],
            ['changes', 'jsonb'],
            ['status', 'text'],
          ],
          history,
        );
        const audit = rows('SELECT * FROM audit ORDER BY id').map((a) => ({
          ...a,
          before: parsedJson(a.before),
          after: parsedJson(a.after),
        }));
        await insertRows(db, 'audit', AUDIT_COLUMNS, audit);
        await insertRows(
          db,
          'users',
          [
            ['id', 'text'],
            ['display_name', 'text'],
            ['first_seen', 'timestamptz'],
            ['last_seen', 'timestamptz'],
          ],
          rows('SELECT id, display_name, first_seen, last_seen FROM users'),
        );
        await db.query('DELETE FROM code_lists');
        await insertRows(
          db,
          'code_lists',
          [
            ['list', 'text'],
            ['code', 'text'],
            ['label', 'text'],
            ['label_en', 'text'],
            ['sort', 'integer'],
            ['active', 'smallint'],
          ],
          rows('SELECT * FROM code_lists'),
        );
        await db.query('DELETE FROM settings');
        await insertRows(
          db,
          'settings',
          [
            ['key', 'text'],
            ['value', 'text'],
          ],
          rows('SELECT * FROM settings'),
        );
        for (const [t, c] of [
          ['patches', 'id'],
          ['reviews', 'id'],
          ['history', 'seq'],
          ['audit', 'id'],
        ])
          await syncSequence(db, t, c);
        Object.assign(counts, {
          runs: runs.length,
          patches: patches.length,
          reviews: reviews.length,
          history: history.length,
          audit: audit.length,
        });
      });
    } catch (error) {
      await team.close();
      await dropSchema(checked);
      if (error instanceof LandWatchError) throw error;
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `${basename(path)} could not be copied into schema "${checked.schema}" of ${serverOf(checked.url)}, so nothing was kept there: ${(error as Error).message}.`,
      );
    }
    await team.close();
    return {
      schema: checked.schema!,
      server: serverOf(checked.url),
      ...counts,
      notCarried: notCarried(local),
    };
  } finally {
    local.close();
  }
}

/** Refuses a schema that exists, naming what it holds; connection failures as one message. */
async function refuseExistingSchema(target: PgTarget): Promise<void> {
  const pool = openPool(target);
  try {
    const r = await pool.query<{ tables: number; project: boolean }>(
      `SELECT COUNT(t.table_name) AS tables, bool_or(t.table_name = 'schema_version') AS project
       FROM information_schema.schemata s
       LEFT JOIN information_schema.tables t ON t.table_schema = s.schema_name
       WHERE s.schema_name = $1 GROUP BY s.schema_name`,
      [target.schema],
    );
    const found = r.rows[0];
    if (!found) return;
    throw new LandWatchError(
      'E_OUTPUT',
      found.project
        ? `Schema "${target.schema}" of ${serverOf(target.url)} already holds a team project; push makes new team projects only (choose another --schema; a checkout goes back with \`landwatch team return\`).`
        : `Schema "${target.schema}" of ${serverOf(target.url)} already exists (${found.tables} tables); push makes a new schema: choose another --schema.`,
    );
  } catch (error) {
    throw connectionError(target.url, error);
  } finally {
    await pool.end();
  }
}

/** Removes a schema this push created, after a failed copy. */
async function dropSchema(target: PgTarget): Promise<void> {
  const pool: pg.Pool = openPool(target);
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${target.schema} CASCADE`);
  } finally {
    await pool.end();
  }
}

/** Local tables a team project does not hold yet: patch codes and reference layers. */
function notCarried(local: ProjectStore): string[] {
  const count = (table: string) =>
    (local.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const out: string[] = [];
  const codes = count('patch_codes');
  if (codes > 0) out.push(`${codes} patch codes (made again by \`landwatch similar\`)`);
  const layers = count('reference_layers');
  if (layers > 0) out.push(`${layers} reference layers (import them into the team project again)`);
  return out;
}
