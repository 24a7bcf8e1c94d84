/**
 * Synthetic dates for engine tests: an in-memory raster whose pixels come from a function, so a
 * test states its scene (texture, painted changes) as one expression.
 */
import { MemoryRaster } from '../../electron/engine/raster/memory-raster.js';

/** A `width` × `height` raster of `bands` bands; band b at (x, y) holds `value(x, y, b)`. */
export function syntheticRaster(
  name: string,
  width: number,
  height: number,
  bands: number,
  value: (x: number, y: number, b: number) => number,
): MemoryRaster {
  const planes = Array.from({ length: bands }, (_, b) => {
    const plane = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) plane[y * width + x] = value(x, y, b);
    }
    return plane;
  });
  return new MemoryRaster(name, width, height, planes);
}
