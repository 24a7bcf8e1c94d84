/**
 * The vectoriser's entry point: per-pixel change probabilities in, clean georeferenced change
 * polygons out.
 *
 * threshold -> binary mask -> closing then opening -> 4-connected components -> drop those under
 * the minimum area -> trace along pixel edges -> map coordinates -> topology-preserving
 * simplification -> measurements.
 */
import { checkRasterSize, componentStats, labelComponents } from './components.js';
import type { ComponentStats } from './components.js';
import {
  m2ToMu,
  polygonAreaM2,
  polygonPerimeterM,
  ringsBBox,
  toMap,
  applyGeoTransform,
} from './geo.js';
import type { GeoTransform, MapUnits, Ring } from './geo.js';
import { closing, opening } from './morphology.js';
import { simplifyPolygon } from './simplify.js';
import { traceComponents } from './trace.js';

export interface PolygonizeOptions {
  /** Probability at or above which a pixel counts as changed. */
  threshold: number;
  /** Components smaller than this (estimated from their pixel count) are dropped. */
  minAreaM2: number;
  /** GDAL geotransform of the probability raster. */
  geoTransform: [number, number, number, number, number, number];
  /** Map coordinates are lon/lat degrees (areas become ellipsoidal). */
  geographic: boolean;
  /** Metres per map unit for projected CRSs (ignored when geographic). */
  metresPerUnit: number;
  /** Douglas-Peucker tolerance in map units; default half a pixel; 0 disables. */
  simplifyTolerance?: number;
  /** Opening radius in pixels (square element); default 1, 0 disables. */
  openRadius?: number;
  /** Closing radius in pixels (square element); default 1, 0 disables. */
  closeRadius?: number;
}

export interface ChangePolygon {
  /** Map coordinates [x, y], closed, exterior first (counter-clockwise), holes clockwise. */
  rings: number[][][];
  areaM2: number;
  areaMu: number;
  /** Perimeter (exterior + holes) in metres. */
  perimeter: number;
  meanProb: number;
  maxProb: number;
  /** Pixels of the component after morphology (the polygon before simplification is exact). */
  pixelCount: number;
  /** [minX, minY, maxX, maxY] in map coordinates. */
  bbox: [number, number, number, number];
  /**
   * The kind of change (one of the model card's `kinds`, e.g. `new_construction`), for models with
   * a kind output (inference/kind-assign.ts); null where the kind map has no data under it.
   */
  changeKind?: string | null;
  /** Each kind's mean probability over the polygon's cells of the kind map. */
  kindScores?: Record<string, number>;
}

/**
 * Thresholds a probability raster into a 0/1 mask: 1 where prob >= threshold (NaN is never
 * changed); into `out` when given (at least as long as `prob`; the mask is its start).
 */
export function maskFromProbability(
  prob: Float32Array,
  threshold: number,
  out?: Uint8Array,
): Uint8Array {
  const mask = out ? out.subarray(0, prob.length) : new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) mask[i] = prob[i] >= threshold ? 1 : 0;
  return mask;
}

/** Area in m^2 of the pixel (col, row) (varies with latitude for geographic rasters). */
function pixelAreaM2(gt: GeoTransform, col: number, row: number, units: MapUnits): number {
  const ring = [
    [col, row],
    [col, row + 1],
    [col + 1, row + 1],
    [col + 1, row],
    [col, row],
  ].map(([c, r]) => applyGeoTransform(gt, c, r));
  return polygonAreaM2([ring], units);
}

/** A component's area estimated from its pixel count and the pixel area at its centre. */
function componentAreaM2(c: ComponentStats, gt: GeoTransform, units: MapUnits): number {
  const [x0, y0, x1, y1] = c.bbox;
  return c.pixelCount * pixelAreaM2(gt, (x0 + x1) / 2, (y0 + y1) / 2, units);
}

function checkOptions(opts: PolygonizeOptions): void {
  const gt = opts.geoTransform;
  if (!Array.isArray(gt) || gt.length !== 6 || !gt.every(Number.isFinite)) {
    throw new RangeError('geoTransform must be 6 finite numbers');
  }
  if (!Number.isFinite(opts.threshold)) throw new RangeError('threshold must be finite');
  if (!opts.geographic && !(opts.metresPerUnit > 0)) {
    throw new RangeError('metresPerUnit must be positive for projected CRSs');
  }
}

/**
 * Turns a change-probability raster into change polygons.
 *
 * Steps: threshold; closing then opening (square element, radii default 1); 4-connected
 * components; components under `minAreaM2` dropped; boundaries traced exactly along pixel edges;
 * transformed to map coordinates (exterior CCW, holes CW); simplified without losing validity
 * (default tolerance half a pixel); then measured (ellipsoidal area when geographic).
 *
 * @param prob - row-major probabilities, width x height
 * @returns one polygon per component, ordered by the component's top-left pixel (raster order)
 */
export function polygonize(
  prob: Float32Array,
  width: number,
  height: number,
  opts: PolygonizeOptions,
): ChangePolygon[] {
  return vectorise(prob, width, height, opts).polygons;
}

/**
 * {@link polygonize}, also returning the cleaned mask the polygons were traced from (1 = a pixel of
 * a kept change), so a raster mask written next to the polygons shows exactly the same changes.
 */
export function vectorise(
  prob: Float32Array,
  width: number,
  height: number,
  opts: PolygonizeOptions,
): { polygons: ChangePolygon[]; mask: Uint8Array } {
  checkRasterSize(prob.length, width, height);
  checkOptions(opts);
  const gt = opts.geoTransform;
  const units: MapUnits = { geographic: opts.geographic, metresPerUnit: opts.metresPerUnit };
  const pixelSize = Math.sqrt(Math.abs(gt[1] * gt[5] - gt[2] * gt[4]));
  const tolerance = opts.simplifyTolerance ?? 0.5 * pixelSize;

  let mask = maskFromProbability(prob, opts.threshold);
  const closeRadius = opts.closeRadius ?? 1;
  const openRadius = opts.openRadius ?? 1;
  if (closeRadius > 0) mask = closing(mask, width, height, closeRadius);
  if (openRadius > 0) mask = opening(mask, width, height, openRadius);

  const labeling = labelComponents(mask, width, height, { connectivity: 4 });
  const stats = componentStats(labeling, prob);
  const keep = stats.map((c) => componentAreaM2(c, gt, units) >= opts.minAreaM2);
  const traced = traceComponents(labeling, (label) => keep[label - 1]);
  const kept = new Uint8Array(width * height);
  for (let i = 0; i < kept.length; i++) {
    const label = labeling.labels[i];
    if (label > 0 && keep[label - 1]) kept[i] = 1;
  }

  const polygons = traced.map(({ label, rings }) =>
    measuredPolygon(rings, gt, tolerance, units, stats[label - 1]),
  );
  return { polygons, mask: kept };
}

/**
 * A traced component as a change polygon: pixel rings to map coordinates through `gt`, simplified
 * at `tolerance`, measured (area, perimeter, bounding box), with the component's statistics.
 */
export function measuredPolygon(
  rings: Ring[],
  gt: GeoTransform,
  tolerance: number,
  units: MapUnits,
  stats: { meanProb: number; maxProb: number; pixelCount: number },
): ChangePolygon {
  const mapRings = simplifyPolygon(toMap(rings, gt), tolerance);
  const areaM2 = polygonAreaM2(mapRings, units);
  return {
    rings: mapRings,
    areaM2,
    areaMu: m2ToMu(areaM2),
    perimeter: polygonPerimeterM(mapRings, units),
    meanProb: stats.meanProb,
    maxProb: stats.maxProb,
    pixelCount: stats.pixelCount,
    bbox: ringsBBox(mapRings.slice(0, 1)),
  };
}
