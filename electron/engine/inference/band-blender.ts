/**
 * Seam-free blending in bounded memory: the weighted sums of overlapping tiles are kept only for
 * the rows of the tile row in flight (one tile height × the window width, 4 bytes a pixel), and
 * rows are handed out as soon as no later tile can touch them. A whole-scene probability never
 * exists in memory, nor does a wide scene's band: given a folder to spill to, a band beyond
 * 16 MB of sums keeps the column chunks the tiles are not working on in a scratch file
 * (band-store.ts).
 *
 * The blending weights are separable (a Hann ramp across × a ramp down), so the total weight of
 * a pixel is not stored but recomputed when its row is finished, from the ramps of the tiles that
 * ran over it. A pixel that any tile saw without data holds NaN, which stays NaN whatever is
 * added to it and comes out as probability 0.
 */
import { unionColumns, type ColumnRuns } from '../vector/components.js';
import { BandStore, type BandSpill } from './band-store.js';
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

/**
 * A band's rows in flight as {@link BandBlender.carry} gives them: whole rows, in pieces of a few
 * rows, in order (a spilled band is never assembled whole). Each piece is valid until the next.
 */
export interface BandRows {
  y: number;
  rows: number;
  width: number;
  pieces(): Iterable<Float32Array>;
}

/** The tile grid being blended: its axes, the window size, the overlap and which tiles run. */
export interface BlendGrid {
  axes: TileAxes;
  width: number;
  height: number;
  overlap: number;
  /** Share of each shared overlap left (almost) out of the blend (tiling.ts `ramp`); absent: 0. */
  trim?: number;
  /** Whether tile (row, col) runs; tiles that do not run add no weight. */
  active: (row: number, col: number) => boolean;
  /**
   * The part of tile (row, col) that runs (a screened run's crop, tile-crops.ts), inside the tile;
   * absent: whole tiles. A crop keeps its tile's weights, so where crops of neighbouring tiles
   * meet the blend is the full sweep's.
   */
  rect?: (row: number, col: number) => Tile;
  /** Where a band too wide for memory keeps its chunks; absent: always in memory. */
  spill?: BandSpill | null;
}

/**
 * Accumulates `prob × weight` per pixel for a band of one tile height that starts at window row
 * {@link BandBlender.top}; {@link BandBlender.flush} turns the rows above a given row into
 * probabilities and moves the band down. Tiles are added row by row of the grid.
 */
export class BandBlender {
  private readonly store: BandStore;
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
  /** Rows of `out` the last flush wrote (within `lastColumns`; `out` is 0 everywhere else). */
  private lastRows = 0;
  private y0 = 0;
  /** Rows of the band that hold contributions (from the top). */
  private used = 0;

  constructor(
    private readonly grid: BlendGrid,
    carry?: BandCarry | BandRows | null,
  ) {
    const { axes, width, height, overlap, trim = 0 } = grid;
    this.capacity = axes.tileHeight;
    this.store = new BandStore(width, this.capacity, grid.spill, carry?.y ?? 0);
    this.weight = new Float32Array(width);
    // Ramps per tile column and row: only edges on the window border differ (they keep weight 1).
    const tw = axes.tileWidth;
    const th = axes.tileHeight;
    this.colRamps = axes.xs.map((x) => ramp(tw, overlap, x > 0, x + tw < width, trim));
    this.rowRamps = axes.ys.map((y) => ramp(th, overlap, y > 0, y + th < height, trim));
    if (carry) {
      if (carry.width !== width || carry.rows > this.capacity) {
        this.store.dispose();
        throw new Error(`checkpoint carry of ${carry.width}×${carry.rows} does not fit the band`);
      }
      this.y0 = carry.y;
      this.used = carry.rows;
      this.restore(carry);
    }
  }

  /** The carry's rows into the band, chunk by chunk. */
  private restore(carry: BandCarry | BandRows): void {
    const { width } = this.grid;
    const pieces = 'sum' in carry ? [carry.sum] : carry.pieces();
    let y = carry.y;
    for (const piece of pieces) {
      const n = piece.length / width;
      for (let j = 0; j < this.store.chunkCount; j++) {
        const { data, x0, columns } = this.store.forAdd(j, this.y0, y + n);
        for (let r = 0; r < n; r++) {
          const at = ((y + r) % this.capacity) * columns;
          data.set(piece.subarray(r * width + x0, r * width + x0 + columns), at);
        }
      }
      y += n;
    }
  }

  /** Ends the blender: a spilled band's scratch file is deleted. */
  dispose(): void {
    this.store.dispose();
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
    const { axes } = this.grid;
    const { rect: t, wx, wy } = this.tileRamps(row, col);
    const x0 = t.x;
    const r0 = t.y - this.y0;
    const tw = t.width;
    const th = t.height;
    if (r0 < 0 || axes.ys[row] + axes.tileHeight - this.y0 > this.capacity) {
      throw new Error(`tile row ${row} lies outside the blending band at ${this.y0}`);
    }
    // Chunk by chunk (one chunk for a band in memory); the same sums in the same order as one
    // array would get them.
    const store = this.store;
    const cap = this.capacity;
    const j0 = Math.floor(x0 / store.chunkColumns);
    const j1 = Math.floor((x0 + tw - 1) / store.chunkColumns);
    for (let j = j0; j <= j1 && tw > 0; j++) {
      const { data, x0: cx, columns } = store.forAdd(j, this.y0, t.y + th);
      const c0 = Math.max(0, cx - x0);
      const c1 = Math.min(tw, cx + columns - x0);
      for (let r = 0; r < th; r++) {
        // data[o + c] is window column x0 + c of the tile's row r.
        const o = ((t.y + r) % cap) * columns + x0 - cx;
        const k0 = r * tw;
        const wr = wy[r];
        if (invalid) {
          for (let c = c0; c < c1; c++) {
            data[o + c] += invalid[k0 + c] ? Number.NaN : prob[k0 + c] * (wr * wx[c]);
          }
        } else {
          // Most tiles: no no-data, one multiply-add a pixel.
          for (let c = c0; c < c1; c++) data[o + c] += prob[k0 + c] * (wr * wx[c]);
        }
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
    const width = this.grid.width;
    if (this.out.length < n * width) {
      this.out = new Float32Array(n * width);
      this.lastRows = 0;
    }
    const out = this.out.subarray(0, n * width);
    const columns = this.coverage(this.y0, y);
    // Only what the last flush wrote is not 0 (a screened run's crops cover a few per cent of
    // the rows' width; clearing whole rows was most of flushing them).
    clearRuns(this.out, this.lastRows, width, this.lastColumns);
    // The sums first, chunk by chunk (a spilled chunk's rows are read, not loaded) …
    const store = this.store;
    for (let k = 0; k < columns.length; k += 2) {
      const x1 = columns[k + 1];
      for (let x = columns[k]; x < x1;) {
        const j = Math.floor(x / store.chunkColumns);
        const end = Math.min(x1, (j + 1) * store.chunkColumns);
        store.copyRows(j, this.y0, y, x, end, out);
        // Copied out: the band's rows are 0 again where tiles added to them.
        store.clearRows(j, this.y0, y, x, end);
        x = end;
      }
    }
    // … then each divided by its pixel's total weight, row by row.
    const weight = this.weight;
    for (let r = 0; r < n; r++) {
      this.rowWeight(this.y0 + r, weight, columns);
      const o = r * width;
      for (let j = 0; j < columns.length; j += 2) {
        const end = columns[j + 1];
        for (let x = columns[j]; x < end; x++) {
          const s = out[o + x];
          const w = weight[x];
          out[o + x] = s !== s || w === 0 ? 0 : s / w;
        }
      }
    }
    store.moveTop(y);
    this.y0 = y;
    this.lastColumns = columns;
    this.lastRows = n;
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

  /**
   * The rows in flight, for a checkpoint: whole rows in pieces of up to 16, read from the band as
   * they are iterated (a copy of the whole carry would be up to a tile height × window width × 4 B
   * at every tile row). Consume the pieces before the next {@link BandBlender.add} or
   * {@link BandBlender.flush}.
   */
  carry(): BandRows {
    const { width } = this.grid;
    const { y0, used, store } = this;
    return {
      y: y0,
      rows: used,
      width,
      *pieces() {
        const step = Math.max(1, Math.min(used, 16));
        const buffer = new Float32Array(step * width);
        for (let y = y0; y < y0 + used; y += step) {
          const n = Math.min(step, y0 + used - y);
          const piece = buffer.subarray(0, n * width);
          piece.fill(0);
          for (let j = 0; j < store.chunkCount; j++) {
            const x0 = j * store.chunkColumns;
            store.copyRows(j, y, y + n, x0, x0 + store.columnsOf(j), piece);
          }
          yield piece;
        }
      },
    };
  }

  /**
   * Total blending weight of every pixel of window row y, from the tiles that ran over it; with
   * crops, only within `columns` (the crops' coverage; the rest of `out` is left as it was).
   */
  private rowWeight(y: number, out: Float32Array, columns: ColumnRuns): void {
    const { axes, rect, active } = this.grid;
    if (rect) clearRuns(out, 1, out.length, columns);
    else out.fill(0);
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

/** Zeroes columns `runs` (start/end pairs) of the first `rows` rows of `width` values of `a`. */
function clearRuns(a: Float32Array, rows: number, width: number, runs: ColumnRuns): void {
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    for (let k = 0; k < runs.length; k += 2) a.fill(0, o + runs[k], o + runs[k + 1]);
  }
}
