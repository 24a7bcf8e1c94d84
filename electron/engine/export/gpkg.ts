/**
 * GeoPackage writer: the format LandWatch recommends for QGIS/ArcGIS users (one file, real field
 * types, UTF-8, any CRS, spatial index). Writes a fresh GeoPackage 1.4 file with better-sqlite3 in
 * one transaction, under a temporary name that is renamed into place when complete.
 */
import type Database from 'better-sqlite3';
import { openSqlite } from '../sqlite.js';
import { rmSync } from 'node:fs';
import { LandWatchError } from '../errors.js';
import { checkSchema, checkedRows } from './fields.js';
import {
  envelopeOf,
  mergeEnvelopes,
  needsMulti,
  orientPolygon,
  polygonsOf,
  type Envelope,
} from './geometry.js';
import {
  CORE_TABLES_SQL,
  DATA_COLUMNS_SQL,
  GPKG_APPLICATION_ID,
  GPKG_USER_VERSION,
  defaultSrsRows,
  quoteId,
  resolveSrs,
  rtreeTriggersSql,
} from './gpkg-schema.js';
import { assertCanWrite, commitPart, partPath } from './output-files.js';
import type { ExportLayer, ExportSummary, ExportTable, FieldDef } from './types.js';
import { polygonsToWkb } from './wkb.js';

/** Options of {@link writeGeoPackage}. */
export interface GeoPackageOptions {
  /** Replace an existing file. Default false: an existing file is an error. */
  overwrite?: boolean;
  /** Non-spatial tables to add, registered in gpkg_contents as `attributes`. */
  extraTables?: ExportTable[];
}

const FID = 'fid';
const GEOM = 'geom';
const SQL_TYPE = { integer: 'INTEGER', real: 'REAL', text: 'TEXT', date: 'DATE' } as const;

/**
 * A GeoPackage geometry blob: "GP", version 0, flags (little endian, [minx,maxx,miny,maxy]
 * envelope, or the empty flag and no envelope), srs_id, then WKB.
 */
export function gpkgGeometryBlob(wkb: Buffer, srsId: number, envelope: Envelope | null): Buffer {
  const header = Buffer.alloc(envelope ? 40 : 8);
  header.write('GP', 0, 'latin1');
  header.writeUInt8(0, 2);
  header.writeUInt8(envelope ? 0b0000_0011 : 0b0001_0001, 3);
  header.writeInt32LE(srsId, 4);
  envelope?.forEach((v, i) => header.writeDoubleLE(v, 8 + i * 8));
  return Buffer.concat([header, wkb]);
}

function columnsSql(fields: FieldDef[]): string {
  return fields
    .map((f) => {
      // TEXT(n) tells GDAL/QGIS the intended width; other types have no width in GeoPackage.
      const type = f.type === 'text' && f.width ? `TEXT(${Math.floor(f.width)})` : SQL_TYPE[f.type];
      return `, ${quoteId(f.name)} ${type}`;
    })
    .join('');
}

function checkTableNames(names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (!name.trim() || /^(gpkg_|rtree_|sqlite_)/.test(key)) {
      throw new LandWatchError('E_BAD_REQUEST', `"${name}" cannot be a GeoPackage table name.`);
    }
    if (seen.has(key)) throw new LandWatchError('E_BAD_REQUEST', `Table "${name}" is given twice.`);
    seen.add(key);
  }
}

/** Registers column titles in gpkg_data_columns; nothing is created when no field has one. */
function writeTitles(db: Database.Database, tables: { table: string; fields: FieldDef[] }[]): void {
  const titled = tables.flatMap(({ table, fields }) =>
    fields.filter((f) => f.title).map((f) => ({ table, column: f.name, title: f.title! })),
  );
  if (titled.length === 0) return;
  db.exec(DATA_COLUMNS_SQL);
  const add = db.prepare('INSERT INTO gpkg_data_columns VALUES (?, ?, ?, ?, NULL, NULL, NULL)');
  // `name` must be unique per table; a repeated title stays as title only.
  const used = new Set<string>();
  for (const { table, column, title } of titled) {
    const key = `${table}\u0000${title}`;
    add.run(table, column, used.has(key) ? null : title, title);
    used.add(key);
  }
}

/**
 * Writes `layer` (and any extra attribute tables) to a new GeoPackage at `path`. Polygon layers are
 * declared POLYGON; as soon as one feature is a MultiPolygon the layer is MULTIPOLYGON and every
 * polygon is stored as a one-part multipolygon, so the declared type always holds.
 */
export function writeGeoPackage(
  path: string,
  layer: ExportLayer,
  options: GeoPackageOptions = {},
): ExportSummary {
  const extraTables = options.extraTables ?? [];
  checkTableNames([layer.name, ...extraTables.map((t) => t.name)]);
  checkSchema(layer.fields, [FID, GEOM], `Layer "${layer.name}"`);
  for (const table of extraTables) checkSchema(table.columns, [FID], `Table "${table.name}"`);
  assertCanWrite([path], options.overwrite);

  // Validate and encode everything before touching the disk.
  const { srsId, row: srsRow } = resolveSrs(layer.crs);
  const multi = needsMulti(layer.features.map((f) => f.geometry));
  let bounds: Envelope | null = null;
  const values = checkedRows(
    layer.fields,
    layer.features.map((f) => f.properties),
    `Layer "${layer.name}"`,
    'feature',
  );
  const features = layer.features.map((feature, i) => {
    const where = `Layer "${layer.name}", feature ${i + 1}`;
    // Simple Features convention (also GeoJSON's): exterior counter-clockwise, holes clockwise.
    const polygons = polygonsOf(feature.geometry, where).map((p) => orientPolygon(p, true));
    const envelope = envelopeOf(polygons);
    bounds = mergeEnvelopes(bounds, envelope);
    const blob = gpkgGeometryBlob(polygonsToWkb(polygons, multi), srsId, envelope);
    return { blob, envelope, values: values[i] };
  });
  const tables = extraTables.map((t) => ({
    table: t,
    rows: checkedRows(t.columns, t.rows, `Table "${t.name}"`),
  }));

  const tmp = partPath(path);
  rmSync(tmp, { force: true });
  const db = openSqlite(tmp);
  try {
    // A temporary file needs no journal: on failure it is deleted.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
    db.pragma(`user_version = ${GPKG_USER_VERSION}`);
    db.transaction(() => {
      db.exec(CORE_TABLES_SQL);
      const addSrs = db.prepare(
        `INSERT INTO gpkg_spatial_ref_sys VALUES
         (@srs_name, @srs_id, @organization, @organization_coordsys_id, @definition, @description)`,
      );
      for (const row of [...defaultSrsRows(), ...(srsRow ? [srsRow] : [])]) addSrs.run(row);

      const t = quoteId(layer.name);
      db.exec(
        `CREATE TABLE ${t} (${quoteId(FID)} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, ` +
          `${quoteId(GEOM)} ${multi ? 'MULTIPOLYGON' : 'POLYGON'}${columnsSql(layer.fields)})`,
      );
      const b = bounds as Envelope | null;
      db.prepare(
        `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?, 'features', ?, '', ?, ?, ?, ?, ?)`,
      ).run(
        layer.name,
        layer.name,
        b?.[0] ?? null,
        b?.[2] ?? null,
        b?.[1] ?? null,
        b?.[3] ?? null,
        srsId,
      );
      db.prepare(`INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)`).run(
        layer.name,
        GEOM,
        multi ? 'MULTIPOLYGON' : 'POLYGON',
        srsId,
      );

      const names = [GEOM, ...layer.fields.map((f) => f.name)].map(quoteId).join(', ');
      const insert = db.prepare(
        `INSERT INTO ${t} (${names}) VALUES (${layer.fields.map(() => '?, ').join('')}?)`,
      );
      const rtree = quoteId(`rtree_${layer.name}_${GEOM}`);
      db.exec(`CREATE VIRTUAL TABLE ${rtree} USING rtree(id, minx, maxx, miny, maxy)`);
      const index = db.prepare(`INSERT INTO ${rtree} VALUES (?, ?, ?, ?, ?)`);
      for (const feature of features) {
        const fid = insert.run(feature.blob, ...feature.values).lastInsertRowid;
        // Empty geometries are not indexed, exactly as the standard triggers would do.
        if (feature.envelope) index.run(fid, ...feature.envelope);
      }
      db.prepare(
        `INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index',
         'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')`,
      ).run(layer.name, GEOM);
      db.exec(rtreeTriggersSql(layer.name, GEOM, FID));

      writeTitles(db, [
        { table: layer.name, fields: layer.fields },
        ...extraTables.map((t) => ({ table: t.name, fields: t.columns })),
      ]);

      for (const { table, rows } of tables) {
        const name = quoteId(table.name);
        db.exec(
          `CREATE TABLE ${name} (${quoteId(FID)} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL${columnsSql(table.columns)})`,
        );
        db.prepare(
          `INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?, 'attributes', ?, '')`,
        ).run(table.name, table.name);
        if (table.columns.length === 0) {
          for (let i = 0; i < rows.length; i++) db.exec(`INSERT INTO ${name} DEFAULT VALUES`);
          continue;
        }
        const cols = table.columns.map((c) => quoteId(c.name)).join(', ');
        const add = db.prepare(
          `INSERT INTO ${name} (${cols}) VALUES (${table.columns.map(() => '?').join(', ')})`,
        );
        for (const row of rows) add.run(...row);
      }
    })();
    db.close();
  } catch (error) {
    if (db.open) db.close();
    rmSync(tmp, { force: true });
    throw error instanceof LandWatchError
      ? error
      : new LandWatchError('E_OUTPUT', `Could not write ${path}: ${(error as Error).message}`, {
          cause: error,
        });
  }
  commitPart(path);
  return { files: [path], features: features.length };
}
