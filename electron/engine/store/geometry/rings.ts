/**
 * Ring plumbing for the geometry editors: orienting polygons, locating points in them, tracing
 * directed boundary edges of an arrangement into rings, and assembling rings into polygons.
 */
import type { Ring } from '../../vector/geo.js';
import { ringArea } from '../../vector/geo.js';
import { RingLocator, orient, pointInRing } from '../../vector/predicates.js';
import type { Arrangement } from './arrangement.js';

/** A polygon as closed rings: exterior first, then holes. */
export type PolygonRings = Ring[];

/** Exterior counter-clockwise, holes clockwise: the interior is then left of every edge. */
export function orientPolygon(rings: PolygonRings): PolygonRings {
  return rings.map((ring, i) => {
    const ccw = ringArea(ring) > 0;
    return ccw === (i === 0) ? ring : [...ring].reverse();
  });
}

/** Point location in a polygon with holes: 1 inside, 0 on the boundary, -1 outside. */
export class PolygonLocator {
  private readonly exterior: RingLocator;
  private readonly holes: { xy: Float64Array; box: number[] }[];
  readonly box: [number, number, number, number];

  constructor(rings: PolygonRings) {
    const xy = (ring: Ring) => Float64Array.from(ring.flatMap(([x, y]) => [x, y]));
    this.exterior = new RingLocator(xy(rings[0]));
    this.box = boxOf(rings[0]);
    this.holes = rings.slice(1).map((r) => ({ xy: xy(r), box: boxOf(r) }));
  }

  locate(x: number, y: number): number {
    const [x0, y0, x1, y1] = this.box;
    if (x < x0 || x > x1 || y < y0 || y > y1) return -1;
    const e = this.exterior.locate(x, y);
    if (e <= 0) return e;
    for (const h of this.holes) {
      if (x < h.box[0] || x > h.box[2] || y < h.box[1] || y > h.box[3]) continue;
      const s = pointInRing(x, y, h.xy);
      if (s >= 0) return -s;
    }
    return 1;
  }
}

function boxOf(ring: Ring): [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return [x0, y0, x1, y1];
}

/**
 * Traces directed half-edges (from, to) into closed rings. At each node the walk takes the
 * outgoing half-edge that turns most sharply left of the reverse of the way it came (the first
 * one clockwise from it), so every ring bounds a single face and rings that only touch at a node
 * come out as separate rings, as OGC validity wants them.
 *
 * @throws Error when the half-edges do not close into rings (inconsistent input).
 */
export function traceRings(arr: Arrangement, halfEdges: [number, number][]): Ring[] {
  const out = new Map<number, number[]>();
  halfEdges.forEach(([from], i) => {
    const list = out.get(from);
    if (list) list.push(i);
    else out.set(from, [i]);
  });
  const angle = (i: number): number => {
    const [from, to] = halfEdges[i];
    return Math.atan2(arr.ys[to] - arr.ys[from], arr.xs[to] - arr.xs[from]);
  };
  const used = new Uint8Array(halfEdges.length);
  const rings: Ring[] = [];
  for (let start = 0; start < halfEdges.length; start++) {
    if (used[start]) continue;
    const ring: number[] = [halfEdges[start][0]];
    let e = start;
    for (let steps = 0; ; steps++) {
      if (steps > halfEdges.length) throw new Error('boundary edges do not close into rings');
      used[e] = 1;
      const [from, to] = halfEdges[e];
      ring.push(to);
      const back = Math.atan2(arr.ys[from] - arr.ys[to], arr.xs[from] - arr.xs[to]);
      let best = -1;
      let bestTurn = Infinity;
      for (const c of out.get(to) ?? []) {
        let turn = back - angle(c);
        while (turn <= 0) turn += 2 * Math.PI;
        while (turn > 2 * Math.PI) turn -= 2 * Math.PI;
        if (halfEdges[c][1] === from) turn = 2 * Math.PI; // going straight back: last resort
        if (turn < bestTurn) {
          bestTurn = turn;
          best = c;
        }
      }
      if (best === start) break;
      if (best < 0 || used[best]) throw new Error('boundary edges do not close into rings');
      e = best;
    }
    for (const loop of splitAtRepeats(ring)) {
      rings.push(dropCollinear(loop.map((n) => [arr.xs[n], arr.ys[n]])));
    }
  }
  return rings.filter((r) => r.length >= 4);
}

/**
 * Cuts a ring of node ids that passes a node twice into simple loops. The turn rule keeps the
 * region's corners apart, but a boundary that runs around a hole touching the exterior at a
 * point still comes back to that point: OGC wants the exterior and the hole as separate rings.
 */
function splitAtRepeats(ring: number[]): number[][] {
  const loops: number[][] = [];
  const stack: number[] = [];
  const at = new Map<number, number>();
  for (const n of ring) {
    const seen = at.get(n);
    if (seen !== undefined) {
      const loop = stack.splice(seen);
      for (const m of loop) at.delete(m);
      loops.push([...loop, n]);
    }
    at.set(n, stack.length);
    stack.push(n);
  }
  return loops;
}

/** Removes vertices where a ring runs straight on (left behind where edges were cut). */
function dropCollinear(ring: Ring): Ring {
  const pts = ring.slice(0, -1);
  let changed = true;
  while (changed && pts.length > 3) {
    changed = false;
    for (let i = 0; i < pts.length && pts.length > 3; i++) {
      const p = pts[(i + pts.length - 1) % pts.length];
      const q = pts[i];
      const r = pts[(i + 1) % pts.length];
      const straight =
        orient(p[0], p[1], q[0], q[1], r[0], r[1]) === 0 &&
        (q[0] - p[0]) * (r[0] - q[0]) + (q[1] - p[1]) * (r[1] - q[1]) > 0;
      if (straight) {
        pts.splice(i, 1);
        changed = true;
        i--;
      }
    }
  }
  return [...pts, pts[0]];
}

/**
 * Groups traced rings into polygons: counter-clockwise rings are exteriors, clockwise ones holes
 * of the smallest exterior that contains them.
 */
export function assemblePolygons(rings: Ring[]): PolygonRings[] {
  const shells = rings
    .filter((r) => ringArea(r) > 0)
    .map((r) => ({
      ring: r,
      area: ringArea(r),
      locator: new PolygonLocator([r]),
      holes: [] as Ring[],
    }))
    .sort((a, b) => a.area - b.area);
  for (const hole of rings.filter((r) => ringArea(r) < 0)) {
    // A hole may touch its exterior at a vertex: look for a vertex or edge midpoint off it.
    const probes = hole.flatMap((p, i) =>
      i + 1 < hole.length ? [p, [(p[0] + hole[i + 1][0]) / 2, (p[1] + hole[i + 1][1]) / 2]] : [],
    );
    const owner = shells.find((s) => {
      for (const [x, y] of probes) {
        const where = s.locator.locate(x, y);
        if (where !== 0) return where > 0;
      }
      return false;
    });
    if (!owner) throw new Error('a hole lies outside every exterior');
    owner.holes.push(hole);
  }
  return shells.map((s) => [s.ring, ...s.holes]);
}
