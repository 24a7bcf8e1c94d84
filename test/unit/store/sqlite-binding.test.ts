/**
 * Every SQLite file LandWatch opens goes through openSqlite, which loads the addon named in
 * LANDWATCH_SQLITE_BINDING (the Electron-ABI build inside the desktop app). With a binding that does
 * not exist, opening a project or writing a GeoPackage must fail on that path — proof that no call
 * site opens better-sqlite3's default (Node-ABI) build behind the app's back.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeGeoPackage } from '../../../electron/engine/export/gpkg.js';
import { sampleLayer } from '../export/fixtures.js';
import { openSqlite } from '../../../electron/engine/sqlite.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-binding-'));
const missing = join(dir, 'no-such-addon.node');

afterEach(() => {
  delete process.env.LANDWATCH_SQLITE_BINDING;
});

describe('openSqlite', () => {
  it('opens with the default build when no binding is named', () => {
    const db = openSqlite(join(dir, 'plain.sqlite'));
    expect(db.prepare('SELECT 1 AS one').get()).toEqual({ one: 1 });
    db.close();
  });

  it('is what project stores and GeoPackage exports use', () => {
    const project = join(dir, 'p.landwatch');
    writeFileSync(project, '');
    process.env.LANDWATCH_SQLITE_BINDING = missing;
    expect(() => ProjectStore.open(project)).toThrow(/no-such-addon\.node/);
    expect(() => writeGeoPackage(join(dir, 'out.gpkg'), sampleLayer())).toThrow(
      /no-such-addon\.node/,
    );
  });
});
