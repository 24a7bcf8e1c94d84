/**
 * Closing then opening of a mask where change is sparse: only the column ranges that hold
 * foreground (plus a margin) are processed, so a strip with a few small changes costs a few small
 * rectangles instead of the full scene width. The result equals the full-width operations: a
 * margin of 2·(close + open) + 1 columns keeps every crop edge out of reach of any foreground, and
 * crops that meet the raster edge keep its neutral-border semantics (vector/morphology.ts).
 */
import type { ColumnRuns } from '../vector/components.js';
import { closing, opening } from '../vector/morphology.js';

/** A cleaned mask and the column runs that hold all its foreground (the crops processed). */
export interface CleanedMask {
  mask: Uint8Array;
  columns: ColumnRuns;
}

/**
 * `closing(mask, closeR)` then `opening(…, openR)`, computed on the occupied columns only.
 * `occupied` (1 per column holding foreground), when the caller already has it, saves a pass;
 * the result goes to `into` (width × height, any content: it is cleared) when given.
 */
export function cleanSparse(
  mask: Uint8Array,
  width: number,
  height: number,
  closeR: number,
  openR: number,
  occupied?: Uint8Array,
  into?: Uint8Array,
): CleanedMask {
  const margin = 2 * (closeR + openR) + 1;
  if (!occupied) {
    occupied = new Uint8Array(width);
    for (let y = 0; y < height; y++) {
      const o = y * width;
      for (let x = 0; x < width; x++) occupied[x] |= mask[o + x];
    }
  }
  // Runs of occupied columns, merged when their crops (run ± margin) would touch.
  const runs: [number, number][] = [];
  for (let x = 0; x < width; x++) {
    if (!occupied[x]) continue;
    let e = x;
    while (e + 1 < width && occupied[e + 1]) e++;
    const last = runs[runs.length - 1];
    if (last && x - last[1] <= 2 * margin + 1) last[1] = e;
    else runs.push([x, e]);
    x = e;
  }
  const out = into ? into.fill(0) : new Uint8Array(width * height);
  // Crops of merged runs are disjoint and sorted: they are the column runs of the result.
  const columns = new Int32Array(runs.length * 2);
  for (const [k, [s, e]] of runs.entries()) {
    const c0 = Math.max(0, s - margin);
    const c1 = Math.min(width, e + 1 + margin);
    columns[2 * k] = c0;
    columns[2 * k + 1] = c1;
    const cw = c1 - c0;
    let sub: Uint8Array = new Uint8Array(cw * height);
    for (let y = 0; y < height; y++) sub.set(mask.subarray(y * width + c0, y * width + c1), y * cw);
    if (closeR > 0) sub = closing(sub, cw, height, closeR);
    if (openR > 0) sub = opening(sub, cw, height, openR);
    for (let y = 0; y < height; y++) out.set(sub.subarray(y * cw, (y + 1) * cw), y * width + c0);
  }
  return { mask: out, columns };
}
