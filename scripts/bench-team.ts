/**
 * `npm run bench:team`: a team project under load, as issue 17 states it. A throwaway
 * PostgreSQL + PostGIS cluster, a team project of 2025 detections, 20 analyst accounts, and
 * `landwatch serve --team` as its own process; 20 simulated analysts (analyst.ts) review and
 * annotate through the HTTP API for 60 s. Half-way the server is killed with -9 and started
 * again. Afterwards every acknowledged write is looked up in the project's audit trail
 * (verify.ts). Prints requests per second, p50/p95 latency of reads and writes, conflicts
 * (stale versions, leases), requests the dead server did not answer, and lost / doubled writes.
 * Not a test: the machine is small and shared, so the figures are indications.
 *
 *   npm run bench:team [-- --analysts 20] [--seconds 60] [--no-kill]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../electron/engine/random.js';
import { PgReviewStore } from '../electron/engine/store/pg/pg-review-store.js';
import type { NewDetection, SceneSource } from '../electron/engine/store/project-store.js';
import { TeamUsers } from '../electron/engine/team/team-users.js';
import { freePort, startPgCluster } from '../test/helpers/pg-cluster.js';
import { runAnalyst, type AnalystStats } from './team-load/analyst.js';
import { verifyAcks } from './team-load/verify.js';

const { values } = parseArgs({
  options: {
    analysts: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
    'no-kill': { type: 'boolean', default: false },
  },
});
const ANALYSTS = Number(values.analysts);
const SECONDS = Number(values.seconds);
const PASSWORD = 'bench-password-long';
const SCHEMA = 'bench_round';
const fail = (why: string): never => {
  console.error(`bench:team: ${why}`);
  process.exit(2);
};
if (!existsSync(join('dist', 'node', 'landwatch.js'))) fail('run `npm run build` first');

function scene(role: 'before' | 'after'): SceneSource {
  return {
    path: `/nonexistent/${role}.tif`,
    name: `${role}.tif`,
    width: 2048,
    height: 2048,
    bands: 3,
    geoTransform: [500_000, 0.5, 0, 3_501_024, 0, -0.5],
    crs: {
      id: 'EPSG:32650',
      name: 'WGS 84 / UTM zone 50N',
      wkt: null,
      proj4: null,
      epsg: 32650,
      geographic: false,
      metresPerUnit: 1,
    },
    metadata: { date: role === 'before' ? '2025-05-01' : '2026-05-01' },
  };
}

/** A 45 × 45 grid of 12 m squares over the 1024 m scene. */
function detections(): NewDetection[] {
  const out: NewDetection[] = [];
  for (let i = 0; i < 45; i++)
    for (let j = 0; j < 45; j++) {
      const x = 500_000 + 10 + i * 22;
      const y = 3_500_000 + 10 + j * 22;
      const ring = [
        [x, y],
        [x + 12, y],
        [x + 12, y + 12],
        [x, y + 12],
        [x, y],
      ];
      const p = 0.3 + 0.6 * (((i * 7 + j * 13) % 97) / 97);
      out.push({
        rings: [ring],
        areaM2: 144,
        areaMu: 144 / (10000 / 15),
        perimeter: 48,
        meanProb: p,
        maxProb: Math.min(1, p + 0.05),
        pixelCount: 576,
        bbox: [x, y, x + 12, y + 12],
      });
    }
  return out;
}

/** Starts `landwatch serve --team` and resolves once it answers. */
async function startTeamServer(db: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['bin/landwatch.js', 'serve', '--team', '--db', db, '--port', String(port)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d.toString()));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail(`the team server exited: ${stderr.trim()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/team.me`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      if (r.status === 401 || r.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  return fail(`the team server did not answer within 30 s: ${stderr.trim()}`);
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const cluster = await startPgCluster();
if ('skip' in cluster) fail(cluster.skip);
const pgc = cluster as Exclude<typeof cluster, { skip: string }>;
let server: ChildProcess | null = null;
try {
  const db = await pgc.createDatabase('lw_bench_team');
  const store = await PgReviewStore.create(
    { url: db, schema: SCHEMA },
    'bench round',
    scene('before'),
    scene('after'),
  );
  await store.addRun(
    {
      id: 'bench-run',
      modelId: 'bench',
      modelVersion: '1',
      threshold: 0.5,
      minArea: 0,
      params: {},
      executionProvider: 'cpu',
      startedAt: new Date().toISOString(),
      seconds: 1,
    },
    detections(),
  );
  await store.close();
  const users = await TeamUsers.open(db);
  const names = Array.from(
    { length: ANALYSTS },
    (_, i) => `analyst${String(i + 1).padStart(2, '0')}`,
  );
  for (const n of names) await users.add(n, 'analyst', PASSWORD);
  await users.close();

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = await startTeamServer(db, port);
  const probe = await fetch(`${base}/api/leases.take`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const leases = probe.status !== 404;
  const projectId = `team:${SCHEMA}`;
  const t0 = Date.now();
  const stopAt = t0 + SECONDS * 1000;
  const work = names.map((name, i) =>
    runAnalyst({
      base,
      projectId,
      name,
      password: PASSWORD,
      stopAt,
      random: seededRandom(i + 1),
      leases,
    }),
  );
  let downtime = NaN;
  if (!values['no-kill']) {
    await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 2));
    const k0 = Date.now();
    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    server = await startTeamServer(db, port);
    downtime = (Date.now() - k0) / 1000;
  }
  const stats: AnalystStats[] = await Promise.all(work);
  const wall = (Date.now() - t0) / 1000;
  server.kill('SIGTERM');
  await new Promise((r) => server!.once('exit', r));
  server = null;

  const acks = stats.flatMap((s) => s.acks);
  const verdict = await verifyAcks(db, SCHEMA, acks);
  const reads = stats.flatMap((s) => s.latency.read);
  const writes = stats.flatMap((s) => s.latency.write);
  const all = [...reads, ...writes];
  const errors = new Map<string, number>();
  for (const s of stats) for (const [k, v] of s.errors) errors.set(k, (errors.get(k) ?? 0) + v);
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
  console.log(
    `\nbench:team — ${ANALYSTS} analysts, ${SECONDS} s, leases ${leases ? 'on' : 'absent'}, kill -9 ${values['no-kill'] ? 'off' : 'half-way'}\n`,
  );
  console.log('| measure | value |');
  console.log('| --- | --- |');
  const rows: [string, string][] = [
    ['requests answered', String(all.length)],
    ['requests per second', f(all.length / wall)],
    ['read p50 / p95 (ms)', `${f(quantile(reads, 0.5))} / ${f(quantile(reads, 0.95))}`],
    ['write p50 / p95 (ms)', `${f(quantile(writes, 0.5))} / ${f(quantile(writes, 0.95))}`],
    ['all p95 (ms), goal < 200', f(quantile(all, 0.95))],
    ['writes acknowledged', String(verdict.acknowledged)],
    ['conflicts reported (409/403)', String(stats.reduce((n, s) => n + s.conflicts, 0))],
    ['requests unanswered (server down)', String(stats.reduce((n, s) => n + s.unanswered, 0))],
    ['server down after kill -9 (s)', f(downtime, 2)],
    ['acknowledged writes lost', String(verdict.lost)],
    ['acknowledged writes applied twice', String(verdict.twice)],
    ['patches whose value ≠ their acknowledged write', String(verdict.wrongFinal)],
    ['unacknowledged writes that landed', String(verdict.unacknowledgedApplied)],
    [
      'other errors',
      errors.size === 0 ? '0' : [...errors].map(([k, v]) => `${k} ×${v}`).join('; '),
    ],
  ];
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  for (const e of verdict.examples) console.log(`  ${e}`);
  if (verdict.lost + verdict.twice + verdict.wrongFinal > 0) process.exitCode = 1;
} finally {
  server?.kill('SIGKILL');
  await pgc.stop();
}
