/**
 * Seam-free blending in bounded memory: the weighted sums of overlapping tiles are kept only for
 * the rows of the tile row in flight (one tile height × the window width, 4 bytes a pixel), and
 * rows are handed out as soon as no later tile can touch them. A whole-scene probability never
 * exists in memory.
 *
 * The blending weights are separable (a Hann ramp across × a ramp down), so the total weight of
 * a pixel is not stored but recomputed when its row is finished, from the ramps of the tiles that
 * ran over it. A pixel that any tile saw without data holds NaN, which stays NaN whatever is
 * added to it and comes out as probability 0.
 */
import { unionColumns, type ColumnRuns } from '../vector/components.js';
import { ramp, type Tile, type TileAxes } from './tiling.js';

/**
 * The blending state of rows not yet final, saved with a checkpoint so a resumed run continues the
 * blend exactly where it stopped: rows `y` … `y + rows - 1` of the window.
 */
export interface BandCarry {
  y: number;
  rows: number;
  width: number;
  /** Σ probability × weight per pixel; NaN where a date has no data. */
  sum: Float32Array;
}

/** The tile grid being blended: its axes, the window size, the overlap and which tiles run. */
export interface BlendGrid {
  axes: TileAxes;
  width: number;
  height: number;
  overlap: number;
  /** Whether tile (row, col) runs; tiles that do not run add no weight. */
  active: (row: number, col: number) => boolean;
  /**
   * The part of tile (row, col) that runs (a screened run's crop, tile-crops.ts), inside the tile;
   * absent: whole tiles. A crop keeps its tile's weights, so where crops of neighbouring tiles
   * meet the blend is the full sweep's.
   */
  rect?: (row: number, col: number) => Tile;
}

/**
 * Accumulates `prob × weight` per pixel for a band of one tile height that starts at window row
 * {@link BandBlender.top}; {@link BandBlender.flush} turns the rows above a given row into
 * probabilities and moves the band down. Tiles are added row by row of the grid.
 */
export class BandBlender {
  private readonly sum: Float32Array;
  private readonly capacity: number;
  private readonly colRamps: Float32Array[];
  private readonly rowRamps: Float32Array[];
  private readonly profiles = new Map<number, Float32Array>();
  /** Crops' rectangles and ramps by tile index, while their tile row is in flight. */
  private readonly cropRamps = new Map<
    number,
    { rect: Tile; wx: Float32Array; wy: Float32Array }
  >();
  /** Reused by {@link BandBlender.flush}: its output rows, and one row's total weights. */
  private out = new Float32Array(0);
  private readonly weight: Float32Array;
  /** The columns any tile (or crop) ran over in the rows of the last flush. */
  private lastColumns: ColumnRuns = new Int32Array(0);
  private y0 = 0;
  /** Rows of the band that hold contributions (from the top). */
  private used = 0;
  /**
   * Where the band's top row lies in `sum`, in rows. Flushing only moves this down; the rows in
   * flight are moved back to the start once, when the next tile row is added (moving them at
   * every 64-row flush copied the whole band ten times a tile row: seconds at 8192 px wide).
   */
  private off = 0;

  constructor(
    private readonly grid: BlendGrid,
    carry?: BandCarry | null,
  ) {
    const { axes, width, height, overlap } = grid;
    this.capacity = axes.tileHeight;
    this.sum = new Float32Array(width * this.capacity);
    this.weight = new Float32Array(width);
    // Ramps per tile column and row: only edges on the window border differ (they keep weight 1).
    const tw = axes.tileWidth;
    const th = axes.tileHeight;
    this.colRamps = axes.xs.map((x) => ramp(tw, overlap, x > 0, x + tw < width));
    this.rowRamps = axes.ys.map((y) => ramp(th, overlap, y > 0, y + th < height));
    if (carry) {
      if (carry.width !== width || carry.rows > this.capacity) {
        throw new Error(`checkpoint carry of ${carry.width}×${carry.rows} does not fit the band`);
      }
      this.y0 = carry.y;
      this.used = carry.rows;
      this.sum.set(carry.sum);
    }
  }

  /** Window row of the band's first row; every row above it has been flushed. */
  get top(): number {
    return this.y0;
  }

  /**
   * Adds tile (row, col)'s probabilities and no-data flags (tile-sized, row-major; null = the tile
   * has no no-data pixels).
   */
  add(row: number, col: number, prob: Float32Array, invalid: Uint8Array | null): void {
    const { axes, width } = this.grid;
    const { rect: t, wx, wy } = this.tileRamps(row, col);
    const x0 = t.x;
    const r0 = t.y - this.y0;
    const tw = t.width;
    const th = t.height;
    if (r0 < 0 || axes.ys[row] + axes.tileHeight - this.y0 > this.capacity) {
      throw new Error(`tile row ${row} lies outside the blending band at ${this.y0}`);
    }
    if (this.off > 0) this.compact();
    const sum = this.sum;
    for (let r = 0; r < th; r++) {
      const o = (r0 + r) * width + x0;
      const k0 = r * tw;
      const wr = wy[r];
      if (invalid) {
        for (let c = 0; c < tw; c++) {
          sum[o + c] += invalid[k0 + c] ? Number.NaN : prob[k0 + c] * (wr * wx[c]);
        }
      } else {
        // Most tiles: no no-data, one multiply-add a pixel.
        for (let c = 0; c < tw; c++) sum[o + c] += prob[k0 + c] * (wr * wx[c]);
      }
    }
    this.used = Math.max(this.used, r0 + th);
  }

  /** The part of tile (row, col) that runs and its ramps across and down. */
  private tileRamps(row: number, col: number): { rect: Tile; wx: Float32Array; wy: Float32Array } {
    const { axes, rect } = this.grid;
    if (!rect) {
      const tile = {
        x: axes.xs[col],
        y: axes.ys[row],
        width: axes.tileWidth,
        height: axes.tileHeight,
      };
      return { rect: tile, wx: this.colRamps[col], wy: this.rowRamps[row] };
    }
    const key = row * axes.xs.length + col;
    let hit = this.cropRamps.get(key);
    if (!hit) {
      // The tile's own ramps over the crop: where crops of neighbouring tiles meet, each pixel is
      // weighted exactly as in a full sweep.
      const t = rect(row, col);
      const dx = t.x - axes.xs[col];
      const dy = t.y - axes.ys[row];
      hit = {
        rect: t,
        wx: this.colRamps[col].subarray(dx, dx + t.width),
        wy: this.rowRamps[row].subarray(dy, dy + t.height),
      };
      this.cropRamps.set(key, hit);
    }
    return hit;
  }

  /**
   * Final probabilities of rows `top` … `y - 1` (row-major, 0 where a date has no data or no tile
   * ran), after which the band starts at `y`. The rows are a view of a buffer the next flush
   * reuses (a fresh array per flush was ~270 MB of garbage at 8192²): consume them before it.
   * Only columns some tile ran over are computed ({@link BandBlender.flushedColumns}): a screened
   * run's crops cover a few per cent of a wide scene.
   */
  flush(y: number): Float32Array {
    const n = y - this.y0;
    if (n < 0 || n > this.capacity) throw new Error(`cannot flush to row ${y} from ${this.y0}`);
    if (this.off + n > this.capacity) this.compact();
    const width = this.grid.width;
    if (this.out.length < n * width) this.out = new Float32Array(n * width);
    const out = this.out.subarray(0, n * width);
    const columns = this.coverage(this.y0, y);
    out.fill(0);
    const weight = this.weight;
    const sum = this.sum;
    const base = this.off * width;
    for (let r = 0; r < n; r++) {
      this.rowWeight(this.y0 + r, weight);
      const o = r * width;
      const at = base + o;
      for (let j = 0; j < columns.length; j += 2) {
        const end = columns[j + 1];
        for (let x = columns[j]; x < end; x++) {
          const s = sum[at + x];
          const w = weight[x];
          out[o + x] = s !== s || w === 0 ? 0 : s / w;
        }
      }
    }
    this.off += n;
    this.y0 = y;
    this.lastColumns = columns;
    // Crops of tile rows wholly above the band are done with (once a flush, not once a row).
    const { axes } = this.grid;
    for (const key of this.cropRamps.keys()) {
      if (axes.ys[Math.floor(key / axes.xs.length)] + axes.tileHeight <= y)
        this.cropRamps.delete(key);
    }
    this.used = Math.max(0, this.used - n);
    return out;
  }

  /**
   * The column runs of the last flush's rows that any tile or crop ran over: the rows are 0
   * outside them (no tile, no weight). Valid until the next flush.
   */
  get flushedColumns(): ColumnRuns {
    return this.lastColumns;
  }

  /** Column runs that the tiles (or crops) that ran cover within rows y0 … y1 - 1. */
  private coverage(y0: number, y1: number): ColumnRuns {
    const { axes, active, rect } = this.grid;
    const pairs: number[] = [];
    for (let row = 0; row < axes.ys.length; row++) {
      if (axes.ys[row] >= y1 || axes.ys[row] + axes.tileHeight <= y0) continue;
      for (let col = 0; col < axes.xs.length; col++) {
        if (!active(row, col)) continue;
        if (!rect) {
          pairs.push(axes.xs[col], axes.xs[col] + axes.tileWidth);
          continue;
        }
        const t = this.tileRamps(row, col).rect;
        if (t.y < y1 && t.y + t.height > y0 && t.width > 0) pairs.push(t.x, t.x + t.width);
      }
    }
    return unionColumns([Int32Array.from(pairs)]);
  }

  /** Moves the band's rows to the start of `sum` and clears the rows below them. */
  private compact(): void {
    const width = this.grid.width;
    const keep = Math.min(this.used, this.capacity - this.off);
    this.sum.copyWithin(0, this.off * width, (this.off + keep) * width);
    this.sum.fill(0, keep * width);
    this.off = 0;
  }

  /**
   * The rows in flight, for a checkpoint. `sum` is a view of the band, not a copy (a copy would be
   * another tile height × window width × 4 B at every tile row): consume it before the next
   * {@link BandBlender.add} or {@link BandBlender.flush}.
   */
  carry(): BandCarry {
    const width = this.grid.width;
    const at = this.off * width;
    return {
      y: this.y0,
      rows: this.used,
      width,
      sum: this.sum.subarray(at, at + this.used * width),
    };
  }

  /** Total blending weight of every pixel of window row y, from the tiles that ran over it. */
  private rowWeight(y: number, out: Float32Array): void {
    const { axes, rect, active } = this.grid;
    out.fill(0);
    for (let row = 0; row < axes.ys.length; row++) {
      const r = y - axes.ys[row];
      if (r < 0 || r >= axes.tileHeight) continue;
      if (rect) {
        // Crops: each crop covering the row adds its own ramps.
        for (let col = 0; col < axes.xs.length; col++) {
          if (!active(row, col)) continue;
          const { rect: t, wx, wy } = this.tileRamps(row, col);
          const ry = y - t.y;
          if (ry < 0 || ry >= t.height) continue;
          const wr = wy[ry];
          for (let c = 0; c < t.width; c++) out[t.x + c] += wr * wx[c];
        }
        continue;
      }
      // Weight = Σ over covering tile rows of (ramp down) × (sum of the row's ramps across).
      const wr = this.rowRamps[row][r];
      const across = this.columnProfile(row);
      for (let x = 0; x < out.length; x++) out[x] += wr * across[x];
    }
  }

  /** Σ of the ramps across of tile row `row`'s tiles that ran, cached while the row is in flight. */
  private columnProfile(row: number): Float32Array {
    const hit = this.profiles.get(row);
    if (hit) return hit;
    const { axes, active, width } = this.grid;
    const profile = new Float32Array(width);
    for (let col = 0; col < axes.xs.length; col++) {
      if (!active(row, col)) continue;
      const wx = this.colRamps[col];
      const x0 = axes.xs[col];
      for (let c = 0; c < axes.tileWidth; c++) profile[x0 + c] += wx[c];
    }
    // Rows above the band are done with; at most a few tile rows cover the band.
    for (const key of this.profiles.keys()) {
      if (axes.ys[key] + axes.tileHeight <= this.y0) this.profiles.delete(key);
    }
    this.profiles.set(row, profile);
    return profile;
  }
}
