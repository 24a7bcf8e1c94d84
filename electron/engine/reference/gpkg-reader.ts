/**
 * Reads the first polygon layer of a GeoPackage (or the one named) into a {@link SourceLayer}:
 * geometries from the GeoPackage blobs (header, optional envelope, WKB), the CRS from
 * gpkg_spatial_ref_sys, every column except the geometry and the row id as attributes.
 */
import { basename } from 'node:path';
import { LandWatchError } from '../errors.js';
import { openSqlite } from '../sqlite.js';
import type { AttributeValue, SourceCrs, SourceFeature, SourceLayer } from './types.js';
import { readWkbPolygons } from './wkb-reader.js';

/** Bytes of the envelope for each envelope indicator of the blob flags (GeoPackage 2.1.3). */
const ENVELOPE_BYTES = [0, 32, 48, 48, 64];
const POLYGONAL = ['POLYGON', 'MULTIPOLYGON', 'GEOMETRY', 'MULTISURFACE', 'CURVEPOLYGON'];

/** The WKB polygons inside one GeoPackage geometry blob (null for other shapes and empties). */
export function gpkgBlobPolygons(blob: Uint8Array, where: string) {
  if (blob.length < 8 || blob[0] !== 0x47 || blob[1] !== 0x50) {
    throw new LandWatchError('E_BAD_REQUEST', `${where}: not a GeoPackage geometry blob.`);
  }
  const flags = blob[3];
  if (flags & 0x10) return null; // empty geometry
  const envelope = ENVELOPE_BYTES[(flags >> 1) & 0x07];
  if (envelope === undefined) {
    throw new LandWatchError('E_BAD_REQUEST', `${where}: bad envelope flag in a geometry blob.`);
  }
  return readWkbPolygons(blob, 8 + envelope);
}

/**
 * Reads `path` (.gpkg). `table` picks a layer; default the first polygon layer in
 * gpkg_contents order.
 *
 * @example
 * readGeoPackage('/data/parcels.gpkg', 'zd').features.length;
 */
export function readGeoPackage(path: string, table?: string): SourceLayer {
  const file = basename(path);
  const bad = (why: string): never => {
    throw new LandWatchError('E_BAD_REQUEST', `${file}: ${why}`);
  };
  let db;
  try {
    db = openSqlite(path, { readonly: true, fileMustExist: true });
    db.prepare('SELECT 1 FROM gpkg_contents LIMIT 1').get();
  } catch (error) {
    db?.close();
    return bad(`not a GeoPackage (${(error as Error).message}).`);
  }
  try {
    const layers = db
      .prepare(
        `SELECT c.table_name AS name, g.column_name AS geom, g.geometry_type_name AS type, g.srs_id AS srs
         FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
         WHERE c.data_type = 'features' ORDER BY c.rowid`,
      )
      .all() as { name: string; geom: string; type: string; srs: number }[];
    const layer = table
      ? layers.find((l) => l.name === table)
      : layers.find((l) => POLYGONAL.includes(l.type.toUpperCase()));
    if (!layer) {
      const names = layers.map((l) => `${l.name} (${l.type.toLowerCase()})`).join(', ') || 'none';
      return bad(
        table
          ? `it has no feature table "${table}"; it has: ${names}.`
          : `it has no polygon layer; its layers: ${names}.`,
      );
    }
    const srs = db
      .prepare(
        'SELECT organization AS org, organization_coordsys_id AS code, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?',
      )
      .get(layer.srs) as { org: string; code: number; definition: string } | undefined;
    let crs: SourceCrs | null = null;
    if (srs && layer.srs > 0) {
      const epsg = srs.org.toUpperCase() === 'EPSG' ? srs.code : null;
      const wkt = srs.definition && srs.definition !== 'undefined' ? srs.definition : null;
      if (epsg !== null || wkt !== null) crs = { epsg, wkt };
    }
    const quote = (id: string) => `"${id.replace(/"/g, '""')}"`;
    const columns = (
      db.prepare(`PRAGMA table_info(${quote(layer.name)})`).all() as { name: string; pk: number }[]
    ).filter((c) => c.name !== layer.geom && c.pk === 0);
    const fields = columns.map((c) => c.name);
    const features: SourceFeature[] = [];
    let skipped = 0;
    const rows = db
      .prepare(`SELECT ${[layer.geom, ...fields].map(quote).join(', ')} FROM ${quote(layer.name)}`)
      .iterate() as Iterable<Record<string, unknown>>;
    let n = 0;
    for (const row of rows) {
      n++;
      const blob = row[layer.geom];
      const polygons =
        blob instanceof Uint8Array ? gpkgBlobPolygons(blob, `${file}, feature ${n}`) : null;
      if (!polygons || polygons.length === 0) {
        skipped++;
        continue;
      }
      const properties: Record<string, AttributeValue> = {};
      for (const f of fields) {
        const v = row[f];
        properties[f] =
          typeof v === 'string' || typeof v === 'number'
            ? v
            : typeof v === 'bigint'
              ? Number(v)
              : null;
      }
      features.push({ polygons, properties });
    }
    return { path, name: layer.name, crs, fields, features, skipped };
  } finally {
    db.close();
  }
}
