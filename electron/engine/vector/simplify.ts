/**
 * Topology-preserving polygon simplification.
 *
 * Each ring is simplified on its own with Douglas-Peucker; the polygon is then checked with
 * {@link validatePolygon}, and wherever it broke (a ring crossing itself or a neighbour, a hole
 * escaping the exterior, ...) the offending segments get back the points Douglas-Peucker dropped
 * there, one split at a time, until the polygon is valid. The unsimplified rings are valid by
 * construction (trace.ts), so this always ends with a valid polygon when given one.
 *
 * The tolerance is in the units of the coordinates (map units after `toMap`). A ring never drops
 * below 4 points (3 distinct corners).
 */
import type { Ring } from './geo.js';
import { validatePolygon } from './validity.js';

export { isValidPolygon, validatePolygon } from './validity.js';
export type { ValidityReport } from './validity.js';

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

/** A ring being simplified: its points rotated to start at the anchor, and which are kept. */
interface RingPlan {
  /** Closed: pts[n] === pts[0]. */
  pts: Ring;
  keep: Uint8Array;
  /** Squared tolerance. */
  tol2: number;
}

function countKept(keep: Uint8Array): number {
  let k = 0;
  for (let i = 0; i < keep.length; i++) k += keep[i];
  return k;
}

/**
 * Douglas-Peucker plan for one closed ring. The ring is split at its lowest-then-leftmost point
 * (always a hull corner) and at the point farthest from it, and both chains are simplified. If
 * that would leave fewer than 3 distinct points, the farthest point of each chain is kept too,
 * and failing that every point.
 */
function planRing(ring: Ring, tolerance: number): RingPlan {
  const n = ring.length - 1;
  if (n < 4 || !(tolerance > 0)) {
    return { pts: ring.map((p) => [p[0], p[1]]), keep: new Uint8Array(n + 1).fill(1), tol2: 0 };
  }
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
  const plan: RingPlan = { pts, keep: new Uint8Array(n + 1), tol2: tolerance * tolerance };
  plan.keep[0] = plan.keep[b] = plan.keep[n] = 1;
  dpChain(pts, 0, b, plan.tol2, plan.keep);
  dpChain(pts, b, n, plan.tol2, plan.keep);
  if (countKept(plan.keep) < 4) {
    splitSpan(plan, 0, b);
    splitSpan(plan, b, n);
    if (countKept(plan.keep) < 4) plan.keep.fill(1);
  }
  return plan;
}

/** The kept points as a ring, plus for each output vertex its index in `plan.pts`. */
function render(plan: RingPlan): { ring: Ring; src: number[] } {
  const ring: Ring = [];
  const src: number[] = [];
  plan.keep.forEach((k, i) => {
    if (k) {
      ring.push([plan.pts[i][0], plan.pts[i][1]]);
      src.push(i);
    }
  });
  return { ring, src };
}

/**
 * Keeps the farthest dropped point of pts[s..e] and re-runs Douglas-Peucker on both halves: the
 * new, shorter segments could otherwise be farther than the tolerance from points they drop.
 * Returns false when the span has no dropped point left.
 */
function splitSpan(plan: RingPlan, s: number, e: number): boolean {
  const [i, d] = farthest(plan.pts, s, e);
  if (i < 0 || !(d > 0)) return false;
  plan.keep[i] = 1;
  dpChain(plan.pts, s, i, plan.tol2, plan.keep);
  dpChain(plan.pts, i, e, plan.tol2, plan.keep);
  return true;
}

/** {@link splitSpan} on output segment j (from rendered vertex j to j + 1). */
function refineSpan(plan: RingPlan, src: number[], j: number): boolean {
  return j >= 0 && j + 1 < src.length && splitSpan(plan, src[j], src[j + 1]);
}

/**
 * Douglas-Peucker simplification of one closed ring, keeping its orientation and at least 4
 * points (3 distinct). The start point may move to the ring's lowest-then-leftmost vertex.
 *
 * @param ring - closed ring (first point repeated last)
 * @param tolerance - maximum distance of dropped points from the result, in coordinate units
 */
export function douglasPeucker(ring: Ring, tolerance: number): Ring {
  return render(planRing(ring, tolerance)).ring;
}

/**
 * Simplifies a polygon (exterior first, then holes) without breaking its validity.
 *
 * Each ring gets Douglas-Peucker at `tolerance`; then, while the polygon is invalid, every
 * output segment named in a crossing / overlap / extra touch gets back the farthest original
 * point it had dropped (the next Douglas-Peucker split), so only the trouble spots lose
 * simplification. Rings at fault for containment only (a hole pushed outside) are refined
 * everywhere. At worst a ring returns to its original points, which are valid.
 *
 * @param rings - a valid polygon (e.g. from trace.ts via toMap)
 * @param tolerance - Douglas-Peucker tolerance in coordinate (map) units; <= 0 copies the rings
 * @returns new rings; the input is returned (copied) unchanged if it was not valid to begin with
 */
export function simplifyPolygon(rings: Ring[], tolerance: number): Ring[] {
  const copy = (): Ring[] => rings.map((ring) => ring.map((p) => [p[0], p[1]]));
  if (!(tolerance > 0)) return copy();
  const plans = rings.map((ring) => planRing(ring, tolerance));
  const rendered = plans.map(render);
  for (;;) {
    const report = validatePolygon(rendered.map((r) => r.ring));
    if (report.valid) return rendered.map((r) => r.ring);
    const changed = new Set<number>();
    for (const [r, j] of report.badSegments) {
      if (refineSpan(plans[r], rendered[r].src, j)) changed.add(r);
    }
    const segRings = new Set(report.badSegments.map(([r]) => r));
    for (const r of report.badRings) {
      if (segRings.has(r) && changed.has(r)) continue;
      // Named without (refinable) segments: refine every span of the ring, or give up on it.
      const { src } = rendered[r];
      for (let j = 0; j + 1 < src.length; j++) if (refineSpan(plans[r], src, j)) changed.add(r);
    }
    if (changed.size === 0) return copy();
    for (const r of changed) rendered[r] = render(plans[r]);
  }
}
