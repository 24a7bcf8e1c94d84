/**
 * Cross-checks polygon validity with an independent implementation: GDAL's ogrinfo running
 * GEOS ST_IsValid through the SQLite dialect. Skipped when ogrinfo is not installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GeoTransform, Ring } from '../../../electron/engine/vector/geo.js';
import { toMap } from '../../../electron/engine/vector/geo.js';
import { polygonize } from '../../../electron/engine/vector/polygonize.js';
import {
  douglasPeucker,
  isValidPolygon,
  simplifyPolygon,
} from '../../../electron/engine/vector/simplify.js';
import { traceMask } from '../../../electron/engine/vector/trace.js';
import { blobMask, noiseMask, rng } from './fixtures.js';
import type { TestMask } from './fixtures.js';

const hasOgr = spawnSync('ogrinfo', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasOgr)
  console.warn('ogrinfo (gdal-bin) not found on PATH: skipping the GEOS validity cross-check');

const dir = mkdtempSync(join(tmpdir(), 'landwatch-vector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** GEOS validity (1 or 0) of each polygon, in order, as reported by ogrinfo. */
function geosValidity(polygons: Ring[][], name: string): number[] {
  const file = join(dir, `${name}.geojson`);
  const features = polygons.map((rings, id) => ({
    type: 'Feature',
    properties: { id },
    geometry: { type: 'Polygon', coordinates: rings },
  }));
  writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', name: 'polys', features }));
  const sql = 'SELECT id, ST_IsValid(geometry) AS v FROM polys ORDER BY id';
  const res = spawnSync('ogrinfo', ['-q', '-dialect', 'sqlite', '-sql', sql, file], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`ogrinfo failed: ${res.stderr}`);
  return [...res.stdout.matchAll(/^\s*v \(Integer\) = (-?\d+)/gm)].map((m) => Number(m[1]));
}

function traced(masks: TestMask[]): Ring[][] {
  return masks.flatMap((m) => traceMask(m.mask, m.width, m.height).map((p) => p.rings));
}

const masks = [
  ...Array.from({ length: 20 }, (_, i) => noiseMask(30, 24, 0.4 + (i % 6) * 0.07, 500 + i)),
  noiseMask(120, 100, 0.6, 600),
  blobMask(300, 240, 60, 601),
  blobMask(200, 200, 40, 602),
];

describe('GEOS ST_IsValid via ogrinfo (skipped when gdal-bin is not installed)', () => {
  it.skipIf(!hasOgr)(
    'traced polygons (saddles, holes, islands, border) in pixel coordinates',
    () => {
      const polys = traced(masks);
      expect(polys.length).toBeGreaterThan(1000);
      const v = geosValidity(polys, 'traced');
      expect(v).toHaveLength(polys.length);
      expect(v.filter((x) => x !== 1)).toEqual([]);
    },
  );

  it.skipIf(!hasOgr)('simplified polygons in map coordinates, north-up and rotated', () => {
    const north: GeoTransform = [431250.25, 0.3, 0, 3372800.75, 0, -0.3];
    const a = (17 * Math.PI) / 180;
    const rotated: GeoTransform = [
      1000,
      0.5 * Math.cos(a),
      0.5 * Math.sin(a),
      2000,
      0.5 * Math.sin(a),
      -0.5 * Math.cos(a),
    ];
    const polys: Ring[][] = [];
    for (const gt of [north, rotated]) {
      for (const rings of traced(masks)) {
        for (const tol of [0.15, 0.4, 1]) polys.push(simplifyPolygon(toMap(rings, gt), tol));
      }
    }
    const v = geosValidity(polys, 'simplified');
    expect(v).toHaveLength(polys.length);
    expect(v.filter((x) => x !== 1)).toEqual([]);
  });

  it.skipIf(!hasOgr)('polygonize output', () => {
    const r = rng(7);
    const w = 400;
    const h = 300;
    const prob = new Float32Array(w * h);
    const blobs = blobMask(w, h, 120, 8);
    for (let i = 0; i < prob.length; i++) prob[i] = blobs.mask[i] ? 0.6 + 0.4 * r() : 0.55 * r();
    const polys = polygonize(prob, w, h, {
      threshold: 0.5,
      minAreaM2: 1,
      geoTransform: [116.3, 1e-5, 0, 39.9, 0, -1e-5],
      geographic: true,
      metresPerUnit: 1,
      simplifyTolerance: 1.5e-5,
    }).map((p) => p.rings);
    expect(polys.length).toBeGreaterThan(50);
    const v = geosValidity(polys, 'polygonize');
    expect(v.filter((x) => x !== 1)).toEqual([]);
  });

  it.skipIf(!hasOgr)(
    'isValidPolygon matches GEOS on unrepaired simplifications, valid or not',
    () => {
      const polys: Ring[][] = [];
      for (const rings of traced(masks)) {
        for (const tol of [0.8, 1.5, 3]) polys.push(rings.map((ring) => douglasPeucker(ring, tol)));
      }
      const geos = geosValidity(polys, 'naive');
      const ours = polys.map((p) => (isValidPolygon(p) ? 1 : 0));
      expect(geos).toHaveLength(polys.length);
      const disagree = ours.flatMap((v, i) =>
        v === geos[i] ? [] : [{ i, ours: v, geos: geos[i] }],
      );
      expect(disagree).toEqual([]);
      // The sample must contain both outcomes for the comparison to mean anything.
      expect(ours.filter((v) => v === 0).length).toBeGreaterThan(20);
      expect(ours.filter((v) => v === 1).length).toBeGreaterThan(20);
    },
  );
});
