/**
 * GeoPackage 1.4 schema pieces: the mandatory metadata tables, the default spatial reference
 * systems, the R*Tree spatial index triggers, and how a layer's CRS becomes a
 * gpkg_spatial_ref_sys row. SQL text follows the OGC GeoPackage 1.4 specification (Annex C/F).
 */
import { crsNameOfWkt, lookupEpsg } from '../crs/epsg.js';
import { epsgCodeOfWkt } from '../crs/wkt.js';
import type { LayerCrs } from './types.js';

/** `PRAGMA application_id` for GeoPackage: the ASCII bytes "GPKG". */
export const GPKG_APPLICATION_ID = 0x47504b47;
/** `PRAGMA user_version` for GeoPackage 1.4.0. */
export const GPKG_USER_VERSION = 10400;

/** Quotes an SQL identifier (table or column name). */
export function quoteId(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The mandatory tables (spec 1.4, Annex C), plus gpkg_extensions for the R*Tree index. */
export const CORE_TABLES_SQL = `
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
`;

/** One gpkg_spatial_ref_sys row. */
export interface SrsRow {
  srs_name: string;
  srs_id: number;
  organization: string;
  organization_coordsys_id: number;
  definition: string;
  description: string | null;
}

/** The three rows every GeoPackage must have (spec requirement 11). */
export function defaultSrsRows(): SrsRow[] {
  return [
    {
      srs_name: 'Undefined Cartesian SRS',
      srs_id: -1,
      organization: 'NONE',
      organization_coordsys_id: -1,
      definition: 'undefined',
      description: 'undefined Cartesian coordinate reference system',
    },
    {
      srs_name: 'Undefined geographic SRS',
      srs_id: 0,
      organization: 'NONE',
      organization_coordsys_id: 0,
      definition: 'undefined',
      description: 'undefined geographic coordinate reference system',
    },
    {
      srs_name: 'WGS 84 geodetic',
      srs_id: 4326,
      organization: 'EPSG',
      organization_coordsys_id: 4326,
      definition: lookupEpsg(4326)?.wkt ?? 'undefined',
      description: 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid',
    },
  ];
}

/** First srs_id for CRSs without an EPSG code (GDAL uses the same range). */
const CUSTOM_SRS_ID = 100000;

/**
 * The srs_id to declare for a layer and the row to add for it (null when a default row fits).
 * - EPSG code known: registered under that code, with the given WKT or the one from epsg-index.
 * - Only WKT: its own AUTHORITY["EPSG",...] if present, else a custom srs_id 100000.
 * - Nothing known: -1, the undefined *Cartesian* SRS, because LandWatch scenes are projected grids
 *   (0, undefined geographic, would tell GIS software the numbers are degrees).
 */
export function resolveSrs(crs: LayerCrs): { srsId: number; row: SrsRow | null } {
  const code = crs.epsg ?? (crs.wkt ? epsgCodeOfWkt(crs.wkt) : null);
  if (code === 4326) return { srsId: 4326, row: null };
  if (code !== null && code > 0) {
    const known = lookupEpsg(code);
    const wkt = crs.wkt ?? known?.wkt ?? 'undefined';
    return {
      srsId: code,
      row: {
        srs_name: known?.name ?? crsNameOfWkt(wkt) ?? `EPSG:${code}`,
        srs_id: code,
        organization: 'EPSG',
        organization_coordsys_id: code,
        definition: wkt,
        description: null,
      },
    };
  }
  if (crs.wkt) {
    return {
      srsId: CUSTOM_SRS_ID,
      row: {
        srs_name: crsNameOfWkt(crs.wkt) ?? 'Custom CRS',
        srs_id: CUSTOM_SRS_ID,
        organization: 'NONE',
        organization_coordsys_id: CUSTOM_SRS_ID,
        definition: crs.wkt,
        description: null,
      },
    };
  }
  return { srsId: -1, row: null };
}

/**
 * The GeoPackage 1.4 R*Tree maintenance triggers for table t, geometry column c, id column i
 * (spec 1.4 Annex F.3: insert, update2, update4, update5, update6, update7, delete; 1.4 retired
 * update1 and update3). They call ST_* functions that GDAL/QGIS register, so they only matter
 * when the file is later edited in such software; LandWatch fills the index directly.
 */
export function rtreeTriggersSql(table: string, column: string, id: string): string {
  const t = quoteId(table);
  const c = quoteId(column);
  const i = quoteId(id);
  const r = (suffix = ''): string => quoteId(`rtree_${table}_${column}${suffix}`);
  const values = `NEW.${i}, ST_MinX(NEW.${c}), ST_MaxX(NEW.${c}), ST_MinY(NEW.${c}), ST_MaxY(NEW.${c})`;
  const newFull = `(NEW.${c} NOTNULL AND NOT ST_IsEmpty(NEW.${c}))`;
  const newEmpty = `(NEW.${c} ISNULL OR ST_IsEmpty(NEW.${c}))`;
  const oldFull = `(OLD.${c} NOTNULL AND NOT ST_IsEmpty(OLD.${c}))`;
  const oldEmpty = `(OLD.${c} ISNULL OR ST_IsEmpty(OLD.${c}))`;
  return `
CREATE TRIGGER ${r('_insert')} AFTER INSERT ON ${t}
  WHEN (new.${c} NOT NULL AND NOT ST_IsEmpty(NEW.${c}))
BEGIN
  INSERT OR REPLACE INTO ${r()} VALUES (${values});
END;
CREATE TRIGGER ${r('_update2')} AFTER UPDATE OF ${c} ON ${t}
  WHEN OLD.${i} = NEW.${i} AND ${newEmpty}
BEGIN
  DELETE FROM ${r()} WHERE id = OLD.${i};
END;
CREATE TRIGGER ${r('_update4')} AFTER UPDATE ON ${t}
  WHEN OLD.${i} != NEW.${i} AND ${newEmpty}
BEGIN
  DELETE FROM ${r()} WHERE id IN (OLD.${i}, NEW.${i});
END;
CREATE TRIGGER ${r('_update5')} AFTER UPDATE ON ${t}
  WHEN OLD.${i} != NEW.${i} AND ${newFull}
BEGIN
  DELETE FROM ${r()} WHERE id = OLD.${i};
  INSERT OR REPLACE INTO ${r()} VALUES (${values});
END;
CREATE TRIGGER ${r('_update6')} AFTER UPDATE OF ${c} ON ${t}
  WHEN OLD.${i} = NEW.${i} AND ${newFull} AND ${oldFull}
BEGIN
  UPDATE ${r()} SET minx = ST_MinX(NEW.${c}), maxx = ST_MaxX(NEW.${c}),
    miny = ST_MinY(NEW.${c}), maxy = ST_MaxY(NEW.${c})
  WHERE id = NEW.${i};
END;
CREATE TRIGGER ${r('_update7')} AFTER UPDATE OF ${c} ON ${t}
  WHEN OLD.${i} = NEW.${i} AND ${newFull} AND ${oldEmpty}
BEGIN
  INSERT INTO ${r()} VALUES (${values});
END;
CREATE TRIGGER ${r('_delete')} AFTER DELETE ON ${t}
  WHEN old.${c} NOT NULL
BEGIN
  DELETE FROM ${r()} WHERE id = OLD.${i};
END;
`;
}

/**
 * The Schema extension's tables (spec 1.4, Annex F.9), created when some column has a title: GDAL
 * reads `name` as the field's alternative name, so QGIS shows e.g. 图斑编号 next to TBBH.
 */
export const DATA_COLUMNS_SQL = `
CREATE TABLE gpkg_data_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  name TEXT,
  title TEXT,
  description TEXT,
  mime_type TEXT,
  constraint_name TEXT,
  CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
  CONSTRAINT gdc_tn UNIQUE (table_name, name)
);
CREATE TABLE gpkg_data_column_constraints (
  constraint_name TEXT NOT NULL,
  constraint_type TEXT NOT NULL,
  value TEXT,
  min NUMERIC,
  min_is_inclusive BOOLEAN,
  max NUMERIC,
  max_is_inclusive BOOLEAN,
  description TEXT,
  CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value)
);
INSERT INTO gpkg_extensions VALUES
  ('gpkg_data_columns', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write'),
  ('gpkg_data_column_constraints', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write');
`;
