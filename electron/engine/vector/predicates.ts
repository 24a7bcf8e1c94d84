/**
 * Exact geometric predicates for validity checking: orientation of three points (a fast
 * floating-point filter with an exact integer fallback, after Shewchuk), classification of how
 * two segments meet, and point-in-ring.
 *
 * Exactness matters: simplified rings in map coordinates produce near-collinear configurations
 * (a hole's corner a hair's breadth from a straightened exterior edge) where a tolerance-based
 * test and GEOS would disagree about whether the rings cross.
 */

// Shewchuk's error bound for the floating-point orientation determinant.
const ERR_BOUND = (3 + (16 * Number.EPSILON) / 2) * (Number.EPSILON / 2);
const bits = new DataView(new ArrayBuffer(8));

/** A finite double as mantissa * 2^exponent with an integer (BigInt) mantissa. */
function decompose(x: number): [bigint, number] {
  if (x === 0) return [0n, 0];
  bits.setFloat64(0, x);
  const hi = bits.getUint32(0);
  const lo = bits.getUint32(4);
  const e = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (e !== 0) m |= 1n << 52n;
  return [hi >>> 31 ? -m : m, (e === 0 ? 1 : e) - 1075];
}

/** Exact sign of the orientation determinant, in integer arithmetic (slow path). */
function exactOrient(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
): number {
  const parts = [ax, ay, bx, by, cx, cy].map(decompose);
  const minE = Math.min(...parts.filter(([m]) => m !== 0n).map(([, e]) => e));
  const [iax, iay, ibx, iby, icx, icy] = parts.map(([m, e]) =>
    m === 0n ? 0n : m << BigInt(e - minE),
  );
  const det = (iax - icx) * (iby - icy) - (iay - icy) * (ibx - icx);
  return det > 0n ? 1 : det < 0n ? -1 : 0;
}

/**
 * Orientation of c relative to the line a -> b: > 0 left (counter-clockwise in a y-up frame),
 * < 0 right, exactly 0 only when the three points are exactly collinear. Floating point with
 * Shewchuk's filter; the rare uncertain cases are decided exactly.
 */
export function orient(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
): number {
  const detLeft = (ax - cx) * (by - cy);
  const detRight = (ay - cy) * (bx - cx);
  const det = detLeft - detRight;
  // Opposite signs (or a zero) cannot cancel: the sign of det is already right.
  if ((detLeft > 0 && detRight <= 0) || (detLeft < 0 && detRight >= 0) || detLeft === 0) return det;
  if (Math.abs(det) > ERR_BOUND * (Math.abs(detLeft) + Math.abs(detRight))) return det;
  return exactOrient(ax, ay, bx, by, cx, cy);
}

/** p lies in the closed interval between a and b. */
export function within(p: number, a: number, b: number): boolean {
  return a <= b ? a <= p && p <= b : b <= p && p <= a;
}

/** {@link classify} results: disjoint, touching at one point, crossing or overlapping. */
export const NONE = 0;
export const TOUCH = 1;
export const CROSS = 2;
/** Touch point of the last {@link classify} call that returned TOUCH (avoids allocating). */
export const touchAt = [0, 0];

function touch(x: number, y: number): number {
  touchAt[0] = x;
  touchAt[1] = y;
  return TOUCH;
}

/**
 * Classifies the intersection of segments p1p2 and q1q2: NONE, TOUCH (a single common point,
 * left in {@link touchAt}) or CROSS (a proper crossing or a collinear overlap).
 */
export function classify(
  p1x: number,
  p1y: number,
  p2x: number,
  p2y: number,
  q1x: number,
  q1y: number,
  q2x: number,
  q2y: number,
): number {
  const d1 = orient(q1x, q1y, q2x, q2y, p1x, p1y);
  const d2 = orient(q1x, q1y, q2x, q2y, p2x, p2y);
  const d3 = orient(p1x, p1y, p2x, p2y, q1x, q1y);
  const d4 = orient(p1x, p1y, p2x, p2y, q2x, q2y);
  if ((d1 > 0 && d2 > 0) || (d1 < 0 && d2 < 0) || (d3 > 0 && d4 > 0) || (d3 < 0 && d4 < 0))
    return NONE;
  if (d1 !== 0 && d2 !== 0 && d3 !== 0 && d4 !== 0) return CROSS;
  if (d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0) {
    // Collinear: compare the projections on the dominant axis.
    const useX =
      Math.abs(p2x - p1x) + Math.abs(q2x - q1x) >= Math.abs(p2y - p1y) + Math.abs(q2y - q1y);
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

/**
 * Parity / boundary test of p against edges from..to of a ring; `edges` maps to the edges' start
 * offsets in xy, null meaning edge k starts at 2k.
 */
function locate(
  px: number,
  py: number,
  xy: Float64Array,
  edges: Int32Array | null,
  from: number,
  to: number,
): number {
  let inside = false;
  for (let k = from; k < to; k++) {
    const i = edges ? edges[k] : 2 * k;
    const ax = xy[i];
    const ay = xy[i + 1];
    const bx = xy[i + 2];
    const by = xy[i + 3];
    if (!within(py, ay, by)) continue;
    const o = orient(ax, ay, bx, by, px, py);
    if (o === 0 && within(px, ax, bx)) return 0;
    // The edge crosses the horizontal through p to its right iff p is left of an upward edge
    // or right of a downward one: decided by the exact orientation, no division.
    if (ay > py !== by > py && o > 0 === by > ay) inside = !inside;
  }
  return inside ? 1 : -1;
}

/**
 * Point-in-ring location for one closed ring of packed xy coordinates, answering many queries:
 * edges are bucketed by y, so a query only looks at the edges in its horizontal band instead of
 * the whole ring (an exterior with 100k vertices and thousands of holes to place).
 */
export class RingLocator {
  private readonly xy: Float64Array;
  private readonly minY: number;
  private readonly maxY: number;
  private readonly scale: number;
  private readonly buckets: number;
  /** CSR layout: edges of bucket b are items[start[b] .. start[b + 1]). */
  private readonly start: Int32Array;
  private readonly items: Int32Array;

  constructor(xy: Float64Array) {
    this.xy = xy;
    const edges = xy.length / 2 - 1;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 1; i < xy.length; i += 2) {
      minY = Math.min(minY, xy[i]);
      maxY = Math.max(maxY, xy[i]);
    }
    this.minY = minY;
    this.maxY = maxY;
    this.buckets = Math.max(1, Math.min(1 << 16, Math.floor(edges / 4)));
    this.scale = maxY > minY ? this.buckets / (maxY - minY) : 0;
    const span = (i: number): [number, number] => {
      const a = this.bucket(xy[i + 1]);
      const b = this.bucket(xy[i + 3]);
      return a <= b ? [a, b] : [b, a];
    };
    const start = new Int32Array(this.buckets + 1);
    for (let i = 0; i + 3 < xy.length; i += 2) {
      const [a, b] = span(i);
      for (let k = a; k <= b; k++) start[k + 1]++;
    }
    for (let k = 0; k < this.buckets; k++) start[k + 1] += start[k];
    const fill = start.slice(0, this.buckets);
    const items = new Int32Array(start[this.buckets]);
    for (let i = 0; i + 3 < xy.length; i += 2) {
      const [a, b] = span(i);
      for (let k = a; k <= b; k++) items[fill[k]++] = i;
    }
    this.start = start;
    this.items = items;
  }

  /** Monotonic in y, so an edge spanning y lies in the bucket of y. */
  private bucket(y: number): number {
    return Math.min(this.buckets - 1, Math.max(0, Math.floor((y - this.minY) * this.scale)));
  }

  /** 1 inside, -1 outside, 0 on the boundary. */
  locate(px: number, py: number): number {
    if (!(py >= this.minY && py <= this.maxY)) return -1;
    const b = this.bucket(py);
    return locate(px, py, this.xy, this.items, this.start[b], this.start[b + 1]);
  }
}

/** 1 inside, -1 outside, 0 on the boundary of a closed ring of packed xy coordinates. */
export function pointInRing(px: number, py: number, xy: Float64Array): number {
  return locate(px, py, xy, null, 0, xy.length / 2 - 1);
}
