/**
 * Shared test fixtures for the vectoriser: a seeded RNG, masks drawn as ASCII art, random noise
 * and blob masks, and a naive flood-fill labeller used as an independent reference.
 */
import type { Ring } from '../../../electron/engine/vector/geo.js';
import { seededRandom } from '../../../electron/engine/random.js';

/** Deterministic PRNG (mulberry32) so random tests are reproducible. */
export const rng = seededRandom;

export interface TestMask {
  mask: Uint8Array;
  width: number;
  height: number;
}

/** Mask from rows of '#' (foreground) and any other character (background). */
export function art(rows: string[]): TestMask {
  const height = rows.length;
  const width = height > 0 ? rows[0].length : 0;
  const mask = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    if (row.length !== width) throw new Error('ragged art');
    for (let x = 0; x < width; x++) mask[y * width + x] = row[x] === '#' ? 1 : 0;
  });
  return { mask, width, height };
}

/** Independent noise: each pixel foreground with probability `density`. */
export function noiseMask(width: number, height: number, density: number, seed: number): TestMask {
  const r = rng(seed);
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = r() < density ? 1 : 0;
  return { mask, width, height };
}

/**
 * Random ellipses with ragged (noisy) edges, some with holes: the kind of mask a change
 * detector produces, with saddles, pinholes and islands along the edges.
 */
export function blobMask(width: number, height: number, blobs: number, seed: number): TestMask {
  const r = rng(seed);
  const mask = new Uint8Array(width * height);
  for (let b = 0; b < blobs; b++) {
    const cx = r() * width;
    const cy = r() * height;
    const rx = 2 + r() * Math.min(width, 40) * 0.3;
    const ry = 2 + r() * Math.min(height, 40) * 0.3;
    const hole = r() < 0.3 ? 0.4 : 0;
    for (let y = Math.max(0, Math.floor(cy - ry - 2)); y < Math.min(height, cy + ry + 2); y++) {
      for (let x = Math.max(0, Math.floor(cx - rx - 2)); x < Math.min(width, cx + rx + 2); x++) {
        const d = Math.hypot((x + 0.5 - cx) / rx, (y + 0.5 - cy) / ry) + (r() - 0.5) * 0.35;
        if (d < 1 && d >= hole) mask[y * width + x] = 1;
      }
    }
  }
  return { mask, width, height };
}

/** Reference 4- or 8-connected labelling by breadth-first flood fill (slow, obviously right). */
export function floodLabels(m: TestMask, connectivity: 4 | 8): Int32Array {
  const { mask, width, height } = m;
  const labels = new Int32Array(width * height);
  const steps =
    connectivity === 4
      ? [
          [1, 0],
          [-1, 0],
          [0, 1],
          [0, -1],
        ]
      : [
          [1, 0],
          [-1, 0],
          [0, 1],
          [0, -1],
          [1, 1],
          [1, -1],
          [-1, 1],
          [-1, -1],
        ];
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    labels[start] = ++next;
    const queue = [start];
    while (queue.length > 0) {
      const i = queue.pop() as number;
      const x = i % width;
      const y = (i - x) / width;
      for (const [dx, dy] of steps) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const j = ny * width + nx;
        if (mask[j] && !labels[j]) {
          labels[j] = next;
          queue.push(j);
        }
      }
    }
  }
  return labels;
}

/** Ring as a compact string "x,y x,y ..." for readable expectations. */
export function ringString(ring: Ring): string {
  return ring.map(([x, y]) => `${x},${y}`).join(' ');
}

/** True if no vertex of the closed ring lies on the straight line through its neighbours. */
export function hasOnlyCorners(ring: Ring): boolean {
  const n = ring.length - 1;
  for (let i = 0; i < n; i++) {
    const [ax, ay] = ring[(i + n - 1) % n];
    const [bx, by] = ring[i];
    const [cx, cy] = ring[(i + 1) % n];
    if ((bx - ax) * (cy - ay) - (by - ay) * (cx - ax) === 0) return false;
  }
  return true;
}
