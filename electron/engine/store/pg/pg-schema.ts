/**
 * Numbered schema migrations of a team project in PostgreSQL + PostGIS. A project lives in one
 * schema (several projects can share a database); `schema_version` holds the last migration
 * applied; pending ones run in one transaction under an advisory lock, so two servers opening
 * the same project never migrate it twice. The columns mirror the SQLite project file
 * (migrations.ts) so that rows convert one to one; outlines are PostGIS geometries in the
 * project's CRS (SRID from the scenes' EPSG code, 0 when it has none) with a GiST index.
 */
import type pg from 'pg';
import { DEFAULT_CODE_LISTS_SQL } from '../migrations.js';

/** Each migration is SQL for a given SRID (fixed when the project is created). */
export const pgMigrations: ((srid: number) => string)[] = [
  // 1: everything the review store needs, up to SQLite migration 8 (versions, unscored), minus patch
  //    codes and reference layers, which team projects do not hold yet.
  (srid) => `
  CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
  CREATE TABLE scenes (
    role text PRIMARY KEY CHECK (role IN ('before', 'after')),
    path text NOT NULL,
    name text NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    bands integer NOT NULL,
    crs_id text NOT NULL,
    crs_name text NOT NULL,
    crs_wkt text,
    crs_proj4 text,
    epsg integer,
    geotransform jsonb NOT NULL,
    acquired text,
    geographic boolean,
    metres_per_unit double precision
  );
  CREATE TABLE runs (
    id text PRIMARY KEY,
    model_id text NOT NULL,
    model_version text NOT NULL,
    threshold double precision NOT NULL,
    min_area double precision NOT NULL,
    params jsonb NOT NULL,
    execution_provider text NOT NULL,
    started_at timestamptz NOT NULL,
    seconds double precision NOT NULL,
    patch_count integer NOT NULL
  );
  CREATE TABLE patches (
    id serial PRIMARY KEY,
    run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    number integer NOT NULL UNIQUE,
    state text NOT NULL DEFAULT 'unreviewed'
      CHECK (state IN ('unreviewed', 'confirmed', 'rejected', 'field_check')),
    geom geometry(Geometry, ${srid}) NOT NULL
      CHECK (GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')),
    model_geom geometry(Geometry, ${srid}) NOT NULL,
    area_m2 double precision NOT NULL,
    perimeter_m double precision NOT NULL,
    model_area_m2 double precision NOT NULL,
    model_perimeter_m double precision NOT NULL,
    mean_prob double precision NOT NULL,
    max_prob double precision NOT NULL,
    comment text,
    reviewer text,
    reviewed_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    change_class text,
    legality text,
    parcel_no text,
    field_result text,
    note text,
    change_kind text,
    origin text NOT NULL DEFAULT 'model' CHECK (origin IN ('model', 'manual', 'split', 'merge')),
    parents jsonb,
    edited smallint NOT NULL DEFAULT 0,
    deleted smallint NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1, 2)),
    superseded_by text,
    linked smallint NOT NULL DEFAULT 0,
    version integer NOT NULL DEFAULT 1,
    unscored smallint NOT NULL DEFAULT 0
  );
  CREATE INDEX patches_geom ON patches USING gist (geom);
  CREATE INDEX patches_run ON patches (run_id);
  CREATE INDEX patches_live ON patches (deleted, superseded_by, state, change_class);
  CREATE INDEX patches_ranked ON patches ((mean_prob * area_m2) DESC, number);
  CREATE TABLE patch_links (
    detection_id integer NOT NULL REFERENCES patches(id) ON DELETE CASCADE,
    patch_id integer NOT NULL REFERENCES patches(id) ON DELETE CASCADE,
    run_id text NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (detection_id, patch_id)
  );
  CREATE INDEX patch_links_patch ON patch_links (patch_id);
  CREATE TABLE reviews (
    id bigserial PRIMARY KEY,
    patch_id integer NOT NULL REFERENCES patches(id) ON DELETE CASCADE,
    state text NOT NULL,
    comment text,
    reviewer text NOT NULL,
    at timestamptz NOT NULL
  );
  CREATE TABLE history (
    seq serial PRIMARY KEY,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    summary text NOT NULL,
    patch_ids jsonb NOT NULL,
    changes jsonb NOT NULL,
    status text NOT NULL DEFAULT 'done' CHECK (status IN ('done', 'undone', 'discarded'))
  );
  -- Undo is per user: each analyst's newest done (or oldest undone) operation.
  CREATE INDEX history_actor ON history (actor, status, seq);
  CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    patch_id integer NOT NULL,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    before jsonb,
    after jsonb,
    history_seq integer
  );
  CREATE INDEX audit_patch ON audit (patch_id, id);
  CREATE TABLE users (
    id text PRIMARY KEY,
    display_name text NOT NULL,
    first_seen timestamptz NOT NULL,
    last_seen timestamptz NOT NULL
  );
  CREATE TABLE code_lists (
    list text NOT NULL CHECK (list IN ('change_class', 'legality', 'field_result')),
    code text NOT NULL,
    label text NOT NULL,
    label_en text NOT NULL,
    sort integer NOT NULL,
    active smallint NOT NULL DEFAULT 1,
    PRIMARY KEY (list, code)
  );
  ${DEFAULT_CODE_LISTS_SQL}
  CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);
  INSERT INTO settings (key, value) VALUES ('reject_comment_min_confidence', '0.8');
  `,
  // 2: a team at work (issue 17): leases, work packages, supervisors' overrides and second checks.
  (srid) => `
  CREATE TABLE leases (
    patch_id integer PRIMARY KEY REFERENCES patches(id) ON DELETE CASCADE,
    user_name text NOT NULL,
    since timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
  );
  CREATE INDEX leases_expiry ON leases (expires_at);
  CREATE TABLE packages (
    id serial PRIMARY KEY,
    name text NOT NULL,
    assignee text NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    area geometry(Polygon, ${srid})
  );
  -- A patch is in at most one package.
  CREATE TABLE package_patches (
    package_id integer NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
    patch_id integer NOT NULL UNIQUE REFERENCES patches(id) ON DELETE CASCADE,
    PRIMARY KEY (package_id, patch_id)
  );
  -- An override keeps the decision it replaced: {state, reviewer, at, comment}.
  ALTER TABLE reviews ADD COLUMN override_of jsonb;
  CREATE INDEX reviews_patch ON reviews (patch_id, id);
  ALTER TABLE audit ADD COLUMN override boolean NOT NULL DEFAULT false;
  -- A second check holds for the patch version it saw.
  CREATE TABLE checks (
    patch_id integer PRIMARY KEY REFERENCES patches(id) ON DELETE CASCADE,
    checked_by text NOT NULL,
    checked_at timestamptz NOT NULL,
    version integer NOT NULL
  );
  `,
];

/**
 * Brings the project in the client's schema up to the newest migration (the schema must exist).
 * Refuses projects newer than this build.
 *
 * @param srid - used by migrations that create geometry columns (the project's CRS)
 */
export async function migratePg(
  client: pg.PoolClient,
  schema: string,
  srid: number,
): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`landwatch:${schema}`]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const r = await client.query<{ version: number }>('SELECT version FROM schema_version');
    const current = r.rows[0]?.version ?? 0;
    if (current > pgMigrations.length)
      throw new Error(
        `team project schema "${schema}" is v${current}, newer than this LandWatch (v${pgMigrations.length}); update LandWatch`,
      );
    for (let v = current; v < pgMigrations.length; v++) await client.query(pgMigrations[v](srid));
    if (r.rows.length === 0)
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [pgMigrations.length]);
    else await client.query('UPDATE schema_version SET version = $1', [pgMigrations.length]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
