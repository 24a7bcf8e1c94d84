/**
 * Polygon operations behind the patch editors: union (merge), interior overlap (linking re-run
 * detections to decided patches), intersection over union (telling a re-detection of the same
 * outline from a change that grew or shrank) and splitting a polygon along a polyline.
 *
 * All three build a noded arrangement of the inputs (arrangement.ts), decide for every edge which
 * of its two sides belongs to the result, and trace the edges that separate "in" from "out" into
 * rings (rings.ts). They are general-purpose (any simple polygons with holes, not just pixel-edge
 * ones); the point predicates are exact, only the new vertices at crossings are rounded.
 */
import type { Arrangement, Edge } from './arrangement.js';
import { BACKWARD, FORWARD, buildArrangement, midpoint, sidePoints } from './arrangement.js';
import { polygonArea } from '../../vector/geo.js';
import type { PolygonRings } from './rings.js';
import { PolygonLocator, assemblePolygons, orientPolygon, traceRings } from './rings.js';

export type { PolygonRings } from './rings.js';

/** Whether each side of edge a→b (left, right) lies inside the polygon `owner`. */
function sides(
  arr: Arrangement,
  edge: Edge,
  owner: number,
  locator: PolygonLocator,
): [boolean, boolean] {
  // On the polygon's own boundary the ring direction says it: its interior is on the left.
  const d = edge.dirs.get(owner);
  if (d) return [(d & FORWARD) !== 0, (d & BACKWARD) !== 0];
  const [mx, my] = midpoint(arr, edge);
  const where = locator.locate(mx, my);
  if (where !== 0) return [where > 0, where > 0];
  // The midpoint sits on a boundary the noding did not merge with this edge (rounding): look
  // just beside it instead.
  const { left, right } = sidePoints(arr, edge);
  return [locator.locate(left[0], left[1]) > 0, locator.locate(right[0], right[1]) > 0];
}

function arrangementOf(polygons: PolygonRings[], extra: number[][][] = []): Arrangement {
  return buildArrangement([
    ...polygons.flatMap((rings, owner) => rings.map((points) => ({ points, owner }))),
    ...extra.map((points, i) => ({ points, owner: polygons.length + i })),
  ]);
}

/**
 * Union of polygons. Returns one polygon per connected part; polygons that only touch at a point
 * stay separate parts, as OGC validity requires.
 *
 * @example
 * unionPolygons([squareA, squareB]) // -> [[exterior, ...holes]] when they share an edge
 */
export function unionPolygons(polygons: PolygonRings[]): PolygonRings[] {
  const oriented = polygons.map(orientPolygon);
  const arr = arrangementOf(oriented);
  const locators = oriented.map((rings) => new PolygonLocator(rings));
  const half: [number, number][] = [];
  for (const edge of arr.edges) {
    let left = false;
    let right = false;
    for (let o = 0; o < oriented.length && !(left && right); o++) {
      const [l, r] = sides(arr, edge, o, locators[o]);
      left ||= l;
      right ||= r;
    }
    if (left && !right) half.push([edge.a, edge.b]);
    else if (right && !left) half.push([edge.b, edge.a]);
  }
  return assemblePolygons(traceRings(arr, half));
}

/**
 * True when the interiors of two polygons overlap (a shared edge or a touching corner is not an
 * overlap).
 */
export function polygonsOverlap(a: PolygonRings, b: PolygonRings): boolean {
  const la = new PolygonLocator(a);
  const lb = new PolygonLocator(b);
  const [ax0, ay0, ax1, ay1] = la.box;
  const [bx0, by0, bx1, by1] = lb.box;
  if (ax1 <= bx0 || bx1 <= ax0 || ay1 <= by0 || by1 <= ay0) return false;
  // Cheap and decisive in the common case: a vertex strictly inside the other polygon.
  for (const ring of a) for (const [x, y] of ring) if (lb.locate(x, y) > 0) return true;
  for (const ring of b) for (const [x, y] of ring) if (la.locate(x, y) > 0) return true;
  const oriented = [orientPolygon(a), orientPolygon(b)];
  const arr = arrangementOf(oriented);
  const locators = [la, lb];
  for (const edge of arr.edges) {
    const [l0, r0] = sides(arr, edge, 0, locators[0]);
    const [l1, r1] = sides(arr, edge, 1, locators[1]);
    // An edge of the intersection's boundary exists iff the intersection has area.
    if ((l0 && l1) !== (r0 && r1)) return true;
  }
  return false;
}

/**
 * Intersection over union of two areas, each a list of non-overlapping polygons (the parts of a
 * Polygon or MultiPolygon): 1 for the same outline, 0 when the interiors do not meet. Planar, in
 * map units (a ratio, so the units cancel). The intersection is measured as |A| + |B| − |A ∪ B|.
 *
 * @example
 * intersectionOverUnion([square0to10], [square5to15]) // 25 / 175
 */
export function intersectionOverUnion(a: PolygonRings[], b: PolygonRings[]): number {
  const area = (ps: PolygonRings[]) => ps.reduce((s, p) => s + polygonArea(p), 0);
  const sa = area(a);
  const sb = area(b);
  const union = area(unionPolygons([...a, ...b]));
  if (union <= 0) return 0;
  return Math.min(1, Math.max(0, (sa + sb - union) / union));
}

/**
 * Splits a polygon along a polyline. The parts of the line inside the polygon become shared
 * edges of the pieces; parts outside it and loose ends that do not reach across are ignored.
 * Returns the pieces (one piece, the polygon itself, when the line does not cut across it).
 */
export function splitPolygonByLine(polygon: PolygonRings, line: number[][]): PolygonRings[] {
  const oriented = orientPolygon(polygon);
  const arr = arrangementOf([oriented], [line]);
  const locator = new PolygonLocator(oriented);
  const boundary: [number, number][] = [];
  const inner: Edge[] = [];
  for (const edge of arr.edges) {
    const d = edge.dirs.get(0);
    if (d === FORWARD) boundary.push([edge.a, edge.b]);
    else if (d === BACKWARD) boundary.push([edge.b, edge.a]);
    else if (d === undefined) {
      const [mx, my] = midpoint(arr, edge);
      if (locator.locate(mx, my) > 0) inner.push(edge);
    }
  }
  // Loose ends of the line (it stops inside the polygon) are pruned back to where they branch.
  const degree = new Map<number, number>();
  const bump = (n: number, by: number) => degree.set(n, (degree.get(n) ?? 0) + by);
  for (const [a, b] of boundary) {
    bump(a, 1);
    bump(b, 1);
  }
  for (const e of inner) {
    bump(e.a, 1);
    bump(e.b, 1);
  }
  const alive = new Set(inner);
  for (let changed = true; changed;) {
    changed = false;
    for (const e of alive) {
      if (degree.get(e.a) === 1 || degree.get(e.b) === 1) {
        alive.delete(e);
        bump(e.a, -1);
        bump(e.b, -1);
        changed = true;
      }
    }
  }
  const half = [...boundary];
  for (const e of alive) half.push([e.a, e.b], [e.b, e.a]);
  return assemblePolygons(traceRings(arr, half));
}
