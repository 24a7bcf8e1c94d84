/**
 * Exports of a team project are the exports of the same local project: GeoPackage features and
 * review table, Shapefile and CSV bytes, GeoJSON text; the evidence report reads the same input;
 * the Shapefile opens in GDAL; the evidence report of the demo project is the same HTML.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkProjectExport, exportProject } from '../../../electron/engine/api/export-project.js';
import {
  checkTeamExport,
  exportTeamProject,
  teamEvidenceInput,
  writeTeamEvidenceReport,
} from '../../../electron/engine/api/export-team-project.js';
import type { ReviewState } from '../../../electron/common/contract.js';
import {
  evidenceInputFromProject,
  writeEvidenceReport,
} from '../../../electron/engine/report/evidence-report.js';
import { PgReviewStore } from '../../../electron/engine/store/pg/pg-review-store.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { pushProject } from '../../../electron/engine/team/team-push.js';
import { teamExportHandlers } from '../../../electron/engine/api/team-export-handlers.js';
import { startPgCluster } from '../../helpers/pg-cluster.js';
import { reviewedDemoProject } from '../report/demo-fixture.js';
import { richProject } from './move-fixture.js';

const cluster = await startPgCluster();
const skip = 'skip' in cluster ? cluster.skip : null;
const url = 'skip' in cluster ? '' : await cluster.createDatabase();
afterAll(async () => {
  if (!('skip' in cluster)) await cluster.stop();
});

function hasOgrinfo(): boolean {
  try {
    execFileSync('ogrinfo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A host that writes exports into `dir` and tells the UI a download path. */
const hostIn = (dir: string) => ({
  exportTarget: async (name: string) => {
    mkdirSync(dir, { recursive: true });
    return { path: join(dir, name), location: (p: string) => `download/${basename(p)}` };
  },
});

const rowsOf = (file: string, table: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT * FROM "${table}" ORDER BY 1`).all();
  } finally {
    db.close();
  }
};

describe.skipIf(skip !== null)(`exports of a team project${skip ? ` (${skip})` : ''}`, () => {
  let local: { store: ProjectStore; path: string; dir: string };
  let team: PgReviewStore;
  const out = (side: string, ext: string) => join(local.dir, `${side}.${ext}`);
  beforeAll(async () => {
    local = richProject();
    await pushProject(local.path, { url, schema: 'exported' });
    team = await PgReviewStore.open({ url, schema: 'exported' });
  });
  afterAll(async () => {
    await team?.close();
    local?.store.close();
    if (local) rmSync(local.dir, { recursive: true, force: true });
  });

  it('writes a GeoPackage with the same features and review history', async () => {
    const a = await exportProject(local.store, 'gpkg', out('local', 'gpkg'));
    const b = await exportTeamProject(team, 'gpkg', out('team', 'gpkg'));
    expect(b.features).toBe(a.features);
    expect(a.features).toBe(local.store.patches().length);
    const layer = (
      rowsOf(out('local', 'gpkg'), 'gpkg_contents') as { table_name: string; data_type: string }[]
    ).find((t) => t.data_type === 'features')!.table_name;
    const features = rowsOf(out('local', 'gpkg'), layer);
    expect(features.length).toBe(a.features);
    expect(rowsOf(out('team', 'gpkg'), layer)).toEqual(features);
    expect(rowsOf(out('team', 'gpkg'), 'reviews')).toEqual(rowsOf(out('local', 'gpkg'), 'reviews'));
  });

  it('writes byte-equal Shapefile, CSV and GeoJSON files, with state filters', async () => {
    for (const ext of ['shp', 'csv', 'geojson'] as const) {
      const states = ['confirmed', 'field_check'] as const;
      await exportProject(local.store, ext, out(`local-${ext}`, ext), { states: [...states] });
      await exportTeamProject(team, ext, out(`team-${ext}`, ext), { states: [...states] });
      expect(readFileSync(out(`team-${ext}`, ext))).toEqual(readFileSync(out(`local-${ext}`, ext)));
    }
    expect(readFileSync(out('team-shp', 'dbf'))).toEqual(readFileSync(out('local-shp', 'dbf')));
    expect(readFileSync(out('team-shp', 'dbf')).length).toBeGreaterThan(100);
  });

  it.skipIf(!hasOgrinfo())('writes a Shapefile GDAL opens (ogrinfo)', async () => {
    await exportTeamProject(team, 'shp', out('team-ogr', 'shp'));
    const info = execFileSync('ogrinfo', ['-ro', '-so', '-al', out('team-ogr', 'shp')], {
      encoding: 'utf8',
    });
    expect(info).toMatch(/Geometry: Polygon/);
    expect(info).toMatch(new RegExp(`Feature Count: ${local.store.patches().length}\\b`));
  });

  it('writes the same evidence report from a team project as from the demo project file', async () => {
    const demo = await reviewedDemoProject(join(local.dir, 'demo'));
    await pushProject(demo, { url, schema: 'demo' });
    const demoTeam = await PgReviewStore.open({ url, schema: 'demo' });
    const demoLocal = ProjectStore.open(demo);
    try {
      const generatedAt = new Date('2026-12-06T00:00:00Z');
      const selection = { states: ['confirmed', 'field_check'] as ReviewState[] };
      const a = await writeEvidenceReport(
        out('local-report', 'html'),
        evidenceInputFromProject(demoLocal, selection),
        { generatedAt },
      );
      const b = await writeTeamEvidenceReport(demoTeam, out('team-report', 'html'), selection, {
        generatedAt,
      });
      expect(b.patches).toBe(a.patches);
      expect(a.patches).toBeGreaterThan(0);
      expect(readFileSync(out('team-report', 'html'), 'utf8')).toBe(
        readFileSync(out('local-report', 'html'), 'utf8'),
      );
      // The team server's report.evidence channel writes the same report.
      const viaChannel = await teamExportHandlers(() => demoTeam, hostIn(local.dir))[
        'report.evidence'
      ]({
        projectId: 'demo',
        format: 'html',
        states: selection.states,
      });
      expect(viaChannel).toMatchObject({
        fileName: expect.stringMatching(/^Demo_village.*-evidence\.html$/),
        patches: a.patches,
      });
    } finally {
      demoLocal.close();
      await demoTeam.close();
    }
  }, 120_000);

  it('serves export.run and export.check for a team project as the file handlers do', async () => {
    const handlers = teamExportHandlers(async () => team, hostIn(join(local.dir, 'channel')));
    const run = await handlers['export.run']({
      projectId: 'team',
      format: 'gpkg',
      states: ['confirmed'],
    });
    const confirmed = local.store.patches().filter((p) => p.state === 'confirmed').length;
    expect(run).toEqual({
      fileName: 'round-changes.gpkg',
      features: confirmed,
      location: 'download/round-changes.gpkg',
    });
    const check = await handlers['export.check']({ projectId: 'team', format: 'shp' });
    const { layer: _, ...expected } = checkProjectExport(local.store, 'shp');
    expect(check).toEqual({
      ok: expected.ok,
      features: expected.features,
      problems: expected.problems,
    });
  });

  it('checks exports and reads evidence report input as from the local project', async () => {
    expect(await checkTeamExport(team, 'shp')).toEqual(checkProjectExport(local.store, 'shp'));
    const numbers = [1, 3];
    expect(await teamEvidenceInput(team, { numbers })).toEqual(
      evidenceInputFromProject(local.store, { numbers }),
    );
  });
});
