/**
 * Burns polygons into a pixel window: every pixel whose centre lies inside a polygon (even–odd
 * rule over all its rings, so holes stay out) gets the value. Rings are in pixel coordinates of
 * the grid the window belongs to (x right, y down, pixel (c, r) spans [c, c+1) × [r, r+1)).
 */
import type { PixelWindow } from './raster-source.js';

/** Fills `out` (window-sized, row-major) with `value` inside `rings`. */
export function burnPolygon(
  out: Uint8Array,
  window: PixelWindow,
  rings: number[][][],
  value: number,
): void {
  let minY = Infinity;
  let maxY = -Infinity;
  for (const ring of rings) {
    for (const [, y] of ring) {
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  const r0 = Math.max(0, Math.ceil(minY - window.y - 0.5));
  const r1 = Math.min(window.height - 1, Math.floor(maxY - window.y - 0.5));
  const xs: number[] = [];
  for (let r = r0; r <= r1; r++) {
    const cy = window.y + r + 0.5;
    xs.length = 0;
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > cy !== yj > cy) xs.push(xi + ((cy - yi) * (xj - xi)) / (yj - yi));
      }
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const c0 = Math.max(0, Math.ceil(xs[k] - window.x - 0.5));
      const c1 = Math.min(window.width - 1, Math.ceil(xs[k + 1] - window.x - 0.5) - 1);
      if (c1 >= c0) out.fill(value, r * window.width + c0, r * window.width + c1 + 1);
    }
  }
}

/** Whether the bounding box of `rings` meets the window. */
export function ringsMeetWindow(rings: number[][][], window: PixelWindow): boolean {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of rings[0] ?? []) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return (
    maxX > window.x &&
    minX < window.x + window.width &&
    maxY > window.y &&
    minY < window.y + window.height
  );
}
