/**
 * The geometry of evidence chips, kept pure so it is tested apart from any I/O: which ground
 * extent a patch's chip shows, how many pixels it gets, and where the patch outline and the
 * overview marker go on the image. Both dates use the same extent and pixel size, so their chips
 * are at the same scale and can be compared side by side.
 */
import type { PolygonGeometry } from '../../common/contract.js';
import { polygonsOf } from '../export/geometry.js';

/** [minX, minY, maxX, maxY] in the scene CRS. */
export type Extent = [number, number, number, number];

/** Options of {@link chipExtent}. */
export interface ChipExtentOptions {
  /** Ground shown around the patch, as a share of its larger side on each side. Default 0.6. */
  margin?: number;
  /** Smallest side of a chip in CRS units, so tiny patches still show their context. Default 60. */
  minSide?: number;
}

/** Bounds of a geometry, or null when it has no positions. */
export function boundsOf(geometry: PolygonGeometry): Extent | null {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygonsOf(geometry, 'report')) {
    for (const [x, y] of polygon[0]) {
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  }
  return minX <= maxX ? [minX, minY, maxX, maxY] : null;
}

/** A square extent centred on `bounds` with room around it (see {@link ChipExtentOptions}). */
export function chipExtent(bounds: Extent, options: ChipExtentOptions = {}): Extent {
  const { margin = 0.6, minSide = 60 } = options;
  const side = Math.max(
    minSide,
    Math.max(bounds[2] - bounds[0], bounds[3] - bounds[1]) * (1 + 2 * margin),
  );
  const cx = (bounds[0] + bounds[2]) / 2;
  const cy = (bounds[1] + bounds[3]) / 2;
  return [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2];
}

/**
 * Pixels across a chip: the image's own resolution (no invented detail), but at least `min` so a
 * chip is never a thumbnail and at most `max` to keep the report small. Defaults 96 and 320.
 */
export function chipPixels(extent: Extent, pixelSize: number, min = 96, max = 320): number {
  const native = Math.round((extent[2] - extent[0]) / Math.abs(pixelSize));
  return Math.max(min, Math.min(max, native));
}

/**
 * Output size of an overview of `extent`: its longer side `longest` pixels, the other in
 * proportion (at least 1).
 */
export function overviewSize(extent: Extent, longest: number): { width: number; height: number } {
  const w = extent[2] - extent[0];
  const h = extent[3] - extent[1];
  const scale = longest / Math.max(w, h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/**
 * The patch outline as an SVG path in the pixel space of an image of `extent` drawn
 * `width` × `height` (y down). Holes are separate subpaths: draw with `fill-rule: evenodd`.
 */
export function svgPath(
  geometry: PolygonGeometry,
  extent: Extent,
  width: number,
  height: number,
): string {
  const sx = width / (extent[2] - extent[0]);
  const sy = height / (extent[3] - extent[1]);
  const parts: string[] = [];
  for (const polygon of polygonsOf(geometry, 'report')) {
    for (const ring of polygon) {
      const points = ring.slice(0, -1).map(([x, y]) => {
        const px = ((x - extent[0]) * sx).toFixed(1);
        const py = ((extent[3] - y) * sy).toFixed(1);
        return `${px} ${py}`;
      });
      parts.push(`M${points.join('L')}Z`);
    }
  }
  return parts.join('');
}

/**
 * Where `bounds` lies within `extent`, in percent of its width and height (y down), grown to at
 * least `minPercent` so a small patch still gets a visible marker on a whole-scene overview.
 */
export function markerBox(
  bounds: Extent,
  extent: Extent,
  minPercent = 3,
): { left: number; top: number; width: number; height: number } {
  const w = extent[2] - extent[0];
  const h = extent[3] - extent[1];
  let left = ((bounds[0] - extent[0]) / w) * 100;
  let top = ((extent[3] - bounds[3]) / h) * 100;
  let width = ((bounds[2] - bounds[0]) / w) * 100;
  let height = ((bounds[3] - bounds[1]) / h) * 100;
  if (width < minPercent) [left, width] = [left + width / 2 - minPercent / 2, minPercent];
  if (height < minPercent) [top, height] = [top + height / 2 - minPercent / 2, minPercent];
  return { left, top, width, height };
}
