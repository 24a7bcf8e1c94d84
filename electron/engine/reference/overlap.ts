/**
 * Overlap of a change patch with a reference layer: the area of patch ∩ (union of the layer's
 * features that meet it), in m², measured with the engine's area code (planar × unit² for
 * projected scenes, ellipsoidal for lon/lat ones), and its share of the patch's own area.
 *
 * The clipping is polygon-clipping's (Martinez-Rueda sweep line, robust predicates); features are
 * unioned first because layers such as plan zones may overlap themselves, and counting the same
 * ground twice would give shares above 1.
 */
import polygonClipping from 'polygon-clipping';
import { polygonAreaM2, type MapUnits } from '../vector/geo.js';
import type { PolygonRings } from './types.js';

type Pair = [number, number];
type ClipPolygon = Pair[][];

/** Rings as the clipping library wants them (pairs; x, y only). */
function clipPolygons(polygons: PolygonRings[]): ClipPolygon[] {
  return polygons.map((rings) => rings.map((r) => r.map((p): Pair => [p[0], p[1]])));
}

/** Area in m² of polygons (exterior minus holes each). */
export function areaM2(polygons: PolygonRings[], units: MapUnits): number {
  let sum = 0;
  for (const rings of polygons) sum += polygonAreaM2(rings, units);
  return sum;
}

/** What one patch shares with one layer. */
export interface Overlap {
  areaM2: number;
  /** areaM2 / the patch's area, in [0, 1]. */
  share: number;
}

/**
 * The overlap of `patch` with the union of `features` (the candidates an R-tree found; those
 * that do not meet the patch add nothing). Null when they do not overlap (touching is not
 * overlapping).
 *
 * @example
 * overlapWith(patchPolygons, [approvedPlot], { geographic: false, metresPerUnit: 1 });
 * // { areaM2: 1250, share: 0.5 }
 */
export function overlapWith(
  patch: PolygonRings[],
  features: PolygonRings[][],
  units: MapUnits,
): Overlap | null {
  if (features.length === 0 || patch.length === 0) return null;
  const patchArea = areaM2(patch, units);
  if (!(patchArea > 0)) return null;
  const subject = clipPolygons(patch);
  const parts = features.map(clipPolygons);
  const clip = parts.length === 1 ? parts[0] : polygonClipping.union(parts[0], ...parts.slice(1));
  const inside = polygonClipping.intersection(subject, clip);
  const area = areaM2(inside, units);
  if (!(area > 0)) return null;
  return { areaM2: area, share: Math.min(1, area / patchArea) };
}
