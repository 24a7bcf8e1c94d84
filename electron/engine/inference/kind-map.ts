/**
 * The change-kind map of a model with a `kind` output (model-card.ts): per pixel a softmax over the
 * card's kinds (new construction, demolition, …). Kinds are wanted per polygon, not per pixel, so
 * each tile's kind planes are reduced to 4 × 4 block means as soon as the model returns them and
 * blended on a 1/4-resolution grid: the kind blend costs K/16 of the probability's band, whatever
 * the scene's width.
 *
 * The 1/4 grid: the window is ceil(width / 4) × ceil(height / 4) cells, a tile starting at pixel x
 * starts at cell floor(x / 4) and is ceil(tile / 4) cells wide, and tiles overlap by overlap / 4.
 * A tile's blocks are tile-local (block j covers tile pixels 4j … 4j + 3), so a tile that does not
 * start on a multiple of 4 lands up to 3 px off; the last tile of each axis is placed so that it
 * ends on the grid's last cell instead, which would otherwise stay without data whenever the
 * window's size is not a multiple of 4.
 */
import { LandWatchError } from '../errors.js';
import type { GeoTransform } from '../raster/raster-source.js';
import { BandBlender, type BandCarry, type BandRows, type BlendGrid } from './band-blender.js';
import { blendTrim, cardKinds, type ModelCard } from './model-card.js';
import type { Tile, TileAxes } from './tiling.js';

/** Pixels per kind cell along each axis. */
export const KIND_FACTOR = 4;

/** The finished kind map's name in a work folder, beside probability.tif. */
export const KIND_MAP_FILE = 'kind.tif';

/** One tile's kind planes at 1/4 resolution: K planes of the tile's cells, and cells without data. */
export interface KindTile {
  planes: Float32Array[];
  /** 1 where none of the cell's pixels had data in either date. */
  invalid: Uint8Array;
}

/** Cells of a length of `n` pixels. */
export function kindCells(n: number): number {
  return Math.ceil(n / KIND_FACTOR);
}

/** The kind map's geotransform: the window's, with pixels 4 times as large. */
export function kindTransform(gt: Readonly<GeoTransform>): GeoTransform {
  const f = KIND_FACTOR;
  return [gt[0], gt[1] * f, gt[2] * f, gt[3], gt[4] * f, gt[5] * f];
}

/** The 1/4-resolution blend grid of a window's tile grid (see the module comment). */
export function kindGrid(
  axes: TileAxes,
  width: number,
  height: number,
  overlap: number,
  active: BlendGrid['active'],
  rect?: BlendGrid['rect'],
): BlendGrid {
  const tileWidth = kindCells(axes.tileWidth);
  const tileHeight = kindCells(axes.tileHeight);
  const cellsX = kindCells(width);
  const cellsY = kindCells(height);
  const place = (starts: number[], tile: number, full: number, cells: number, n: number) =>
    starts.map((s) => (s + tile >= full ? cells - n : Math.floor(s / KIND_FACTOR)));
  const xs = place(axes.xs, axes.tileWidth, width, cellsX, tileWidth);
  const ys = place(axes.ys, axes.tileHeight, height, cellsY, tileHeight);
  return {
    axes: { xs, ys, tileWidth, tileHeight },
    width: cellsX,
    height: cellsY,
    overlap: Math.floor(overlap / KIND_FACTOR),
    active,
    // A crop's cells: its offset in the tile (a multiple of 4, tile-crops.ts) on the tile's cells.
    ...(rect
      ? {
          rect: (row: number, col: number): Tile => {
            const t = rect(row, col);
            const x = xs[col] + (t.x - axes.xs[col]) / KIND_FACTOR;
            const y = ys[row] + (t.y - axes.ys[row]) / KIND_FACTOR;
            return {
              x,
              y,
              width: kindCells(t.width),
              height: kindCells(t.height),
            };
          },
        }
      : {}),
  };
}

/**
 * 4 × 4 block means of a tile's kind planes, straight from the model's output (K planes of
 * `pw` × `ph`, the tile in its top-left corner). A cell is the mean over its pixels with data;
 * a cell none of whose pixels has data is marked invalid (probability 0, like the probability's
 * no-data pixels).
 */
export function kindBlocks(
  out: Float32Array,
  kinds: number,
  pw: number,
  ph: number,
  tile: Tile,
  invalid: Uint8Array,
): KindTile {
  const f = KIND_FACTOR;
  const cw = kindCells(tile.width);
  const ch = kindCells(tile.height);
  const counts = new Uint8Array(cw * ch);
  const planes = Array.from({ length: kinds }, () => new Float32Array(cw * ch));
  for (let r = 0; r < tile.height; r++) {
    const cellRow = Math.floor(r / f) * cw;
    for (let c = 0; c < tile.width; c++) {
      if (invalid[r * tile.width + c]) continue;
      const cell = cellRow + Math.floor(c / f);
      counts[cell]++;
      for (let k = 0; k < kinds; k++) planes[k][cell] += out[(k * ph + r) * pw + c];
    }
  }
  const cellInvalid = new Uint8Array(cw * ch);
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) cellInvalid[i] = 1;
    else for (const plane of planes) plane[i] /= counts[i];
  }
  return { planes, invalid: cellInvalid };
}

/**
 * Checks a kind output's shape against the card: [1, K, ph, pw] with K = the card's kinds; the
 * message names the model (`model`: its id) so a wrong card is found.
 */
export function checkKindDims(
  model: string,
  dims: readonly number[],
  kinds: number,
  pw: number,
  ph: number,
): void {
  if (dims.length !== 4 || dims[1] !== kinds || dims[2] !== ph || dims[3] !== pw) {
    throw new LandWatchError(
      'E_MODEL',
      `model ${model}: its kind output is [${dims.join(', ')}]; the card needs [1, ${kinds}, ${ph}, ${pw}] (one plane per kind, on the probability's grid).`,
    );
  }
}

/**
 * Blends the kind planes of a run's tiles seam-free on the 1/4 grid, one {@link BandBlender} per
 * kind, and hands finished cell rows out after each tile row, like the probability's blend.
 */
export class KindBlend {
  private readonly blenders: BandBlender[];

  private constructor(
    readonly kinds: string[],
    readonly grid: BlendGrid,
    carry: BandCarry[] | null | undefined,
  ) {
    if (carry && carry.length !== kinds.length) {
      throw new Error(`kind checkpoint holds ${carry.length} planes, the model ${kinds.length}`);
    }
    this.blenders = kinds.map((_, k) => new BandBlender(grid, carry?.[k]));
  }

  /** The blend for a run of `card` over a window's tile grid; null when it has no kind output. */
  static forCard(
    card: ModelCard,
    axes: TileAxes,
    width: number,
    height: number,
    active: BlendGrid['active'],
    carry?: BandCarry[] | null,
    rect?: BlendGrid['rect'],
  ): KindBlend | null {
    const kinds = cardKinds(card);
    if (!kinds) return null;
    const grid = kindGrid(axes, width, height, card.tile.overlap, active, rect);
    return new KindBlend(kinds, { ...grid, trim: blendTrim(card) }, carry);
  }

  add(row: number, col: number, tile: KindTile): void {
    this.blenders.forEach((b, k) => b.add(row, col, tile.planes[k], tile.invalid));
  }

  /**
   * After tile row `row`: hands the cell rows no later tile reaches to `onRows` (K planes of
   * `grid.width` values per row), in pieces a band can hold.
   */
  async finishTileRow(
    row: number,
    onRows: (y: number, planes: Float32Array[]) => void | Promise<void>,
  ): Promise<void> {
    const { axes, height } = this.grid;
    const done = row + 1 < axes.ys.length ? axes.ys[row + 1] : height;
    while (done > this.blenders[0].top) {
      const top = this.blenders[0].top;
      const to = Math.min(done, top + axes.tileHeight);
      await onRows(
        top,
        this.blenders.map((b) => b.flush(to)),
      );
    }
  }

  /** The cell rows in flight, one carry per kind (read them before the next add or flush). */
  carry(): BandRows[] {
    return this.blenders.map((b) => b.carry());
  }
}
