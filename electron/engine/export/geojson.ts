/**
 * GeoJSON (RFC 7946) writer: WGS 84 longitude/latitude, exterior rings counter-clockwise and holes
 * clockwise, coordinates rounded to 7 decimals (about 1 cm), and no `crs` member (RFC 7946 removed
 * it; GDAL treats a GeoJSON without one as EPSG:4326). Used for web maps and quick sharing.
 */
import proj4 from 'proj4';
import type { PolygonGeometry } from '../../common/contract.js';
import { proj4Definition } from '../crs/epsg.js';
import { LandWatchError } from '../errors.js';
import { checkSchema, checkedRows } from './fields.js';
import { orientPolygon, polygonsOf, signedArea2, type Polygon, type Position } from './geometry.js';
import { assertCanWrite, writeFilesAtomically } from './output-files.js';
import type { ExportLayer, ExportSummary, FieldValue, LayerCrs } from './types.js';

/** A GeoJSON Feature as written by LandWatch. */
export interface GeoJsonFeature {
  type: 'Feature';
  properties: Record<string, FieldValue>;
  geometry: PolygonGeometry | null;
}

/** A GeoJSON FeatureCollection; `name` is a foreign member GDAL/QGIS use as the layer name. */
export interface GeoJsonFeatureCollection {
  type: 'FeatureCollection';
  name: string;
  features: GeoJsonFeature[];
}

const DECIMALS = 1e7;

/** A function taking layer coordinates to [lon, lat], or identity when already EPSG:4326. */
function toWgs84(crs: LayerCrs): (p: Position) => Position {
  if (crs.epsg === 4326) return (p) => [p[0], p[1]];
  const definition = proj4Definition(crs)?.def;
  if (!definition) {
    throw new LandWatchError(
      'E_CRS_UNKNOWN',
      'GeoJSON needs longitude/latitude, but the layer CRS is unknown, so it cannot be reprojected.',
    );
  }
  let converter: proj4.Converter;
  try {
    converter = proj4(definition, 'WGS84');
  } catch (error) {
    throw new LandWatchError(
      'E_CRS_UNKNOWN',
      `Cannot reproject from ${definition}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return (p) => converter.forward([p[0], p[1]]);
}

const round = (v: number): number => Math.round(v * DECIMALS) / DECIMALS;

/**
 * Reprojects and rounds one ring. Rounding can merge neighbouring vertices, so repeats are dropped;
 * a ring left with fewer than four positions (or no area) is returned as null.
 */
function projectRing(ring: Position[], project: (p: Position) => Position): Position[] | null {
  const out: Position[] = [];
  for (const p of ring) {
    const [lon, lat] = project(p);
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
      throw new LandWatchError(
        'E_CRS_UNKNOWN',
        `Position ${p.join(', ')} has no longitude/latitude.`,
      );
    }
    const q = [round(lon), round(lat)];
    const last = out[out.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  return out.length >= 4 && signedArea2(out) !== 0 ? out : null;
}

function projectPolygons(polygons: Polygon[], project: (p: Position) => Position): Polygon[] {
  const out: Polygon[] = [];
  for (const polygon of polygons) {
    const exterior = projectRing(polygon[0], project);
    if (!exterior) continue; // a sliver below 1 cm disappears, together with its holes
    const holes = polygon.slice(1).map((ring) => projectRing(ring, project));
    out.push(orientPolygon([exterior, ...holes.filter((h): h is Position[] => h !== null)], true));
  }
  return out;
}

/** The layer as an RFC 7946 FeatureCollection object (for in-memory use, e.g. the HTTP API). */
export function toGeoJsonObject(layer: ExportLayer): GeoJsonFeatureCollection {
  checkSchema(layer.fields, [], `Layer "${layer.name}"`);
  const project = toWgs84(layer.crs);
  const rows = checkedRows(
    layer.fields,
    layer.features.map((f) => f.properties),
    `Layer "${layer.name}"`,
    'feature',
  );
  const features = layer.features.map((feature, i): GeoJsonFeature => {
    const polygons = projectPolygons(
      polygonsOf(feature.geometry, `Layer "${layer.name}", feature ${i + 1}`),
      project,
    );
    const properties = Object.fromEntries(layer.fields.map((f, k) => [f.name, rows[i][k]]));
    let geometry: PolygonGeometry | null = null;
    if (polygons.length > 0) {
      geometry =
        feature.geometry.type === 'Polygon' && polygons.length === 1
          ? { type: 'Polygon', coordinates: polygons[0] }
          : { type: 'MultiPolygon', coordinates: polygons };
    }
    return { type: 'Feature', properties, geometry };
  });
  return { type: 'FeatureCollection', name: layer.name, features };
}

/** Writes the layer as a GeoJSON file, one feature per line. */
export function writeGeoJson(
  path: string,
  layer: ExportLayer,
  options: { overwrite?: boolean } = {},
): ExportSummary {
  assertCanWrite([path], options.overwrite);
  const collection = toGeoJsonObject(layer);
  const features = collection.features.map((f) => JSON.stringify(f)).join(',\n');
  const text =
    `{"type":"FeatureCollection","name":${JSON.stringify(collection.name)},"features":[\n` +
    `${features}\n]}\n`;
  writeFilesAtomically([{ path, data: text }]);
  return { files: [path], features: collection.features.length };
}
