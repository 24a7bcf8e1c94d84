/**
 * Reads a GeoJSON file (FeatureCollection, Feature or bare geometry) into a {@link SourceLayer}.
 * RFC 7946 files are WGS 84 longitude/latitude; older files may name another CRS in a `crs`
 * member (`EPSG:32650`, `urn:ogc:def:crs:EPSG::32650`), which is honoured. Polygons and
 * multipolygons are kept (also inside geometry collections); other shapes are counted as skipped.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LandWatchError } from '../errors.js';
import type {
  AttributeValue,
  PolygonRings,
  SourceCrs,
  SourceFeature,
  SourceLayer,
} from './types.js';

interface GeoJsonGeometry {
  type: string;
  coordinates?: unknown;
  geometries?: GeoJsonGeometry[];
}

/** The EPSG code a GeoJSON `crs` member names, or null (RFC 7946: WGS 84). */
export function epsgOfCrsName(name: string): number | null {
  if (/CRS84$/i.test(name)) return 4326;
  const m = /EPSG:(?:[\d.]*:)?(\d+)$/i.exec(name.replace(/::/g, ':'));
  return m ? Number(m[1]) : null;
}

function polygonsOfGeometry(
  g: GeoJsonGeometry | null | undefined,
  bad: (why: string) => never,
): PolygonRings[] | null {
  if (!g) return null;
  const ringsOk = (rings: unknown): rings is PolygonRings =>
    Array.isArray(rings) &&
    rings.every(
      (r) =>
        Array.isArray(r) &&
        r.every((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])),
    );
  switch (g.type) {
    case 'Polygon':
      if (!ringsOk(g.coordinates)) bad('a Polygon has malformed coordinates.');
      return (g.coordinates as PolygonRings).length > 0 ? [g.coordinates as PolygonRings] : [];
    case 'MultiPolygon': {
      const parts = g.coordinates;
      if (!Array.isArray(parts) || !parts.every(ringsOk)) {
        bad('a MultiPolygon has malformed coordinates.');
      }
      return (parts as PolygonRings[]).filter((p) => p.length > 0);
    }
    case 'GeometryCollection': {
      const found = (g.geometries ?? []).map((m) => polygonsOfGeometry(m, bad) ?? []).flat();
      return found.length > 0 ? found : null;
    }
    default:
      return null;
  }
}

function plain(value: unknown): AttributeValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return JSON.stringify(value);
}

/**
 * Reads `path` (.geojson or .json).
 *
 * @example
 * readGeoJson('/data/approved.geojson').features.length;
 */
export function readGeoJson(path: string): SourceLayer {
  const file = basename(path);
  const bad = (why: string): never => {
    throw new LandWatchError('E_BAD_REQUEST', `${file}: ${why}`);
  };
  let doc: {
    type?: string;
    name?: unknown;
    crs?: { properties?: { name?: unknown } };
    features?: { geometry?: GeoJsonGeometry | null; properties?: Record<string, unknown> | null }[];
    geometry?: GeoJsonGeometry | null;
    properties?: Record<string, unknown> | null;
  };
  try {
    doc = JSON.parse(readFileSync(path, 'utf8').replace(/^\ufeff/, '')) as typeof doc;
  } catch (error) {
    return bad(`not valid JSON (${(error as Error).message}).`);
  }
  const list =
    doc.type === 'FeatureCollection'
      ? Array.isArray(doc.features)
        ? doc.features
        : bad('a FeatureCollection without a "features" array.')
      : doc.type === 'Feature'
        ? [doc]
        : typeof doc.type === 'string'
          ? [{ geometry: doc as GeoJsonGeometry, properties: {} }]
          : bad('not GeoJSON (no "type").');
  let crs: SourceCrs = { epsg: 4326, wkt: null };
  const crsName = doc.crs?.properties?.name;
  if (typeof crsName === 'string') {
    const epsg = epsgOfCrsName(crsName);
    if (epsg === null) bad(`its "crs" member names ${crsName}, which is not an EPSG code.`);
    crs = { epsg, wkt: null };
  }
  const fields: string[] = [];
  const seen = new Set<string>();
  const features: SourceFeature[] = [];
  let skipped = 0;
  for (const feature of list) {
    const polygons = polygonsOfGeometry(feature?.geometry, bad);
    if (!polygons || polygons.length === 0) {
      skipped++;
      continue;
    }
    const properties: Record<string, AttributeValue> = {};
    for (const [key, value] of Object.entries(feature.properties ?? {})) {
      if (!seen.has(key)) {
        seen.add(key);
        fields.push(key);
      }
      properties[key] = plain(value);
    }
    features.push({ polygons, properties });
  }
  if (typeof crsName !== 'string') refuseProjectedWithoutCrs(features, bad);
  const name = typeof doc.name === 'string' && doc.name ? doc.name : file.replace(/\.[^.]+$/, '');
  return { path, name, crs, fields, features, skipped };
}

/**
 * A file without a `crs` member is WGS 84 (RFC 7946), but many tools write projected coordinates
 * without saying so. Reading those as longitude/latitude would put every feature off the scene
 * (and every patch "outside approved land"), so coordinates beyond ±180 / ±90 are refused with
 * what to do instead of being guessed at.
 */
function refuseProjectedWithoutCrs(features: SourceFeature[], bad: (why: string) => never): void {
  for (const f of features) {
    for (const polygon of f.polygons) {
      for (const ring of polygon) {
        for (const [x, y] of ring) {
          if (Math.abs(x) <= 180 && Math.abs(y) <= 90) continue;
          bad(
            `it has no "crs" member, so it must be WGS 84 longitude/latitude (RFC 7946), but it holds the point (${x}, ${y}), outside ±180 / ±90: projected coordinates. LandWatch does not guess the CRS: add a "crs" member naming it (e.g. "EPSG:32650"), or save the layer as WGS 84 GeoJSON, a Shapefile with its .prj, or a GeoPackage.`,
          );
        }
      }
    }
  }
}
