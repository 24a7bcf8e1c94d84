/**
 * A round on a real redis-server with three `landwatch worker` processes, one of them killed with
 * -9 in the middle of a job: the round still completes, every job once, and what it collects is
 * what a single `landwatch detect` of the same pairs gives (the same probability bytes, the same
 * polygons, none cut or doubled at the block borders some of them cross). Submitting the round
 * again adds no job. The workers then stop cleanly on SIGTERM.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModel } from '../../../electron/engine/inference/model-registry.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { blockGrid } from '../../../electron/engine/round/block-plan.js';
import { connectRedis, readSpec, roundQueue } from '../../../electron/engine/round/round-redis.js';
import { hasData } from '../../helpers/data.js';
import { startRedis, type TestRedis } from '../../../scripts/local-redis.js';
import {
  JOB_SIZE,
  SIZE,
  built,
  landwatch,
  pairAxes,
  startWorker,
  writePairs,
  type WorkerProcess,
} from './round-fixture.js';

const server = await startRedis();
const why =
  'skip' in server
    ? server.skip
    : !hasData
      ? 'no ../shared/data'
      : !built
        ? 'the CLI is not built (npm run build)'
        : null;
if (why) console.warn(`round on Redis: skipped: ${why}`);

interface Feature {
  properties: { area_m2: number };
  geometry: { coordinates: number[][][] };
}
const features = (path: string) =>
  (JSON.parse(readFileSync(path, 'utf8')) as { features: Feature[] }).features;
const centre = (f: Feature) => {
  const ring = f.geometry.coordinates[0];
  return [0, 1].map((k) => ring.reduce((s, p) => s + p[k], 0) / ring.length);
};
async function band(path: string): Promise<Float32Array> {
  const src = await RasterSource.open(path);
  try {
    return (await src.readWindow({ x: 0, y: 0, width: SIZE, height: SIZE }, [0]))[0];
  } finally {
    src.close();
  }
}

describe.skipIf(why !== null)('a round of 2 pairs on 3 worker processes', () => {
  const redisServer = server as TestRedis;
  const dir = mkdtempSync(join(tmpdir(), 'lw-round-'));
  const outDir = join(dir, 'shared');
  let ids: string[] = [];
  let pairsFile = '';
  let redis: Redis;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    ({ file: pairsFile, ids } = await writePairs(dir));
    for (const id of ids) {
      const csv = readFileSync(pairsFile, 'utf8').split('\n');
      const [, before, after] = csv.find((l) => l.startsWith(`${id},`))!.split(',');
      const run = landwatch(
        dir,
        'detect',
        '--before',
        before,
        '--after',
        after,
        '--out',
        join(dir, `ref-${id}.geojson`),
        '--mask',
        join(dir, `ref-${id}-mask.tif`),
        '--work-dir',
        join(dir, `ref-${id}`),
        // The model the round names (the default model, not a CPU variant).
        '--model',
        findModel(undefined).card.id,
        '--quiet',
      );
      expect(run.code, run.stderr).toBe(0);
    }
    redis = await connectRedis(redisServer.url);
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    redis?.disconnect();
    await redisServer.stop();
  });

  it('creates one job per block; submitting again adds none', async () => {
    const create = ['round', 'create', '--name', 'r1', '--pairs', pairsFile, '--out-dir', outDir];
    const args = [...create, '--job-size', String(JOB_SIZE), '--redis', redisServer.url];
    const made = landwatch(dir, ...args);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/round r1: 2 pair\(s\), 8 job\(s\) submitted, model lw-siamese-v1/);
    const again = landwatch(dir, 'round', 'resubmit', 'r1', '--redis', redisServer.url);
    expect(again.stdout).toMatch(/round r1: 0 job\(s\) added/);
    const queue = roundQueue(redis, 'r1');
    expect(await queue.count()).toBe(8);
    await queue.close();
  });

  it('completes with one worker killed with -9 mid-job, each job done once', async () => {
    const options = ['--stalled-ms', '2000', '--discover-ms', '300', '--device', 'cpu'];
    for (let i = 0; i < 3; i++) workers.push(startWorker(dir, redisServer.url, ...options));
    const victim = workers[0];
    const [, jobId] = await victim.waitFor(/job (\S+) started/, 60_000);
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');

    const queue = roundQueue(redis, 'r1');
    try {
      for (let t = 0; ; t++) {
        const c = await queue.getJobCounts('completed', 'failed');
        expect(c.failed).toBe(0);
        if (c.completed === 8) break;
        if (t > 1200) throw new Error(`round not done in 120 s: ${JSON.stringify(c)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const job = await queue.getJob(jobId);
      expect(await job!.getState()).toBe('completed');
      // The killed worker never finished it: a live one did, after the stalled check freed it.
      expect((job!.returnvalue as { worker: string }).worker).not.toMatch(
        new RegExp(`:${victim.child.pid}$`),
      );
      expect(workers.slice(1).some((w) => w.log().includes(`job ${jobId} done`))).toBe(true);
      // Nothing done twice: every job finished once, and no live worker lost a job's lock.
      const done = workers.flatMap((w) =>
        [...w.log().matchAll(/job (\S+) done/g)].map((m) => m[1]),
      );
      expect(done.sort()).toEqual([...new Set(done)].sort());
      expect(done).toHaveLength(8);
      for (const w of workers.slice(1)) expect(w.log()).not.toMatch(/Missing lock|renew lock/);
    } finally {
      await queue.close();
    }
  }, 150_000);

  it('collects what a single detect gives: same pixels, same polygons, none cut at borders', async () => {
    const out = join(dir, 'round.geojson');
    const run = landwatch(dir, 'round', 'collect', 'r1', '--out', out, '--redis', redisServer.url);
    expect(run.code, run.stderr).toBe(0);
    const spec = (await readSpec(redis, 'r1'))!;
    let crossings = 0;
    for (const id of ids) {
      expect(run.stdout).toContain(`pair ${id}:`);
      // Same probability, byte for byte, as the single-machine run.
      const mine = await band(join(outDir, id, 'probability.tif'));
      const ref = await band(join(dir, `ref-${id}`, 'probability.tif'));
      expect(mine.every((v, i) => v === ref[i])).toBe(true);
      // Changed pixels on both sides of a block border: polygons there must come out whole.
      const mask = await band(join(dir, `ref-${id}-mask.tif`));
      const pair = spec.pairs.find((p) => p.id === id)!;
      const { axes } = pairAxes();
      for (const b of blockGrid(axes, SIZE, SIZE, pair.perBlock)) {
        const { x, y } = b.core;
        for (let k = 0; k < SIZE; k++) {
          if (x > 0 && mask[k * SIZE + x - 1] && mask[k * SIZE + x]) crossings++;
          if (y > 0 && mask[(y - 1) * SIZE + k] && mask[y * SIZE + k]) crossings++;
        }
      }
      const want = features(join(dir, `ref-${id}.geojson`));
      const got = features(join(dir, `round-${id}.geojson`));
      expect(got.length).toBe(want.length);
      const used = new Set<number>();
      for (const w of want) {
        const [wx, wy] = centre(w);
        let best = -1;
        let bestD = Infinity;
        got.forEach((g, i) => {
          const [gx, gy] = centre(g);
          const d = Math.hypot(gx - wx, gy - wy);
          if (!used.has(i) && d < bestD) [best, bestD] = [i, d];
        });
        used.add(best);
        const area = got[best].properties.area_m2;
        expect(Math.abs(area - w.properties.area_m2)).toBeLessThanOrEqual(
          0.005 * w.properties.area_m2,
        );
      }
    }
    expect(crossings, 'no change crosses a block border: the test proves nothing').toBeGreaterThan(
      0,
    );
  });

  it('stops its workers cleanly on SIGTERM', async () => {
    for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    for (const w of workers.slice(1)) {
      const timeout = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000));
      const result = await Promise.race([w.exited, timeout]);
      expect(result, w.log()).toEqual({ code: 0, signal: null });
      expect(w.log()).toMatch(/stopping/);
    }
  }, 40_000);
});
