/**
 * Where an adapter's labels come from, as windows on the before image's grid: 1 = change,
 * 0 = no change, 255 = not labelled (ignored). Two sources share one shape:
 *  - a label GeoTIFF (0/255, on exactly the before grid) with an optional reviewed mask
 *    (0 = not reviewed, so ignored), for `landwatch adapt --pair …`;
 *  - an analyst's decisions in a project: polygons in the before CRS (decision-labels.ts).
 */
import { basename } from 'node:path';
import { LandWatchError } from '../errors.js';
import { burnPolygon, ringsMeetWindow } from '../raster/rasterise.js';
import {
  RasterSource,
  type GeoTransform,
  type PixelWindow,
  type RasterInfo,
} from '../raster/raster-source.js';

export const CHANGE = 1;
export const NO_CHANGE = 0;
export const IGNORE = 255;

export interface LabelSource {
  /** Names the labels in messages. */
  name: string;
  /** Labels of a window of the before grid (pixels outside the image are IGNORE). */
  read(window: PixelWindow, signal?: AbortSignal): Promise<Uint8Array>;
  close(): void;
}

/** Refuses a raster that is not on exactly the before image's grid, naming both files. */
export function checkOnGrid(info: RasterInfo, before: RasterInfo, what: string): void {
  const problems: string[] = [];
  if (info.width !== before.width || info.height !== before.height) {
    problems.push(
      `${info.width}×${info.height} px, the before image is ${before.width}×${before.height}`,
    );
  }
  const tol = 1e-6 * Math.max(Math.abs(before.geoTransform[1]), Math.abs(before.geoTransform[5]));
  const shifted = info.geoTransform.some(
    (v, i) => Math.abs(v - before.geoTransform[i]) > tol * 1e3,
  );
  if (shifted) problems.push('its georeferencing differs');
  if (info.crs.id !== before.crs.id) problems.push(`${info.crs.id}, not ${before.crs.id}`);
  if (problems.length) {
    throw new LandWatchError(
      'E_BAD_LABELS',
      `${info.name}: the ${what} is not on the before image's grid (${before.name}): ${problems.join('; ')}. Write it on exactly the before grid (e.g. gdalwarp -te/-tr/-t_srs of ${before.name}).`,
    );
  }
}

/** Labels from a 0/255 GeoTIFF on the before grid, optionally limited by a reviewed mask. */
export async function openLabelRaster(
  labelsPath: string,
  before: RasterInfo,
  reviewedPath?: string,
  signal?: AbortSignal,
): Promise<LabelSource> {
  const labels = await RasterSource.open(labelsPath, signal);
  let reviewed: RasterSource | null = null;
  try {
    checkOnGrid(labels.info, before, 'label raster');
    if (reviewedPath) {
      reviewed = await RasterSource.open(reviewedPath, signal);
      checkOnGrid(reviewed.info, before, 'reviewed mask');
    }
  } catch (error) {
    labels.close();
    reviewed?.close();
    throw error;
  }
  const nodata = labels.info.nodata;
  return {
    name: basename(labelsPath),
    async read(window, sig) {
      const [v] = await labels.readWindow(window, [0], sig);
      const mask = reviewed ? (await reviewed.readWindow(window, [0], sig))[0] : null;
      const out = new Uint8Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (Number.isNaN(x) || x === nodata || (mask && !(mask[i] > 0))) out[i] = IGNORE;
        else out[i] = x > 127 ? CHANGE : NO_CHANGE;
      }
      return out;
    },
    close() {
      labels.close();
      reviewed?.close();
    },
  };
}

/** A labelled polygon in the before CRS's map coordinates. */
export interface LabelPolygon {
  rings: number[][][];
  label: number;
}

/** Map coordinates → pixel coordinates of a north-up or rotated grid. */
export function toPixelRings(rings: number[][][], gt: GeoTransform): number[][][] {
  const [x0, a, b, y0, d, e] = gt;
  const det = a * e - b * d;
  return rings.map((ring) =>
    ring.map(([x, y]) => {
      const dx = x - x0;
      const dy = y - y0;
      return [(e * dx - b * dy) / det, (a * dy - d * dx) / det];
    }),
  );
}

/**
 * Labels burnt from polygons, in order (later polygons win): `background` everywhere first
 * (NO_CHANGE for a scene marked reviewed, else IGNORE), then each polygon with its label.
 */
export function polygonLabels(
  name: string,
  polygons: LabelPolygon[],
  background: number,
  before: RasterInfo,
): LabelSource {
  const pixel = polygons.map((p) => ({
    rings: toPixelRings(p.rings, before.geoTransform),
    label: p.label,
  }));
  return {
    name,
    async read(window) {
      const out = new Uint8Array(window.width * window.height).fill(background);
      for (const p of pixel) {
        if (ringsMeetWindow(p.rings, window)) burnPolygon(out, window, p.rings, p.label);
      }
      // Pixels beyond the image are never labelled, whatever a polygon covers there.
      const c0 = Math.min(window.width, Math.max(0, -window.x));
      const c1 = Math.max(c0, Math.min(window.width, before.width - window.x));
      for (let r = 0; r < window.height; r++) {
        const y = window.y + r;
        const row = r * window.width;
        if (y < 0 || y >= before.height) out.fill(IGNORE, row, row + window.width);
        else {
          out.fill(IGNORE, row, row + c0);
          out.fill(IGNORE, row + c1, row + window.width);
        }
      }
      return out;
    },
    close() {},
  };
}
