/**
 * The area of a work package taken offline: a GeoJSON file with one or more polygons (a
 * geometry, Feature or FeatureCollection). Coordinates are in the CRS the file's `crs` member
 * names (EPSG), else WGS 84 longitude/latitude when they fit it (RFC 7946), else the project's
 * CRS; PostGIS reprojects them to the project's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LandWatchError } from '../errors.js';

export interface CheckoutArea {
  /** A MultiPolygon as GeoJSON text. */
  geojson: string;
  /** The SRID of its coordinates; null: the project's own. */
  srid: number | null;
}

type Polygons = number[][][][];

function polygonsOf(g: unknown, file: string): Polygons {
  const o = g as { type?: string; coordinates?: unknown; geometry?: unknown; features?: unknown[] };
  switch (o?.type) {
    case 'Polygon':
      return [o.coordinates as number[][][]];
    case 'MultiPolygon':
      return o.coordinates as Polygons;
    case 'Feature':
      return polygonsOf(o.geometry, file);
    case 'FeatureCollection':
      return (o.features ?? []).flatMap((f) => polygonsOf(f, file));
    case 'GeometryCollection':
      return ((o as { geometries?: unknown[] }).geometries ?? []).flatMap((x) =>
        polygonsOf(x, file),
      );
    default:
      return [];
  }
}

/** Reads `path`; one clear message when it is missing, not GeoJSON or holds no polygon. */
export function readCheckoutArea(path: string): CheckoutArea {
  const file = basename(path);
  if (!existsSync(path))
    throw new LandWatchError('E_FILE_NOT_FOUND', `--area ${path}: file not found.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `--area ${file}: not GeoJSON (${(error as Error).message}).`,
    );
  }
  const polygons = polygonsOf(parsed, file).filter((p) => Array.isArray(p) && p.length > 0);
  if (polygons.length === 0)
    throw new LandWatchError('E_BAD_REQUEST', `--area ${file}: holds no Polygon or MultiPolygon.`);
  const named = /EPSG:{1,2}(\d+)/.exec(
    String((parsed as { crs?: { properties?: { name?: string } } }).crs?.properties?.name ?? ''),
  );
  const coords = polygons.flat(2);
  const lonLat = coords.every((c) => Math.abs(c[0]) <= 180 && Math.abs(c[1]) <= 90);
  return {
    geojson: JSON.stringify({ type: 'MultiPolygon', coordinates: polygons }),
    srid: named ? Number(named[1]) : lonLat ? 4326 : null,
  };
}
