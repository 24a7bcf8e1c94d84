/**
 * Numbered schema migrations of a project file. `user_version` holds the last one applied; each
 * runs in its own transaction, so a project is never left half-migrated.
 */
import type Database from 'better-sqlite3';

export const migrations: string[] = [
  // 1: scenes, runs, patches (+ R*Tree on bounds), reviews, audit trail
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE scenes (
    role TEXT PRIMARY KEY CHECK (role IN ('before', 'after')),
    path TEXT NOT NULL,
    name TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bands INTEGER NOT NULL,
    crs_id TEXT NOT NULL,
    crs_name TEXT NOT NULL,
    crs_wkt TEXT,
    crs_proj4 TEXT,
    epsg INTEGER,
    geotransform TEXT NOT NULL,
    acquired TEXT
  );
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    model_id TEXT NOT NULL,
    model_version TEXT NOT NULL,
    threshold REAL NOT NULL,
    min_area REAL NOT NULL,
    params TEXT NOT NULL,
    execution_provider TEXT NOT NULL,
    started_at TEXT NOT NULL,
    seconds REAL NOT NULL,
    patch_count INTEGER NOT NULL
  );
  CREATE TABLE patches (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'unreviewed'
      CHECK (state IN ('unreviewed', 'confirmed', 'rejected', 'field_check')),
    geometry TEXT NOT NULL,
    model_geometry TEXT NOT NULL,
    area_m2 REAL NOT NULL,
    perimeter_m REAL NOT NULL,
    mean_prob REAL NOT NULL,
    max_prob REAL NOT NULL,
    comment TEXT,
    reviewer TEXT,
    reviewed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX patches_run ON patches(run_id);
  CREATE INDEX patches_state ON patches(state);
  CREATE VIRTUAL TABLE patches_rtree USING rtree(id, minx, maxx, miny, maxy);
  CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    patch_id INTEGER NOT NULL REFERENCES patches(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    comment TEXT,
    reviewer TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    patch_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT,
    after TEXT
  );
  CREATE INDEX audit_patch ON audit(patch_id);
  `,
];

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `project file schema v${current} is newer than this LandWatch (v${migrations.length}); update LandWatch`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
