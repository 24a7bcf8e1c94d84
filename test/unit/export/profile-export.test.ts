/**
 * Round trips through GDAL: what `exportWithProfile` writes must come back from ogrinfo/ogr2ogr
 * with every attribute intact — Chinese text included, in UTF-8 and in GBK — with the CRS, the
 * declared field types and widths, and the review history next to the GeoPackage layer.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProfile } from '../../../electron/engine/export/apply-profile.js';
import {
  LANDWATCH_PROFILE,
  LAND_SURVEY_PROFILE,
} from '../../../electron/engine/export/builtin-profiles.js';
import { exportWithProfile } from '../../../electron/engine/export/export-with-profile.js';
import type { ExportProfile } from '../../../electron/engine/export/profiles.js';
import type { FieldValue } from '../../../electron/engine/export/types.js';
import { GPKG_QUIET, gdalAvailable, makeTempDir, runGdalClean } from './gdal-cli.js';
import { samplePatchLayer } from './patch-fixtures.js';

const { dir, cleanup } = makeTempDir('profile-export');
afterAll(cleanup);

const REVIEWS = [
  {
    id: 1,
    patch_id: 11,
    state: 'confirmed',
    comment: '确认为新增建筑',
    reviewer: '王建国',
    at: '2024-05-12T09:15:00Z',
    patch_number: 1,
  },
  {
    id: 2,
    patch_id: 13,
    state: 'rejected',
    comment: '伪变化',
    reviewer: '王建国',
    at: '2024-05-12T10:05:00Z',
    patch_number: 3,
  },
];

/** The features' properties as GDAL reads them back (via GeoJSON, which keeps types). */
function readBack(path: string, layer?: string): Record<string, FieldValue>[] {
  const args = ['-f', 'GeoJSON', '-lco', 'SIGNIFICANT_FIGURES=17', '/vsistdout/', path];
  if (layer) args.push(layer);
  const json = runGdalClean('ogr2ogr', args, GPKG_QUIET);
  return (
    JSON.parse(json) as { features: { properties: Record<string, FieldValue> }[] }
  ).features.map((f) => f.properties);
}

/** What the profile says the values are (nulls dropped: GDAL omits or nulls them alike). */
function expected(profile: ExportProfile): Record<string, FieldValue>[] {
  return applyProfile(samplePatchLayer(), profile).layer.features.map((f) => f.properties);
}

describe.each(['UTF-8', 'GBK'] as const)(
  'shapefile with the land-survey profile (%s)',
  (encoding) => {
    const path = join(dir, `jctb-${encoding}.shp`);
    beforeAll(() => {
      const summary = exportWithProfile(path, samplePatchLayer(), LAND_SURVEY_PROFILE, {
        encoding,
      });
      expect(summary.files.map((f) => f.slice(-4))).toEqual([
        '.shp',
        '.shx',
        '.dbf',
        '.cpg',
        '.prj',
      ]);
      expect(summary.warnings).toEqual([]);
    });

    it('declares the encoding in the .cpg and the dBASE header', () => {
      expect(readFileSync(join(dir, `jctb-${encoding}.cpg`), 'utf8')).toBe(encoding);
      // Byte 29 is the language driver: 0x4D is code page 936 (GBK), UTF-8 has none.
      expect(readFileSync(join(dir, `jctb-${encoding}.dbf`))[29]).toBe(
        encoding === 'GBK' ? 0x4d : 0,
      );
    });

    it.skipIf(!gdalAvailable)('opens cleanly with the CRS and the declared field types', () => {
      const info = runGdalClean('ogrinfo', ['-ro', '-so', path, `jctb-${encoding}`]);
      expect(info).toContain('Feature Count: 4');
      expect(info).toContain('Geometry: Polygon');
      expect(info).toMatch(/ID\["EPSG",32650\]\]/);
      for (const line of [
        'TBBH: String (10.0)',
        'TBLX: String (4.0)',
        'TBMJ: Real (15.2)',
        'MU: Real (12.4)',
        'ZXDX: Real (18.6)',
        'QSX: Date (10.0)',
        'ZXD: Real (6.4)',
        'SHZT: String (20.0)',
        'BZ: String (254.0)',
      ]) {
        expect(info).toContain(line);
      }
    });

    it.skipIf(!gdalAvailable)('gives back every attribute, Chinese text included', () => {
      expect(readBack(path)).toEqual(expected(LAND_SURVEY_PROFILE));
    });

    it.skipIf(!gdalAvailable)('keeps the hole and both parts of the multipolygon', () => {
      const sql = `SELECT OGR_GEOM_AREA AS a, OGR_GEOMETRY AS g FROM "jctb-${encoding}"`;
      const out = runGdalClean('ogrinfo', ['-ro', '-q', path, '-sql', sql]);
      const areas = [...out.matchAll(/a \(Real\) = ([\d.]+)/g)].map((m) => Number(m[1]));
      expect(areas).toEqual([9600, 3400, 1600, 625]);
      expect(out).toContain('g (String) = MULTIPOLYGON');
    });
  },
);

describe('GeoPackage with full names', () => {
  const path = join(dir, 'full.gpkg');
  beforeAll(() => {
    exportWithProfile(path, samplePatchLayer(), LANDWATCH_PROFILE, { reviews: REVIEWS });
  });

  it.skipIf(!gdalAvailable)('holds the layer under full names and the reviews table', () => {
    const layers = runGdalClean('ogrinfo', ['-ro', '-q', path], GPKG_QUIET);
    expect(layers).toContain('1: changes (Multi Polygon)');
    expect(layers).toContain('2: reviews (None)');
    const info = runGdalClean('ogrinfo', ['-ro', '-so', path, 'changes'], GPKG_QUIET);
    for (const name of ['perimeter_m', 'change_class', 'before_date: Date', 'reviewed_at']) {
      expect(info).toContain(name);
    }
    const reviews = runGdalClean('ogrinfo', ['-ro', '-q', path, 'reviews'], GPKG_QUIET);
    expect(reviews).toContain('comment (String) = 确认为新增建筑');
    expect(reviews).toContain('patch_number (Integer64) = 3');
  });

  it.skipIf(!gdalAvailable)('gives back every attribute', () => {
    const back = readBack(path, 'changes');
    const want = expected(LANDWATCH_PROFILE);
    expect(back).toHaveLength(4);
    // GDAL prints at most 15 significant digits (5.1000000000000005 comes back as 5.1).
    const close = (v: FieldValue): unknown => (typeof v === 'number' ? expect.closeTo(v, 9) : v);
    back.forEach((row, i) => {
      expect(row).toEqual(
        Object.fromEntries(Object.entries(want[i]).map(([k, v]) => [k, close(v)])),
      );
    });
  });

  it('registers column titles for GIS tools (gpkg_data_columns)', () => {
    const db = new Database(path, { readonly: true });
    const titles = db
      .prepare("SELECT column_name, title FROM gpkg_data_columns WHERE table_name = 'changes'")
      .all() as { column_name: string; title: string }[];
    db.close();
    expect(titles).toContainEqual({
      column_name: 'area_mu',
      title: 'area in mu (1 mu = 666.67 m²)',
    });
  });
});

describe('GeoJSON with the land-survey profile', () => {
  it.skipIf(!gdalAvailable)('opens as WGS 84 with the codes and labels', () => {
    const path = join(dir, 'jctb.geojson');
    exportWithProfile(path, samplePatchLayer(), LAND_SURVEY_PROFILE);
    const info = runGdalClean('ogrinfo', ['-ro', '-al', '-q', path]);
    expect(info).toContain('SHZT (String) = 待外业核查');
    expect(readBack(path)).toEqual(expected(LAND_SURVEY_PROFILE));
  });
});
