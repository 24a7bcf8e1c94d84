import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exportFormatOf,
  exportLayer,
  extensionOf,
  tableFromRows,
} from '../../../electron/engine/export/index.js';
import { sampleLayer } from './fixtures.js';
import { makeTempDir } from './gdal-cli.js';

const { dir, cleanup } = makeTempDir('export');
afterAll(cleanup);

describe('exportLayer', () => {
  it('picks the writer from the extension, case-insensitively', () => {
    expect(exportLayer(join(dir, 'a.GPKG'), sampleLayer()).files).toEqual([join(dir, 'a.GPKG')]);
    expect(exportLayer(join(dir, 'b.json'), sampleLayer()).features).toBe(3);
    expect(exportLayer(join(dir, 'c.geojson'), sampleLayer()).files).toEqual([
      join(dir, 'c.geojson'),
    ]);
    const shp = exportLayer(join(dir, 'd.shp'), sampleLayer(), { encoding: 'GBK' });
    expect(shp.files).toHaveLength(5);
    expect(existsSync(join(dir, 'd.dbf'))).toBe(true);
  });

  it('rejects unknown extensions and formats that contradict the extension', () => {
    expect(() => exportLayer(join(dir, 'e.kml'), sampleLayer())).toThrow(
      /use a \.gpkg, \.geojson, \.json, \.shp or \.csv/,
    );
    expect(() => exportLayer(join(dir, 'noext'), sampleLayer())).toThrow(/Cannot export/);
    expect(() => exportLayer(join(dir, 'f.shp'), sampleLayer(), { format: 'gpkg' })).toThrow(
      /extension says shp/,
    );
  });

  it('honours an explicit format and writes the review history table', () => {
    const path = join(dir, 'review-export');
    exportLayer(path, sampleLayer(), {
      format: 'gpkg',
      reviews: [
        {
          id: 1,
          patch_id: 3,
          at: '2024-07-01T08:00:00Z',
          before: '{"state":"unreviewed"}',
          score: 0.5,
        },
        { id: 2, patch_id: 3, at: '2024-07-02T08:00:00Z', before: null, score: 1, flag: true },
      ],
    });
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT * FROM reviews ORDER BY fid').all();
    const kinds = db.prepare("SELECT name, type FROM pragma_table_info('reviews')").all();
    db.close();
    expect(rows[1]).toMatchObject({ id: 2, patch_id: 3, before: null, score: 1, flag: 'true' });
    expect(kinds).toEqual([
      { name: 'fid', type: 'INTEGER' },
      { name: 'id', type: 'INTEGER' },
      { name: 'patch_id', type: 'INTEGER' },
      { name: 'at', type: 'TEXT' },
      { name: 'before', type: 'TEXT' },
      { name: 'score', type: 'REAL' },
      { name: 'flag', type: 'TEXT' },
    ]);
  });
});

describe('format helpers', () => {
  it('maps extensions and formats both ways', () => {
    expect(exportFormatOf('x/y.Shp')).toBe('shp');
    expect(exportFormatOf('x.tar.gz')).toBeNull();
    expect(extensionOf('geojson')).toBe('.geojson');
    expect(tableFromRows('t', []).columns).toEqual([]);
  });
});
