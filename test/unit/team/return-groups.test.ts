/**
 * How a returned checkout is cut into groups (made patches with the patches they came from) and
 * what counts as an offline change (values, not how PostGIS or JavaScript wrote the numbers).
 */
import { describe, expect, it } from 'vitest';
import type { PatchRow } from '../../../electron/engine/store/patch-rows.js';
import { offlineChanges, returnGroups } from '../../../electron/engine/team/return-groups.js';

const row = (id: number, more: Partial<PatchRow> = {}): PatchRow =>
  ({ id, number: id, origin: 'model', parents: null, deleted: 0, ...more }) as PatchRow;

describe('returnGroups', () => {
  it('groups made patches with their parents, transitively, and leaves the rest alone', () => {
    const rows = [
      row(1),
      row(2, { deleted: 1 }),
      row(3, { deleted: 1 }),
      row(4),
      row(10, { origin: 'split', parents: '[2]', deleted: 1 }),
      row(11, { origin: 'split', parents: '[2]' }),
      row(12, { origin: 'merge', parents: '[10,3]' }),
      row(13, { origin: 'manual', parents: '[]' }),
      row(14, { origin: 'manual', parents: '[]', deleted: 2 }), // creation undone offline
    ];
    expect(returnGroups(rows, new Set([1, 2, 3, 4]))).toEqual([
      { existing: [1], made: [] },
      { existing: [2, 3], made: [10, 11, 12] },
      { existing: [4], made: [] },
      { existing: [], made: [13] },
    ]);
  });
});

describe('offlineChanges', () => {
  const ring = (x: number) =>
    JSON.stringify({
      type: 'Polygon',
      coordinates: [
        [
          [x, 0],
          [x + 1, 0],
          [x, 1],
          [x, 0],
        ],
      ],
    });

  it('sees changed columns and ignores how numbers were written', () => {
    expect(
      offlineChanges(
        { state: 'unreviewed', geometry: ring(0.1) },
        { state: 'unreviewed', geometry: ring(0.1 + 1e-12) },
      ),
    ).toBeNull();
    expect(
      offlineChanges(
        { state: 'unreviewed', comment: null, geometry: ring(500000.1), area_m2: 100 },
        { state: 'confirmed', comment: 'ok', geometry: ring(500000.2), area_m2: 100.0000000001 },
      ),
    ).toEqual({ state: 'confirmed', comment: 'ok', geometry: ring(500000.2) });
  });
});
