/**
 * Coarse-to-fine screening (the Laplacian-pyramid tiling of issue 3, METHODS.md M4 step 2): both
 * dates are reduced to the coarse level of a Gaussian pyramid, the model runs over that level
 * (factor² fewer pixels), and a full-resolution tile is run only when the coarse probability
 * within `marginPx` of it reaches a low screening threshold. Everything else is taken as
 * unchanged. The coarse probability is never stored: each finished coarse row marks the tiles it
 * reaches, so screening adds one bit per tile to memory. Where a date carries a COG overview at the
 * factor (or at a power of two below it), the level is reduced from that instead of from every
 * full-resolution block, which the issue allows and which makes the coarse pass cheap. From an
 * overview at the factor itself the level is never built: each coarse tile is computed from the
 * overview as the model asks for it (coarse-windows.ts), while the model runs the tile before.
 */
import { join } from 'node:path';
import { CoarseWindows } from '../raster/coarse-windows.js';
import { alignedOverview, type OverviewReader } from '../raster/overview-reader.js';
import { buildCoarseLevel, coarseSize } from '../raster/pyramid.js';
import { RasterSource } from '../raster/raster-source.js';
import { ScratchRaster } from '../raster/scratch-raster.js';
import type { ModelCard } from './model-card.js';
import type { DateInput } from './tile-predict.js';
import { runTileRows } from './tile-rows.js';
import type { TileAxes } from './tiling.js';
import { KIND_FACTOR } from './kind-map.js';
import type { TileCrops } from './tile-crops.js';
import type { RunSession } from './session.js';

/** How screening decides. */
export interface ScreeningOptions {
  /** Pyramid reduction of the coarse level. */
  factor: number;
  /** Coarse probability from which a tile may hold change (well under the detection threshold). */
  threshold: number;
  /** Distance in full-resolution pixels a coarse hit reaches (the dilation of the coarse map). */
  marginPx: number;
  /**
   * Imagery the model sees around the hits of a kept tile, in full-resolution pixels: the tile is
   * cropped to its hits grown by this much (in steps of the model's multiple), not run whole.
   * Omitted: whole tiles.
   */
  contextPx?: number;
}

/**
 * Defaults. Factor 4 keeps a 20 px building at 5 coarse pixels, which the model still sees. The
 * margin only has to cover how far a change's full-resolution response reaches beyond the coarse
 * cells that see it. Chosen on a tuning scene the benchmark does not use (cogeo.tif mirrored to
 * 8192², sites seed 11; 190,299 changed pixels in the full sweep). With whole tiles, margins
 * 64 / 32 / 16 / 0 px kept 109 / 100 / 90 / 77 of 441 tiles and lost 0 / 0 / 4 / 4 changed pixels
 * at threshold 0.1. Cropping a kept tile to its hits needs every change to be a hit of its own
 * (a whole tile also found the weak ones beside a strong one): thin roads and small buildings
 * reach only 0.002–0.09 at 1/4 resolution. With 64 px of context, thresholds 0.1 / 0.05 / 0.02 /
 * 0.01 / 0.005 left 1.83 / 1.02 / 0.36 / 0.16 / 0.01 % of the changed pixels outside every crop
 * for 6.6 / 7.0 / 7.2 / 7.4 / 7.7 % of a full sweep's model pixels (0.39–0.61 % of the coarse
 * pixels were hits), so the threshold is low. 64 px of context is half the model's tile overlap.
 */
export const SCREENING_DEFAULTS: ScreeningOptions = {
  factor: 4,
  threshold: 0.005,
  marginPx: 16,
  contextPx: 64,
};

/**
 * A date's coarse level up to this size is built in memory rather than in a scratch file: a 4096²
 * scene's 1/4 level is 12 MB, and reading it back from the file row by row took ~0.13 s of a ~2 s
 * screened run (CPU profile). The level is gone before the full-resolution tiles run, so it does
 * not add to a run's peak.
 */
export const COARSE_MEMORY_BYTES = 16 * 1024 * 1024;

/** Scenes above this many pixels are screened unless the caller says otherwise. */
export const SCREENING_MIN_PIXELS = 4 * 1024 * 1024;

/**
 * The size of the coarse level the model runs over when screening a width × height window: the
 * first tiles a screened detection hands the model (its warm-up runs at their shape).
 */
export function coarseLevelSize(
  width: number,
  height: number,
  options: ScreeningOptions = SCREENING_DEFAULTS,
): { width: number; height: number } {
  return coarseSize(width, height, options.factor);
}

/** What screening did, for the run record and the benchmark. */
export interface ScreeningReport {
  factor: number;
  threshold: number;
  marginPx: number;
  coarseTiles: number;
  /** Reduction of the COG overview each date's coarse level was built from; 1 = full resolution. */
  beforeOverview: number;
  afterOverview: number;
  activeTiles: number;
  totalTiles: number;
  /** Pixels the model runs at full resolution, as a share of a full sweep's (crops included). */
  refinedShare: number;
  seconds: number;
}

export interface ScreenOptions {
  session: RunSession;
  card: ModelCard;
  dates: [DateInput, DateInput];
  /** The full-resolution window, in before-grid pixels. */
  window: { x: number; y: number; width: number; height: number };
  /** The full-resolution tile grid to plan. */
  axes: TileAxes;
  scratchDir: string;
  options?: ScreeningOptions;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the coarse pass; returns the active-tile plan (row-major over `axes`), each active tile's
 * crop (tile-crops.ts; null where tiles run whole) and a report.
 */
export async function screenTiles(o: ScreenOptions): Promise<{
  plan: Uint8Array;
  crops: TileCrops | null;
  report: ScreeningReport;
}> {
  const t0 = performance.now();
  const opts = o.options ?? SCREENING_DEFAULTS;
  const { factor } = opts;
  const { window, axes } = o;
  const coarse = coarseLevelSize(window.width, window.height, opts);
  const levels: (ScratchRaster | CoarseWindows)[] = [];
  const overviews: OverviewReader[] = [];
  const reductions: number[] = [];
  // Built levels count as half the screening work; computed ones (below) as none.
  let built = false;
  try {
    for (const [i, date] of o.dates.entries()) {
      const win = { ...window, x: window.x + date.dx, y: window.y + date.dy };
      // A resampled date has no overview on the before grid: it is reduced from full resolution.
      const overview =
        date.source instanceof RasterSource
          ? await alignedOverview(date.source, factor, win.x, win.y)
          : null;
      if (overview) overviews.push(overview);
      const g = overview?.factor ?? 1;
      reductions.push(g);
      const level = {
        source: overview ?? date.source,
        bands: date.bands,
        window: {
          x: win.x / g,
          y: win.y / g,
          width: Math.ceil(win.width / g),
          height: Math.ceil(win.height / g),
        },
        factor: factor / g,
      };
      if (g === factor) {
        // An overview at the factor: the coarse tiles are computed from it as the model asks
        // for them (coarse-windows.ts), not built into a level first.
        levels.push(new CoarseWindows(level));
        continue;
      }
      // Building reads every source block once (or, from an overview at a lower factor, a 1/g²
      // share of them).
      built = true;
      levels.push(
        await buildCoarseLevel({
          ...level,
          path: join(o.scratchDir, `coarse-${i}-${process.pid}.f32`),
          memoryBytes: COARSE_MEMORY_BYTES,
          signal: o.signal,
          onProgress: (done, total) => o.onProgress?.(i * total + done, 4 * total),
        }),
      );
    }
    const coarseDate = (i: number): DateInput => ({
      source: levels[i],
      bands: o.dates[i].bands.map((_, b) => b),
      stretch: o.dates[i].stretch,
      linear: o.dates[i].linear,
      dx: 0,
      dy: 0,
    });
    const coarseDates: [DateInput, DateInput] = [coarseDate(0), coarseDate(1)];
    const marker = new TileMarker(axes, factor, opts.marginPx, coarse.width);
    const counts = await runTileRows({
      session: o.session,
      // The card's own tiles (on the fitted grid, a 1024² level is four 576² tiles): one tile as
      // large as the level grew ORT's arena past a full sweep's (4096² screened peaked at 438 MB
      // against 302) and its first run alone took ~0.9 s (README, "Engine speed").
      card: o.card,
      dates: coarseDates,
      window: { x: 0, y: 0, ...coarse },
      signal: o.signal,
      onRows: (y, rows) => marker.mark(y, rows, opts.threshold),
      onTile: (done, total) =>
        built ? o.onProgress?.(2 * total + 2 * done, 4 * total) : o.onProgress?.(done, total),
    });
    const active = marker.plan.reduce((s, v) => s + v, 0);
    const crops =
      opts.contextPx === undefined ? null : marker.crops(opts.contextPx, o.card.tile.multipleOf);
    return {
      plan: marker.plan,
      crops,
      report: {
        ...opts,
        refinedShare: refinedShare(axes, marker.plan, crops),
        coarseTiles: counts.run,
        beforeOverview: reductions[0],
        afterOverview: reductions[1],
        activeTiles: active,
        totalTiles: marker.plan.length,
        seconds: (performance.now() - t0) / 1000,
      },
    };
  } finally {
    for (const level of levels) if (level instanceof ScratchRaster) level.dispose();
    for (const overview of overviews) overview.close();
  }
}

/**
 * Marks the full-resolution tiles that coarse hits reach, and where in each tile they lie. Coarse
 * pixel (cx, cy) covers full-resolution pixels [cx·f, cx·f + f) × [cy·f, cy·f + f); grown by the
 * margin, it reaches every tile it intersects.
 */
export class TileMarker {
  readonly plan: Uint8Array;
  /** Per tile: the box its hits cover, [x0, y0, x1, y1) in window pixels (empty: x0 > x1). */
  private readonly boxes: Int32Array;
  /** Per coarse column: first and last tile column it reaches. */
  private readonly colFrom: Int32Array;
  private readonly colTo: Int32Array;

  constructor(
    private readonly axes: TileAxes,
    private readonly factor: number,
    private readonly margin: number,
    coarseWidth: number,
  ) {
    const tiles = axes.xs.length * axes.ys.length;
    this.plan = new Uint8Array(tiles);
    this.boxes = new Int32Array(tiles * 4);
    for (let t = 0; t < tiles; t++) this.boxes.set([2 ** 30, 2 ** 30, -1, -1], t * 4);
    this.colFrom = new Int32Array(coarseWidth);
    this.colTo = new Int32Array(coarseWidth);
    for (let cx = 0; cx < coarseWidth; cx++) {
      const [a, b] = reach(
        axes.xs,
        axes.tileWidth,
        cx * factor - margin,
        (cx + 1) * factor + margin,
      );
      this.colFrom[cx] = a;
      this.colTo[cx] = b;
    }
  }

  /** Marks from coarse rows y … (coarse-width values each) the tiles their hits reach. */
  mark(y: number, rows: Float32Array, threshold: number): void {
    const cw = this.colFrom.length;
    const { axes, factor: f, margin, boxes } = this;
    const cols = axes.xs.length;
    for (let r = 0; r < rows.length / cw; r++) {
      const cy = y + r;
      const top = cy * f - margin;
      const bottom = (cy + 1) * f + margin;
      let rowFrom = -1;
      let rowTo = -1;
      for (let cx = 0; cx < cw; cx++) {
        if (!(rows[r * cw + cx] >= threshold)) continue;
        if (rowFrom < 0) [rowFrom, rowTo] = reach(axes.ys, axes.tileHeight, top, bottom);
        const left = cx * f - margin;
        const right = (cx + 1) * f + margin;
        for (let row = rowFrom; row <= rowTo; row++) {
          const ty = axes.ys[row];
          for (let c = this.colFrom[cx]; c <= this.colTo[cx]; c++) {
            const t = row * cols + c;
            const tx = axes.xs[c];
            this.plan[t] = 1;
            const b = t * 4;
            boxes[b] = Math.min(boxes[b], Math.max(left, tx));
            boxes[b + 1] = Math.min(boxes[b + 1], Math.max(top, ty));
            boxes[b + 2] = Math.max(boxes[b + 2], Math.min(right, tx + axes.tileWidth));
            boxes[b + 3] = Math.max(boxes[b + 3], Math.min(bottom, ty + axes.tileHeight));
          }
        }
      }
    }
  }

  /**
   * Each marked tile cropped to its hits grown by `context` px, with the crop's offset in the tile
   * and its size in steps of `multiple` (so the crop needs no padding and lies on the kind map's
   * 1/4 grid); unmarked tiles get an empty crop.
   */
  crops(context: number, multiple: number): TileCrops {
    const { axes, boxes } = this;
    const cols = axes.xs.length;
    const out = new Int32Array(this.plan.length * 4);
    for (let t = 0; t < this.plan.length; t++) {
      if (!this.plan[t]) continue;
      const tx = axes.xs[t % cols];
      const ty = axes.ys[Math.floor(t / cols)];
      const b = t * 4;
      const [x, w] = cropAxis(boxes[b] - tx, boxes[b + 2] - tx, axes.tileWidth, context, multiple);
      const [y, h] = cropAxis(
        boxes[b + 1] - ty,
        boxes[b + 3] - ty,
        axes.tileHeight,
        context,
        multiple,
      );
      out.set([tx + x, ty + y, w, h], b);
    }
    return out;
  }
}

/**
 * One axis of a crop: hits over tile-local [lo, hi) grown by `context`, the start moved down to a
 * multiple of `multiple` and of 4 (the kind map's cells) and the length up to a multiple of
 * `multiple`, kept inside the tile's `size`. A tile whose size is not a multiple (a window smaller
 * than a tile) is not cropped.
 */
function cropAxis(
  lo: number,
  hi: number,
  size: number,
  context: number,
  multiple: number,
): [number, number] {
  const step = multiple % KIND_FACTOR === 0 ? multiple : multiple * KIND_FACTOR;
  if (size % step !== 0) return [0, size];
  const start = Math.max(0, Math.floor((lo - context) / step) * step);
  const end = Math.min(size, start + Math.ceil((hi + context - start) / multiple) * multiple);
  return [start, end - start];
}

/** Model pixels of a plan (crops or whole tiles) as a share of a full sweep's. */
export function refinedShare(axes: TileAxes, plan: Uint8Array, crops: TileCrops | null): number {
  let run = 0;
  for (let t = 0; t < plan.length; t++) {
    if (!plan[t]) continue;
    run += crops ? crops[t * 4 + 2] * crops[t * 4 + 3] : axes.tileWidth * axes.tileHeight;
  }
  return run / (plan.length * axes.tileWidth * axes.tileHeight);
}

/** First and last index of the tiles (starts, size) that intersect [lo, hi); empty → [1, 0]. */
function reach(starts: number[], size: number, lo: number, hi: number): [number, number] {
  let a = -1;
  let b = -1;
  for (let i = 0; i < starts.length; i++) {
    if (starts[i] < hi && starts[i] + size > lo) {
      if (a < 0) a = i;
      b = i;
    }
  }
  return a < 0 ? [1, 0] : [a, b];
}
