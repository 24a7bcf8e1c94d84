/**
 * Redis restarted in the middle of a round (an append-only Redis, as rounds should run on): the
 * worker loses its connections, reconnects on its own and the round completes, every job done.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRedis, roundQueue } from '../../../electron/engine/round/round-redis.js';
import { startRedis, type TestRedis } from '../../../scripts/local-redis.js';
import { hasData } from '../../helpers/data.js';
import {
  built,
  jobsPerPair,
  landwatch,
  startWorker,
  writePairs,
  type WorkerProcess,
} from './round-fixture.js';

const server = await startRedis(true);
const why =
  'skip' in server ? server.skip : !hasData ? 'no ../shared/data' : !built ? 'no build' : null;
if (why) console.warn(`round across a Redis restart: skipped: ${why}`);

describe.skipIf(why !== null)('a round across a Redis restart', () => {
  const redisServer = server as TestRedis;
  const dir = mkdtempSync(join(tmpdir(), 'lw-round-restart-'));
  let worker: WorkerProcess | null = null;

  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await redisServer.stop();
  });

  it('completes after Redis goes away and comes back', async () => {
    const { file } = await writePairs(dir);
    const one = join(dir, 'one.csv');
    writeFileSync(one, readFileSync(file, 'utf8').split('\n').slice(0, 2).join('\n'));
    const args = ['--pairs', one, '--out-dir', join(dir, 'shared'), '--job-size', '384'];
    const made = landwatch(
      dir,
      'round',
      'create',
      '--name',
      'rs',
      ...args,
      '--redis',
      redisServer.url,
    );
    expect(made.stdout, made.stderr).toContain(`${jobsPerPair(384)} job(s) submitted`);
    const w = startWorker(dir, redisServer.url, '--stalled-ms', '5000', '--discover-ms', '300');
    worker = w;
    await w.waitFor(/job \S+ done/, 60_000);
    await redisServer.restart();
    const redis = await connectRedis(redisServer.url);
    const queue = roundQueue(redis, 'rs');
    try {
      for (let t = 0; ; t++) {
        const c = await queue.getJobCounts('completed', 'failed');
        expect(c.failed, w.log()).toBe(0);
        if (c.completed === jobsPerPair(384)) break;
        if (t > 900) throw new Error(`round not done 90 s after the restart:\n${w.log()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await queue.close();
      redis.disconnect();
    }
    const collected = landwatch(
      dir,
      'round',
      'collect',
      'rs',
      '--out',
      join(dir, 'rs.geojson'),
      '--redis',
      redisServer.url,
    );
    expect(collected.stdout, collected.stderr).toMatch(/pair s41: \d+ change\(s\)/);
    w.child.kill('SIGTERM');
    expect(await w.exited).toEqual({ code: 0, signal: null });
  }, 150_000);
});
