/**
 * The kind of each change polygon, from a detection's kind map (kind.tif, see kind-map.ts): each
 * kind's mean over the map's cells whose centre lies inside the polygon (exterior minus holes) as
 * `kindScores`, and the kind with the highest mean as `changeKind`. Only the cells under a
 * polygon's bounding box are read, in strips; a polygon too small to hold a cell centre takes the
 * cell under its bounding box's centre. Nothing here needs the model, so re-extraction at another
 * threshold assigns kinds from the stored map.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { throwIfAborted } from '../errors.js';
import { invertGeoTransform } from '../raster/grid-warp.js';
import { PROBABILITY_SCALE } from '../raster/probability-file.js';
import { RasterSource } from '../raster/raster-source.js';
import { PolygonLocator } from '../store/geometry/rings.js';
import { applyGeoTransform, type GeoTransform } from '../vector/geo.js';
import type { ChangePolygon } from '../vector/polygonize.js';
import { KIND_MAP_FILE, kindCells, kindTransform } from './kind-map.js';

/** Cell rows read at once for one polygon (a whole-scene false alarm must not fill memory). */
const STRIP_ROWS = 256;

/** What {@link kindMapFor} found: the kind map of a probability raster, or why there is none. */
export type KindMapLookup = { path: string } | { path: null; note: string | null };

/**
 * The kind map stored with a probability raster (kind.tif beside it, or `path`), if it exists
 * and lies on the probability's grid at 1/4 resolution. Without one, polygons get no kind.
 */
export async function kindMapFor(
  prob: { path: string; width: number; height: number; geoTransform: GeoTransform },
  path?: string | null,
): Promise<KindMapLookup> {
  const kindPath = path === undefined ? join(dirname(prob.path), KIND_MAP_FILE) : path;
  if (kindPath === null || !existsSync(kindPath)) return { path: null, note: null };
  const source = await RasterSource.open(kindPath);
  const { width, height, geoTransform } = source.info;
  source.close();
  const want = kindTransform(prob.geoTransform);
  const fits =
    width === kindCells(prob.width) &&
    height === kindCells(prob.height) &&
    geoTransform.every((v, i) => Math.abs(v - want[i]) <= 1e-9 * Math.max(1, Math.abs(want[i])));
  if (fits) return { path: kindPath };
  return {
    path: null,
    note: `${kindPath} does not lie on the probability's grid at 1/4 resolution: polygons get no change kind`,
  };
}

/** The polygons with `changeKind` and `kindScores` from the kind map at `kindPath`. */
export async function assignKinds(
  polygons: ChangePolygon[],
  kindPath: string,
  signal?: AbortSignal,
): Promise<ChangePolygon[]> {
  const source = await RasterSource.open(kindPath, signal);
  try {
    const { bands, metadata } = source.info;
    const names = metadata.descriptions.map((d, b) => d ?? `kind_${b + 1}`);
    const out: ChangePolygon[] = [];
    for (const polygon of polygons) {
      throwIfAborted(signal);
      const means = await meanKinds(source, polygon, bands, signal);
      const kindScores = Object.fromEntries(names.map((name, k) => [name, means[k]]));
      let best = 0;
      for (let k = 1; k < bands; k++) if (means[k] > means[best]) best = k;
      // A polygon only over cells without data (all 0) has no kind.
      out.push({ ...polygon, changeKind: means[best] > 0 ? names[best] : null, kindScores });
    }
    return out;
  } finally {
    source.close();
  }
}

/** Each band's mean (0–1) over the cells whose centre lies inside the polygon. */
async function meanKinds(
  source: RasterSource,
  polygon: ChangePolygon,
  bands: number,
  signal?: AbortSignal,
): Promise<number[]> {
  const { width, height, geoTransform } = source.info;
  const toCell = invertGeoTransform(geoTransform);
  const [minX, minY, maxX, maxY] = polygon.bbox;
  const corners = [
    [minX, minY],
    [maxX, minY],
    [minX, maxY],
    [maxX, maxY],
  ].map(([x, y]) => applyGeoTransform(toCell, x, y));
  const cols = corners.map(([c]) => c);
  const rows = corners.map(([, r]) => r);
  const c0 = Math.max(0, Math.floor(Math.min(...cols)));
  const c1 = Math.min(width, Math.ceil(Math.max(...cols)));
  const r0 = Math.max(0, Math.floor(Math.min(...rows)));
  const r1 = Math.min(height, Math.ceil(Math.max(...rows)));
  const sums = new Array<number>(bands).fill(0);
  if (c1 <= c0 || r1 <= r0) return sums;
  const all = Array.from({ length: bands }, (_, b) => b);
  const locator = new PolygonLocator(polygon.rings);
  let count = 0;
  for (let y = r0; y < r1; y += STRIP_ROWS) {
    const h = Math.min(STRIP_ROWS, r1 - y);
    const planes = await source.readWindow({ x: c0, y, width: c1 - c0, height: h }, all, signal);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < c1 - c0; c++) {
        const [x, yy] = applyGeoTransform(geoTransform, c0 + c + 0.5, y + r + 0.5);
        if (locator.locate(x, yy) <= 0) continue;
        count++;
        for (let b = 0; b < bands; b++) sums[b] += planes[b][r * (c1 - c0) + c];
      }
    }
  }
  if (count === 0) {
    // Smaller than a cell: the cell under the bounding box's centre.
    const [c, r] = applyGeoTransform(toCell, (minX + maxX) / 2, (minY + maxY) / 2);
    const cell = {
      x: Math.min(c1 - 1, Math.max(c0, Math.floor(c))),
      y: Math.min(r1 - 1, Math.max(r0, Math.floor(r))),
      width: 1,
      height: 1,
    };
    const planes = await source.readWindow(cell, all, signal);
    planes.forEach((p, b) => (sums[b] = p[0]));
    count = 1;
  }
  return sums.map((s) => s / count / PROBABILITY_SCALE);
}
