/**
 * Finding the pairs of ring segments whose bounding boxes overlap, without testing all pairs.
 *
 * A sweep over x (segments sorted by their left end) keeps the segments that still reach the
 * sweep position. A plain active list degrades when many segments share an x-range (a polygon
 * with a thousand holes in one column, the long edges of a simplified exterior), so the active
 * segments are further split into horizontal bands by y: a new segment only meets those in the
 * bands its own y-range covers. A pair sharing several bands is reported once, in the lowest
 * band common to both.
 */

/** All segments of a polygon's rings, structure-of-arrays. */
export interface Segments {
  count: number;
  /** Ring of each segment. */
  ring: Int32Array;
  /** Index of the segment's start point in its ring's packed coordinates. */
  index: Int32Array;
  x1: Float64Array;
  y1: Float64Array;
  x2: Float64Array;
  y2: Float64Array;
}

/**
 * Collects the segments of rings given as packed, closed xy coordinate arrays.
 *
 * @param rings - per ring [x0, y0, x1, y1, ..., x0, y0]
 */
export function buildSegments(rings: Float64Array[]): Segments {
  const count = rings.reduce((s, xy) => s + Math.max(0, xy.length / 2 - 1), 0);
  const segs: Segments = {
    count,
    ring: new Int32Array(count),
    index: new Int32Array(count),
    x1: new Float64Array(count),
    y1: new Float64Array(count),
    x2: new Float64Array(count),
    y2: new Float64Array(count),
  };
  for (let r = 0, s = 0; r < rings.length; r++) {
    const xy = rings[r];
    for (let i = 0; i + 3 < xy.length; i += 2, s++) {
      segs.ring[s] = r;
      segs.index[s] = i / 2;
      segs.x1[s] = xy[i];
      segs.y1[s] = xy[i + 1];
      segs.x2[s] = xy[i + 2];
      segs.y2[s] = xy[i + 3];
    }
  }
  return segs;
}

/**
 * Calls `visit(a, b)` once for every pair of segments whose closed bounding boxes overlap
 * (a was swept before b). Near O(n log n + pairs) for the rings of real polygons.
 */
export function sweepPairs(segs: Segments, visit: (a: number, b: number) => void): void {
  const n = segs.count;
  if (n < 2) return;
  const { x1, y1, x2, y2 } = segs;
  const minX = new Float64Array(n);
  const maxX = new Float64Array(n);
  const minY = new Float64Array(n);
  const maxY = new Float64Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let s = 0; s < n; s++) {
    minX[s] = Math.min(x1[s], x2[s]);
    maxX[s] = Math.max(x1[s], x2[s]);
    minY[s] = Math.min(y1[s], y2[s]);
    maxY[s] = Math.max(y1[s], y2[s]);
    lo = Math.min(lo, minY[s]);
    hi = Math.max(hi, maxY[s]);
  }
  // About 2 sqrt(n) bands: a band then holds O(sqrt n) segments of a typical x-slab.
  const bands = Math.max(1, Math.min(4096, Math.ceil(2 * Math.sqrt(n))));
  const scale = hi > lo ? bands / (hi - lo) : 0;
  // Monotonic in y, so overlapping y-ranges always share a band.
  const bandOf = (y: number): number =>
    Math.min(bands - 1, Math.max(0, Math.floor((y - lo) * scale)));
  const first = new Int32Array(n);
  const last = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    first[s] = bandOf(minY[s]);
    last[s] = bandOf(maxY[s]);
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => minX[a] - minX[b]);
  const active: number[][] = Array.from({ length: bands }, () => []);
  for (const s of order) {
    const left = minX[s];
    for (let k = first[s]; k <= last[s]; k++) {
      const list = active[k];
      let kept = 0;
      for (let t = 0; t < list.length; t++) {
        const a = list[t];
        // Sorted by left end: a segment ending before this one starts is done for good.
        if (maxX[a] < left) continue;
        list[kept++] = a;
        if (k !== Math.max(first[a], first[s])) continue;
        if (maxY[a] < minY[s] || maxY[s] < minY[a]) continue;
        visit(a, s);
      }
      list.length = kept;
      list.push(s);
    }
  }
}
