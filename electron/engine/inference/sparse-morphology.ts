/**
 * Closing then opening of a mask where change is sparse: only the column ranges that hold
 * foreground (plus a margin) are processed, so a strip with a few small changes costs a few small
 * rectangles instead of the full scene width. The result equals the full-width operations: a
 * margin of 2·(close + open) + 1 columns keeps every crop edge out of reach of any foreground, and
 * crops that meet the raster edge keep its neutral-border semantics (vector/morphology.ts).
 */
import { closing, opening } from '../vector/morphology.js';

/** `closing(mask, closeR)` then `opening(…, openR)`, computed on the occupied columns only. */
export function cleanSparse(
  mask: Uint8Array,
  width: number,
  height: number,
  closeR: number,
  openR: number,
): Uint8Array {
  const margin = 2 * (closeR + openR) + 1;
  const occupied = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) occupied[x] |= mask[o + x];
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
  const out = new Uint8Array(width * height);
  for (const [s, e] of runs) {
    const c0 = Math.max(0, s - margin);
    const c1 = Math.min(width, e + 1 + margin);
    const cw = c1 - c0;
    let sub: Uint8Array = new Uint8Array(cw * height);
    for (let y = 0; y < height; y++) sub.set(mask.subarray(y * width + c0, y * width + c1), y * cw);
    if (closeR > 0) sub = closing(sub, cw, height, closeR);
    if (openR > 0) sub = opening(sub, cw, height, openR);
    for (let y = 0; y < height; y++) out.set(sub.subarray(y * cw, (y + 1) * cw), y * width + c0);
  }
  return out;
}
