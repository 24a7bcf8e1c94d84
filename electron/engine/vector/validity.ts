/**
 * OGC simple-features validity of a polygon given as rings (exterior first, then holes), as
 * GEOS / PostGIS ST_IsValid understand it:
 *  - every ring closed, with at least 3 distinct points, and simple (no crossing, no overlap,
 *    no touching itself, not even at a single vertex);
 *  - rings may touch each other only at isolated points, at most one point per pair of rings,
 *    and touching rings must not form a cycle (either would disconnect the interior);
 *  - holes inside the exterior and not inside each other.
 * Orientation is not part of validity.
 *
 * Candidate segment pairs come from a banded sweep (segment-sweep.ts), so rings with tens of
 * thousands of vertices and polygons with thousands of holes stay fast. The geometric
 * predicates are exact (predicates.ts), so the verdict matches GEOS even for the near-collinear
 * configurations that simplifying rotated or non-integer coordinates produces.
 */
import type { Ring } from './geo.js';
import { CROSS, NONE, RingLocator, classify, pointInRing, touchAt } from './predicates.js';
import { buildSegments, sweepPairs } from './segment-sweep.js';

export interface ValidityReport {
  valid: boolean;
  /** Why the polygon is invalid (first problem found). */
  reason?: string;
  /** Indices of the rings involved in the problems found (for targeted repair). */
  badRings: number[];
  /**
   * Segments involved in crossings, overlaps and extra touches, as [ring, i] for the segment
   * from point i to point i + 1 of that ring. Containment problems name rings only.
   */
  badSegments: [number, number][];
}

interface Packed {
  xy: Float64Array;
  /** Index in the input ring of each packed point. */
  src: Int32Array;
}

/** Packs a ring into xy pairs, dropping consecutive repeated points; null if not closed. */
function pack(ring: Ring): Packed | null {
  if (ring.length < 2) return null;
  const f = ring[0];
  const l = ring[ring.length - 1];
  if (f[0] !== l[0] || f[1] !== l[1]) return null;
  const out: number[] = [];
  const src: number[] = [];
  ring.forEach(([x, y], i) => {
    const n = out.length;
    if (n === 0 || out[n - 2] !== x || out[n - 1] !== y) {
      out.push(x, y);
      src.push(i);
    }
  });
  if (!out.every(Number.isFinite)) return null;
  return { xy: Float64Array.from(out), src: Int32Array.from(src) };
}

/** First vertex of `xy` not on the boundary of a ring, located against it (0 if none). */
function sideOf(xy: Float64Array, locate: (x: number, y: number) => number): number {
  for (let i = 0; i < xy.length; i += 2) {
    const s = locate(xy[i], xy[i + 1]);
    if (s !== 0) return s;
  }
  return 0;
}

function bbox(xy: Float64Array): [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < xy.length; i += 2) {
    x0 = Math.min(x0, xy[i]);
    x1 = Math.max(x1, xy[i]);
    y0 = Math.min(y0, xy[i + 1]);
    y1 = Math.max(y1, xy[i + 1]);
  }
  return [x0, y0, x1, y1];
}

/**
 * Holes must lie inside the exterior and outside each other. Rings are known not to cross at
 * this point, so one vertex off the other ring's boundary decides. To stay near-linear with
 * thousands of holes, the exterior gets a y-bucketed locator and hole pairs are found through a
 * grid over the holes' bounding boxes.
 */
function checkNesting(xys: Float64Array[], fail: (why: string, ...rings: number[]) => void): void {
  const ext = new RingLocator(xys[0]);
  const boxes = xys.map(bbox);
  for (let h = 1; h < xys.length; h++) {
    if (sideOf(xys[h], (x, y) => ext.locate(x, y)) < 0)
      fail(`hole ${h} lies outside the exterior`, 0, h);
  }
  if (xys.length < 3) return;
  const [gx0, gy0, gx1, gy1] = boxes[0];
  const g = Math.ceil(Math.sqrt(xys.length));
  const cellX = (x: number): number =>
    Math.min(g - 1, Math.max(0, Math.floor(((x - gx0) / (gx1 - gx0 || 1)) * g)));
  const cellY = (y: number): number =>
    Math.min(g - 1, Math.max(0, Math.floor(((y - gy0) / (gy1 - gy0 || 1)) * g)));
  const cells: number[][] = Array.from({ length: g * g }, () => []);
  for (let o = 1; o < xys.length; o++) {
    const [x0, y0, x1, y1] = boxes[o];
    for (let cy = cellY(y0); cy <= cellY(y1); cy++) {
      for (let cx = cellX(x0); cx <= cellX(x1); cx++) cells[cy * g + cx].push(o);
    }
  }
  for (let h = 1; h < xys.length; h++) {
    const bh = boxes[h];
    for (const o of cells[cellY(xys[h][1]) * g + cellX(xys[h][0])]) {
      const bo = boxes[o];
      if (o === h || bh[0] < bo[0] || bh[1] < bo[1] || bh[2] > bo[2] || bh[3] > bo[3]) continue;
      if (sideOf(xys[h], (x, y) => pointInRing(x, y, xys[o])) > 0) {
        fail(`hole ${h} lies inside hole ${o}`, h, o);
      }
    }
  }
}

/**
 * Checks OGC validity of a polygon (exterior ring first, then holes) and says which rings are
 * at fault, so that a simplifier can back off just those rings.
 */
export function validatePolygon(rings: Ring[]): ValidityReport {
  const bad = new Set<number>();
  const badSegs = new Set<number>();
  let reason: string | undefined;
  const fail = (why: string, ...ringIdx: number[]): void => {
    reason ??= why;
    for (const r of ringIdx) bad.add(r);
  };
  if (rings.length === 0)
    return { valid: false, reason: 'no rings', badRings: [], badSegments: [] };
  const packed = rings.map((ring, i) => {
    const p = pack(ring);
    if (!p) fail(`ring ${i} is not closed or has non-finite coordinates`, i);
    else if (p.xy.length < 8) fail(`ring ${i} has fewer than 3 distinct points`, i);
    return p;
  });
  if (bad.size > 0) return { valid: false, reason, badRings: [...bad], badSegments: [] };
  const xys = packed.map((p) => p!.xy);

  const segs = buildSegments(xys);
  const report = (): ValidityReport => ({
    valid: bad.size === 0,
    reason,
    badRings: [...bad],
    badSegments: [...badSegs].map((g) => [segs.ring[g], packed[segs.ring[g]]!.src[segs.index[g]]]),
  });
  const nRings = xys.length;
  // Per pair of touching rings: the touch point and the two segments meeting there.
  const touches = new Map<number, [number, number, number, number]>();
  sweepPairs(segs, (a, s) => {
    const kind = classify(
      segs.x1[a],
      segs.y1[a],
      segs.x2[a],
      segs.y2[a],
      segs.x1[s],
      segs.y1[s],
      segs.x2[s],
      segs.y2[s],
    );
    if (kind === NONE) return;
    const ra = segs.ring[a];
    const rs = segs.ring[s];
    if (kind === CROSS) {
      fail(
        ra === rs ? `ring ${ra} self-intersects` : `rings ${ra} and ${rs} cross or overlap`,
        ra,
        rs,
      );
      badSegs.add(a).add(s);
    } else if (ra === rs) {
      // Consecutive segments (including last-first) share their common point by construction.
      const n = xys[ra].length / 2 - 1;
      const gap = Math.abs(segs.index[a] - segs.index[s]);
      if (gap !== 1 && gap !== n - 1) {
        fail(`ring ${ra} touches itself`, ra);
        badSegs.add(a).add(s);
      }
    } else {
      const key = Math.min(ra, rs) * nRings + Math.max(ra, rs);
      const prev = touches.get(key);
      if (!prev) touches.set(key, [touchAt[0], touchAt[1], a, s]);
      else if (prev[0] !== touchAt[0] || prev[1] !== touchAt[1]) {
        fail(`rings ${ra} and ${rs} touch more than once`, ra, rs);
        badSegs.add(a).add(s).add(prev[2]).add(prev[3]);
      }
    }
  });
  if (bad.size > 0) return report();

  // Touching rings must form a forest, else some part of the interior is cut off.
  const parent = Int32Array.from({ length: nRings }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (const key of touches.keys()) {
    const a = Math.floor(key / nRings);
    const b = key % nRings;
    const [ra, rb] = [root(a), root(b)];
    if (ra === rb) fail(`rings touching ${a} and ${b} close a loop (disconnected interior)`, a, b);
    else parent[ra] = rb;
  }
  if (bad.size > 0) {
    // Which touch of the loop is new is unknown: name every touching segment of those rings.
    for (const [key, t] of touches) {
      if (bad.has(Math.floor(key / nRings)) || bad.has(key % nRings)) badSegs.add(t[2]).add(t[3]);
    }
  }

  if (nRings > 1) checkNesting(xys, fail);
  return report();
}

/** True when the rings (exterior first, then holes) form an OGC-valid polygon. */
export function isValidPolygon(rings: Ring[]): boolean {
  return validatePolygon(rings).valid;
}
