import { describe, expect, it } from 'vitest';
import {
  closing,
  dilate,
  erode,
  fillSmallHoles,
  opening,
  removeSmallComponents,
} from '../../../electron/engine/vector/morphology.js';
import type { StructuringElement } from '../../../electron/engine/vector/morphology.js';
import { art, noiseMask } from './fixtures.js';
import type { TestMask } from './fixtures.js';

function show(mask: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < mask.length; i += width) {
    rows.push(Array.from(mask.subarray(i, i + width), (v) => (v ? '#' : '.')).join(''));
  }
  return rows;
}

/** Brute-force dilation/erosion with neutral out-of-raster pixels, as a reference. */
function bruteForce(
  m: TestMask,
  r: number,
  shape: StructuringElement,
  op: 'dilate' | 'erode',
): Uint8Array {
  const { mask, width, height } = m;
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let any = false;
      let all = true;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          if (shape === 'cross' && dx !== 0 && dy !== 0) continue;
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          if (mask[ny * width + nx]) any = true;
          else all = false;
        }
      }
      out[y * width + x] = (op === 'dilate' ? any : all) ? 1 : 0;
    }
  }
  return out;
}

describe('dilate / erode', () => {
  it('grows a pixel into a square or a cross', () => {
    const m = art(['.....', '.....', '..#..', '.....', '.....']);
    expect(show(dilate(m.mask, 5, 5, 1), 5)).toEqual(['.....', '.###.', '.###.', '.###.', '.....']);
    expect(show(dilate(m.mask, 5, 5, 2, 'cross'), 5)).toEqual([
      '..#..',
      '..#..',
      '#####',
      '..#..',
      '..#..',
    ]);
  });

  it('shrinks a block and treats outside pixels as neutral', () => {
    const m = art(['####.', '####.', '####.', '.....']);
    expect(show(erode(m.mask, 5, 4, 1), 5)).toEqual(['###..', '###..', '.....', '.....']);
  });

  it.each([
    [1, 'square'],
    [2, 'square'],
    [1, 'cross'],
    [3, 'cross'],
  ] as [number, StructuringElement][])('matches brute force for r=%i %s', (r, shape) => {
    for (const seed of [1, 2, 3]) {
      const m = noiseMask(37, 29, 0.3 + 0.2 * seed, seed);
      expect(dilate(m.mask, m.width, m.height, r, shape)).toEqual(
        bruteForce(m, r, shape, 'dilate'),
      );
      expect(erode(m.mask, m.width, m.height, r, shape)).toEqual(bruteForce(m, r, shape, 'erode'));
    }
  });

  it('returns a 0/1 copy for radius 0 and rejects bad radii', () => {
    const mask = Uint8Array.from([0, 255, 3, 0]);
    expect(Array.from(dilate(mask, 2, 2, 0))).toEqual([0, 1, 1, 0]);
    expect(() => dilate(mask, 2, 2, -1)).toThrow(RangeError);
    expect(() => erode(mask, 2, 2, 1.5)).toThrow(RangeError);
  });
});

describe('opening / closing', () => {
  it('opening removes specks and thin strips but keeps solid shapes', () => {
    const m = art(['#.......', '........', '.####...', '.####.##', '.####...', '........']);
    expect(show(opening(m.mask, m.width, m.height, 1), m.width)).toEqual([
      '........',
      '........',
      '.####...',
      '.####...',
      '.####...',
      '........',
    ]);
  });

  it('closing fills pinholes and one-pixel gaps', () => {
    const m = art(['#####.###', '##.##.###', '#####.###']);
    expect(show(closing(m.mask, m.width, m.height, 1), m.width)).toEqual([
      '#########',
      '#########',
      '#########',
    ]);
  });

  it('closing is extensive and opening anti-extensive, also at the border', () => {
    for (const seed of [5, 6, 7]) {
      const m = noiseMask(41, 33, 0.5, seed);
      const c = closing(m.mask, m.width, m.height, 1);
      const o = opening(m.mask, m.width, m.height, 1);
      for (let i = 0; i < m.mask.length; i++) {
        if (m.mask[i] && !c[i]) throw new Error(`closing dropped pixel ${i}`);
        if (o[i] && !m.mask[i]) throw new Error(`opening added pixel ${i}`);
      }
    }
  });

  it('is idempotent', () => {
    const m = noiseMask(40, 40, 0.55, 9);
    const o = opening(m.mask, 40, 40, 1);
    expect(opening(o, 40, 40, 1)).toEqual(o);
    const c = closing(m.mask, 40, 40, 1, 'cross');
    expect(closing(c, 40, 40, 1, 'cross')).toEqual(c);
  });
});

describe('removeSmallComponents / fillSmallHoles', () => {
  it('drops 4-connected components below the size', () => {
    const m = art(['##..#', '#...#', '...#.', '#....']);
    expect(show(removeSmallComponents(m.mask, 5, 4, 2), 5)).toEqual([
      '##..#',
      '#...#',
      '.....',
      '.....',
    ]);
  });

  it('fills small holes only, never background reaching the border', () => {
    const m = art(['#######.', '#.##...#', '#.##...#', '######..']);
    // Left hole: 2 px (filled). Right region: 6 px but leaks to the border via (7,0) and (6,3).
    expect(show(fillSmallHoles(m.mask, 8, 4, 3), 8)).toEqual([
      '#######.',
      '####...#',
      '####...#',
      '######..',
    ]);
  });

  it('treats background as 8-connected: a hole leaking through a corner is no hole', () => {
    const m = art(['####', '#..#', '#.##', '##.#', '####']);
    // The 3-pixel pocket touches the pixel (2,3) only at a corner: together they are one 4-pixel
    // hole. Were background 4-connected, both parts would be under 4 pixels and get filled.
    expect(show(fillSmallHoles(m.mask, 4, 5, 4), 4)).toEqual([
      '####',
      '#..#',
      '#.##',
      '##.#',
      '####',
    ]);
    expect(show(fillSmallHoles(m.mask, 4, 5, 5), 4)).toEqual([
      '####',
      '####',
      '####',
      '####',
      '####',
    ]);
    const open = art(['####', '#..#', '#.##', '##..']);
    expect(show(fillSmallHoles(open.mask, 4, 4, 10), 4)).toEqual(['####', '#..#', '#.##', '##..']);
  });

  it('leaves islands inside big holes alone and merges them when the hole is filled', () => {
    const m = art(['#######', '#.....#', '#.....#', '#..#..#', '#.....#', '#.....#', '#######']);
    expect(fillSmallHoles(m.mask, 7, 7, 24)).toEqual(m.mask);
    expect(Array.from(fillSmallHoles(m.mask, 7, 7, 25)).every((v) => v === 1)).toBe(true);
  });
});
