/**
 * Numbered schema migrations of a project file. `user_version` holds the last one applied; each
 * runs in its own transaction, so a project is never left half-migrated.
 */
import type Database from 'better-sqlite3';

/** The code lists every new project starts with (both backends). */
export const DEFAULT_CODE_LISTS_SQL = `INSERT INTO code_lists (list, code, label, label_en, sort) VALUES
    ('change_class', '01', '新增建设用地', 'new construction land', 1),
    ('change_class', '02', '拆除', 'demolition', 2),
    ('change_class', '03', '改建', 'reconstruction', 3),
    ('change_class', '04', '推填土', 'earthwork (fill or excavation)', 4),
    ('change_class', '05', '道路', 'road', 5),
    ('change_class', '06', '采矿挖损', 'mining or excavation damage', 6),
    ('change_class', '07', '设施农用地', 'agricultural facility land', 7),
    ('change_class', '08', '光伏', 'solar farm', 8),
    ('change_class', '99', '其他', 'other', 99),
    ('legality', '1', '合法', 'legal (approved)', 1),
    ('legality', '2', '违法', 'illegal', 2),
    ('legality', '3', '部分合法', 'partly legal', 3),
    ('legality', '4', '临时用地', 'temporary use (approved)', 4),
    ('legality', '9', '待认定', 'to be determined', 9),
    ('field_result', '1', '属实', 'confirmed on site', 1),
    ('field_result', '2', '伪变化', 'false change', 2),
    ('field_result', '3', '在建', 'under construction', 3),
    ('field_result', '4', '已整改', 'rectified or restored', 4),
    ('field_result', '5', '无法到达', 'inaccessible', 5);`;

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
  // 2: code lists, patch attributes and edit flags, re-run links, users, undo history, settings,
  //    map units of the scenes (for areas of edited geometry), queue ranking index
  `
  ALTER TABLE scenes ADD COLUMN geographic INTEGER;
  ALTER TABLE scenes ADD COLUMN metres_per_unit REAL;

  CREATE TABLE code_lists (
    list TEXT NOT NULL CHECK (list IN ('change_class', 'legality', 'field_result')),
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    label_en TEXT NOT NULL,
    sort INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (list, code)
  );
  ${DEFAULT_CODE_LISTS_SQL}

  ALTER TABLE patches ADD COLUMN change_class TEXT;
  ALTER TABLE patches ADD COLUMN legality TEXT;
  ALTER TABLE patches ADD COLUMN parcel_no TEXT;
  ALTER TABLE patches ADD COLUMN field_result TEXT;
  ALTER TABLE patches ADD COLUMN note TEXT;
  ALTER TABLE patches ADD COLUMN change_kind TEXT;
  ALTER TABLE patches ADD COLUMN origin TEXT NOT NULL DEFAULT 'model'
    CHECK (origin IN ('model', 'manual', 'split', 'merge'));
  ALTER TABLE patches ADD COLUMN parents TEXT;
  ALTER TABLE patches ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE patches ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1, 2));
  ALTER TABLE patches ADD COLUMN superseded_by TEXT;
  ALTER TABLE patches ADD COLUMN model_area_m2 REAL;
  ALTER TABLE patches ADD COLUMN model_perimeter_m REAL;
  UPDATE patches SET model_area_m2 = area_m2, model_perimeter_m = perimeter_m;
  CREATE INDEX patches_rank ON patches ((mean_prob * area_m2) DESC, number);
  CREATE INDEX patches_state_rank ON patches (state, (mean_prob * area_m2) DESC, number);

  CREATE TABLE patch_links (
    detection_id INTEGER NOT NULL REFERENCES patches(id) ON DELETE CASCADE,
    patch_id INTEGER NOT NULL REFERENCES patches(id) ON DELETE CASCADE,
    run_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (detection_id, patch_id)
  ) WITHOUT ROWID;
  CREATE INDEX patch_links_patch ON patch_links(patch_id);

  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'analyst' CHECK (role IN ('analyst', 'reviewer', 'admin')),
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
  );

  CREATE TABLE history (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    summary TEXT NOT NULL,
    patch_ids TEXT NOT NULL,
    changes TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'done' CHECK (status IN ('done', 'undone', 'discarded'))
  );
  CREATE INDEX history_status ON history(status, seq);
  ALTER TABLE audit ADD COLUMN history_seq INTEGER;

  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  INSERT INTO settings (key, value) VALUES ('reject_comment_min_confidence', '0.8');
  `,
  // 3: queue speed. Rows carry two geometries, so filtering on columns stored after them reads
  //    the whole table: covering indexes answer counts and the ranking without touching rows,
  //    and a "has links" flag spares unlinked patches (nearly all) the link lookup.
  `
  ALTER TABLE patches ADD COLUMN linked INTEGER NOT NULL DEFAULT 0;
  UPDATE patches SET linked = 1 WHERE id IN (SELECT detection_id FROM patch_links);
  DROP INDEX patches_rank;
  DROP INDEX patches_state_rank;
  CREATE INDEX patches_live ON patches
    (deleted, superseded_by, linked, state, mean_prob, area_m2, change_class, run_id);
  CREATE INDEX patches_ranked ON patches ((mean_prob * area_m2) DESC, number, deleted,
    superseded_by, linked, state, mean_prob, area_m2, change_class, run_id);
  `,
  // 4: state (then class) ahead of the linked flag, so that state filters seek and the summary
  //    groups in index order; linked rows (few) get their own index.
  `
  DROP INDEX patches_live;
  CREATE INDEX patches_live ON patches
    (deleted, superseded_by, state, change_class, linked, mean_prob, area_m2, run_id);
  CREATE INDEX patches_linked ON patches (id) WHERE linked = 1;
  `,
  // 5: patch codes (METHODS M5, electron/engine/codes/): one code per patch with the model that
  //    made it and the R*Tree bounds it was cut for (bounds that moved make it stale), and the
  //    code distance of a re-run link (null until both patches have codes).
  `
  CREATE TABLE patch_codes (
    patch_id INTEGER PRIMARY KEY REFERENCES patches(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    code BLOB NOT NULL
  );
  ALTER TABLE patch_links ADD COLUMN code_distance INTEGER;
  `,
  // 6: reference layers (approved construction, farmland protection, parcels, plan zones) in the
  // scene CRS with an R*Tree over their features; each patch's overlap with each layer; and the
  // patches whose overlaps are stale, marked by triggers whenever a patch is added or its outline
  // changes (split, merge, edit, create, undo) and refreshed by engine/reference before the next
  // read, so no edit path has to remember them.
  `
  CREATE TABLE reference_layers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_crs TEXT NOT NULL,
    fields TEXT NOT NULL,
    feature_count INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    minx REAL,
    miny REAL,
    maxx REAL,
    maxy REAL,
    imported_at TEXT NOT NULL
  );
  CREATE TABLE reference_features (
    id INTEGER PRIMARY KEY,
    layer_id INTEGER NOT NULL REFERENCES reference_layers(id) ON DELETE CASCADE,
    geometry TEXT NOT NULL,
    properties TEXT NOT NULL
  );
  CREATE INDEX reference_features_layer ON reference_features(layer_id);
  CREATE VIRTUAL TABLE reference_rtree USING rtree(id, minx, maxx, miny, maxy);
  CREATE TABLE reference_overlaps (
    layer_id INTEGER NOT NULL REFERENCES reference_layers(id) ON DELETE CASCADE,
    patch_id INTEGER NOT NULL REFERENCES patches(id) ON DELETE CASCADE,
    area_m2 REAL NOT NULL,
    share REAL NOT NULL,
    PRIMARY KEY (layer_id, patch_id)
  ) WITHOUT ROWID;
  CREATE INDEX reference_overlaps_patch ON reference_overlaps(patch_id);
  CREATE TABLE reference_stale (patch_id INTEGER PRIMARY KEY);
  CREATE TRIGGER reference_stale_insert AFTER INSERT ON patches
    WHEN EXISTS (SELECT 1 FROM reference_layers)
    BEGIN INSERT OR IGNORE INTO reference_stale (patch_id) VALUES (NEW.id); END;
  CREATE TRIGGER reference_stale_geometry AFTER UPDATE OF geometry ON patches
    WHEN EXISTS (SELECT 1 FROM reference_layers)
    BEGIN INSERT OR IGNORE INTO reference_stale (patch_id) VALUES (NEW.id); END;
  `,
  // 7: optimistic concurrency: every analyst change of a patch (edit, undo, redo) counts its
  //    version up; a write that carries the version it read is refused when the row moved on.
  `
  ALTER TABLE patches ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
  `,
  // 8: provenance. A patch drawn by hand has no model probability. The column says so
  //    (`unscored` = 1); its mean and max probability are stored as 0 so that the ranking
  //    (probability × area, one index) puts it after every detection instead of first, and the
  //    API and every export show no probability for it. Pieces and merges made only of drawn
  //    patches have none either (a few passes reach nested splits).
  `
  ALTER TABLE patches ADD COLUMN unscored INTEGER NOT NULL DEFAULT 0;
  UPDATE patches SET unscored = 1, mean_prob = 0, max_prob = 0 WHERE origin = 'manual';
  UPDATE patches SET unscored = 1, mean_prob = 0, max_prob = 0
    WHERE origin IN ('split', 'merge') AND unscored = 0 AND parents IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM json_each(patches.parents) j
        JOIN patches q ON q.id = j.value WHERE q.unscored = 0);
  UPDATE patches SET unscored = 1, mean_prob = 0, max_prob = 0
    WHERE origin IN ('split', 'merge') AND unscored = 0 AND parents IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM json_each(patches.parents) j
        JOIN patches q ON q.id = j.value WHERE q.unscored = 0);
  UPDATE patches SET unscored = 1, mean_prob = 0, max_prob = 0
    WHERE origin IN ('split', 'merge') AND unscored = 0 AND parents IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM json_each(patches.parents) j
        JOIN patches q ON q.id = j.value WHERE q.unscored = 0);
  `,
];

/** Brings a project file up to the newest schema; refuses files newer than this build. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `project file schema v${current} is newer than this LandWatch (v${migrations.length}); update LandWatch`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      // Another process may have migrated this step while this one waited for the write lock.
      if ((db.pragma('user_version', { simple: true }) as number) !== v) return;
      db.exec(migrations[v]);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
