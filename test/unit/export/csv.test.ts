/**
 * CSV with WKT: RFC 4180 quoting, WKT in the layer CRS, and a round trip through GDAL's CSV driver
 * (`-oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO`) with the same feature count, geometries,
 * CRS and attribute values, Chinese text included.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProfile } from '../../../electron/engine/export/apply-profile.js';
import { LANDWATCH_PROFILE } from '../../../electron/engine/export/builtin-profiles.js';
import { csvField, csvText, polygonWkt, writeCsv } from '../../../electron/engine/export/csv.js';
import { exportWithProfile } from '../../../electron/engine/export/export-with-profile.js';
import { exportFormatOf } from '../../../electron/engine/export/index.js';
import type { FieldValue } from '../../../electron/engine/export/types.js';
import { gdalAvailable, makeTempDir, runGdalClean } from './gdal-cli.js';
import { samplePatchLayer } from './patch-fixtures.js';

const { dir, cleanup } = makeTempDir('csv');
afterAll(cleanup);

const OPEN = ['-oo', 'GEOM_POSSIBLE_NAMES=WKT', '-oo', 'KEEP_GEOM_COLUMNS=NO'];

describe('CSV fields and WKT', () => {
  it('quotes only what RFC 4180 requires and doubles quotes', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(0.5)).toBe('0.5');
    expect(csvField('王建国')).toBe('王建国');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('road "widening"')).toBe('"road ""widening"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('writes polygons with holes and multipolygons as OGC WKT', () => {
    const rings = [
      [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 0],
      ],
    ];
    expect(polygonWkt([rings], false)).toBe('POLYGON ((0 0, 10 0, 10 10, 0 0))');
    expect(polygonWkt([rings, rings], true)).toBe(
      'MULTIPOLYGON (((0 0, 10 0, 10 10, 0 0)), ((0 0, 10 0, 10 10, 0 0)))',
    );
    expect(polygonWkt([], false)).toBe('POLYGON EMPTY');
  });

  it('puts the header first, one CRLF line per patch, WKT first', () => {
    const lines = csvText(samplePatchLayer()).split('\r\n');
    expect(lines[0].startsWith('WKT,patch_id,number,state,')).toBe(true);
    expect(lines).toHaveLength(1 + 4 + 1); // header, 4 patches, the empty string after the last CRLF
    expect(lines[1].startsWith('"POLYGON ((450000 4420000, ')).toBe(true);
    expect(exportFormatOf('a/b.CSV')).toBe('csv');
  });

  it('refuses to overwrite unless asked', () => {
    const path = join(dir, 'twice.csv');
    writeCsv(path, samplePatchLayer());
    expect(() => writeCsv(path, samplePatchLayer())).toThrow(/already exist/);
    expect(writeCsv(path, samplePatchLayer(), { overwrite: true }).features).toBe(4);
  });
});

describe.skipIf(!gdalAvailable)('CSV read back by GDAL', () => {
  const path = join(dir, 'changes.csv');
  const layer = samplePatchLayer();
  let collection: {
    features: {
      properties: Record<string, FieldValue>;
      geometry: { type: string; coordinates: unknown };
    }[];
  };

  beforeAll(() => {
    const summary = exportWithProfile(path, layer, LANDWATCH_PROFILE, { format: 'csv' });
    expect(summary.files.map((f) => f.slice(-5))).toEqual(['s.csv', '.csvt', 's.prj']);
    expect(summary.warnings).toEqual([]);
    const json = runGdalClean('ogr2ogr', [
      '-f',
      'GeoJSON',
      '-lco',
      'SIGNIFICANT_FIGURES=17',
      '-lco',
      'RFC7946=NO',
      '/vsistdout/',
      ...OPEN,
      path,
    ]);
    collection = JSON.parse(json) as typeof collection;
  });

  it('starts with a UTF-8 byte order mark (for Excel) that GDAL skips', () => {
    expect(readFileSync(path).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(Object.keys(collection.features[0].properties)[0]).toBe('patch_id');
  });

  it('has the same features, CRS and geometries', () => {
    const info = runGdalClean('ogrinfo', ['-ro', '-so', '-al', ...OPEN, path]);
    expect(info).toMatch(/Feature Count: 4/);
    expect(info).toMatch(/UTM zone 50N/);
    // RFC7946=NO keeps the layer CRS, so the coordinates must be the very doubles written.
    collection.features.forEach((f, i) => {
      const source = layer.features[i].geometry;
      expect(f.geometry.type).toBe(source.type);
      expect(f.geometry.coordinates).toEqual(source.coordinates);
    });
  });

  it('keeps every attribute value, typed by the .csvt, Chinese text included', () => {
    // What the full-name profile makes of the values (it rounds areas to their decimals).
    const want = applyProfile(layer, LANDWATCH_PROFILE).layer.features.map((f) =>
      Object.fromEntries(Object.entries(f.properties).filter(([, v]) => v !== null)),
    );
    const got = collection.features.map((f) =>
      Object.fromEntries(Object.entries(f.properties).filter(([, v]) => v !== null && v !== '')),
    );
    // GDAL's CSV reader parses reals to within one unit in the last place (2.4000000000000004
    // comes back as 2.4), so numbers are compared to 15 significant digits, the rest exactly.
    const approx = (row: Record<string, FieldValue>) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [
          k,
          typeof v === 'number' ? Number(v.toPrecision(15)) : v,
        ]),
      );
    expect(got.map(approx)).toEqual(want.map(approx));
    expect(got[0].note).toBe('新建厂房，未批先建');
    expect(got[1].comment).toBe('road "widening"; 道路拓宽 & 堆土');
  });
});
