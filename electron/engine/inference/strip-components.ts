/**
 * Connected components of a scene labelled strip by strip. Each strip is labelled on its own; a
 * union-find over the strips' labels joins the pieces of a component that crosses a strip border
 * (a changed pixel directly above a changed pixel of the next strip), and per-component statistics
 * are merged at the roots. Memory grows with the number of components, never with the pixels.
 */
import { allColumns, type Labeling } from '../vector/components.js';

/** Statistics of a scene component, in scene pixel coordinates. */
export interface SceneComponent {
  /** Global id of the component's root. */
  id: number;
  pixelCount: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Row-major scene index of the first pixel in raster order (the top-left pixel). */
  firstPixel: number;
  meanProb: number;
  maxProb: number;
}

/** Growable per-label columns; ids are 0-based and global across strips. */
export class ComponentTable {
  private size = 0;
  private parent = new Int32Array(1024);
  private count = new Float64Array(1024);
  private minX = new Int32Array(1024);
  private minY = new Int32Array(1024);
  private maxX = new Int32Array(1024);
  private maxY = new Int32Array(1024);
  private first = new Float64Array(1024);
  private sum = new Float64Array(1024);
  private finite = new Float64Array(1024);
  private max = new Float64Array(1024);

  get length(): number {
    return this.size;
  }

  /**
   * Adds the components of one labelled strip whose first row is scene row `y0`, with statistics
   * from the strip's probabilities (`prob(i)` at strip index i, NaN = no data). Only the column
   * runs of the labelling are scanned (labels are 0 outside them). Returns the global id of the
   * strip's label 1 (label k has id base + k - 1).
   */
  addStrip(lab: Labeling, y0: number, prob: (i: number) => number): number {
    const { labels, count, width, height } = lab;
    const base = this.size;
    this.grow(base + count);
    this.size = base + count;
    for (let k = 0; k < count; k++) {
      const id = base + k;
      this.parent[id] = id;
      this.count[id] = 0;
      this.minX[id] = width;
      this.minY[id] = 2 ** 31 - 1;
      this.maxX[id] = -1;
      this.maxY[id] = -1;
      this.first[id] = -1;
      this.sum[id] = 0;
      this.finite[id] = 0;
      this.max[id] = -Infinity;
    }
    const runs = lab.columns ?? allColumns(width);
    for (let r = 0; r < height; r++) {
      const y = y0 + r;
      for (let j = 0; j < runs.length; j += 2) {
        for (let x = runs[j], i = r * width + x; x < runs[j + 1]; x++, i++) {
          const k = labels[i];
          if (k === 0) continue;
          const id = base + k - 1;
          if (this.count[id]++ === 0) this.first[id] = y0 * width + i;
          if (x < this.minX[id]) this.minX[id] = x;
          if (x > this.maxX[id]) this.maxX[id] = x;
          if (y < this.minY[id]) this.minY[id] = y;
          if (y > this.maxY[id]) this.maxY[id] = y;
          const p = prob(i);
          if (p === p) {
            this.sum[id] += p;
            this.finite[id]++;
            if (p > this.max[id]) this.max[id] = p;
          }
        }
      }
    }
    return base;
  }

  /** Root of id, with path halving. */
  find(id: number): number {
    const parent = this.parent;
    while (parent[id] !== id) {
      parent[id] = parent[parent[id]];
      id = parent[id];
    }
    return id;
  }

  /** Joins the components of two ids; the one with the earlier first pixel becomes the root. */
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const [root, child] = this.first[ra] <= this.first[rb] ? [ra, rb] : [rb, ra];
    this.parent[child] = root;
    this.count[root] += this.count[child];
    this.minX[root] = Math.min(this.minX[root], this.minX[child]);
    this.minY[root] = Math.min(this.minY[root], this.minY[child]);
    this.maxX[root] = Math.max(this.maxX[root], this.maxX[child]);
    this.maxY[root] = Math.max(this.maxY[root], this.maxY[child]);
    this.sum[root] += this.sum[child];
    this.finite[root] += this.finite[child];
    this.max[root] = Math.max(this.max[root], this.max[child]);
  }

  /** The statistics of every root, in raster order of their first pixels. */
  roots(): SceneComponent[] {
    const out: SceneComponent[] = [];
    for (let id = 0; id < this.size; id++) if (this.parent[id] === id) out.push(this.component(id));
    return out.sort((a, b) => a.firstPixel - b.firstPixel);
  }

  /** The statistics of root `id` (as merged so far). */
  component(id: number): SceneComponent {
    const finite = this.finite[id];
    return {
      id,
      pixelCount: this.count[id],
      minX: this.minX[id],
      minY: this.minY[id],
      maxX: this.maxX[id],
      maxY: this.maxY[id],
      firstPixel: this.first[id],
      meanProb: finite > 0 ? this.sum[id] / finite : NaN,
      maxProb: finite > 0 ? this.max[id] : NaN,
    };
  }

  private grow(n: number): void {
    if (n <= this.parent.length) return;
    let cap = this.parent.length;
    while (cap < n) cap *= 2;
    const int = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const dbl = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.parent = int(this.parent);
    this.minX = int(this.minX);
    this.minY = int(this.minY);
    this.maxX = int(this.maxX);
    this.maxY = int(this.maxY);
    this.count = dbl(this.count);
    this.first = dbl(this.first);
    this.sum = dbl(this.sum);
    this.finite = dbl(this.finite);
    this.max = dbl(this.max);
  }
}
