/**
 * Puts the two dates on one grid. The before image's grid is the reference: the overlap of the two
 * footprints is processed, in before-grid pixels. When the after image lies on the same pixel
 * lattice (same CRS and pixel size, origin a whole number of pixels away) it is read directly at
 * an offset; otherwise — another CRS, another pixel size, a shifted or rotated grid — it is
 * resampled onto the before grid on the fly, window by window (resampled-reader.ts), and the notes
 * say what was done.
 */
import { LandWatchError } from '../errors.js';
import { crsTransform, GridWarp, invertGeoTransform } from './grid-warp.js';
import type { GeoTransform, RasterInfo } from './raster-source.js';
import { ResampledReader, type ResampleSource } from './resampled-reader.js';

export interface Alignment {
  /** Overlap in the before image's pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Offset to add to before-pixel coordinates to get after-pixel coordinates (same lattice). */
  afterDx: number;
  afterDy: number;
  notes: string[];
  /** How the after image is resampled onto the before grid; null when it is read directly. */
  resample?: ResampleInfo | null;
}

export interface ResampleInfo {
  /** What differs: `crs`, `pixel size`, `offset`, `rotation`. */
  differences: string[];
  /** After-image pixels per before-image pixel, at the overlap's centre. */
  scale: number;
  /** Block averaging applied to the after image before interpolation (1 = none). */
  reduce: number;
}

const REL_TOL = 1e-6;

/** Compares the dates' grids and finds the overlap; see the file comment. */
export function alignDates(before: RasterInfo, after: RasterInfo): Alignment {
  const sameCrs =
    before.crs.id === after.crs.id &&
    (before.crs.epsg !== null || before.crs.proj4 === after.crs.proj4);
  const [, bpw, brx, , bry, bph] = before.geoTransform;
  const [, apw, arx, , ary, aph] = after.geoTransform;
  const rotated = brx !== 0 || bry !== 0 || arx !== 0 || ary !== 0;
  const sameSize = close(bpw, apw) && close(bph, aph);
  if (sameCrs && !rotated && sameSize) {
    const dx = (before.geoTransform[0] - after.geoTransform[0]) / bpw;
    const dy = (before.geoTransform[3] - after.geoTransform[3]) / bph;
    const rdx = Math.round(dx) + 0; // + 0 turns -0 into 0
    const rdy = Math.round(dy) + 0;
    if (Math.abs(dx - rdx) <= 0.01 && Math.abs(dy - rdy) <= 0.01)
      return latticeOverlap(before, after, rdx, rdy);
  }
  const differences = [
    ...(sameCrs ? [] : ['crs']),
    ...(sameSize ? [] : ['pixel size']),
    ...(rotated ? ['rotation'] : []),
  ];
  if (differences.length === 0) differences.push('offset');
  const warp = makeWarp(before, after);
  const box = footprintInBefore(before, after);
  const x = Math.max(0, Math.floor(box[0]));
  const y = Math.max(0, Math.floor(box[1]));
  const width = Math.min(before.width, Math.ceil(box[2])) - x;
  const height = Math.min(before.height, Math.ceil(box[3])) - y;
  if (!(width >= 1 && height >= 1)) throw noOverlap(before, after);
  const scale = localScale(warp.warp, x + width / 2, y + height / 2);
  const reduce = scale >= 2 ? Math.floor(scale) : 1;
  const notes = [
    `${after.name} (${describeGrid(after)}) differs from ${before.name} (${describeGrid(before)}) in ${differences.join(', ')}: it is ${sameCrs ? '' : 'reprojected with proj4 and '}resampled bilinearly onto ${before.name}'s grid, window by window${reduce > 1 ? `, after averaging ${reduce}×${reduce} blocks (it is ${scale.toFixed(1)}× finer)` : ''}`,
    ...warp.notes,
  ];
  if (width < before.width || height < before.height) {
    notes.push(
      `only the overlap of the two dates is processed: ${width}×${height} of ${before.width}×${before.height} px`,
    );
  }
  return {
    x,
    y,
    width,
    height,
    afterDx: 0,
    afterDy: 0,
    notes,
    resample: { differences, scale, reduce },
  };
}

/**
 * The reader the model should use for the after date: the source itself on the same lattice, or a
 * resampling view of it on the before grid.
 */
export function afterReader<S extends ResampleSource>(
  before: RasterInfo,
  after: RasterInfo,
  source: S,
  alignment: Alignment,
): S | ResampledReader {
  if (!alignment.resample) return source;
  return new ResampledReader(source, makeWarp(before, after).warp, alignment.resample.reduce);
}

function latticeOverlap(
  before: RasterInfo,
  after: RasterInfo,
  rdx: number,
  rdy: number,
): Alignment {
  // Overlap in before-pixel space: after covers [ -rdx, -rdx + after.width ).
  const x0 = Math.max(0, -rdx);
  const y0 = Math.max(0, -rdy);
  const x1 = Math.min(before.width, after.width - rdx);
  const y1 = Math.min(before.height, after.height - rdy);
  if (x1 - x0 < 1 || y1 - y0 < 1) throw noOverlap(before, after);
  const width = x1 - x0;
  const height = y1 - y0;
  const notes: string[] = [];
  if (width < before.width || height < before.height) {
    notes.push(
      `only the overlap of the two dates is processed: ${width}×${height} of ${before.width}×${before.height} px`,
    );
  }
  return { x: x0, y: y0, width, height, afterDx: rdx, afterDy: rdy, notes, resample: null };
}

function makeWarp(before: RasterInfo, after: RasterInfo): { warp: GridWarp; notes: string[] } {
  if (
    before.crs.id === after.crs.id &&
    (before.crs.epsg !== null || before.crs.proj4 === after.crs.proj4)
  ) {
    return { warp: new GridWarp(before.geoTransform, after.geoTransform, null), notes: [] };
  }
  const { transform, notes } = crsTransform(proj4Of(before, after), proj4Of(after, before));
  return { warp: new GridWarp(before.geoTransform, after.geoTransform, transform), notes };
}

/** The after image's outline (densified) in before-grid pixels: [minX, minY, maxX, maxY]. */
function footprintInBefore(
  before: RasterInfo,
  after: RasterInfo,
): [number, number, number, number] {
  const back = new GridWarp(after.geoTransform, before.geoTransform, null);
  const sameCrs =
    before.crs.id === after.crs.id &&
    (before.crs.epsg !== null || before.crs.proj4 === after.crs.proj4);
  const reverse = sameCrs
    ? null
    : crsTransform(proj4Of(after, before), proj4Of(before, after)).transform;
  const toBefore = (c: number, r: number): [number, number] => {
    if (!reverse) return back.map(c, r);
    const g = after.geoTransform;
    const [x, y] = reverse(g[0] + c * g[1] + r * g[2], g[3] + c * g[4] + r * g[5]);
    const i = invertGeoTransform(before.geoTransform as GeoTransform);
    return [i[0] + x * i[1] + y * i[2], i[3] + x * i[4] + y * i[5]];
  };
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const n = 64;
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    for (const [c, r] of [
      [t * after.width, 0],
      [t * after.width, after.height],
      [0, t * after.height],
      [after.width, t * after.height],
    ]) {
      const [x, y] = toBefore(c, r);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      box[0] = Math.min(box[0], x);
      box[1] = Math.min(box[1], y);
      box[2] = Math.max(box[2], x);
      box[3] = Math.max(box[3], y);
    }
  }
  return box;
}

/** After pixels per before pixel around (col, row): the larger of the two axes' stretch. */
function localScale(warp: GridWarp, col: number, row: number): number {
  const [u, v] = warp.map(col, row);
  const [ux, vx] = warp.map(col + 1, row);
  const [uy, vy] = warp.map(col, row + 1);
  return Math.max(Math.hypot(ux - u, vx - v), Math.hypot(uy - u, vy - v));
}

function proj4Of(info: RasterInfo, other: RasterInfo): string {
  if (info.crs.proj4) return info.crs.proj4;
  throw new LandWatchError(
    'E_CRS_MISMATCH',
    `${info.name} is in ${info.crs.id} (${info.crs.name}), which LandWatch cannot reproject (no proj4 definition) and ${other.name} is in ${other.crs.id}; reproject ${info.name} to ${other.crs.id} first (e.g. gdalwarp -t_srs).`,
  );
}

/**
 * Refuses an overlap narrower than `minPx` (the model's smallest input) in either direction, and
 * returns a warning note when the dates share under 5 % of the before image: a run over a sliver
 * would otherwise report "0 changes" as if the scene had been compared.
 */
export function checkOverlapSize(
  alignment: Pick<Alignment, 'width' | 'height'>,
  before: Pick<RasterInfo, 'name' | 'width' | 'height'>,
  after: Pick<RasterInfo, 'name'>,
  minPx: number,
): string[] {
  const { width, height } = alignment;
  if (width < minPx || height < minPx) {
    throw new LandWatchError(
      'E_NO_OVERLAP',
      `${before.name} and ${after.name} overlap by only ${width}×${height} px; LandWatch needs at least ${minPx}×${minPx} px of common ground to compare them.`,
    );
  }
  const share = (width * height) / (before.width * before.height);
  if (share >= 0.05) return [];
  return [
    `warning: ${before.name} and ${after.name} share only ${(share * 100).toFixed(1)} % of ${before.name} (${width}×${height} px); changes are looked for there only`,
  ];
}

function noOverlap(before: RasterInfo, after: RasterInfo): LandWatchError {
  const crs =
    before.crs.id === after.crs.id
      ? ''
      : ` (${after.name} is in ${after.crs.id}, ${before.name} in ${before.crs.id})`;
  return new LandWatchError(
    'E_NO_OVERLAP',
    `${before.name} and ${after.name} do not overlap${crs}.`,
  );
}

function describeGrid(info: RasterInfo): string {
  const [, pw, , , , ph] = info.geoTransform;
  const unit = info.crs.geographic ? '°' : info.crs.metresPerUnit === 1 ? ' m' : ' units';
  return `${info.crs.id}, ${fmt(pw)}×${fmt(Math.abs(ph))}${unit} pixels`;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= REL_TOL * Math.max(Math.abs(a), Math.abs(b));
}

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toString();
}
