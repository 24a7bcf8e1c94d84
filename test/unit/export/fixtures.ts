/**
 * A small change-polygon layer in WGS 84 / UTM zone 50N (around Beijing) used by all writer
 * tests: a polygon with a hole, a two-part multipolygon with a hole, a triangle, Chinese text,
 * nulls, and rings deliberately wound both ways.
 */
import { lookupEpsg } from '../../../electron/engine/crs/epsg.js';
import type { ExportLayer } from '../../../electron/engine/export/types.js';

export const X0 = 450000;
export const Y0 = 4420000;

/** Axis-aligned square ring, counter-clockwise unless `cw`. */
export function square(x: number, y: number, size: number, cw = false): number[][] {
  const ring = [
    [x, y],
    [x + size, y],
    [x + size, y + size],
    [x, y + size],
    [x, y],
  ];
  return cw ? ring.reverse() : ring;
}

/** Expected planar areas of the three features (m²). */
export const AREAS = [100 * 100 - 20 * 20, 50 * 50 - 10 * 10 + 30 * 30, (40 * 30) / 2];

export function sampleLayer(): ExportLayer {
  const crs = lookupEpsg(32650)!;
  return {
    name: 'changes',
    crs: { epsg: 32650, wkt: crs.wkt, proj4: crs.proj4 },
    fields: [
      { name: 'number', type: 'integer' },
      { name: 'area_m2', type: 'real' },
      { name: 'state', type: 'text' },
      { name: 'comment', type: 'text' },
      { name: 'detected', type: 'date' },
    ],
    features: [
      {
        // Exterior counter-clockwise, hole counter-clockwise too (wrong for every format).
        geometry: {
          type: 'Polygon',
          coordinates: [square(X0, Y0, 100), square(X0 + 40, Y0 + 40, 20)],
        },
        properties: {
          number: 1,
          area_m2: 9600,
          state: 'confirmed',
          comment: '新建厂房，需要现场核查',
          detected: '2024-05-01',
        },
      },
      {
        // Exterior clockwise, hole clockwise.
        geometry: {
          type: 'MultiPolygon',
          coordinates: [
            [square(X0 + 200, Y0, 50, true), square(X0 + 220, Y0 + 20, 10, true)],
            [square(X0 + 300, Y0, 30, true)],
          ],
        },
        properties: {
          number: 2,
          area_m2: 3300.25,
          state: 'unreviewed',
          comment: null,
          detected: null,
        },
      },
      {
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [X0, Y0 + 200],
              [X0 + 40, Y0 + 200],
              [X0, Y0 + 230],
              [X0, Y0 + 200],
            ],
          ],
        },
        properties: {
          number: 3,
          area_m2: 600.125,
          state: 'field_check',
          comment: 'road "widening"; 道路拓宽',
          detected: '2024-06-30',
        },
      },
    ],
  };
}
