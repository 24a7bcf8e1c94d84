/**
 * Checks that two dates can be compared pixel for pixel and finds the window of their overlap.
 * This first version needs the same CRS and pixel size with origins on the same pixel lattice; other
 * grids get a clear message saying which file differs and how.
 */
import { LandWatchError } from '../errors.js';
import type { RasterInfo } from './raster-source.js';

export interface Alignment {
  /** Overlap in the before image's pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Offset to add to before-pixel coordinates to get after-pixel coordinates. */
  afterDx: number;
  afterDy: number;
  notes: string[];
}

const REL_TOL = 1e-6;

export function alignDates(before: RasterInfo, after: RasterInfo): Alignment {
  const notes: string[] = [];
  if (
    before.crs.id !== after.crs.id ||
    (before.crs.epsg === null && before.crs.proj4 !== after.crs.proj4)
  ) {
    throw new LandWatchError(
      'E_CRS_MISMATCH',
      `${after.name} is in ${after.crs.id} (${after.crs.name}) but ${before.name} is in ${before.crs.id} (${before.crs.name}); reproject ${after.name} to ${before.crs.id} first — on-the-fly reprojection is not supported yet.`,
    );
  }
  const [bx, bpw, brx, by, bry, bph] = before.geoTransform;
  const [ax, apw, arx, ay, ary, aph] = after.geoTransform;
  if (brx !== 0 || bry !== 0 || arx !== 0 || ary !== 0) {
    throw new LandWatchError(
      'E_GRID_MISMATCH',
      `${brx || bry ? before.name : after.name}: rotated grids are not supported yet.`,
    );
  }
  if (!extentsOverlap(before, after)) {
    throw new LandWatchError('E_NO_OVERLAP', `${before.name} and ${after.name} do not overlap.`);
  }
  if (!close(bpw, apw) || !close(bph, aph)) {
    throw new LandWatchError(
      'E_GRID_MISMATCH',
      `${after.name} has ${fmt(apw)}×${fmt(-aph)} pixels but ${before.name} has ${fmt(bpw)}×${fmt(-bph)}; resample ${after.name} to the before grid first — on-the-fly resampling is not supported yet.`,
    );
  }
  const dx = (bx - ax) / bpw;
  const dy = (by - ay) / bph;
  const rdx = Math.round(dx) + 0; // + 0 turns -0 into 0
  const rdy = Math.round(dy) + 0;
  if (Math.abs(dx - rdx) > 0.01 || Math.abs(dy - rdy) > 0.01) {
    throw new LandWatchError(
      'E_GRID_MISMATCH',
      `${after.name}'s pixels are offset from ${before.name}'s by a fraction of a pixel (${dx.toFixed(3)}, ${dy.toFixed(3)} px); resample it onto the before grid first.`,
    );
  }
  // Overlap in before-pixel space: after covers [ -rdx, -rdx + after.width ).
  const x0 = Math.max(0, -rdx);
  const y0 = Math.max(0, -rdy);
  const x1 = Math.min(before.width, after.width - rdx);
  const y1 = Math.min(before.height, after.height - rdy);
  if (x1 - x0 < 1 || y1 - y0 < 1) {
    throw new LandWatchError('E_NO_OVERLAP', `${before.name} and ${after.name} do not overlap.`);
  }
  const width = x1 - x0;
  const height = y1 - y0;
  if (width < before.width || height < before.height) {
    notes.push(
      `only the overlap of the two dates is processed: ${width}×${height} of ${before.width}×${before.height} px`,
    );
  }
  return { x: x0, y: y0, width, height, afterDx: rdx, afterDy: rdy, notes };
}

function extent(info: RasterInfo): [number, number, number, number] {
  const [x0, pw, , y0, , ph] = info.geoTransform;
  const xs = [x0, x0 + info.width * pw];
  const ys = [y0, y0 + info.height * ph];
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function extentsOverlap(a: RasterInfo, b: RasterInfo): boolean {
  const [ax0, ay0, ax1, ay1] = extent(a);
  const [bx0, by0, bx1, by1] = extent(b);
  return ax0 < bx1 && bx0 < ax1 && ay0 < by1 && by0 < ay1;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= REL_TOL * Math.max(Math.abs(a), Math.abs(b));
}

function fmt(v: number): string {
  return Number(v.toPrecision(6)).toString();
}
