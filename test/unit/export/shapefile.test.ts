import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeShapefile } from '../../../electron/engine/export/shapefile.js';
import type { ExportLayer } from '../../../electron/engine/export/types.js';
import { AREAS, sampleLayer, square } from './fixtures.js';
import { gdalAvailable, makeTempDir, runGdalClean } from './gdal-cli.js';

const { dir, cleanup } = makeTempDir('shp');
afterAll(cleanup);

/** Signed area of ring `ring` of the first record of a .shp (negative = clockwise). */
function firstRecordRingAreas(shp: Buffer): number[] {
  const at = 100 + 8; // file header, record header
  const parts = shp.readInt32LE(at + 36);
  const points = shp.readInt32LE(at + 40);
  const starts = Array.from({ length: parts }, (_, i) => shp.readInt32LE(at + 44 + i * 4));
  const base = at + 44 + parts * 4;
  return starts.map((start, i) => {
    const end = i + 1 < parts ? starts[i + 1] : points;
    let sum = 0;
    for (let k = start; k < end - 1; k++) {
      const [x1, y1] = [shp.readDoubleLE(base + k * 16), shp.readDoubleLE(base + k * 16 + 8)];
      const [x2, y2] = [shp.readDoubleLE(base + k * 16 + 16), shp.readDoubleLE(base + k * 16 + 24)];
      sum += x1 * y2 - x2 * y1;
    }
    return sum / 2;
  });
}

describe.each(['UTF-8', 'GBK'] as const)('writeShapefile (%s)', (encoding) => {
  const base = join(dir, `changes-${encoding}`);

  it('writes .shp/.shx/.dbf/.prj/.cpg with ESRI ring order', () => {
    const summary = writeShapefile(`${base}.shp`, sampleLayer(), { encoding });
    expect(summary.features).toBe(3);
    expect(summary.files.map((f) => f.slice(base.length))).toEqual([
      '.shp',
      '.shx',
      '.dbf',
      '.cpg',
      '.prj',
    ]);
    expect(readFileSync(`${base}.cpg`, 'utf8')).toBe(encoding);
    expect(readFileSync(`${base}.prj`, 'utf8')).toMatch(/^PROJCS\["WGS 84 \/ UTM zone 50N"/);
    // Outer ring clockwise (negative area), hole counter-clockwise, whatever the input winding.
    expect(firstRecordRingAreas(readFileSync(`${base}.shp`))).toEqual([-10000, 400]);
    const dbf = readFileSync(`${base}.dbf`);
    const expected =
      encoding === 'GBK' ? Buffer.from([0xd0, 0xc2, 0xbd, 0xa8]) : Buffer.from('新建', 'utf8');
    expect(dbf.includes(expected)).toBe(true);
  });

  it.skipIf(!gdalAvailable)(
    'ogrinfo reads features, attributes and Chinese text via the .cpg',
    () => {
      const out = runGdalClean('ogrinfo', ['-ro', '-al', `${base}.shp`]);
      expect(out).toContain('Feature Count: 3');
      expect(out).toMatch(/ID\["EPSG",32650\]\]/);
      expect(out).toContain('comment (String) = 新建厂房，需要现场核查');
      expect(out).toContain('comment (String) = road "widening"; 道路拓宽');
      expect(out).toContain('detected (Date) = 2024/05/01');
      expect(out).toContain('detected (Date) = (null)');
      expect(out).toContain('area_m2 (Real) = 3300.250');
      expect(out).toContain('number (Integer) = 3');
      expect(out).toMatch(
        /MULTIPOLYGON \(\(\(450200 4420000,.*\),\(450220 4420020,.*\)\),\(\(450300 4420000,/,
      );
    },
  );

  it.skipIf(!gdalAvailable)('keeps holes and multipolygon parts (areas match)', () => {
    const layer = `changes-${encoding}`;
    const sql = (q: string): string =>
      runGdalClean('ogrinfo', ['-ro', '-q', `${base}.shp`, '-sql', q]);
    const each = sql(`SELECT OGR_GEOM_AREA AS a FROM "${layer}"`);
    expect([...each.matchAll(/a \(Real\) = ([\d.]+)/g)].map((m) => Number(m[1]))).toEqual(AREAS);
    const sum = sql(`SELECT SUM(OGR_GEOM_AREA) AS total FROM "${layer}"`);
    expect(sum).toContain(`total (Real) = ${AREAS.reduce((a, b) => a + b)}`);
  });
});

describe('writeShapefile checks', () => {
  const layer = (
    fields: ExportLayer['fields'],
    properties: ExportLayer['features'][number]['properties'],
  ): ExportLayer => ({
    name: 't',
    crs: { epsg: null, wkt: null, proj4: null },
    fields,
    features: [{ geometry: { type: 'Polygon', coordinates: [square(0, 0, 1)] }, properties }],
  });

  it('refuses field names over 10 bytes, and flags names that would clash when cut', () => {
    const fields: ExportLayer['fields'] = [
      { name: 'mean_probability', type: 'real' },
      { name: 'mean_probably', type: 'real' },
      { name: '变化类型', type: 'text' },
    ];
    expect(() => writeShapefile(join(dir, 'names'), layer(fields, {}))).toThrow(
      /too long: "mean_probability" \(16 bytes\), "mean_probably" \(13 bytes\), "变化类型" \(12 bytes\).*duplicate names \(mean_proba\)/,
    );
    // In GBK the same Chinese name is 8 bytes and fits.
    expect(() =>
      writeShapefile(join(dir, 'names'), layer([fields[2]], { 变化类型: '新建' }), {
        encoding: 'GBK',
      }),
    ).not.toThrow();
  });

  it('refuses text over 254 bytes and characters GBK cannot hold, without writing files', () => {
    const long = '地'.repeat(100); // 300 bytes in UTF-8, 200 in GBK
    const fields: ExportLayer['fields'] = [{ name: 'note', type: 'text' }];
    expect(() => writeShapefile(join(dir, 'long'), layer(fields, { note: long }))).toThrow(
      /300 bytes in UTF-8.*at most 254/,
    );
    expect(existsSync(join(dir, 'long.shp'))).toBe(false);
    writeShapefile(join(dir, 'long'), layer(fields, { note: long }), { encoding: 'GBK' });
    expect(() =>
      writeShapefile(join(dir, 'emoji'), layer(fields, { note: 'ok 🏗' }), { encoding: 'GBK' }),
    ).toThrow(/U\+1F3D7.*cannot be written in GBK/);
  });

  it.skipIf(!gdalAvailable)('GBK stays readable without the .cpg (language driver 0x4D)', () => {
    const base = join(dir, 'nocpg');
    writeShapefile(base, sampleLayer(), { encoding: 'GBK' });
    expect(readFileSync(`${base}.dbf`)[29]).toBe(0x4d);
    rmSync(`${base}.cpg`);
    const out = runGdalClean('ogrinfo', ['-ro', '-al', '-q', `${base}.shp`]);
    expect(out).toContain('comment (String) = 新建厂房，需要现场核查');
  });

  it('overwrites only when asked and removes stale side files', () => {
    const base = join(dir, 'again');
    writeShapefile(base, sampleLayer());
    expect(() => writeShapefile(base, sampleLayer())).toThrow(/already exist/);
    writeFileSync(`${base}.qix`, 'stale index');
    const noCrs = { ...sampleLayer(), crs: { epsg: null, wkt: null, proj4: null } };
    const summary = writeShapefile(`${base}.SHP`, noCrs, { overwrite: true });
    expect(summary.files).not.toContain(`${base}.prj`);
    expect(existsSync(`${base}.qix`)).toBe(false);
    expect(existsSync(`${base}.prj`)).toBe(false);
  });

  it.skipIf(!gdalAvailable)(
    'writes empty geometries as null shapes and wide numbers correctly',
    () => {
      const base = join(dir, 'nulls');
      writeShapefile(base, {
        name: 'nulls',
        crs: { epsg: 32650, wkt: null, proj4: null },
        fields: [
          { name: 'big', type: 'integer' },
          { name: 'ratio', type: 'real' },
        ],
        features: [
          {
            geometry: { type: 'Polygon', coordinates: [] },
            properties: { big: 9007199254740991, ratio: 1 / 3 },
          },
          {
            geometry: { type: 'Polygon', coordinates: [square(0, 0, 2)] },
            properties: { big: -5, ratio: null },
          },
        ],
      });
      const out = runGdalClean('ogrinfo', ['-ro', '-al', `${base}.shp`]);
      expect(out).toContain('Feature Count: 2');
      expect(out).toContain('big (Integer64) = 9007199254740991');
      expect(out).toContain('ratio (Real) = 0.3333333333');
      expect(out).toContain('ratio (Real) = (null)');
      // The null shape has no geometry line at all.
      expect(out).toMatch(/ratio \(Real\) = 0\.3333333333\n\nOGRFeature\(nulls\):1/);
      expect(out).toContain('POLYGON ((0 0,0 2,2 2,2 0,0 0))');
    },
  );
});
