/**
 * Running a round: pause holds jobs back and resume lets them go; a worker stopped with SIGTERM in
 * the middle of a job hands that job straight back to the queue and exits 0; a worker refuses a
 * round made for another version of its model and says so where `round status` shows it; cancel
 * empties the queue and the workers leave the round, aborting the job they were running.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRedis,
  readSpec,
  roundQueue,
  storeNewSpec,
} from '../../../electron/engine/round/round-redis.js';
import { hasData } from '../../helpers/data.js';
import { startRedis, type TestRedis } from '../../../scripts/local-redis.js';
import {
  built,
  jobsPerPair,
  landwatch,
  startWorker,
  writePairs,
  type WorkerProcess,
} from './round-fixture.js';

const server = await startRedis();
const why =
  'skip' in server ? server.skip : !hasData ? 'no ../shared/data' : !built ? 'no build' : null;
if (why) console.warn(`round operations: skipped: ${why}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WORKER = ['--stalled-ms', '5000', '--discover-ms', '300', '--device', 'cpu'];

describe.skipIf(why !== null)('round operations', () => {
  const redisServer = server as TestRedis;
  const dir = mkdtempSync(join(tmpdir(), 'lw-round-ops-'));
  const workers: WorkerProcess[] = [];
  let redis: Redis;
  const round = (...args: string[]) => landwatch(dir, 'round', ...args, '--redis', redisServer.url);

  beforeAll(async () => {
    const { file } = await writePairs(dir);
    const one = join(dir, 'one.csv');
    writeFileSync(one, readFileSync(file, 'utf8').split('\n').slice(0, 2).join('\n'));
    redis = await connectRedis(redisServer.url);
    const outDir = join(dir, 'shared');
    // 384 px jobs: one tile stride each.
    const made = round(
      'create',
      '--name',
      'ops',
      '--pairs',
      one,
      '--out-dir',
      outDir,
      '--job-size',
      '384',
    );
    expect(made.stdout, made.stderr).toContain(`${jobsPerPair(384)} job(s) submitted`);
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    redis?.disconnect();
    await redisServer.stop();
  });

  it('pause holds jobs back; resume lets them run', async () => {
    expect(round('pause', 'ops').code).toBe(0);
    expect(round('status', 'ops').stdout).toMatch(/round ops: paused/);
    const w = startWorker(dir, redisServer.url, ...WORKER);
    workers.push(w);
    await w.waitFor(/serving round ops/, 30_000);
    await sleep(1500);
    expect(w.log()).not.toMatch(/started/);
    expect(round('resume', 'ops').code).toBe(0);
    await w.waitFor(/job \S+ started/, 30_000);
  }, 60_000);

  it('SIGTERM mid-job hands the job back and exits 0', async () => {
    const w = workers[0];
    // The worker's last line says a job started: it is mid-job now.
    for (let t = 0; !/job (\S+) started\n$/.test(w.log()); t++) {
      if (t > 300) throw new Error(`no job in flight within 30 s:\n${w.log()}`);
      await sleep(100);
    }
    const id = /job (\S+) started\n$/.exec(w.log())![1];
    w.child.kill('SIGTERM');
    expect(await w.exited).toEqual({ code: 0, signal: null });
    expect(w.log()).toContain(`job ${id} handed back`);
    const queue = roundQueue(redis, 'ops');
    try {
      expect(await (await queue.getJob(id))!.getState()).toBe('waiting');
      expect(await queue.getActiveCount()).toBe(0);
      expect(await queue.getFailedCount()).toBe(0);
    } finally {
      await queue.close();
    }
  }, 60_000);

  it('refuses a round made for another model version, visibly', async () => {
    const spec = (await readSpec(redis, 'ops'))!;
    const old = { ...spec, name: 'old', model: { ...spec.model, version: '0.9.0' } };
    expect(await storeNewSpec(redis, old)).toBe(true);
    const w = startWorker(dir, redisServer.url, ...WORKER);
    workers.push(w);
    await w.waitFor(/worker \S+: model lw-siamese-v1 1\.0\.0 on \S+/, 30_000);
    await w.waitFor(
      /refusing round old: round made for lw-siamese-v1 0\.9\.0, this worker has lw-siamese-v1 1\.0\.0/,
      30_000,
    );
    expect(round('status', 'old').stdout).toMatch(/refused: round made for lw-siamese-v1 0\.9\.0/);
  }, 60_000);

  it('cancel empties the queue; the worker leaves the round and aborts its job', async () => {
    const w = workers[1];
    await w.waitFor(/job \S+ started/, 30_000);
    const cancel = round('cancel', 'ops');
    expect(cancel.code, cancel.stderr).toBe(0);
    await w.waitFor(/round ops was cancelled: leaving it/, 10_000);
    const queue = roundQueue(redis, 'ops');
    try {
      for (let t = 0; (await queue.getActiveCount()) > 0; t++) {
        if (t > 100) throw new Error(`a job is still active 10 s after cancel:\n${w.log()}`);
        await sleep(100);
      }
      expect(await queue.getWaitingCount()).toBe(0);
      const failed = await queue.getFailed();
      for (const job of failed) expect(job.failedReason).toMatch(/round ops was cancelled/);
    } finally {
      await queue.close();
    }
    const status = round('status', 'ops').stdout;
    expect(status).toMatch(/round ops: cancelled/);
    expect(status).toMatch(/waiting 0 {3}active 0/);
    const logged = w.log().length;
    await sleep(1000);
    expect(w.log().slice(logged)).not.toMatch(/started/);
    w.child.kill('SIGINT');
    expect(await w.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
