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
 * Segment pairs are found with a sweep over x (segments sorted by their left end, an active list
 * pruned by right end), so rings with tens of thousands of vertices stay fast. Orientation tests
 * treat results within a relative 1e-12 of zero as collinear: near-degenerate configurations
 * are then reported as touches, which errs on the side of "invalid".
 */
import type { Ring } from './geo.js';

export interface ValidityReport {
  valid: boolean;
  /** Why the polygon is invalid (first problem found). */
  reason?: string;
  /** Indices of the rings involved in the problems found (for targeted repair). */
  badRings: number[];
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const l = (bx - ax) * (cy - ay);
  const r = (by - ay) * (cx - ax);
  const det = l - r;
  return Math.abs(det) <= 1e-12 * (Math.abs(l) + Math.abs(r)) ? 0 : det;
}

function within(p: number, a: number, b: number): boolean {
  return a <= b ? a <= p && p <= b : b <= p && p <= a;
}

const NONE = 0;
const TOUCH = 1;
const CROSS = 2;
/** Touch point of the last {@link classify} call that returned TOUCH. */
const touchAt = [0, 0];

function touch(x: number, y: number): number {
  touchAt[0] = x;
  touchAt[1] = y;
  return TOUCH;
}

/** Classifies the intersection of segments p1p2 and q1q2: none, single-point touch, or worse. */
function classify(p1x: number, p1y: number, p2x: number, p2y: number, q1x: number, q1y: number, q2x: number, q2y: number): number {
  const d1 = orient(q1x, q1y, q2x, q2y, p1x, p1y);
  const d2 = orient(q1x, q1y, q2x, q2y, p2x, p2y);
  const d3 = orient(p1x, p1y, p2x, p2y, q1x, q1y);
  const d4 = orient(p1x, p1y, p2x, p2y, q2x, q2y);
  if ((d1 > 0 && d2 > 0) || (d1 < 0 && d2 < 0) || (d3 > 0 && d4 > 0) || (d3 < 0 && d4 < 0)) return NONE;
  if (d1 !== 0 && d2 !== 0 && d3 !== 0 && d4 !== 0) return CROSS;
  if (d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0) {
    // Collinear: compare the projections on the dominant axis.
    const useX = Math.abs(p2x - p1x) + Math.abs(q2x - q1x) >= Math.abs(p2y - p1y) + Math.abs(q2y - q1y);
    const [a1, a2, b1, b2] = useX ? [p1x, p2x, q1x, q2x] : [p1y, p2y, q1y, q2y];
    const lo = Math.max(Math.min(a1, a2), Math.min(b1, b2));
    const hi = Math.min(Math.max(a1, a2), Math.max(b1, b2));
    if (lo > hi) return NONE;
    if (lo < hi) return CROSS;
    return a1 === lo ? touch(p1x, p1y) : touch(p2x, p2y);
  }
  // Some endpoint is on the other segment's line: touching if it lies within that segment.
  if (d1 === 0 && within(p1x, q1x, q2x) && within(p1y, q1y, q2y)) return touch(p1x, p1y);
  if (d2 === 0 && within(p2x, q1x, q2x) && within(p2y, q1y, q2y)) return touch(p2x, p2y);
  if (d3 === 0 && within(q1x, p1x, p2x) && within(q1y, p1y, p2y)) return touch(q1x, q1y);
  if (d4 === 0 && within(q2x, p1x, p2x) && within(q2y, p1y, p2y)) return touch(q2x, q2y);
  return NONE;
}

/** 1 inside, -1 outside, 0 on the boundary of a closed ring of packed xy coordinates. */
export function pointInRing(px: number, py: number, xy: Float64Array): number {
  let inside = false;
  for (let i = 0; i + 3 < xy.length; i += 2) {
    const ax = xy[i];
    const ay = xy[i + 1];
    const bx = xy[i + 2];
    const by = xy[i + 3];
    if (orient(ax, ay, bx, by, px, py) === 0 && within(px, ax, bx) && within(py, ay, by)) return 0;
    if (ay > py !== by > py && px < ax + ((py - ay) * (bx - ax)) / (by - ay)) inside = !inside;
  }
  return inside ? 1 : -1;
}

/** Packs a ring into xy pairs, dropping consecutive repeated points; null if not closed. */
function pack(ring: Ring): Float64Array | null {
  if (ring.length < 2) return null;
  const f = ring[0];
  const l = ring[ring.length - 1];
  if (f[0] !== l[0] || f[1] !== l[1]) return null;
  const out: number[] = [];
  for (const [x, y] of ring) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
    const n = out.length;
    if (n === 0 || out[n - 2] !== x || out[n - 1] !== y) out.push(x, y);
  }
  return Float64Array.from(out);
}

/** First vertex of `xy` not on the boundary of `ring`, classified against it (0 if none). */
function sideOf(xy: Float64Array, ring: Float64Array): number {
  for (let i = 0; i < xy.length; i += 2) {
    const s = pointInRing(xy[i], xy[i + 1], ring);
    if (s !== 0) return s;
  }
  return 0;
}

/**
 * Checks OGC validity of a polygon (exterior ring first, then holes) and says which rings are
 * at fault, so that a simplifier can back off just those rings.
 */
export function validatePolygon(rings: Ring[]): ValidityReport {
  const bad = new Set<number>();
  let reason: string | undefined;
  const fail = (why: string, ...ringIdx: number[]): void => {
    reason ??= why;
    for (const r of ringIdx) bad.add(r);
  };
  if (rings.length === 0) return { valid: false, reason: 'no rings', badRings: [] };
  const packed = rings.map((ring, i) => {
    const xy = pack(ring);
    if (!xy) fail(`ring ${i} is not closed or has non-finite coordinates`, i);
    else if (xy.length < 8) fail(`ring ${i} has fewer than 3 distinct points`, i);
    return xy;
  });
  if (bad.size > 0) return { valid: false, reason, badRings: [...bad] };
  const xys = packed as Float64Array[];

  // Segments as indices into per-ring packed arrays, sorted by left end for the sweep.
  const segCount = xys.reduce((s, xy) => s + xy.length / 2 - 1, 0);
  const segRing = new Int32Array(segCount);
  const segIdx = new Int32Array(segCount);
  const minX = new Float64Array(segCount);
  for (let r = 0, s = 0; r < xys.length; r++) {
    const xy = xys[r];
    for (let i = 0; i + 3 < xy.length; i += 2, s++) {
      segRing[s] = r;
      segIdx[s] = i / 2;
      minX[s] = Math.min(xy[i], xy[i + 2]);
    }
  }
  const order = Int32Array.from({ length: segCount }, (_, i) => i).sort((a, b) => minX[a] - minX[b]);

  const touches = new Map<number, [number, number]>();
  const nRings = xys.length;
  // Two buffers swapped per step, and no destructuring: this loop is the hot path.
  let active = new Int32Array(16);
  let spare = new Int32Array(16);
  let nActive = 0;
  for (const s of order) {
    const rs = segRing[s];
    const xs = xys[rs];
    const k = segIdx[s] * 2;
    const sx1 = xs[k];
    const sy1 = xs[k + 1];
    const sx2 = xs[k + 2];
    const sy2 = xs[k + 3];
    const sMinY = Math.min(sy1, sy2);
    const sMaxY = Math.max(sy1, sy2);
    if (spare.length < nActive + 1) spare = new Int32Array(2 * (nActive + 1));
    let kept = 0;
    for (let t = 0; t < nActive; t++) {
      const a = active[t];
      const ra = segRing[a];
      const xa = xys[ra];
      const j = segIdx[a] * 2;
      const ax1 = xa[j];
      const ay1 = xa[j + 1];
      const ax2 = xa[j + 2];
      const ay2 = xa[j + 3];
      if (Math.max(ax1, ax2) < minX[s]) continue;
      spare[kept++] = a;
      if (Math.max(ay1, ay2) < sMinY || sMaxY < Math.min(ay1, ay2)) continue;
      const kind = classify(ax1, ay1, ax2, ay2, sx1, sy1, sx2, sy2);
      if (kind === NONE) continue;
      if (kind === CROSS) {
        fail(ra === rs ? `ring ${ra} self-intersects` : `rings ${ra} and ${rs} cross or overlap`, ra, rs);
      } else if (ra === rs) {
        const n = xa.length / 2 - 1;
        const gap = Math.abs(segIdx[a] - segIdx[s]);
        if (gap !== 1 && gap !== n - 1) fail(`ring ${ra} touches itself`, ra);
      } else {
        const key = Math.min(ra, rs) * nRings + Math.max(ra, rs);
        const prev = touches.get(key);
        if (!prev) touches.set(key, [touchAt[0], touchAt[1]]);
        else if (prev[0] !== touchAt[0] || prev[1] !== touchAt[1]) {
          fail(`rings ${ra} and ${rs} touch more than once`, ra, rs);
        }
      }
    }
    spare[kept++] = s;
    const swap = active;
    active = spare;
    spare = swap;
    nActive = kept;
  }
  if (bad.size > 0) return { valid: false, reason, badRings: [...bad] };

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

  // Holes inside the exterior, and not inside one another (bounding boxes filter the pairs).
  const boxes = xys.map((xy) => {
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let i = 0; i < xy.length; i += 2) {
      x0 = Math.min(x0, xy[i]);
      x1 = Math.max(x1, xy[i]);
      y0 = Math.min(y0, xy[i + 1]);
      y1 = Math.max(y1, xy[i + 1]);
    }
    return [x0, y0, x1, y1];
  });
  for (let h = 1; h < nRings; h++) {
    if (sideOf(xys[h], xys[0]) < 0) fail(`hole ${h} lies outside the exterior`, 0, h);
    const bh = boxes[h];
    for (let o = 1; o < nRings; o++) {
      const bo = boxes[o];
      if (o === h || bh[0] < bo[0] || bh[1] < bo[1] || bh[2] > bo[2] || bh[3] > bo[3]) continue;
      if (sideOf(xys[h], xys[o]) > 0) fail(`hole ${h} lies inside hole ${o}`, h, o);
    }
  }
  return { valid: bad.size === 0, reason, badRings: [...bad] };
}

/** True when the rings (exterior first, then holes) form an OGC-valid polygon. */
export function isValidPolygon(rings: Ring[]): boolean {
  return validatePolygon(rings).valid;
}
