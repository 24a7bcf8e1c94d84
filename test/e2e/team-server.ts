/**
 * A real team server for end-to-end specs: a throwaway PostgreSQL + PostGIS cluster, a team
 * project (schema `round_7`) on the demo imagery with patches near the scene's centre, the users
 * a spec names, and `landwatch serve --team` on a free port as its own process. Where PostgreSQL
 * cannot be started the reason comes back instead, and specs skip with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyBundledDemo } from '../../electron/engine/api/demo-project.js';
import { RasterSource } from '../../electron/engine/raster/raster-source.js';
import { PgReviewStore } from '../../electron/engine/store/pg/pg-review-store.js';
import type { NewDetection } from '../../electron/engine/store/project-store.js';
import { TeamUsers } from '../../electron/engine/team/team-users.js';
import { freePort, startPgCluster } from '../helpers/pg-cluster.js';

export const TEAM_PASSWORD = 'analyst passphrase 1';
export const TEAM_PROJECT = 'team:round_7';

export interface TeamServer {
  baseUrl: string;
  dbUrl: string;
  stop(): Promise<void>;
}

/** A square patch of `side` metres centred at (x, y), in the scene's CRS units (metres). */
function square(x: number, y: number, side: number, meanProb: number): NewDetection {
  const h = side / 2;
  const ring = [
    [x - h, y - h],
    [x + h, y - h],
    [x + h, y + h],
    [x - h, y + h],
    [x - h, y - h],
  ];
  return {
    rings: [ring],
    areaM2: side * side,
    areaMu: (side * side) / (10000 / 15),
    perimeter: 4 * side,
    meanProb,
    maxProb: Math.min(1, meanProb + 0.1),
    pixelCount: side * side,
    bbox: [x - h, y - h, x + h, y + h],
  };
}

/** The team project: three patches, listed in this order by the queue (largest score first). */
async function seed(url: string, users: [string, string][]): Promise<void> {
  const demo = copyBundledDemo(mkdtempSync(join(tmpdir(), 'lw-team-demo-')));
  const [before, after] = await Promise.all([
    RasterSource.open(demo.before),
    RasterSource.open(demo.after),
  ]);
  try {
    const store = await PgReviewStore.create(
      { url, schema: 'round_7' },
      'Round 7 — county',
      before.info,
      after.info,
    );
    const [x0, pw, , y0, , ph] = before.info.geoTransform;
    const cx = x0 + (before.info.width * pw) / 2;
    const cy = y0 + (before.info.height * ph) / 2;
    await store.addRun(
      {
        id: 'round-7-run',
        modelId: 'round-model',
        modelVersion: '1',
        threshold: 0.5,
        minArea: 0,
        params: {},
        executionProvider: 'cpu',
        startedAt: new Date().toISOString(),
        seconds: 1,
      },
      [square(cx, cy, 30, 0.9), square(cx + 80, cy, 20, 0.7), square(cx, cy + 80, 25, 0.6)],
    );
    await store.close();
  } finally {
    before.close();
    after.close();
  }
  const team = await TeamUsers.open(url);
  try {
    for (const [name, role] of users) await team.add(name, role, TEAM_PASSWORD);
  } finally {
    await team.close();
  }
}

/** Starts everything; `{ skip }` with the reason where PostgreSQL cannot run here. */
export async function startTeamServer(
  users: [string, string][],
): Promise<TeamServer | { skip: string }> {
  const cluster = await startPgCluster();
  if ('skip' in cluster) return { skip: cluster.skip };
  let server: ChildProcess | null = null;
  const stop = async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((ok) => server?.once('exit', ok));
      server.kill('SIGTERM');
      await exited;
    }
    await cluster.stop();
  };
  try {
    const dbUrl = await cluster.createDatabase();
    await seed(dbUrl, users);
    const port = await freePort();
    server = spawn(
      process.execPath,
      ['bin/landwatch.js', 'serve', '--team', '--db', dbUrl, '--port', String(port)],
      {
        env: { ...process.env, LANDWATCH_HOME: mkdtempSync(join(tmpdir(), 'lw-team-home-')) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    server.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`team server did not start: ${stderr}`)),
        30_000,
      );
      server?.stdout?.on('data', (c: Buffer) => {
        if (c.toString().includes('LandWatch team server at')) {
          clearTimeout(timer);
          ok();
        }
      });
      server?.once('exit', (code) => fail(new Error(`team server exited ${code}: ${stderr}`)));
    });
    return { baseUrl: `http://127.0.0.1:${port}`, dbUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
