/**
 * Topology-preserving polygon simplification.
 *
 * Each ring is simplified on its own with Douglas-Peucker; the polygon is then checked with
 * {@link validatePolygon}. Rings at fault (crossing themselves or a neighbour, a hole escaping
 * the exterior, ...) are redone with half the tolerance, then a quarter, an eighth, and finally
 * kept as they were, until the polygon is valid. The unsimplified rings are valid by
 * construction (trace.ts), so this always ends with a valid polygon when given one.
 *
 * The tolerance is in the units of the coordinates (map units after `toMap`). A ring never drops
 * below 4 points (3 distinct corners).
 */
import type { Ring } from './geo.js';
import { validatePolygon } from './validity.js';

export { isValidPolygon, validatePolygon } from './validity.js';
export type { ValidityReport } from './validity.js';

/** Fractions of the requested tolerance tried in turn for a ring that breaks validity. */
const BACKOFF = [1, 0.5, 0.25, 0.125];

/** Squared distance from (px, py) to the segment (ax, ay)-(bx, by). */
function segDist2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = ax + t * dx - px;
  const ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/** Index of the point of (s, e) farthest from chord s-e, and its squared distance. */
function farthest(pts: Ring, s: number, e: number): [number, number] {
  let best = -1;
  let bestD = -1;
  const [ax, ay] = pts[s];
  const [bx, by] = pts[e];
  for (let i = s + 1; i < e; i++) {
    const d = segDist2(pts[i][0], pts[i][1], ax, ay, bx, by);
    if (d > bestD) {
      bestD = d;
      best = i;
    }
  }
  return [best, bestD];
}

/** Iterative Douglas-Peucker on pts[s..e], marking kept points. */
function dpChain(pts: Ring, s: number, e: number, tol2: number, keep: Uint8Array): void {
  const stack = [s, e];
  while (stack.length > 0) {
    const b = stack.pop() as number;
    const a = stack.pop() as number;
    if (b - a < 2) continue;
    const [i, d] = farthest(pts, a, b);
    if (d > tol2) {
      keep[i] = 1;
      stack.push(a, i, i, b);
    }
  }
}

/**
 * Douglas-Peucker simplification of one closed ring, keeping its orientation.
 *
 * The ring is split at its lowest-then-leftmost point (always a hull corner) and at the point
 * farthest from it, and both chains are simplified. If that would leave fewer than 3 distinct
 * points, the farthest point of each chain is kept as well, and failing that the ring is
 * returned unchanged.
 *
 * @param ring - closed ring (first point repeated last)
 * @param tolerance - maximum distance of dropped points from the result, in coordinate units
 */
export function douglasPeucker(ring: Ring, tolerance: number): Ring {
  const n = ring.length - 1;
  if (n < 4 || !(tolerance > 0)) return ring.map((p) => [p[0], p[1]]);
  let a = 0;
  for (let i = 1; i < n; i++) {
    const [x, y] = ring[i];
    if (y < ring[a][1] || (y === ring[a][1] && x < ring[a][0])) a = i;
  }
  // Rotate so the anchor is index 0 and index n closes the ring again.
  const pts: Ring = [];
  for (let i = 0; i <= n; i++) pts.push(ring[(a + i) % n]);
  let b = 1;
  let bestD = -1;
  for (let i = 1; i < n; i++) {
    const d = (pts[i][0] - pts[0][0]) ** 2 + (pts[i][1] - pts[0][1]) ** 2;
    if (d > bestD) {
      bestD = d;
      b = i;
    }
  }
  const keep = new Uint8Array(n + 1);
  keep[0] = keep[b] = keep[n] = 1;
  dpChain(pts, 0, b, tolerance * tolerance, keep);
  dpChain(pts, b, n, tolerance * tolerance, keep);
  let kept = keep.reduce((s, v) => s + v, 0);
  if (kept < 4) {
    for (const [s, e] of [
      [0, b],
      [b, n],
    ]) {
      const [i, d] = farthest(pts, s, e);
      if (i >= 0 && d > 0) keep[i] = 1;
    }
    kept = keep.reduce((s, v) => s + v, 0);
    if (kept < 4) return ring.map((p) => [p[0], p[1]]);
  }
  const out: Ring = [];
  for (let i = 0; i <= n; i++) if (keep[i]) out.push([pts[i][0], pts[i][1]]);
  return out;
}

/**
 * Simplifies a polygon (exterior first, then holes) without breaking its validity: rings whose
 * simplification makes the polygon invalid are retried with smaller tolerances and, if need be,
 * left unsimplified.
 *
 * @param rings - a valid polygon (e.g. from trace.ts via toMap)
 * @param tolerance - Douglas-Peucker tolerance in coordinate (map) units; <= 0 copies the rings
 * @returns new rings; the input is returned (copied) unchanged if it was not valid to begin with
 */
export function simplifyPolygon(rings: Ring[], tolerance: number): Ring[] {
  const copy = (): Ring[] => rings.map((ring) => ring.map((p) => [p[0], p[1]]));
  if (!(tolerance > 0)) return copy();
  const level = rings.map(() => 0);
  const current = rings.map((ring) => douglasPeucker(ring, tolerance));
  for (;;) {
    const report = validatePolygon(current);
    if (report.valid) return current;
    let changed = false;
    for (const r of report.badRings) {
      if (level[r] >= BACKOFF.length) continue;
      level[r]++;
      current[r] =
        level[r] < BACKOFF.length
          ? douglasPeucker(rings[r], tolerance * BACKOFF[level[r]])
          : rings[r].map((p) => [p[0], p[1]]);
      changed = true;
    }
    if (!changed) return copy();
  }
}
