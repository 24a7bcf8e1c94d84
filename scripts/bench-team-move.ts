/**
 * Benchmarks moving work between a project file and a team project (PostgreSQL + PostGIS, a
 * throwaway cluster as the tests use): push of a reviewed project, export of the same patches
 * from the file and from the team project, checkout of every current patch, offline review of a
 * share of them and their return (and a second, idle return). Prints one table.
 *
 * Usage: npx tsx scripts/bench-team-move.ts [--patches 5000]
 *
 * Patches are 12-vertex polygons of 40–400 m² on a grid; a fifth are reviewed before the push.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportProject } from '../electron/engine/api/export-project.js';
import { exportTeamProject } from '../electron/engine/api/export-team-project.js';
import { PgReviewStore } from '../electron/engine/store/pg/pg-review-store.js';
import { ProjectStore, type NewDetection } from '../electron/engine/store/project-store.js';
import { checkoutPatches } from '../electron/engine/team/team-checkout.js';
import { pushProject } from '../electron/engine/team/team-push.js';
import { returnCheckout } from '../electron/engine/team/team-return.js';
import { startPgCluster } from '../test/helpers/pg-cluster.js';

const args = process.argv.slice(2);
const at = args.indexOf('--patches');
const N = at >= 0 ? Number(args[at + 1]) : 5000;
const per = Math.ceil(Math.sqrt(N));
const X0 = 400_000;
const Y0 = 3_000_000;
const side = per * 50;

function scene(role: 'before' | 'after') {
  return {
    path: `/bench/${role}.tif`,
    name: `${role}.tif`,
    width: side * 2,
    height: side * 2,
    bands: 3,
    geoTransform: [X0, 0.5, 0, Y0 + side, 0, -0.5] as [
      number,
      number,
      number,
      number,
      number,
      number,
    ],
    crs: {
      id: 'EPSG:32650',
      name: 'WGS 84 / UTM zone 50N',
      wkt: null,
      proj4: null,
      epsg: 32650,
      geographic: false,
      metresPerUnit: 1,
    },
    metadata: { date: null },
  };
}

function blob(i: number): NewDetection {
  const cx = X0 + 25 + (i % per) * 50;
  const cy = Y0 + 25 + Math.floor(i / per) * 50;
  const r = 4 + (i % 7);
  const ring = Array.from({ length: 12 }, (_, k) => {
    const a = (k / 12) * 2 * Math.PI;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
  ring.push(ring[0]);
  const area = 3 * r * r;
  return {
    rings: [ring],
    areaM2: area,
    areaMu: area / (10000 / 15),
    perimeter: 2 * Math.PI * r,
    meanProb: 0.5 + (i % 50) / 100,
    maxProb: 1,
    pixelCount: area * 4,
    bbox: [cx - r, cy - r, cx + r, cy + r],
  };
}

async function timed<T>(rows: string[][], what: string, work: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  rows.push([what, ((performance.now() - t0) / 1000).toFixed(2)]);
  return result;
}

async function main(): Promise<void> {
  const cluster = await startPgCluster();
  if ('skip' in cluster) throw new Error(cluster.skip);
  const dir = mkdtempSync(join(tmpdir(), 'lw-bench-team-'));
  const rows: string[][] = [];
  try {
    const url = await cluster.createDatabase();
    const path = join(dir, 'bench.landwatch');
    const store = ProjectStore.create(path, 'bench', scene('before'), scene('after'));
    store.addRun(
      {
        id: 'run-1',
        modelId: 'bench',
        modelVersion: '1',
        threshold: 0.5,
        minArea: 0,
        params: {},
        executionProvider: 'cpu',
        startedAt: new Date().toISOString(),
        seconds: 1,
      },
      Array.from({ length: N }, (_, i) => blob(i)),
    );
    for (let i = 1; i <= N; i += 500)
      store.reviewMany(
        Array.from({ length: 100 }, (_, k) => i + k).filter((id) => id <= N),
        'confirmed',
        null,
        'alice',
      );
    const pushed = await timed(rows, `push ${N} patches (${N / 5} reviewed)`, () =>
      pushProject(path, { url, schema: 'bench' }),
    );
    const team = await PgReviewStore.open({ url, schema: 'bench' });
    await timed(rows, 'export gpkg from the file', () =>
      exportProject(store, 'gpkg', join(dir, 'a.gpkg')),
    );
    await timed(rows, 'export gpkg from the team project', () =>
      exportTeamProject(team, 'gpkg', join(dir, 'b.gpkg')),
    );
    await timed(rows, 'export shp from the team project', () =>
      exportTeamProject(team, 'shp', join(dir, 'b.shp')),
    );
    store.close();
    const out = join(dir, 'pkg.landwatch');
    await timed(rows, `checkout --all (${pushed.patches} patches)`, () =>
      checkoutPatches({ url, schema: 'bench' }, { all: true }, out),
    );
    const offline = ProjectStore.open(out);
    const reviewed = Math.min(500, N);
    for (let id = 1; id <= reviewed; id++) offline.review(id, 'rejected', 'offline', 'bob');
    offline.close();
    const r = await timed(rows, `return (${reviewed} offline reviews)`, () =>
      returnCheckout(out, { url }),
    );
    const again = await timed(rows, 'return the same file again', () =>
      returnCheckout(out, { url }),
    );
    await team.close();
    console.log('| step | seconds |\n|---|---:|');
    for (const [what, s] of rows) console.log(`| ${what} | ${s} |`);
    console.log(
      `\nreturn: ${r.applied.length} applied, ${r.conflicts.length} conflicts, ${r.unchanged} unchanged; again: ${again.applied.length} applied, ${again.unchanged} unchanged`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  }
}

await main();
