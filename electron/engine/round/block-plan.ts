/**
 * How a round splits one pair into jobs without changing a single output pixel. The full scene's
 * tile grid (tiling.ts) is cut into blocks of whole tiles; each block *owns* a core rectangle of
 * pixels and runs every tile that covers any pixel of its core (its own tiles plus a halo of
 * neighbouring ones). The tiles it runs form a contiguous run of the full grid, so the sub-window
 * they span has exactly the same tile grid, translated (the last, inward-shifted tile of the scene
 * included). Every core pixel therefore gets the same tiles, blending ramps and accumulation order
 * as in a single-machine run, hence the same probability, bit for bit: only the halo pixels of a
 * block (which another block owns) differ, and they are thrown away. Pure math, no I/O.
 */
import type { TileCrops } from '../inference/tile-crops.js';
import type { TileAxes } from '../inference/tiling.js';

/** One job's share of a pair. Pixel coordinates are relative to the pair's processed window. */
export interface Block {
  /** Block row and column in the pair's block grid. */
  row: number;
  col: number;
  /** The pixels this block owns (its output). */
  core: { x: number; y: number; width: number; height: number };
  /** The sub-window the block's tiles span (core plus halo). */
  span: { x: number; y: number; width: number; height: number };
  /** First tile row/column of the full grid the block runs, and how many. */
  tiles: { row: number; col: number; rows: number; cols: number };
}

/** One axis of a block grid: per block, its core [start, end) and the tiles [first, last] it runs. */
export interface AxisBlock {
  start: number;
  end: number;
  first: number;
  last: number;
}

/**
 * Cuts one axis of tile starts into blocks of `perBlock` tiles. Block k's core starts where its
 * first own tile starts (0 for the first) and ends where the next block's starts (the axis length
 * for the last); it runs every tile that overlaps its core.
 */
export function axisBlocks(
  starts: number[],
  tileLength: number,
  length: number,
  perBlock: number,
): AxisBlock[] {
  if (!Number.isInteger(perBlock) || perBlock < 1)
    throw new Error(`tiles per block must be a positive integer, not ${perBlock}`);
  const out: AxisBlock[] = [];
  for (let k = 0; k * perBlock < starts.length; k++) {
    const start = k === 0 ? 0 : starts[k * perBlock];
    const next = (k + 1) * perBlock;
    const end = next < starts.length ? starts[next] : length;
    let first = -1;
    let last = -1;
    for (let t = 0; t < starts.length; t++) {
      if (starts[t] < end && starts[t] + tileLength > start) {
        if (first < 0) first = t;
        last = t;
      }
    }
    out.push({ start, end, first, last });
  }
  return out;
}

/**
 * Tiles per block side for a requested job size in pixels: the number of tile strides closest to
 * it (at least one).
 */
export function tilesPerBlock(jobSize: number, tileSize: number, overlap: number): number {
  return Math.max(1, Math.round(jobSize / (tileSize - overlap)));
}

/** Every block of a pair, row-major, for a full grid's axes over a width × height window. */
export function blockGrid(
  axes: TileAxes,
  width: number,
  height: number,
  perBlock: number,
): Block[] {
  const cols = axisBlocks(axes.xs, axes.tileWidth, width, perBlock);
  const rows = axisBlocks(axes.ys, axes.tileHeight, height, perBlock);
  const blocks: Block[] = [];
  rows.forEach((r, row) =>
    cols.forEach((c, col) => {
      const x = axes.xs[c.first];
      const y = axes.ys[r.first];
      blocks.push({
        row,
        col,
        core: { x: c.start, y: r.start, width: c.end - c.start, height: r.end - r.start },
        span: {
          x,
          y,
          width: axes.xs[c.last] + axes.tileWidth - x,
          height: axes.ys[r.last] + axes.tileHeight - y,
        },
        tiles: {
          row: r.first,
          col: c.first,
          rows: r.last - r.first + 1,
          cols: c.last - c.first + 1,
        },
      });
    }),
  );
  return blocks;
}

/** The part of a full-grid plan (row-major over `fullCols` columns) a block runs. */
export function blockPlan(
  plan: Uint8Array | null,
  fullCols: number,
  block: Block,
): Uint8Array | null {
  if (!plan) return null;
  const { row, col, rows, cols } = block.tiles;
  const out = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = plan[(row + r) * fullCols + col + c];
  }
  return out;
}

/**
 * The crops (tile-crops.ts) of a block's tiles, from the full grid's, in the block's own window
 * (its span starts at (spanX, spanY) of the full window).
 */
export function blockCrops(
  crops: TileCrops | null,
  fullCols: number,
  block: Block,
  spanX: number,
  spanY: number,
): TileCrops | null {
  if (!crops) return null;
  const { row, col, rows, cols } = block.tiles;
  const out = new Int32Array(rows * cols * 4);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const from = ((row + r) * fullCols + col + c) * 4;
      const to = (r * cols + c) * 4;
      out[to] = crops[from] - spanX;
      out[to + 1] = crops[from + 1] - spanY;
      out[to + 2] = crops[from + 2];
      out[to + 3] = crops[from + 3];
    }
  }
  return out;
}
