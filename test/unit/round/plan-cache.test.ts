/**
 * The shared screening plan: computed once and then read from Redis; a worker waiting on a plan
 * another worker is computing stops waiting as soon as it is told to stop (a worker that died
 * holding the lock would otherwise keep it waiting for the lock's two minutes).
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanCache } from '../../../electron/engine/round/plan-cache.js';
import { connectRedis, planKey } from '../../../electron/engine/round/round-redis.js';
import { startRedis, type TestRedis } from '../../../scripts/local-redis.js';

const server = await startRedis();
if ('skip' in server) console.warn(`plan cache: skipped: ${server.skip}`);

describe.skipIf('skip' in server)('PlanCache', () => {
  const redisServer = server as TestRedis;
  let redis: Redis;
  beforeAll(async () => {
    redis = await connectRedis(redisServer.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await redisServer.stop();
  });

  it('computes a plan once; another worker reads it from Redis', async () => {
    let computed = 0;
    const compute = async () => {
      computed++;
      return Uint8Array.of(1, 0, 1);
    };
    const a = new PlanCache(redis, 'r1');
    const b = new PlanCache(redis, 'r1');
    expect(Array.from(await a.get('p', compute))).toEqual([1, 0, 1]);
    expect(Array.from(await b.get('p', compute))).toEqual([1, 0, 1]);
    expect(computed).toBe(1);
  });

  it('stops waiting on a lock held elsewhere when its signal aborts', async () => {
    // A worker that died while computing: its lock stays for two minutes.
    await redis.set(`${planKey('r2', 'p')}:lock`, '999999', 'PX', 120_000);
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 300);
    const waiting = new PlanCache(redis, 'r2').get(
      'p',
      async () => Uint8Array.of(1),
      controller.signal,
    );
    await expect(waiting).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
