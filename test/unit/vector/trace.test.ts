import { describe, expect, it } from 'vitest';
import { componentStats, labelComponents } from '../../../electron/engine/vector/components.js';
import { polygonArea, ringArea } from '../../../electron/engine/vector/geo.js';
import { validatePolygon } from '../../../electron/engine/vector/simplify.js';
import { traceComponents, traceMask } from '../../../electron/engine/vector/trace.js';
import type { PixelPolygon } from '../../../electron/engine/vector/trace.js';
import { art, blobMask, hasOnlyCorners, noiseMask, ringString } from './fixtures.js';
import type { TestMask } from './fixtures.js';

function trace(rows: string[]): PixelPolygon[] {
  const m = art(rows);
  return traceMask(m.mask, m.width, m.height);
}

function rings(rows: string[]): string[][] {
  return trace(rows).map((p) => p.rings.map(ringString));
}

/** Every structural property the tracer promises, checked on one mask. */
function checkAll(m: TestMask): void {
  const labeling = labelComponents(m.mask, m.width, m.height);
  const stats = componentStats(labeling);
  const polys = traceComponents(labeling);
  expect(polys.map((p) => p.label)).toEqual(stats.map((s) => s.label));
  for (const poly of polys) {
    const report = validatePolygon(poly.rings);
    if (!report.valid) throw new Error(`label ${poly.label}: ${report.reason}`);
    expect(polygonArea(poly.rings)).toBe(stats[poly.label - 1].pixelCount);
    poly.rings.forEach((ring, i) => {
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(Math.sign(ringArea(ring))).toBe(i === 0 ? -1 : 1);
      expect(hasOnlyCorners(ring)).toBe(true);
      const seen = new Set(ring.slice(1).map(([x, y]) => `${x},${y}`));
      expect(seen.size).toBe(ring.length - 1);
    });
  }
}

describe('traceMask', () => {
  it('traces one pixel as its square, exterior with negative pixel-space area', () => {
    expect(rings(['#'])).toEqual([['0,0 0,1 1,1 1,0 0,0']]);
    expect(ringArea(trace(['#'])[0].rings[0])).toBe(-1);
  });

  it('traces a rectangle with only its four corners', () => {
    expect(rings(['.....', '.###.', '.###.', '.....'])).toEqual([['1,1 1,3 4,3 4,1 1,1']]);
  });

  it('traces an L shape', () => {
    expect(rings(['#..', '#..', '###'])).toEqual([['0,0 0,3 3,3 3,2 1,2 1,0 0,0']]);
  });

  it('traces a donut as exterior plus a clockwise-on-screen hole', () => {
    const polys = trace(['###', '#.#', '###']);
    expect(polys.map((p) => p.rings.map(ringString))).toEqual([
      ['0,0 0,3 3,3 3,0 0,0', '2,1 2,2 1,2 1,1 2,1'],
    ]);
    expect(polygonArea(polys[0].rings)).toBe(8);
  });

  it('makes an island in a hole its own polygon', () => {
    const polys = trace(['#####', '#...#', '#.#.#', '#...#', '#####']);
    expect(polys.map((p) => p.rings.map(ringString))).toEqual([
      ['0,0 0,5 5,5 5,0 0,0', '4,1 4,4 1,4 1,1 4,1'],
      ['2,2 2,3 3,3 3,2 2,2'],
    ]);
  });

  it('keeps two corner-touching pixels as two polygons sharing only a point', () => {
    expect(rings(['#.', '.#'])).toEqual([['0,0 0,1 1,1 1,0 0,0'], ['1,1 1,2 2,2 2,1 1,1']]);
    expect(rings(['.#', '#.'])).toEqual([['1,0 1,1 2,1 2,0 1,0'], ['0,1 0,2 1,2 1,1 0,1']]);
  });

  it('splits a same-component saddle into exterior and a hole touching at one corner', () => {
    // (1,3) and (2,2) touch at corner (2,3) and are joined round the top; the pocket becomes a
    // hole that touches the exterior at (2,3) instead of an exterior that touches itself.
    const polys = trace(['####', '#..#', '#.##', '##..']);
    expect(polys).toHaveLength(1);
    expect(polys[0].rings.map(ringString)).toEqual([
      '0,0 0,4 2,4 2,3 4,3 4,0 0,0',
      '3,1 3,2 2,2 2,3 1,3 1,1 3,1',
    ]);
    expect(validatePolygon(polys[0].rings).valid).toBe(true);
    expect(polygonArea(polys[0].rings)).toBe(11);
  });

  it('handles a ring of corner-touching pixels around an 8-connected-background pocket', () => {
    const polys = trace(['.#.', '#.#', '.#.']);
    expect(polys).toHaveLength(4);
    polys.forEach((p) => expect(p.rings).toHaveLength(1));
  });

  it('traces components touching the raster border and a full raster', () => {
    expect(rings(['##', '##'])).toEqual([['0,0 0,2 2,2 2,0 0,0']]);
    expect(rings(['..#', '..#', '###'])).toEqual([['2,0 2,2 0,2 0,3 3,3 3,0 2,0']]);
    expect(rings(['###', '#.#'])).toEqual([['0,0 0,2 1,2 1,1 2,1 2,2 3,2 3,0 0,0']]);
  });

  it('traces single rows and columns', () => {
    expect(rings(['#.##'])).toEqual([['0,0 0,1 1,1 1,0 0,0'], ['2,0 2,1 4,1 4,0 2,0']]);
    expect(rings(['#', '#', '.', '#'])).toEqual([['0,0 0,2 1,2 1,0 0,0'], ['0,3 0,4 1,4 1,3 0,3']]);
  });

  it('returns nothing for an empty mask', () => {
    expect(rings(['...', '...'])).toEqual([]);
    expect(traceMask(new Uint8Array(0), 0, 0)).toEqual([]);
  });

  it('honours the include filter', () => {
    const m = art(['#.#', '...', '#.#']);
    const polys = traceComponents(labelComponents(m.mask, 3, 3), (k) => k % 2 === 0);
    expect(polys.map((p) => p.label)).toEqual([2, 4]);
  });

  it('nests holes and islands several levels deep', () => {
    checkAll(
      art([
        '#########',
        '#.......#',
        '#.#####.#',
        '#.#...#.#',
        '#.#.#.#.#',
        '#.#...#.#',
        '#.#####.#',
        '#.......#',
        '#########',
      ]),
    );
  });

  it.each([
    ['sparse noise', noiseMask(60, 50, 0.3, 1)],
    ['half noise', noiseMask(60, 50, 0.5, 2)],
    ['dense noise', noiseMask(60, 50, 0.7, 3)],
    ['very dense noise', noiseMask(80, 80, 0.85, 4)],
    ['checkerboard-ish noise', noiseMask(33, 47, 0.55, 5)],
    ['blobs', blobMask(200, 160, 40, 6)],
    ['blobs 2', blobMask(300, 120, 60, 7)],
  ])('gives valid polygons whose area equals the pixel count on %s', (_name, m) => {
    checkAll(m);
  });

  it('stays valid over many seeds of small dense masks (saddle-heavy)', () => {
    for (let seed = 100; seed < 160; seed++)
      checkAll(noiseMask(12, 10, 0.45 + (seed % 5) * 0.08, seed));
  });
});
