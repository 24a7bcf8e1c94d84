/**
 * A noded planar arrangement of polygon rings and polylines: every segment is cut where it meets
 * another, near-identical points become one node, and identical pieces from different inputs
 * become one undirected edge that remembers which inputs ran along it and in which direction.
 *
 * Union, overlap tests and splitting a polygon by a line are all "build the arrangement, decide
 * per edge which side is in the result, trace the kept edges into rings" (rings.ts). Deciding per
 * edge (instead of walking crossing lists as Greiner-Hormann does) is what keeps shared edges,
 * touching vertices and collinear overlaps — all common between pixel-edge patches — from
 * needing special cases.
 */
import { CROSS, TOUCH, classify, orient, touchAt } from '../../vector/predicates.js';
import { buildSegments, sweepPairs } from '../../vector/segment-sweep.js';

/** One input path: a closed ring of an area input, or an open polyline. */
export interface PathInput {
  /** [x, y] points; rings repeat their first point last. */
  points: number[][];
  /** Index of the input (polygon or line) this path belongs to. */
  owner: number;
}

/** An undirected edge between nodes `a` < `b`. */
export interface Edge {
  a: number;
  b: number;
  /** Per owner: bit 1 when some path of that owner runs a→b, bit 2 when it runs b→a. */
  dirs: Map<number, number>;
}

export const FORWARD = 1;
export const BACKWARD = 2;

/** The nodes and edges of an arrangement. */
export interface Arrangement {
  xs: number[];
  ys: number[];
  edges: Edge[];
}

/** Points closer than this fraction of the coordinates' magnitude are one node. */
const SNAP_RELATIVE = 1e-10;

class NodeIndex {
  readonly xs: number[] = [];
  readonly ys: number[] = [];
  private readonly cells = new Map<string, number[]>();

  constructor(private readonly tol: number) {}

  /** The node at (x, y): an existing one within the tolerance, else a new one. */
  at(x: number, y: number): number {
    const cx = Math.floor(x / this.tol);
    const cy = Math.floor(y / this.tol);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const n of this.cells.get(`${cx + dx},${cy + dy}`) ?? []) {
          if (Math.abs(this.xs[n] - x) <= this.tol && Math.abs(this.ys[n] - y) <= this.tol)
            return n;
        }
      }
    }
    const n = this.xs.length;
    this.xs.push(x);
    this.ys.push(y);
    const key = `${cx},${cy}`;
    const cell = this.cells.get(key);
    if (cell) cell.push(n);
    else this.cells.set(key, [n]);
    return n;
  }
}

/** Drops consecutive repeated points (they make zero-length segments). */
function clean(points: number[][]): number[][] {
  const out: number[][] = [];
  for (const p of points) {
    const q = out[out.length - 1];
    if (!q || q[0] !== p[0] || q[1] !== p[1]) out.push([p[0], p[1]]);
  }
  return out;
}

/** Parameter of (x, y) projected on the segment from (x1, y1) to (x2, y2). */
function paramOf(x1: number, y1: number, x2: number, y2: number, x: number, y: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  return ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy);
}

/**
 * Builds the arrangement of the given paths.
 *
 * @example
 * const arr = buildArrangement([{ points: squareA, owner: 0 }, { points: squareB, owner: 1 }]);
 */
export function buildArrangement(paths: PathInput[]): Arrangement {
  const cleaned = paths.map((p) => ({ ...p, points: clean(p.points) }));
  let magnitude = 1;
  for (const p of cleaned) {
    for (const [x, y] of p.points) magnitude = Math.max(magnitude, Math.abs(x), Math.abs(y));
  }
  const nodes = new NodeIndex(magnitude * SNAP_RELATIVE);
  const packed = cleaned.map((p) => Float64Array.from(p.points.flat()));
  // Input vertices first, so they keep their exact coordinates.
  const vertexNodes = cleaned.map((p) => p.points.map(([x, y]) => nodes.at(x, y)));
  const segs = buildSegments(packed);
  const cuts: { t: number; node: number }[][] = Array.from({ length: segs.count }, () => []);
  const cut = (s: number, x: number, y: number, node: number): void => {
    const t = paramOf(segs.x1[s], segs.y1[s], segs.x2[s], segs.y2[s], x, y);
    if (t > 0 && t < 1) cuts[s].push({ t, node });
  };
  sweepPairs(segs, (a, b) => {
    const [ax1, ay1, ax2, ay2] = [segs.x1[a], segs.y1[a], segs.x2[a], segs.y2[a]];
    const [bx1, by1, bx2, by2] = [segs.x1[b], segs.y1[b], segs.x2[b], segs.y2[b]];
    const kind = classify(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2);
    if (kind === TOUCH) {
      const [x, y] = touchAt;
      const node = nodes.at(x, y);
      cut(a, x, y, node);
      cut(b, x, y, node);
    } else if (kind === CROSS) {
      const collinear =
        orient(bx1, by1, bx2, by2, ax1, ay1) === 0 && orient(bx1, by1, bx2, by2, ax2, ay2) === 0;
      if (collinear) {
        // Overlapping collinear segments: each is cut at the other's ends that fall inside it.
        for (const [x, y] of [
          [bx1, by1],
          [bx2, by2],
        ])
          cut(a, x, y, nodes.at(x, y));
        for (const [x, y] of [
          [ax1, ay1],
          [ax2, ay2],
        ])
          cut(b, x, y, nodes.at(x, y));
      } else {
        const dax = ax2 - ax1;
        const day = ay2 - ay1;
        const dbx = bx2 - bx1;
        const dby = by2 - by1;
        const t = ((bx1 - ax1) * dby - (by1 - ay1) * dbx) / (dax * dby - day * dbx);
        const x = ax1 + t * dax;
        const y = ay1 + t * day;
        const node = nodes.at(x, y);
        cut(a, nodes.xs[node], nodes.ys[node], node);
        cut(b, nodes.xs[node], nodes.ys[node], node);
      }
    }
  });

  const edges = new Map<string, Edge>();
  const addEdge = (from: number, to: number, owner: number): void => {
    if (from === to) return;
    const a = Math.min(from, to);
    const b = Math.max(from, to);
    const key = `${a}:${b}`;
    let edge = edges.get(key);
    if (!edge) {
      edge = { a, b, dirs: new Map() };
      edges.set(key, edge);
    }
    edge.dirs.set(owner, (edge.dirs.get(owner) ?? 0) | (from === a ? FORWARD : BACKWARD));
  };
  for (let s = 0; s < segs.count; s++) {
    const path = segs.ring[s];
    const i = segs.index[s];
    const chain = [
      vertexNodes[path][i],
      ...cuts[s].sort((p, q) => p.t - q.t).map((c) => c.node),
      vertexNodes[path][i + 1],
    ];
    for (let k = 0; k + 1 < chain.length; k++) addEdge(chain[k], chain[k + 1], cleaned[path].owner);
  }
  return { xs: nodes.xs, ys: nodes.ys, edges: [...edges.values()] };
}

/**
 * A point just left of the edge a→b at its midpoint, and one just right: where a membership test
 * that lands exactly on some other boundary looks instead.
 */
export function sidePoints(arr: Arrangement, edge: Edge): { left: number[]; right: number[] } {
  const ax = arr.xs[edge.a];
  const ay = arr.ys[edge.a];
  const dx = arr.xs[edge.b] - ax;
  const dy = arr.ys[edge.b] - ay;
  const mx = ax + dx / 2;
  const my = ay + dy / 2;
  // A millionth of the edge: far from rounding noise, far closer than any other edge.
  const k = 1e-6;
  return { left: [mx - dy * k, my + dx * k], right: [mx + dy * k, my - dx * k] };
}

/** Midpoint of an edge. */
export function midpoint(arr: Arrangement, edge: Edge): [number, number] {
  return [(arr.xs[edge.a] + arr.xs[edge.b]) / 2, (arr.ys[edge.a] + arr.ys[edge.b]) / 2];
}
