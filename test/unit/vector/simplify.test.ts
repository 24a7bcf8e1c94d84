import { describe, expect, it } from 'vitest';
import { ringArea } from '../../../electron/engine/vector/geo.js';
import type { Ring } from '../../../electron/engine/vector/geo.js';
import {
  douglasPeucker,
  isValidPolygon,
  simplifyPolygon,
  validatePolygon,
} from '../../../electron/engine/vector/simplify.js';
import { traceMask } from '../../../electron/engine/vector/trace.js';
import { blobMask, noiseMask } from './fixtures.js';

/** Rings from WKT-like text: "x y, x y, ..." per ring, rings separated by "|". */
function P(text: string): Ring[] {
  return text
    .split('|')
    .map((ring) => ring.split(',').map((pt) => pt.trim().split(/\s+/).map(Number)));
}

const SQUARE = '0 0, 4 0, 4 4, 0 4, 0 0';
const square: Ring = P(SQUARE)[0];

function distToRing(px: number, py: number, ring: Ring): number {
  let best = Infinity;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [ax, ay] = ring[i];
    const [bx, by] = ring[i + 1];
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(ax + t * dx - px, ay + t * dy - py));
  }
  return best;
}

/** A staircase-edged ring of n steps (like a traced diagonal), closed along the axes. */
function staircase(n: number): Ring {
  const ring: Ring = [[0, 0]];
  for (let i = 0; i < n; i++) ring.push([i + 1, i], [i + 1, i + 1]);
  ring.push([0, n], [0, 0]);
  return ring;
}

describe('isValidPolygon', () => {
  it('accepts simple polygons, holes, and a hole touching the exterior at one point', () => {
    expect(isValidPolygon(P(SQUARE))).toBe(true);
    expect(isValidPolygon(P(`${SQUARE} | 1 1, 1 2, 2 2, 2 1, 1 1`))).toBe(true);
    expect(isValidPolygon(P(`${SQUARE} | 0 2, 1 3, 1 1, 0 2`))).toBe(true);
    expect(isValidPolygon(P(`${SQUARE} | 0 2, 1 3, 1 1, 0 2 | 1 1, 2 2, 3 1, 1 1`))).toBe(true);
  });

  it.each([
    ['bow tie', '0 0, 2 2, 2 0, 0 2, 0 0'],
    ['unclosed ring', '0 0, 1 0, 1 1, 0 1'],
    ['two distinct points', '0 0, 1 0, 0 0, 0 0'],
    ['collinear spike', '0 0, 3 0, 1 0, 0 0'],
    ['spike out of a square', '0 0, 4 0, 6 0, 4 0, 4 4, 0 4, 0 0'],
    ['ring touching itself (inverted hole)', '0 0, 4 0, 4 4, 2 4, 3 2, 1 2, 2 4, 0 4, 0 0'],
    ['vertex on its own edge', '0 0, 4 0, 4 4, 2 0, 0 4, 0 0'],
    ['hole outside', `${SQUARE} | 5 5, 6 5, 6 6, 5 5`],
    ['hole crossing the exterior', `${SQUARE} | 3 1, 5 1, 5 2, 3 2, 3 1`],
    ['hole touching the exterior twice', `${SQUARE} | 0 1, 4 1, 2 3, 0 1`],
    ['hole on the exterior edge', `${SQUARE} | 1 0, 2 0, 2 1, 1 0`],
    [
      'nested holes',
      '0 0, 10 0, 10 10, 0 10, 0 0 | 1 1, 1 9, 9 9, 9 1, 1 1 | 2 2, 2 3, 3 3, 3 2, 2 2',
    ],
    [
      'holes crossing each other',
      `${SQUARE} | 1 1, 3 1, 3 2, 1 2, 1 1 | 2 0.5, 2.5 0.5, 2.5 3, 2 3, 2 0.5`,
    ],
    [
      'holes touching in a loop with the exterior',
      `${SQUARE} | 0 2, 2 1, 2 3, 0 2 | 2 1, 4 2, 2 3, 2 1`,
    ],
  ])('rejects %s', (_name, text) => {
    expect(validatePolygon(P(text)).valid).toBe(false);
  });

  it('says which rings are at fault', () => {
    const report = validatePolygon(
      P(`${SQUARE} | 1 1, 1 2, 2 2, 2 1, 1 1 | 3 1, 5 1, 5 2, 3 2, 3 1`),
    );
    expect(report.valid).toBe(false);
    expect(report.badRings.sort()).toEqual([0, 2]);
  });

  it('checks a 20k-vertex ring quickly', () => {
    const ring = staircase(10_000);
    const t0 = performance.now();
    expect(isValidPolygon([ring])).toBe(true);
    // Generous bound: a quadratic checker would take tens of seconds here.
    expect(performance.now() - t0).toBeLessThan(2000);
  });
  it('checks a polygon with thousands of holes quickly, and still finds a misplaced one', () => {
    const n = 240;
    const mask = new Uint8Array(n * n).fill(1);
    for (let y = 1; y < n - 1; y += 3) for (let x = 1; x < n - 1; x += 3) mask[y * n + x] = 0;
    const [poly] = traceMask(mask, n, n);
    expect(poly.rings.length).toBe(80 * 80 + 1);
    const t0 = performance.now();
    expect(isValidPolygon(poly.rings)).toBe(true);
    // Generous bound: quadratic hole-vs-hole checks would take many seconds here.
    expect(performance.now() - t0).toBeLessThan(3000);
    // A hole inside hole (1,1)-(2,2) is caught, and so is a hole outside the exterior.
    const nested = P('1.25 1.25, 1.75 1.25, 1.75 1.75, 1.25 1.25')[0];
    expect(validatePolygon([...poly.rings, nested]).reason).toMatch(/inside hole/);
    const outside = P('300 300, 301 300, 301 301, 300 300')[0];
    expect(validatePolygon([...poly.rings, outside]).reason).toMatch(/outside the exterior/);
  });
});

describe('douglasPeucker', () => {
  it('straightens a staircase within the tolerance and keeps orientation', () => {
    const ring = staircase(50);
    const out = douglasPeucker(ring, 1);
    expect(out.length).toBeLessThan(10);
    expect(out[0]).toEqual(out[out.length - 1]);
    expect(Math.sign(ringArea(out))).toBe(Math.sign(ringArea(ring)));
    for (const [x, y] of ring) expect(distToRing(x, y, out)).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('never goes below 4 points (3 distinct)', () => {
    for (const tol of [0.5, 2, 100]) {
      const out = douglasPeucker(staircase(3), tol);
      expect(out.length).toBeGreaterThanOrEqual(4);
      expect(new Set(out.map((p) => p.join())).size).toBeGreaterThanOrEqual(3);
      expect(isValidPolygon([out])).toBe(true);
    }
    expect(douglasPeucker(square, 100)).toEqual(square);
  });
});

describe('simplifyPolygon', () => {
  it('copies the rings for tolerance 0', () => {
    const out = simplifyPolygon([square], 0);
    expect(out).toEqual([square]);
    expect(out[0]).not.toBe(square);
  });

  it('backs off rings whose simplification would break validity', () => {
    // A staircase exterior with a hole dipping below its diagonal: simplifying the exterior
    // alone at tolerance 3 straightens the stairs into the diagonal and cuts through the hole.
    const ext = staircase(20);
    const [hole] = P('4.2 4.1, 4.8 4.1, 4.2 6, 4.2 4.1');
    expect(isValidPolygon([ext, hole])).toBe(true);
    expect(isValidPolygon([douglasPeucker(ext, 3), hole])).toBe(false);
    const out = simplifyPolygon([ext, hole], 3);
    expect(isValidPolygon(out)).toBe(true);
    expect(out[0].length).toBeLessThan(ext.length);
  });

  it('keeps noisy random blobs valid at every tolerance, and exercises the fallback', () => {
    let naiveInvalid = 0;
    let polygons = 0;
    for (const [seed, m] of [
      [1, blobMask(160, 120, 30, 21)],
      [2, blobMask(200, 200, 50, 22)],
      [3, noiseMask(70, 60, 0.6, 23)],
      [4, noiseMask(70, 60, 0.75, 24)],
    ] as const) {
      for (const poly of traceMask(m.mask, m.width, m.height)) {
        for (const tol of [0.5, 0.9, 1.5, 3, 6]) {
          polygons++;
          const out = simplifyPolygon(poly.rings, tol);
          const report = validatePolygon(out);
          if (!report.valid) throw new Error(`seed ${seed} tol ${tol}: ${report.reason}`);
          expect(out).toHaveLength(poly.rings.length);
          out.forEach((ring, i) => {
            expect(ring.length).toBeGreaterThanOrEqual(4);
            expect(Math.sign(ringArea(ring))).toBe(Math.sign(ringArea(poly.rings[i])));
          });
          if (!isValidPolygon(poly.rings.map((r) => douglasPeucker(r, tol)))) naiveInvalid++;
        }
      }
    }
    expect(polygons).toBeGreaterThan(500);
    expect(naiveInvalid).toBeGreaterThan(0);
  });

  it('stays within the tolerance of the original boundary', () => {
    const m = blobMask(150, 150, 20, 31);
    for (const poly of traceMask(m.mask, m.width, m.height)) {
      const out = simplifyPolygon(poly.rings, 1.2);
      poly.rings.forEach((ring, i) => {
        for (const [x, y] of ring) expect(distToRing(x, y, out[i])).toBeLessThanOrEqual(1.2 + 1e-9);
      });
    }
  });
});
