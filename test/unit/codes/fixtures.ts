/** Detections for the patch-code tests: axis-aligned boxes anywhere in map coordinates. */
import type { NewDetection } from '../../../electron/engine/store/project-store.js';

/** A detection of the box [x0, y0, x1, y1] (metres, e.g. in the demo scene's EPSG:32650). */
export function boxDetection(x0: number, y0: number, x1: number, y1: number): NewDetection {
  const area = (x1 - x0) * (y1 - y0);
  return {
    rings: [
      [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0],
      ],
    ],
    areaM2: area,
    areaMu: area / (10000 / 15),
    perimeter: 2 * (x1 - x0 + (y1 - y0)),
    meanProb: 0.8,
    maxProb: 0.9,
    pixelCount: area * 4,
    bbox: [x0, y0, x1, y1],
  };
}
