/**
 * Vectorising a probability raster of any size in bounded memory, with the same polygons as the
 * whole-raster vectoriser (vector/polygonize.ts) would give.
 *
 * Why this design: a component can cross any number of strip borders, and the exact tracer needs
 * the component's labels (saddle pixels are resolved by component identity). So the work is split
 * in two passes over row strips:
 * 1. Threshold + closing + opening per strip (on the occupied columns only, sparse-morphology.ts),
 *    read with a halo of 2·(close + open radius) rows so the morphology equals the whole-raster one; the cleaned mask goes to a bit file on disk
 *    (1 bit per pixel); components are labelled per strip and joined across strip borders with a
 *    union-find, which also merges their statistics (pixel count, bounding box, probabilities).
 * 2. Per strip, components whose top row lies in it are traced from a window of rows that reaches
 *    down to their bottom row, re-read from the bit file; a component lies inside its bounding
 *    box, so labelling that window separates it exactly as labelling the whole raster would.
 *    Components taller than `maxStrips` strips (whole-scene false alarms) are cut at strip borders
 *    into pieces instead, so one bad component cannot make memory grow; a note says so.
 *    A strip takes pass 2 as soon as all its components are closed, so over a raster still being
 *    written both passes follow the rows and little is left for the end.
 */
import { join } from 'node:path';
import { throwIfAborted } from '../errors.js';
import { BitRowsFile } from '../raster/bit-rows.js';
import { nonZeroStretches } from '../raster/byte-scan.js';
import {
  componentStats,
  labelComponents,
  unionColumns,
  type ColumnRuns,
  type Labeling,
} from '../vector/components.js';
import {
  applyGeoTransform,
  polygonAreaM2,
  type GeoTransform,
  type MapUnits,
  type Ring,
} from '../vector/geo.js';
import {
  measuredPolygon,
  type ChangePolygon,
  type PolygonizeOptions,
} from '../vector/polygonize.js';
import { traceComponents } from '../vector/trace.js';
import { cleanSparse } from './sparse-morphology.js';
import { ComponentTable, type SceneComponent } from './strip-components.js';

/** Rows of probabilities (0–1, NaN = never changed), read in increasing order. */
export interface ProbabilityRows {
  readonly width: number;
  readonly height: number;
  /** Rows `y0` … `y1 - 1`, row-major. */
  read(y0: number, y1: number, signal?: AbortSignal): Promise<Float32Array>;
  /**
   * The same rows as the bytes they are stored as, where a byte v stands for `table[v]`, exactly
   * the float `read` gives. Optional: with it the vectoriser thresholds bytes and passes over
   * empty stretches four pixels at a time, and never builds a strip of floats.
   */
  readonly bytes?: ProbabilityBytes;
}

/** Stored probability bytes and the float each byte value stands for. */
export interface ProbabilityBytes {
  /** 256 floats: the probability of each byte value. */
  readonly table: Float32Array;
  /** Rows `y0` … `y1 - 1`, row-major; valid until the next call. */
  read(y0: number, y1: number, signal?: AbortSignal): Promise<Uint8Array>;
}

/** A strip's threshold mask, the columns that hold foreground, and its probabilities by index. */
interface Thresholded {
  mask: Uint8Array;
  occupied: Uint8Array;
  prob: (i: number) => number;
}

export interface StripVectoriseOptions extends PolygonizeOptions {
  /** Folder for the temporary bit file of the cleaned mask. */
  scratchDir: string;
  /** Rows per strip; default about 1 megapixel per strip (at least 32 rows). */
  stripRows?: number;
  /** Components taller than this many strips are cut at strip borders (default 8). */
  maxStrips?: number;
  /**
   * Receives the kept mask (255 = a pixel of a kept change), rows in order; the array is reused
   * once the returned promise settles (copy what must outlive the call).
   */
  onMaskRows?: (y: number, rows: Uint8Array) => void | Promise<void>;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface StripVectoriseResult {
  /** In raster order of each polygon's top-left pixel, as {@link vectorise} orders them. */
  polygons: ChangePolygon[];
  /** Pixels of kept changes. */
  keptPixels: number;
  notes: string[];
}

/**
 * Strips whose pass-1 labels are kept for pass 2 (a strip's labels are 4 bytes a pixel, ~4 MB at
 * ~1 MP a strip); strips waiting behind a tall component beyond these are labelled again.
 */
const MAX_PENDING = 8;

/** A row strip: its rows, its first global component id and count, its foreground columns. */
interface Strip {
  y0: number;
  y1: number;
  base: number;
  count: number;
  /** Columns of the cleaned mask that can hold foreground; null until cleaned (or empty). */
  columns: ColumnRuns | null;
}

/** Thresholds, cleans, labels and traces a probability raster strip by strip. */
export async function vectoriseStrips(
  src: ProbabilityRows,
  opts: StripVectoriseOptions,
): Promise<StripVectoriseResult> {
  const vectoriser = new StripVectoriser(src, opts);
  try {
    return await vectoriser.finish();
  } finally {
    vectoriser.dispose();
  }
}

/**
 * {@link vectoriseStrips} in steps, for a raster still being written top to bottom: `advance`
 * runs pass 1 on every strip whose rows (with their halo) are final, and pass 2 on every strip all
 * of whose components are closed (none reaches the last cleaned row, so none can grow), so both
 * passes keep pace with whatever writes the rows; `finish` does the rest once all rows are written.
 */
export class StripVectoriser {
  private readonly strips: Strip[] = [];
  private readonly table = new ComponentTable();
  private readonly bits: BitRowsFile;
  private readonly halo: number;
  private readonly stripRows: number;
  private readonly closeR: number;
  private readonly openR: number;
  /** Components taller than this many rows are cut at strip borders. */
  private readonly maxRows: number;
  private readonly units: MapUnits;
  private readonly tolerance: number;
  /**
   * Component ids along the last row of the last cleaned strip (-1: none; only `columns` can hold
   * any), or null when that strip has no components.
   */
  private above: { ids: Int32Array; columns: ColumnRuns } | null = null;
  private readonly aboveIds: Int32Array;
  /** Smallest stored byte that reaches the threshold (256: none does), for byte sources. */
  private readonly thresholdByte: number;
  /** Strips done by pass 1, and by pass 2. */
  private cleaned = 0;
  private traced = 0;
  /** Pass 2's output so far: polygons keyed by their first pixel, kept pixels, giants cut. */
  private readonly found: { key: number; polygon: ChangePolygon }[] = [];
  private keptPixels = 0;
  private readonly giants = new Set<number>();
  /** Whether each closed root is kept (area at least the minimum). */
  private readonly keptRoots = new Map<number, boolean>();
  /** Whether progress is reported (in `finish` only: `advance` runs behind other work). */
  private reporting = false;
  /** Pass 1's labels of strips pass 2 has not reached yet (a few: else pass 2 labels again). */
  private readonly pending = new Map<number, Labeling>();
  /** The threshold mask of the strip being cleaned (reused: one strip's worth), its columns. */
  private maskBuffer = new Uint8Array(0);
  private readonly occupied: Uint8Array;
  /**
   * Reused per strip rather than allocated (megabytes a strip on wide scenes, whose garbage set
   * the peak): the cleaned mask, the kept mask handed on, and spare label rasters.
   */
  private cleanBuffer = new Uint8Array(0);
  private keptBuffer = new Uint8Array(0);
  /**
   * How much of the threshold mask and the kept mask buffers, from the start, is known to hold
   * only zeros: a strip with nothing in it (most of a screened scene) leaves them as it found them,
   * and the next one need not clear them again.
   */
  private maskZeroTo = 0;
  private keptZeroTo = 0;
  private readonly spareLabels: Int32Array[] = [];

  constructor(
    private readonly src: ProbabilityRows,
    private readonly opts: StripVectoriseOptions,
  ) {
    const { width: w, height: h } = src;
    const gt = opts.geoTransform;
    if (!gt.every(Number.isFinite)) throw new RangeError('geoTransform must be 6 finite numbers');
    this.closeR = opts.closeRadius ?? 1;
    this.openR = opts.openRadius ?? 1;
    this.halo = 2 * (this.closeR + this.openR);
    // ~1 MP strips: a strip's arrays (probability, mask, labels) and the garbage they leave are
    // the vectoriser's peak, and 2 MP strips made it ~60 MB at 16 384 px wide. Twice as many
    // strips a component may span keeps the height at which tall ones are cut where it was.
    this.stripRows = Math.max(
      this.halo + 1,
      opts.stripRows ?? Math.max(32, Math.round(2 ** 20 / w)),
    );
    this.maxRows = this.stripRows * (opts.maxStrips ?? 8);
    this.units = { geographic: opts.geographic, metresPerUnit: opts.metresPerUnit };
    this.tolerance =
      opts.simplifyTolerance ?? 0.5 * Math.sqrt(Math.abs(gt[1] * gt[5] - gt[2] * gt[4]));
    for (let y0 = 0; y0 < h; y0 += this.stripRows)
      this.strips.push({
        y0,
        y1: Math.min(h, y0 + this.stripRows),
        base: 0,
        count: 0,
        columns: null,
      });
    this.aboveIds = new Int32Array(w);
    this.occupied = new Uint8Array(w);
    const table = src.bytes?.table;
    let tb = 0;
    while (table && tb < 256 && !(table[tb] >= opts.threshold)) tb++;
    this.thresholdByte = tb;
    this.bits = new BitRowsFile(
      join(opts.scratchDir, `cleaned-${process.pid}-${Date.now()}.bits`),
      w,
      h,
    );
  }

  /**
   * Pass 1 over every strip not done yet whose rows, halo included, lie above row `ready`, each
   * followed by pass 2 over every cleaned strip whose components are all closed. Pass 2 runs right
   * behind pass 1 so that only strips holding an open component wait with their labels: a finished
   * tile row is ten 64-row strips of a 16384 px wide scene, and cleaning them all before tracing
   * any kept up to MAX_PENDING label rasters (4 MB each) at once.
   */
  async advance(ready: number): Promise<void> {
    const { strips, src, halo } = this;
    while (this.cleaned < strips.length) {
      const strip = strips[this.cleaned];
      const b = Math.min(src.height, strip.y1 + halo);
      if (b > ready) break;
      throwIfAborted(this.opts.signal);
      await this.clean(this.cleaned, Math.max(0, strip.y0 - halo), b);
      this.cleaned++;
      this.progress();
      await this.traceClosed();
    }
  }

  /** Pass 2 over the cleaned strips, in order, while the next one's components are all closed. */
  private async traceClosed(): Promise<void> {
    while (this.traced < this.cleaned && this.closed(this.strips[this.traced])) {
      throwIfAborted(this.opts.signal);
      await this.trace(this.traced);
      this.traced++;
      this.progress();
    }
  }

  /** Drops the scratch bit file. */
  dispose(): void {
    this.bits.dispose();
  }

  private progress(): void {
    if (this.reporting) this.opts.onProgress?.(this.cleaned + this.traced, this.strips.length * 2);
  }

  /**
   * The threshold mask of rows a … b - 1 (a view of the reused buffer), the columns holding
   * foreground, and the rows' probabilities; null when no pixel reaches the threshold.
   */
  private async threshold(a: number, b: number): Promise<Thresholded | null> {
    const { src, opts, occupied } = this;
    const w = src.width;
    const n = (b - a) * w;
    if (this.maskBuffer.length < n) this.maskBuffer = new Uint8Array(n);
    const mask = this.maskBuffer.subarray(0, n);
    if (this.maskZeroTo < n) mask.fill(0, this.maskZeroTo);
    occupied.fill(0);
    let any = false;
    if (src.bytes) {
      const { table } = src.bytes;
      const data = await src.bytes.read(a, b, opts.signal);
      const tb = this.thresholdByte;
      const hit = (j: number) => {
        mask[j] = 1;
        occupied[j % w] = 1;
        any = true;
      };
      if (tb === 0) {
        for (let j = 0; j < n; j++) hit(j);
      } else if (tb < 256) {
        // Four pixels a test where all four are 0 (outside every changed area of a screened run).
        nonZeroStretches(data, (from, to) => {
          for (let k = from; k < to; k++) if (data[k] >= tb) hit(k);
        });
      }
      this.maskZeroTo = any ? 0 : Math.max(this.maskZeroTo, n);
      return any ? { mask, occupied, prob: (k) => table[data[k]] } : null;
    }
    const prob = await src.read(a, b, opts.signal);
    const t = opts.threshold;
    for (let i = 0; i < n; i++) {
      if (!(prob[i] >= t)) continue;
      mask[i] = 1;
      occupied[i % w] = 1;
      any = true;
    }
    this.maskZeroTo = any ? 0 : Math.max(this.maskZeroTo, n);
    return any ? { mask, occupied, prob: (k) => prob[k] } : null;
  }

  /**
   * Pass 1 on one strip: clean, park on disk, label, join across the strip border above. Every
   * step after thresholding runs on the columns that hold foreground only.
   */
  private async clean(index: number, a: number, b: number) {
    const { table, bits } = this;
    const strip = this.strips[index];
    const w = this.src.width;
    const found = await this.threshold(a, b);
    if (!found) {
      // Nothing changed here (most of a scene): no morphology, no labels; the bit file reads
      // rows never written as zeros.
      strip.base = table.length;
      this.above = null;
      return;
    }
    const n = (b - a) * w;
    if (this.cleanBuffer.length < n) this.cleanBuffer = new Uint8Array(n);
    const cleaned = cleanSparse(
      found.mask,
      w,
      b - a,
      this.closeR,
      this.openR,
      found.occupied,
      this.cleanBuffer.subarray(0, n),
    );
    const { columns } = cleaned;
    const off = (strip.y0 - a) * w;
    const core = cleaned.mask.subarray(off, (strip.y1 - a) * w);
    bits.writeRows(strip.y0, core, columns);
    const rows = strip.y1 - strip.y0;
    const lab = labelComponents(core, w, rows, { columns, into: this.takeLabels(rows * w) });
    strip.base = table.addStrip(lab, strip.y0, (i) => found.prob(off + i));
    strip.count = lab.count;
    strip.columns = columns;
    if (this.pending.size < MAX_PENDING) this.pending.set(index, lab);
    if (this.above) {
      // Labels of this strip lie in its columns: only they can join the row above.
      const above = this.above.ids;
      for (let j = 0; j < columns.length; j += 2) {
        for (let x = columns[j]; x < columns[j + 1]; x++) {
          if (above[x] >= 0 && lab.labels[x] > 0)
            table.union(above[x], strip.base + lab.labels[x] - 1);
        }
      }
    }
    if (lab.count === 0) {
      this.above = null;
      if (!this.pending.has(index)) this.giveLabels(lab.labels);
      return;
    }
    const ids = this.aboveIds;
    ids.fill(-1);
    const last = (strip.y1 - strip.y0 - 1) * w;
    for (let j = 0; j < columns.length; j += 2) {
      for (let x = columns[j]; x < columns[j + 1]; x++) {
        const k = lab.labels[last + x];
        if (k > 0) ids[x] = strip.base + k - 1;
      }
    }
    this.above = { ids, columns };
    if (!this.pending.has(index)) this.giveLabels(lab.labels);
  }

  /**
   * Whether every component of a cleaned strip is closed: unions only join the last cleaned row to
   * the next strip, so a component with no pixel on that row is final (pixels, extent, statistics).
   */
  private closed(strip: { base: number; count: number }): boolean {
    if (strip.count === 0 || this.cleaned === this.strips.length || !this.above) return true;
    const { table } = this;
    const { ids, columns } = this.above;
    const open = new Set<number>();
    for (let j = 0; j < columns.length; j += 2) {
      for (let x = columns[j]; x < columns[j + 1]; x++)
        if (ids[x] >= 0) open.add(table.find(ids[x]));
    }
    for (let id = strip.base; id < strip.base + strip.count; id++)
      if (open.has(table.find(id))) return false;
    return true;
  }

  /** Whether closed root `id` is kept (area from the pixel count, as the whole-raster vectoriser). */
  private kept(id: number): boolean {
    let kept = this.keptRoots.get(id);
    if (kept === undefined) {
      const c = this.table.component(id);
      kept = componentAreaM2(c, this.opts.geoTransform, this.units) >= this.opts.minAreaM2;
      this.keptRoots.set(id, kept);
    }
    return kept;
  }

  private giant(c: SceneComponent): boolean {
    return c.maxY - c.minY + 1 > this.maxRows;
  }

  /**
   * Pass 2 on one strip whose components are closed: writes its rows of the kept mask, traces
   * the kept components that start in it (from a window of the bit file reaching down to their
   * bottom row) and the pieces of giant components inside it.
   */
  private async trace(index: number) {
    const { opts, table, bits } = this;
    const w = this.src.width;
    const strip = this.strips[index];
    const { y0, y1, base } = strip;
    if (strip.count === 0) {
      await opts.onMaskRows?.(y0, this.keptRows((y1 - y0) * w, false));
      return;
    }
    // Pass 1's labels when kept, else the same labels again from the strip's bits.
    const columns = strip.columns ?? undefined;
    const coreLab =
      this.pending.get(index) ??
      labelComponents(bits.readRows(y0, y1), w, y1 - y0, {
        columns,
        into: this.takeLabels((y1 - y0) * w),
      });
    this.pending.delete(index);
    // Per label of the strip: its root, and whether that root is kept.
    const roots = new Int32Array(coreLab.count + 1);
    const keep = new Uint8Array(coreLab.count + 1);
    for (let k = 1; k <= coreLab.count; k++) {
      roots[k] = table.find(base + k - 1);
      keep[k] = this.kept(roots[k]) ? 255 : 0;
    }
    const out = this.keptRows((y1 - y0) * w, true);
    const labels = coreLab.labels;
    const runs = coreLab.columns ?? Int32Array.of(0, w);
    for (let r = 0; r < y1 - y0; r++) {
      for (let j = 0; j < runs.length; j += 2) {
        for (let p = r * w + runs[j]; p < r * w + runs[j + 1]; p++) {
          const v = keep[labels[p]];
          if (v !== 0) {
            out[p] = v;
            this.keptPixels++;
          }
        }
      }
    }
    await opts.onMaskRows?.(y0, out);

    // Kept components starting in this strip, traced whole; pieces of giant ones inside it.
    const owned: SceneComponent[] = [];
    let cut = false;
    const seen = new Set<number>();
    for (let k = 1; k <= coreLab.count; k++) {
      const id = roots[k];
      if (!keep[k] || seen.has(id)) continue;
      seen.add(id);
      const c = table.component(id);
      if (this.giant(c)) {
        this.giants.add(id);
        cut = true;
      } else if (c.minY >= y0) owned.push(c);
    }
    if (owned.length > 0) {
      const end = Math.max(y1, ...owned.map((c) => c.maxY + 1));
      const lab: Labeling =
        end === y1
          ? coreLab
          : labelComponents(bits.readRows(y0, end), w, end - y0, {
              columns: this.columnsOver(index, end),
            });
      const local = new Map<number, SceneComponent>();
      for (const c of owned) local.set(lab.labels[c.firstPixel - y0 * w], c);
      for (const t of traceComponents(lab, (k) => local.has(k))) {
        const c = local.get(t.label) as SceneComponent;
        this.found.push({ key: c.firstPixel, polygon: this.polygon(t.rings, y0, c, c.pixelCount) });
      }
    }
    if (cut) {
      const pieces = componentStats(coreLab);
      const giantOf = (k: number) => keep[k] !== 0 && this.giants.has(roots[k]);
      for (const t of traceComponents(coreLab, giantOf)) {
        const piece = pieces[t.label - 1];
        const c = table.component(roots[t.label]);
        this.found.push({
          key: y0 * w + piece.firstPixel,
          polygon: this.polygon(t.rings, y0, c, piece.pixelCount),
        });
      }
    }
    this.giveLabels(coreLab.labels);
  }

  /** A zeroed label raster of n pixels, from the spares when one fits. */
  private takeLabels(n: number): Int32Array {
    const k = this.spareLabels.findIndex((a) => a.length >= n);
    const labels = k >= 0 ? this.spareLabels.splice(k, 1)[0] : new Int32Array(n);
    return labels.subarray(0, n).fill(0);
  }

  /** Keeps a strip's label raster for the next strip (a couple at most). */
  private giveLabels(labels: Int32Array): void {
    if (this.spareLabels.length < 2) this.spareLabels.push(new Int32Array(labels.buffer));
  }

  /** The reused kept-mask buffer, n bytes, zeroed; `written`: the caller marks pixels in it. */
  private keptRows(n: number, written: boolean): Uint8Array {
    if (this.keptBuffer.length < n) this.keptBuffer = new Uint8Array(n);
    const rows = this.keptBuffer.subarray(0, n);
    if (this.keptZeroTo < n) rows.fill(0, this.keptZeroTo);
    this.keptZeroTo = written ? 0 : Math.max(this.keptZeroTo, n);
    return rows;
  }

  /** The columns holding foreground in the cleaned strips from `index` down to row `end`. */
  private columnsOver(index: number, end: number): ColumnRuns {
    const sets: ColumnRuns[] = [];
    for (let k = index; k < this.strips.length && this.strips[k].y0 < end; k++) {
      const c = this.strips[k].columns;
      if (c) sets.push(c);
    }
    return unionColumns(sets);
  }

  /** A traced component's rings (strip coordinates from row y0) as a measured polygon. */
  private polygon(rings: Ring[], y0: number, c: SceneComponent, pixels: number): ChangePolygon {
    const gt = this.opts.geoTransform;
    const gtRow: GeoTransform = [
      gt[0] + y0 * gt[2],
      gt[1],
      gt[2],
      gt[3] + y0 * gt[5],
      gt[4],
      gt[5],
    ];
    return measuredPolygon(rings, gtRow, this.tolerance, this.units, { ...c, pixelCount: pixels });
  }

  /** Both passes on whatever is left (every row must be final); the polygons in raster order. */
  async finish(): Promise<StripVectoriseResult> {
    this.reporting = true;
    this.progress();
    await this.advance(this.src.height);
    if (this.traced < this.strips.length) throw new Error('strips left untraced at the end');
    const notes =
      this.giants.size > 0
        ? [
            `${this.giants.size} change region(s) taller than ${this.maxRows} rows were cut into pieces at row-strip borders to keep memory bounded`,
          ]
        : [];
    const found = [...this.found].sort((a, b) => a.key - b.key);
    return { polygons: found.map((f) => f.polygon), keptPixels: this.keptPixels, notes };
  }
}

/** A component's area from its pixel count and the area of the pixel at its centre. */
function componentAreaM2(c: SceneComponent, gt: GeoTransform, units: MapUnits): number {
  const col = (c.minX + c.maxX) / 2;
  const row = (c.minY + c.maxY) / 2;
  const ring = [
    [col, row],
    [col, row + 1],
    [col + 1, row + 1],
    [col + 1, row],
    [col, row],
  ].map(([cc, r]) => applyGeoTransform(gt, cc, r));
  return c.pixelCount * polygonAreaM2([ring], units);
}
