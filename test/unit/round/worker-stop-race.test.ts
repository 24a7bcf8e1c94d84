/**
 * A worker stopped while it is looking for rounds (its Redis reply still on the way) must not start
 * serving the round that reply names, nor keep looking: either would keep `landwatch worker` up
 * after SIGTERM (seen as a hung worker under load). A real `redis-server` on loopback holds the
 * round; the worker's client only holds the reply to its look back until close() has begun.
 */
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { findModel } from '../../../electron/engine/inference/model-registry.js';
import { connectRedis, storeNewSpec } from '../../../electron/engine/round/round-redis.js';
import type { RoundSpec } from '../../../electron/engine/round/round-spec.js';
import { RoundWorker } from '../../../electron/engine/round/round-worker.js';
import { startRedis, type TestRedis } from '../../../scripts/local-redis.js';

const server = await startRedis();
const why = 'skip' in server ? server.skip : null;
if (why) console.warn(`round worker stop race: skipped: ${why}`);

describe.skipIf(why !== null)('round worker stopped mid-look', () => {
  const redisServer = server as TestRedis;
  afterAll(async () => redisServer.stop());

  it('serves nothing the late reply names and stops looking', async () => {
    const redis = await connectRedis(redisServer.url);
    const { card } = findModel(undefined);
    const spec: RoundSpec = {
      name: 'r1',
      createdAt: new Date().toISOString(),
      model: { id: card.id, version: card.version },
      params: { threshold: 0.5, minArea: 0, stretch: 'auto', matchRadiometry: true },
      jobSize: 4096,
      outDir: '/nonexistent',
      pairs: [],
      state: 'running',
    };
    expect(await storeNewSpec(redis, spec)).toBe(true);
    let release = () => {};
    let looks = 0;
    let duplicated = 0;
    // The real client, with its look for rounds held back and its extra connections counted.
    const held = new Proxy(redis, {
      get(target, key, receiver) {
        if (key === 'smembers') {
          return async (setKey: string) => {
            looks++;
            await new Promise<void>((resolve) => (release = resolve));
            return target.smembers(setKey);
          };
        }
        if (key === 'duplicate') {
          return () => {
            duplicated++;
            return target.duplicate();
          };
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Redis;
    const lines: string[] = [];
    const worker = new RoundWorker({
      redis: held,
      concurrency: 1,
      device: 'cpu',
      discoverMs: 20,
      log: (line) => lines.push(line),
    });
    const intervals = vi.spyOn(globalThis, 'setInterval');
    try {
      const started = worker.start();
      while (looks === 0) await new Promise((r) => setTimeout(r, 10));
      await worker.close();
      release();
      await started;
      await new Promise((r) => setTimeout(r, 150));
      expect(duplicated).toBe(0);
      expect(lines.join('\n')).not.toMatch(/serving round/);
      expect(looks).toBe(1);
      // No discovery timer was set: it would keep looking, and the process up, after the stop.
      expect(intervals.mock.calls.filter(([, ms]) => ms === 20)).toEqual([]);
    } finally {
      intervals.mockRestore();
      await worker.close();
      redis.disconnect();
    }
  }, 60_000);
});
