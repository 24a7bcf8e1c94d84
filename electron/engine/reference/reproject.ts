/**
 * Puts a reference layer on the project's scene CRS: works out what CRS the file declares (EPSG
 * code, or WKT from a .prj / GeoPackage, matched to an EPSG code where it names one), and builds a
 * proj4 transform to the scene CRS, with definitions as detection uses them ({@link proj4Definition}).
 * A layer whose CRS is missing or cannot be used is refused with a message naming the file:
 * guessing would place the layer somewhere plausible and wrong.
 */
import proj4 from 'proj4';
import { crsNameOfWkt, proj4Definition } from '../crs/epsg.js';
import { epsgCodeOfWkt } from '../crs/wkt.js';
import { LandWatchError } from '../errors.js';
import type { PolygonRings, SourceCrs, SourceFeature } from './types.js';

/** The scene CRS as a project stores it. */
export interface SceneCrs {
  epsg: number | null;
  wkt: string | null;
  proj4: string | null;
}

/** A CRS resolved for proj4, with a label for messages and the layer summary. */
export interface ResolvedCrs {
  epsg: number | null;
  /** EPSG:n or the WKT's name; says so when a datum grid had to be left out (see below). */
  label: string;
  definition: string;
  /** A datum grid file the definition names but proj4 cannot load, left out (shift approximate). */
  droppedGrid: string | null;
}

function resolve(crs: SourceCrs | SceneCrs, file: string): ResolvedCrs {
  const epsg = crs.epsg ?? (crs.wkt ? epsgCodeOfWkt(crs.wkt) : null);
  const found = proj4Definition({ ...crs, epsg });
  const name = epsg !== null ? `EPSG:${epsg}` : ((crs.wkt && crsNameOfWkt(crs.wkt)) ?? 'WKT');
  if (!found) {
    throw new LandWatchError(
      'E_CRS_UNKNOWN',
      `${file}: its CRS ${name} is not in LandWatch's CRS table and the file gives no definition.`,
    );
  }
  // As detection does (grid-warp.ts), the layer is placed without the grid and the label says so:
  // it shows in the layer list, so the analyst knows the outlines may be off by tens of metres.
  const label = found.droppedGrid
    ? `${name} (datum grid ${found.droppedGrid} not available: approximate, up to tens of metres)`
    : name;
  return { epsg, label, definition: found.def, droppedGrid: found.droppedGrid };
}

/**
 * The declared CRS of a layer file, resolved; throws E_CRS_UNKNOWN naming `file` when there is
 * none or proj4 cannot use it.
 */
export function resolveSourceCrs(crs: SourceCrs | null, file: string): ResolvedCrs {
  if (!crs) {
    throw new LandWatchError(
      'E_CRS_UNKNOWN',
      `${file} has no coordinate reference system (a shapefile needs its .prj, a GeoPackage a ` +
        'defined SRS), so LandWatch cannot place it on the scene. Save it with a CRS and import again.',
    );
  }
  const resolved = resolve(crs, file);
  try {
    proj4(resolved.definition);
  } catch (error) {
    throw new LandWatchError(
      'E_CRS_UNKNOWN',
      `${file}: its CRS ${resolved.label} cannot be used for reprojection (${(error as Error).message}).`,
      { cause: error },
    );
  }
  return resolved;
}

/** The scene CRS resolved for proj4 (`project` names the project in messages). */
export function resolveSceneCrs(crs: SceneCrs, project: string): ResolvedCrs {
  return resolve(crs, `Project ${project}`);
}

/**
 * A function taking source coordinates to scene coordinates: identity when both are the same
 * EPSG code or definition.
 */
export function transformBetween(
  from: ResolvedCrs,
  to: ResolvedCrs,
): (p: number[]) => [number, number] {
  if ((from.epsg !== null && from.epsg === to.epsg) || from.definition === to.definition) {
    return (p) => [p[0], p[1]];
  }
  const converter = proj4(from.definition, to.definition);
  return (p) => converter.forward([p[0], p[1]]) as [number, number];
}

/**
 * The features with every vertex moved to the scene CRS. Vertices that do not project (outside
 * the projection's domain) are an error naming the file.
 */
export function reprojectFeatures(
  features: SourceFeature[],
  move: (p: number[]) => [number, number],
  file: string,
): SourceFeature[] {
  const ring = (r: number[][], feature: number): number[][] =>
    r.map((p) => {
      const q = move(p);
      if (!Number.isFinite(q[0]) || !Number.isFinite(q[1])) {
        throw new LandWatchError(
          'E_CRS_UNKNOWN',
          `${file}, feature ${feature}: position ${p[0]}, ${p[1]} cannot be reprojected to the scene CRS.`,
        );
      }
      return q;
    });
  return features.map((f, i) => ({
    properties: f.properties,
    polygons: f.polygons.map((polygon): PolygonRings => polygon.map((r) => ring(r, i + 1))),
  }));
}
