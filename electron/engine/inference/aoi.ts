/**
 * An area of interest (AOI) for a detection: a polygon or a bounding box in the before image's CRS.
 * Only the tiles whose area overlaps it are run, and only change polygons overlapping it are kept,
 * so an analyst can check one construction site of a large scene in seconds. Pure geometry, kept
 * apart from I/O and unit-tested; the overlap test is the store's (interior overlap, so a tile that
 * only touches the AOI along an edge is not run).
 */
import { LandWatchError } from '../errors.js';
import type { GeoTransform } from '../raster/raster-source.js';
import { polygonsOverlap, type PolygonRings } from '../store/geometry/polygon-ops.js';
import { applyGeoTransform, ringsBBox } from '../vector/geo.js';
import type { ChangePolygon } from '../vector/polygonize.js';
import { axisTile, type TileAxes } from './tiling.js';

/** `[minX, minY, maxX, maxY]`, or a GeoJSON Polygon's coordinates wrapper, in the before CRS. */
export type AoiInput =
  [number, number, number, number] | { type: 'Polygon'; coordinates: number[][][] };

/** The AOI as closed rings [x, y] (exterior first), whatever form it was given in. */
export function aoiRings(aoi: AoiInput): PolygonRings {
  if (Array.isArray(aoi)) {
    const [x0, y0, x1, y1] = aoi;
    if (!(x1 > x0 && y1 > y0)) {
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `The area of interest [${aoi.join(', ')}] is empty: give [minX, minY, maxX, maxY] with max > min.`,
      );
    }
    return [box(x0, y0, x1, y1)];
  }
  // A third coordinate (z) is accepted by the contract and dropped here.
  return aoi.coordinates.map((ring) => ring.map(([x, y]) => [x, y]));
}

function box(x0: number, y0: number, x1: number, y1: number): number[][] {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ];
}

/** Map coordinates of a pixel position (x, y) of a grid. */
/**
 * Which tiles of a window's grid overlap the AOI: 1 = run, row-major over the axes (the same
 * layout as a screening plan). `windowTransform` places window pixels in the before CRS.
 */
export function aoiTilePlan(
  axes: TileAxes,
  windowTransform: GeoTransform,
  aoi: PolygonRings,
): Uint8Array {
  const cols = axes.xs.length;
  const plan = new Uint8Array(axes.ys.length * cols);
  for (let row = 0; row < axes.ys.length; row++) {
    for (let col = 0; col < cols; col++) {
      const t = axisTile(axes, row, col);
      const corners = [
        [t.x, t.y],
        [t.x + t.width, t.y],
        [t.x + t.width, t.y + t.height],
        [t.x, t.y + t.height],
        [t.x, t.y],
      ].map(([x, y]) => applyGeoTransform(windowTransform, x, y));
      if (polygonsOverlap([corners], aoi)) plan[row * cols + col] = 1;
    }
  }
  return plan;
}

/**
 * The tiles both plans run: screening's (null = every tile) narrowed to the AOI's. Throws when the
 * AOI meets no tile, naming the inputs, since a run over nothing is a mistake worth saying so.
 */
export function restrictPlan(
  plan: Uint8Array | null,
  aoiPlan: Uint8Array,
  inputs: { beforePath: string; afterPath: string },
): Uint8Array {
  if (!aoiPlan.includes(1)) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `The area of interest lies outside the overlap of ${inputs.beforePath} and ${inputs.afterPath}; draw it over the imagery.`,
    );
  }
  return plan ? aoiPlan.map((v, i) => v & plan[i]) : aoiPlan;
}

/** The change polygons whose interior overlaps the AOI (bounding boxes are checked first). */
export function polygonsInAoi(polygons: ChangePolygon[], aoi: PolygonRings): ChangePolygon[] {
  const [minX, minY, maxX, maxY] = aoiBounds(aoi);
  return polygons.filter(
    (p) =>
      p.bbox[0] < maxX &&
      p.bbox[2] > minX &&
      p.bbox[1] < maxY &&
      p.bbox[3] > minY &&
      polygonsOverlap(p.rings, aoi),
  );
}

/** `[minX, minY, maxX, maxY]` of an AOI (its exterior ring), e.g. to supersede earlier patches. */
export function aoiBounds(aoi: PolygonRings): [number, number, number, number] {
  return ringsBBox([aoi[0]]);
}
