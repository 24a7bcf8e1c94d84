import { describe, expect, it } from 'vitest';
import {
  CROSS,
  NONE,
  RingLocator,
  TOUCH,
  classify,
  orient,
  pointInRing,
  touchAt,
} from '../../../electron/engine/vector/predicates.js';
import { buildSegments, sweepPairs } from '../../../electron/engine/vector/segment-sweep.js';
import { traceMask } from '../../../electron/engine/vector/trace.js';
import { blobMask, rng } from './fixtures.js';

const ULP = 2 ** -52;

/** Exact orientation sign for points on the 2^-53 grid, in BigInt. */
function exactSign(p: number[][]): number {
  const [a, b, c] = p.map(([x, y]) => [BigInt(x * 2 ** 53), BigInt(y * 2 ** 53)]);
  const det = (a[0] - c[0]) * (b[1] - c[1]) - (a[1] - c[1]) * (b[0] - c[0]);
  return det > 0n ? 1 : det < 0n ? -1 : 0;
}

function pack(ring: number[][]): Float64Array {
  return Float64Array.from(ring.flat());
}

describe('orient', () => {
  it('is exact where plain floating point gets the sign wrong', () => {
    let naiveWrong = 0;
    for (let i = 0; i < 32; i++) {
      for (let j = 0; j < 32; j++) {
        const pts = [
          [0.5 + i * ULP, 0.5 + j * ULP],
          [12, 12],
          [24, 24],
        ];
        const [[ax, ay], [bx, by], [cx, cy]] = pts;
        const truth = exactSign(pts);
        expect(Math.sign(orient(ax, ay, bx, by, cx, cy))).toBe(truth);
        if (Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) !== truth) naiveWrong++;
      }
    }
    expect(naiveWrong).toBeGreaterThan(0);
  });

  it('is positive for counter-clockwise triples', () => {
    expect(orient(0, 0, 1, 0, 0, 1)).toBeGreaterThan(0);
    expect(orient(0, 0, 0, 1, 1, 0)).toBeLessThan(0);
    expect(orient(0, 0, 1, 1, 2, 2)).toBe(0);
  });
});

describe('classify', () => {
  it('tells apart disjoint, touching, crossing and overlapping segments', () => {
    expect(classify(0, 0, 1, 0, 0, 1, 1, 1)).toBe(NONE);
    expect(classify(0, 0, 2, 2, 0, 2, 2, 0)).toBe(CROSS);
    expect(classify(0, 0, 2, 0, 1, 0, 3, 0)).toBe(CROSS);
    expect(classify(0, 0, 2, 0, 2, 0, 3, 0)).toBe(TOUCH);
    expect(touchAt).toEqual([2, 0]);
    expect(classify(0, 0, 2, 0, 1, 0, 1, 5)).toBe(TOUCH);
    expect(touchAt).toEqual([1, 0]);
    expect(classify(0, 0, 2, 0, 3, 0, 4, 0)).toBe(NONE);
    expect(classify(0, 0, 2, 0, 1, 1e-300, 1, 5)).toBe(NONE);
  });
});

describe('RingLocator', () => {
  it('agrees with the linear point-in-ring test, boundary included', () => {
    const m = blobMask(120, 120, 6, 3);
    const rings = traceMask(m.mask, m.width, m.height).flatMap((p) => p.rings);
    const r = rng(4);
    for (const ring of rings) {
      const xy = pack(ring);
      const loc = new RingLocator(xy);
      for (let k = 0; k < 200; k++) {
        // Half the queries on the pixel-corner lattice, where boundary hits happen.
        const x = k % 2 ? r() * 122 - 1 : Math.round(r() * 122 - 1);
        const y = k % 2 ? r() * 122 - 1 : Math.round(r() * 122 - 1);
        expect(loc.locate(x, y)).toBe(pointInRing(x, y, xy));
      }
    }
  });

  it('locates inside, outside and on the boundary', () => {
    const sq = pack([
      [0, 0],
      [4, 0],
      [4, 4],
      [0, 4],
      [0, 0],
    ]);
    const loc = new RingLocator(sq);
    expect([loc.locate(2, 2), loc.locate(5, 2), loc.locate(4, 2), loc.locate(0, 0)]).toEqual([
      1, -1, 0, 0,
    ]);
  });
});

describe('sweepPairs', () => {
  it('reports exactly the pairs with overlapping bounding boxes', () => {
    const m = blobMask(80, 60, 12, 9);
    const rings = traceMask(m.mask, m.width, m.height).flatMap((p) => p.rings.map(pack));
    const segs = buildSegments(rings);
    const key = (a: number, b: number): string => `${Math.min(a, b)}:${Math.max(a, b)}`;
    const found = new Set<string>();
    sweepPairs(segs, (a, b) => {
      const k = key(a, b);
      if (found.has(k)) throw new Error(`pair ${k} reported twice`);
      found.add(k);
    });
    const { x1, y1, x2, y2 } = segs;
    const expected = new Set<string>();
    for (let a = 0; a < segs.count; a++) {
      for (let b = a + 1; b < segs.count; b++) {
        if (Math.max(x1[a], x2[a]) < Math.min(x1[b], x2[b])) continue;
        if (Math.max(x1[b], x2[b]) < Math.min(x1[a], x2[a])) continue;
        if (Math.max(y1[a], y2[a]) < Math.min(y1[b], y2[b])) continue;
        if (Math.max(y1[b], y2[b]) < Math.min(y1[a], y2[a])) continue;
        expected.add(key(a, b));
      }
    }
    expect(segs.count).toBeGreaterThan(500);
    expect(found).toEqual(expected);
  });
});
