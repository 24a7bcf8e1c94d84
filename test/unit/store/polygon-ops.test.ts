/**
 * Union, overlap and split: the polygon operations behind merge, re-run linking and split. Every
 * result is checked for OGC validity with the vectoriser's independent validity checker and for
 * area against a reference (exact counts of unit cells, or sampling).
 */
import { describe, expect, it } from 'vitest';
import {
  intersectionOverUnion,
  polygonsOverlap,
  splitPolygonByLine,
  unionPolygons,
  type PolygonRings,
} from '../../../electron/engine/store/geometry/polygon-ops.js';
import { polygonArea } from '../../../electron/engine/vector/geo.js';
import { isValidPolygon, validatePolygon } from '../../../electron/engine/vector/validity.js';
import { rng } from '../vector/fixtures.js';

/** UTM-sized offsets, so precision at real map coordinates is exercised. */
const X0 = 500_000;
const Y0 = 4_400_000;

function rect(x0: number, y0: number, x1: number, y1: number, ox = X0, oy = Y0): PolygonRings {
  return [
    [
      [ox + x0, oy + y0],
      [ox + x1, oy + y0],
      [ox + x1, oy + y1],
      [ox + x0, oy + y1],
      [ox + x0, oy + y0],
    ],
  ];
}

const area = (polys: PolygonRings[]) => polys.reduce((s, p) => s + polygonArea(p), 0);

function expectValid(polys: PolygonRings[]): void {
  for (const p of polys) expect(validatePolygon(p).reason ?? 'valid').toBe('valid');
}

describe('unionPolygons', () => {
  it('merges squares sharing an edge into one rectangle without the seam', () => {
    const out = unionPolygons([rect(0, 0, 1, 1), rect(1, 0, 2, 1)]);
    expect(out).toHaveLength(1);
    expect(out[0]).toHaveLength(1);
    expect(out[0][0]).toHaveLength(5);
    expect(polygonArea(out[0])).toBeCloseTo(2, 9);
    expectValid(out);
  });

  it('merges partly shared edges and overlaps', () => {
    const out = unionPolygons([rect(0, 0, 2, 2), rect(2, 1, 3, 4), rect(1, 1, 3.5, 1.5)]);
    expect(out).toHaveLength(1);
    expect(polygonArea(out[0])).toBeCloseTo(4 + 3 + 0.25, 9);
    expectValid(out);
  });

  it('keeps polygons touching at a corner as separate parts', () => {
    const out = unionPolygons([rect(0, 0, 1, 1), rect(1, 1, 2, 2)]);
    expect(out).toHaveLength(2);
    expectValid(out);
  });

  it('closes a frame of four bars into a polygon with a hole', () => {
    const out = unionPolygons([
      rect(0, 0, 3, 1),
      rect(2, 1, 3, 3),
      rect(0, 2, 2, 3),
      rect(0, 1, 1, 2),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]).toHaveLength(2);
    expect(polygonArea(out[0])).toBeCloseTo(8, 9);
    expectValid(out);
  });

  it('absorbs a contained polygon and keeps holes not covered', () => {
    const donut: PolygonRings = [rect(0, 0, 4, 4)[0], [...rect(1, 1, 3, 3)[0]].reverse()];
    const out = unionPolygons([donut, rect(0.5, 0.5, 1.5, 1.5)]);
    expect(out).toHaveLength(1);
    expect(out[0]).toHaveLength(2);
    expect(polygonArea(out[0])).toBeCloseTo(16 - 4 + 0.25, 9);
    expectValid(out);
    const filled = unionPolygons([donut, rect(1, 1, 3, 3)]);
    expect(filled[0]).toHaveLength(1);
    expect(polygonArea(filled[0])).toBeCloseTo(16, 9);
  });

  it('matches cell counts on random pixel masks (holes, pinches, long shared edges)', () => {
    const random = rng(7);
    for (let trial = 0; trial < 60; trial++) {
      const cells: PolygonRings[] = [];
      for (let y = 0; y < 7; y++)
        for (let x = 0; x < 7; x++)
          if (random() < 0.55) cells.push(rect(x * 0.5, y * 0.5, x * 0.5 + 0.5, y * 0.5 + 0.5));
      if (cells.length === 0) continue;
      const out = unionPolygons(cells);
      expect(area(out)).toBeCloseTo(cells.length * 0.25, 6);
      expectValid(out);
    }
  });

  it('matches a sampled area for random overlapping quadrilaterals', () => {
    const random = rng(11);
    for (let trial = 0; trial < 25; trial++) {
      const quad = (cx: number, cy: number): PolygonRings => {
        const pts = [0, 1, 2, 3].map((k) => {
          const a = (k * Math.PI) / 2 + random() * 1.2;
          const r = 2 + random() * 3;
          return [X0 + cx + r * Math.cos(a), Y0 + cy + r * Math.sin(a)];
        });
        return [[...pts, pts[0]]];
      };
      const polys = [quad(0, 0), quad(2 * random(), 2 * random()), quad(3 * random(), 1)];
      const out = unionPolygons(polys);
      expectValid(out);
      let hits = 0;
      const n = 200;
      const inside = (p: PolygonRings, x: number, y: number) => {
        let c = false;
        const r = p[0];
        for (let i = 0; i + 1 < r.length; i++) {
          const [x1, y1] = r[i];
          const [x2, y2] = r[i + 1];
          if (y1 > y !== y2 > y && x < ((x2 - x1) * (y - y1)) / (y2 - y1) + x1) c = !c;
        }
        return c;
      };
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          const x = X0 - 6 + (12 + 3) * ((i + 0.5) / n);
          const y = Y0 - 6 + (12 + 2) * ((j + 0.5) / n);
          if (polys.some((p) => inside(p, x, y))) hits++;
        }
      const sampled = (hits / (n * n)) * 15 * 14;
      expect(Math.abs(area(out) - sampled) / sampled).toBeLessThan(0.02);
    }
  });
});

describe('polygonsOverlap', () => {
  it('tells overlaps from shared edges and touching corners', () => {
    expect(polygonsOverlap(rect(0, 0, 1, 1), rect(0.5, 0.5, 2, 2))).toBe(true);
    expect(polygonsOverlap(rect(0, 0, 1, 1), rect(1, 0, 2, 1))).toBe(false);
    expect(polygonsOverlap(rect(0, 0, 1, 1), rect(1, 1, 2, 2))).toBe(false);
    expect(polygonsOverlap(rect(0, 0, 1, 1), rect(0, 0, 1, 1))).toBe(true);
    expect(polygonsOverlap(rect(0, 0, 4, 4), rect(1, 1, 2, 2))).toBe(true);
    expect(polygonsOverlap(rect(0, 0, 1, 1), rect(5, 5, 6, 6))).toBe(false);
    // A cross: no vertex of either lies inside the other.
    expect(polygonsOverlap(rect(0, 1, 3, 2), rect(1, 0, 2, 3))).toBe(true);
  });

  it('does not count a polygon sitting in the other one’s hole', () => {
    const donut: PolygonRings = [rect(0, 0, 4, 4)[0], [...rect(1, 1, 3, 3)[0]].reverse()];
    expect(polygonsOverlap(donut, rect(1.5, 1.5, 2.5, 2.5))).toBe(false);
    expect(polygonsOverlap(donut, rect(1, 1, 3, 3))).toBe(false);
    expect(polygonsOverlap(donut, rect(0.5, 1.5, 2.5, 2.5))).toBe(true);
  });
});

describe('intersectionOverUnion', () => {
  it('is 1 for the same outline, 0 apart or edge to edge, |A∩B|/|A∪B| otherwise', () => {
    expect(intersectionOverUnion([rect(0, 0, 10, 10)], [rect(0, 0, 10, 10)])).toBeCloseTo(1, 9);
    expect(intersectionOverUnion([rect(0, 0, 10, 10)], [rect(10, 0, 20, 10)])).toBeCloseTo(0, 9);
    expect(intersectionOverUnion([rect(0, 0, 1, 1)], [rect(5, 5, 6, 6)])).toBe(0);
    expect(intersectionOverUnion([rect(0, 0, 10, 10)], [rect(5, 5, 15, 15)])).toBeCloseTo(
      25 / 175,
      9,
    );
    // A grown outline: the old one inside a square four times its size.
    expect(intersectionOverUnion([rect(0, 0, 10, 10)], [rect(0, 0, 20, 20)])).toBeCloseTo(0.25, 9);
    // Parts of a MultiPolygon count together; holes do not.
    const donut: PolygonRings = [rect(0, 0, 4, 4)[0], [...rect(1, 1, 3, 3)[0]].reverse()];
    expect(intersectionOverUnion([donut], [rect(0, 0, 4, 4)])).toBeCloseTo(12 / 16, 9);
    expect(
      intersectionOverUnion([rect(0, 0, 1, 1), rect(2, 0, 3, 1)], [rect(0, 0, 3, 1)]),
    ).toBeCloseTo(2 / 3, 9);
  });
});

describe('splitPolygonByLine', () => {
  it('cuts a square in two along a line crossing it', () => {
    const out = splitPolygonByLine(rect(0, 0, 2, 2), [
      [X0 + 1, Y0 - 1],
      [X0 + 1, Y0 + 3],
    ]);
    expect(out).toHaveLength(2);
    expect(out.map((p) => polygonArea(p)).sort()).toEqual([2, 2]);
    expectValid(out);
  });

  it('follows a polyline and makes three pieces when it crosses twice', () => {
    const out = splitPolygonByLine(rect(0, 0, 4, 2), [
      [X0 + 1, Y0 - 1],
      [X0 + 1, Y0 + 3],
      [X0 + 3, Y0 + 3],
      [X0 + 3, Y0 - 1],
    ]);
    expect(out).toHaveLength(3);
    expect(area(out)).toBeCloseTo(8, 9);
    expectValid(out);
  });

  it('returns the polygon whole when the line stops inside or misses it', () => {
    expect(
      splitPolygonByLine(rect(0, 0, 2, 2), [
        [X0 - 1, Y0 + 1],
        [X0 + 1, Y0 + 1],
      ]),
    ).toHaveLength(1);
    expect(
      splitPolygonByLine(rect(0, 0, 2, 2), [
        [X0 + 5, Y0],
        [X0 + 5, Y0 + 3],
      ]),
    ).toHaveLength(1);
  });

  it('splits a polygon with a hole through the hole and keeps pieces valid', () => {
    const donut: PolygonRings = [rect(0, 0, 4, 4)[0], [...rect(1, 1, 3, 3)[0]].reverse()];
    const out = splitPolygonByLine(donut, [
      [X0 + 2, Y0 - 1],
      [X0 + 2, Y0 + 5],
    ]);
    expect(out).toHaveLength(2);
    expect(area(out)).toBeCloseTo(12, 9);
    for (const p of out) expect(isValidPolygon(p)).toBe(true);
    // A line past the hole leaves the hole in one of the pieces.
    const side = splitPolygonByLine(donut, [
      [X0 + 0.5, Y0 - 1],
      [X0 + 0.5, Y0 + 5],
    ]);
    expect(side).toHaveLength(2);
    expect(side.some((p) => p.length === 2)).toBe(true);
    expectValid(side);
  });

  it('cuts along a diagonal through vertices', () => {
    const out = splitPolygonByLine(rect(0, 0, 2, 2), [
      [X0 - 1, Y0 - 1],
      [X0 + 3, Y0 + 3],
    ]);
    expect(out).toHaveLength(2);
    expect(out.map((p) => polygonArea(p))).toEqual([2, 2]);
    expectValid(out);
  });
});
