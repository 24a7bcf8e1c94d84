import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeoPackage } from '../../../electron/engine/export/gpkg.js';
import type { ExportLayer } from '../../../electron/engine/export/types.js';
import { AREAS, X0, Y0, sampleLayer, square } from './fixtures.js';
import { gdalAvailable, makeTempDir, runGdal } from './gdal-cli.js';

const { dir, cleanup } = makeTempDir('gpkg');
const path = join(dir, 'changes.gpkg');
afterAll(cleanup);

/** GDAL 3.6 predates GeoPackage 1.4 and warns on every open; newer GDAL must be silent. */
const gdalVersion = gdalAvailable
  ? /GDAL (\d+)\.(\d+)/.exec(runGdal('ogrinfo', ['--version']).stdout)
  : null;
const gdalKnows14 = gdalVersion
  ? Number(gdalVersion[1]) * 100 + Number(gdalVersion[2]) >= 307
  : false;
const QUIET: Record<string, string> = gdalKnows14
  ? {}
  : { GPKG_WARN_UNRECOGNIZED_APPLICATION_ID: 'NO' };

/** ogrinfo on the test file; fails on any output on stderr. */
function ogrinfo(...args: string[]): string {
  const result = runGdal('ogrinfo', ['-ro', ...args], QUIET);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

beforeAll(() => {
  const summary = writeGeoPackage(path, sampleLayer(), {
    extraTables: [
      {
        name: 'runs',
        columns: [
          { name: 'model', type: 'text' },
          { name: 'threshold', type: 'real' },
          { name: 'tiles', type: 'integer' },
        ],
        rows: [{ model: '变化检测 v1', threshold: 0.5, tiles: 12 }],
      },
    ],
  });
  expect(summary).toEqual({ files: [path], features: 3 });
});

describe('writeGeoPackage', () => {
  it('writes a GeoPackage 1.4 header and a consistent SQLite file', () => {
    expect(existsSync(`${path}.part`)).toBe(false);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('application_id', { simple: true })).toBe(0x47504b47);
      expect(db.pragma('user_version', { simple: true })).toBe(10400);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const srs = db
        .prepare('SELECT srs_id, organization FROM gpkg_spatial_ref_sys ORDER BY srs_id')
        .all();
      expect(srs).toEqual([
        { srs_id: -1, organization: 'NONE' },
        { srs_id: 0, organization: 'NONE' },
        { srs_id: 4326, organization: 'EPSG' },
        { srs_id: 32650, organization: 'EPSG' },
      ]);
      const contents = db.prepare('SELECT * FROM gpkg_contents ORDER BY table_name').all();
      expect(contents).toMatchObject([
        {
          table_name: 'changes',
          data_type: 'features',
          min_x: X0,
          min_y: Y0,
          max_x: X0 + 330,
          max_y: Y0 + 230,
          srs_id: 32650,
        },
        { table_name: 'runs', data_type: 'attributes', srs_id: null },
      ]);
      // The R*Tree holds one row per feature with its envelope.
      const rtree = db.prepare('SELECT * FROM rtree_changes_geom ORDER BY id').all();
      expect(rtree[1]).toEqual({ id: 2, minx: X0 + 200, maxx: X0 + 330, miny: Y0, maxy: Y0 + 50 });
      const blob = (db.prepare('SELECT geom FROM changes WHERE fid = 1').get() as { geom: Buffer })
        .geom;
      expect([...blob.subarray(0, 4)]).toEqual([0x47, 0x50, 0, 0b11]);
      expect(blob.readInt32LE(4)).toBe(32650);
      expect(blob.readDoubleLE(8)).toBe(X0); // envelope minx
    } finally {
      db.close();
    }
  });

  it.skipIf(!gdalAvailable)('ogrinfo -so lists the layer, CRS, extent and fields', () => {
    const out = ogrinfo('-so', path, 'changes');
    expect(out).toContain('Geometry: Multi Polygon');
    expect(out).toContain('Feature Count: 3');
    expect(out).toContain(
      'Extent: (450000.000000, 4420000.000000) - (450330.000000, 4420230.000000)',
    );
    expect(out).toMatch(/ID\["EPSG",32650\]\]\s*Data axis/);
    for (const field of [
      'number: Integer64',
      'area_m2: Real',
      'state: String',
      'comment: String',
      'detected: Date',
    ]) {
      expect(out).toContain(field);
    }
  });

  it.skipIf(!gdalAvailable)('ogrinfo reads values, Chinese text and polygons with holes', () => {
    const out = ogrinfo('-q', path, 'changes');
    expect(out).toContain('comment (String) = 新建厂房，需要现场核查');
    expect(out).toContain('comment (String) = road "widening"; 道路拓宽');
    expect(out).toContain('detected (Date) = 2024/05/01');
    expect(out).toContain('area_m2 (Real) = 3300.25');
    expect(out).toContain('comment (String) = (null)');
    // Exterior counter-clockwise, hole clockwise, as stored.
    expect(out).toContain(
      'MULTIPOLYGON (((450000 4420000,450100 4420000,450100 4420100,450000 4420100,450000 4420000),' +
        '(450040 4420040,450040 4420060,450060 4420060,450060 4420040,450040 4420040)))',
    );
    const areas = ogrinfo(
      '-q',
      path,
      '-dialect',
      'OGRSQL',
      '-sql',
      'SELECT OGR_GEOM_AREA AS a FROM changes',
    );
    expect([...areas.matchAll(/a \(Real\) = ([\d.]+)/g)].map((m) => Number(m[1]))).toEqual(AREAS);
  });

  it.skipIf(!gdalAvailable)('answers SQL, spatial filters and lists the attribute table', () => {
    const sql = ogrinfo(
      '-q',
      path,
      '-sql',
      "SELECT number, comment FROM changes WHERE state = 'field_check'",
    );
    expect(sql).toContain('number (Integer64) = 3');
    const index = ogrinfo('-q', path, '-sql', "SELECT HasSpatialIndex('changes', 'geom')");
    expect(index).toContain('HasSpatialIndex (Integer) = 1');
    const filtered = ogrinfo(
      '-q',
      path,
      '-spat',
      `${X0 + 190}`,
      `${Y0 - 10}`,
      `${X0 + 260}`,
      `${Y0 + 60}`,
      'changes',
    );
    expect([...filtered.matchAll(/OGRFeature\(changes\):(\d+)/g)].map((m) => m[1])).toEqual(['2']);
    const runs = ogrinfo('-q', path, 'runs');
    expect(runs).toContain('model (String) = 变化检测 v1');
    expect(runs).toContain('tiles (Integer64) = 12');
  });

  it.skipIf(!gdalAvailable)("passes GDAL's GeoPackage validator", () => {
    const result = runGdal('/usr/bin/python3', [
      '/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py',
      '-k',
      '--extra',
      path,
    ]);
    if (/No module named 'osgeo'|No such file/.test(result.stderr)) return; // validator not installed
    expect(result.stderr).not.toContain('Traceback');
    const problems = result.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      // GDAL < 3.7's validator only knows the 1.2/1.3 trigger set (1.4 replaced update1/update3).
      .filter((line) => gdalKnows14 || !/rtree_changes_geom_update[13] trigger missing/.test(line));
    expect(problems).toEqual([]);
  });

  it.skipIf(!gdalAvailable)(
    'keeps the R*Tree right when GDAL edits the file (standard triggers)',
    () => {
      const copy = join(dir, 'edited.gpkg');
      writeGeoPackage(copy, sampleLayer());
      const edit = (sql: string): void => {
        const result = runGdal('ogrinfo', [copy, '-sql', sql], QUIET);
        expect(result.stderr).toBe('');
      };
      edit('UPDATE changes SET geom = (SELECT geom FROM changes WHERE fid = 3) WHERE fid = 1');
      edit('DELETE FROM changes WHERE fid = 2');
      const db = new Database(copy, { readonly: true });
      const rows = db.prepare('SELECT id, minx, maxy FROM rtree_changes_geom ORDER BY id').all();
      db.close();
      expect(rows).toEqual([
        { id: 1, minx: X0, maxy: Y0 + 230 },
        { id: 3, minx: X0, maxy: Y0 + 230 },
      ]);
    },
  );

  it('refuses to overwrite unless asked, and leaves the old file intact on errors', () => {
    expect(() => writeGeoPackage(path, sampleLayer())).toThrow(/already exists/);
    const bad: ExportLayer = { ...sampleLayer(), fields: [{ name: 'GEOM', type: 'text' }] };
    expect(() => writeGeoPackage(path, bad, { overwrite: true })).toThrow(/clashes with fid\/geom/);
    const layer = sampleLayer();
    layer.features[1].properties.number = 2.5;
    expect(() => writeGeoPackage(path, layer, { overwrite: true })).toThrow(
      /feature 2, field "number": expected an integer/,
    );
    layer.features[1].properties = {
      ...layer.features[1].properties,
      number: 2,
      detected: '2024-02-30',
    };
    expect(() => writeGeoPackage(path, layer, { overwrite: true })).toThrow(/not a calendar date/);
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM changes').get()).toEqual({ n: 3 });
    db.close();
  });

  it('declares POLYGON for polygon-only layers and handles unknown, custom and empty cases', () => {
    const polygonsOnly: ExportLayer = {
      name: 'plain',
      crs: { epsg: null, wkt: null, proj4: null },
      fields: [],
      features: [
        { geometry: { type: 'Polygon', coordinates: [square(0, 0, 1)] }, properties: {} },
        { geometry: { type: 'Polygon', coordinates: [] }, properties: {} },
      ],
    };
    const p1 = join(dir, 'plain.gpkg');
    writeGeoPackage(p1, polygonsOnly);
    const custom = join(dir, 'custom.gpkg');
    const wkt =
      'PROJCS["My grid",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["central_meridian",114.5],PARAMETER["scale_factor",1],PARAMETER["false_easting",800000],PARAMETER["false_northing",0],UNIT["metre",1]]';
    writeGeoPackage(custom, {
      ...polygonsOnly,
      crs: { epsg: null, wkt, proj4: null },
      features: [],
    });

    const read = (file: string, sql: string): unknown => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(sql).all();
      } finally {
        db.close();
      }
    };
    expect(read(p1, 'SELECT geometry_type_name AS t, srs_id FROM gpkg_geometry_columns')).toEqual([
      { t: 'POLYGON', srs_id: -1 },
    ]);
    expect(
      read(
        custom,
        'SELECT srs_id, organization, srs_name FROM gpkg_spatial_ref_sys WHERE srs_id > 4326',
      ),
    ).toEqual([{ srs_id: 100000, organization: 'NONE', srs_name: 'My grid' }]);
    expect(read(p1, 'SELECT id FROM rtree_plain_geom')).toEqual([{ id: 1 }]);
    expect(read(custom, "SELECT min_x FROM gpkg_contents WHERE table_name = 'plain'")).toEqual([
      { min_x: null },
    ]);
    if (gdalAvailable) {
      expect(ogrinfo('-so', p1, 'plain')).toContain('Geometry: Polygon');
      // Empty geometries carry the GeoPackage empty flag and stay out of the R*Tree.
      expect(ogrinfo('-q', p1, 'plain')).toContain('POLYGON EMPTY');
      const out = ogrinfo('-so', custom, 'plain');
      expect(out).toContain('Feature Count: 0');
      expect(out).toContain('PROJCRS["My grid"');
    }
  });
});
