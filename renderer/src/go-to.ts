/**
 * "Go to" (G): a patch number (`17`, `#17`) or a point in the scene CRS (`x, y` or `x y`), read
 * from what the analyst typed. Pure, so the parsing is unit-tested.
 */
import type { PatchView } from '../../electron/common/contract.js';

export type GoToTarget =
  { kind: 'patch'; number: number } | { kind: 'point'; x: number; y: number };

/** What `text` asks for, or null when it is neither a patch number nor a coordinate pair. */
export function parseGoTo(text: string): GoToTarget | null {
  const t = text.trim();
  const number = /^#?\s*(\d{1,15})$/.exec(t);
  if (number) return { kind: 'patch', number: Number(number[1]) };
  const pair = /^(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)$/.exec(t);
  if (pair) return { kind: 'point', x: Number(pair[1]), y: Number(pair[2]) };
  return null;
}

/** Resolves a typed target against the loaded patches; an Error says what is wrong. */
export function resolveGoTo(
  text: string,
  patches: readonly PatchView[],
  extent: readonly number[] | null,
): { patchId: string } | { point: [number, number] } | Error {
  const target = parseGoTo(text);
  if (!target) return new Error(`“${text}” is neither a patch number (17) nor a point (x, y).`);
  if (target.kind === 'patch') {
    const patch = patches.find((p) => p.number === target.number);
    return patch
      ? { patchId: patch.id }
      : new Error(`There is no patch #${target.number} in the queue (deleted, or another run).`);
  }
  if (extent) {
    const [x0, y0, x1, y1] = extent;
    if (target.x < x0 || target.x > x1 || target.y < y0 || target.y > y1) {
      return new Error(
        `${target.x}, ${target.y} is outside the scene (x ${x0} – ${x1}, y ${y0} – ${y1} in the scene CRS).`,
      );
    }
  }
  return { point: [target.x, target.y] };
}
