/**
 * Overlap of a change patch with a reference layer: the area of patch ∩ (union of the layer's
 * features that meet it), in m², measured with the engine's area code (planar × unit² for
 * projected scenes, ellipsoidal for lon/lat ones), and its share of the patch's own area.
 *
 * The clipping is polygon-clipping's (Martinez-Rueda sweep line, robust predicates). Layers such
 * as plan zones may overlap themselves, so overlapping pieces are unioned before measuring:
 * counting the same ground twice would give shares above 1.
 */
import polygonClipping from 'polygon-clipping';
import { polygonAreaM2, ringsBBox, type MapUnits } from '../vector/geo.js';
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

type Box = [number, number, number, number];

/** Bounds of the polygons' exteriors. */
function boxOf(polygons: ClipPolygon[]): Box {
  return ringsBBox(polygons.map((rings) => rings[0] ?? []));
}

/** Interiors of two boxes meet (touching edges do not count). */
const boxesOverlap = (a: Box, b: Box) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

/**
 * The overlap of `patch` with the union of `features` (the candidates an R-tree found; those
 * that do not meet the patch add nothing). Null when they do not overlap (touching is not
 * overlapping).
 *
 * The patch is clipped by each feature on its own (small results, cheap), and the pieces are
 * unioned only where their bounds overlap: neighbouring parcels share edges, not area, so most
 * pieces are simply summed.
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
  const pieces = features
    .map((f) => polygonClipping.intersection(subject, clipPolygons(f)))
    .filter((piece) => piece.length > 0)
    .map((piece) => ({ piece, box: boxOf(piece) }));
  const overlapping = pieces.some((a, i) =>
    pieces.some((b, k) => k > i && boxesOverlap(a.box, b.box)),
  );
  const inside = overlapping
    ? [polygonClipping.union(pieces[0].piece, ...pieces.slice(1).map((p) => p.piece))]
    : pieces.map((p) => p.piece);
  const area = inside.reduce((sum, piece) => sum + areaM2(piece, units), 0);
  if (!(area > 0)) return null;
  return { areaM2: area, share: Math.min(1, area / patchArea) };
}
