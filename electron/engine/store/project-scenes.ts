/**
 * A project's two dates as stored (one row per scene in either backend) and the frame edits are
 * checked against: where both images overlap, and how to measure in their CRS.
 */
import { lookupEpsg } from '../crs/epsg.js';
import type { CrsInfo } from '../raster/crs-from-geokeys.js';
import type { MapUnits } from '../vector/geo.js';
import type { SceneFrame } from './patch-edits.js';

export interface StoredScene {
  role: 'before' | 'after';
  path: string;
  name: string;
  width: number;
  height: number;
  bands: number;
  crsId: string;
  crsName: string;
  crsWkt: string | null;
  crsProj4: string | null;
  epsg: number | null;
  geoTransform: [number, number, number, number, number, number];
  acquired: string | null;
  /** How to measure in the scene's CRS (null in projects made before migration 2). */
  units: MapUnits | null;
}

/** What a project needs to know about each date's image (a RasterInfo fits). */
export interface SceneSource {
  path: string;
  name: string;
  width: number;
  height: number;
  bands: number;
  geoTransform: [number, number, number, number, number, number];
  crs: Pick<CrsInfo, 'id' | 'name' | 'wkt' | 'proj4' | 'epsg' | 'geographic' | 'metresPerUnit'>;
  metadata: { date: string | null };
}

/** A scene row (the `scenes` table's columns) as a {@link StoredScene}. */
export function sceneOf(r: Record<string, unknown>): StoredScene {
  const geographic = r.geographic === null ? null : r.geographic === 1 || r.geographic === true;
  return {
    role: r.role as 'before' | 'after',
    path: r.path as string,
    name: r.name as string,
    width: r.width as number,
    height: r.height as number,
    bands: r.bands as number,
    crsId: r.crs_id as string,
    crsName: r.crs_name as string,
    crsWkt: r.crs_wkt as string | null,
    crsProj4: r.crs_proj4 as string | null,
    epsg: r.epsg as number | null,
    geoTransform:
      typeof r.geotransform === 'string'
        ? JSON.parse(r.geotransform)
        : (r.geotransform as StoredScene['geoTransform']),
    acquired: r.acquired as string | null,
    units:
      geographic === null || r.metres_per_unit === null
        ? null
        : { geographic, metresPerUnit: r.metres_per_unit as number },
  };
}

/**
 * Where patches may lie (the overlap of both dates' extents) and how to measure them. Projects
 * made before the scenes recorded their units fall back to the EPSG table, then to metres.
 */
export function frameOf(before: StoredScene, after: StoredScene): SceneFrame {
  const fromEpsg = before.epsg ? lookupEpsg(before.epsg) : null;
  const units: MapUnits =
    before.units ??
    (fromEpsg
      ? { geographic: fromEpsg.geographic, metresPerUnit: fromEpsg.metresPerUnit }
      : { geographic: false, metresPerUnit: 1 });
  const boxes = [before, after].map((s) => {
    const [x0, pw, rx, y0, ry, ph] = s.geoTransform;
    const xs = [0, s.width].flatMap((c) => [0, s.height].map((r) => x0 + c * pw + r * rx));
    const ys = [0, s.width].flatMap((c) => [0, s.height].map((r) => y0 + c * ry + r * ph));
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  });
  const extent: SceneFrame['extent'] = [
    Math.max(boxes[0][0], boxes[1][0]),
    Math.max(boxes[0][1], boxes[1][1]),
    Math.min(boxes[0][2], boxes[1][2]),
    Math.min(boxes[0][3], boxes[1][3]),
  ];
  return { units, extent };
}
