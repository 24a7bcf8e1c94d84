/**
 * Crops of a screened run's tiles: where screening saw change in a kept tile, the model runs on
 * that part of the tile (grown by some context) instead of the whole tile, so a tile with one
 * building in a corner costs a small fraction of a full tile. Four integers per tile of the grid,
 * row-major: x, y, width, height in window pixels; a crop lies inside its tile, and a tile that
 * does not run has width and height 0.
 */
import { axisTile, type Tile, type TileAxes } from './tiling.js';

export type TileCrops = Int32Array;

/** The part of tile (row, col) the model runs on: its crop, or the whole tile without crops. */
export function runRect(
  axes: TileAxes,
  crops: TileCrops | null | undefined,
  row: number,
  col: number,
): Tile {
  if (!crops) return axisTile(axes, row, col);
  const b = (row * axes.xs.length + col) * 4;
  return { x: crops[b], y: crops[b + 1], width: crops[b + 2], height: crops[b + 3] };
}

/** Crops as text for a run record (base64 of the little-endian integers). */
export function cropsToText(crops: TileCrops): string {
  return Buffer.from(crops.buffer, crops.byteOffset, crops.byteLength).toString('base64');
}

/** Crops back from {@link cropsToText}; null when the text does not fit a grid of `tiles`. */
export function cropsFromText(text: string, tiles: number): TileCrops | null {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== tiles * 16) return null;
  const out = new Int32Array(tiles * 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * A plan and its crops as one byte string (the plan's bytes, then the crops' little-endian
 * integers), for carrying both where a plan alone went (a round's plan cache in Redis).
 */
export function packPlan(plan: Uint8Array, crops: TileCrops | null): Uint8Array {
  if (!crops) return plan;
  const out = new Uint8Array(plan.length * 17);
  out.set(plan);
  out.set(new Uint8Array(crops.buffer, crops.byteOffset, crops.byteLength), plan.length);
  return out;
}

/** {@link packPlan} undone for a grid of `tiles`; a plan without crops comes back as it was. */
export function unpackPlan(
  bytes: Uint8Array,
  tiles: number,
): { plan: Uint8Array; crops: TileCrops | null } {
  if (bytes.length === tiles) return { plan: bytes, crops: null };
  if (bytes.length !== tiles * 17) {
    throw new Error(`a plan of ${bytes.length} bytes does not fit a grid of ${tiles} tiles`);
  }
  const crops = new Int32Array(tiles * 4);
  new Uint8Array(crops.buffer).set(bytes.subarray(tiles));
  return { plan: bytes.slice(0, tiles), crops };
}
