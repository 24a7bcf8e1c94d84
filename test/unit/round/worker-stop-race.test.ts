/**
 * A worker stopped while it is looking for rounds (its Redis reply still on the way) must not start
 * serving the round that reply names, nor keep looking: either would keep `landwatch worker` up
 * after SIGTERM (seen as a hung worker under load). Redis is a stub here so the reply can be held
 * back until close() has begun; the model is the real default one.
 */
import type { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { findModel } from '../../../electron/engine/inference/model-registry.js';
import { RoundWorker } from '../../../electron/engine/round/round-worker.js';

describe('round worker stopped mid-look', () => {
  it('serves nothing the late reply names and stops looking', async () => {
    const { card } = findModel(undefined);
    const spec = {
      name: 'r1',
      createdAt: new Date().toISOString(),
      model: { id: card.id, version: card.version },
      params: { threshold: 0.5, minArea: 0, stretch: 'auto', matchRadiometry: true },
      jobSize: 4096,
      outDir: '/nonexistent',
      pairs: [],
      state: 'running',
    };
    let release = () => {};
    let looks = 0;
    let duplicated = 0;
    const redis = {
      smembers: () => {
        looks++;
        return new Promise<string[]>((resolve) => (release = () => resolve(['r1'])));
      },
      get: async () => JSON.stringify(spec),
      duplicate: () => {
        duplicated++;
        throw new Error('a connection was opened for the round');
      },
    };
    const lines: string[] = [];
    const worker = new RoundWorker({
      redis: redis as unknown as Redis,
      concurrency: 1,
      device: 'cpu',
      discoverMs: 20,
      log: (line) => lines.push(line),
    });
    const intervals = vi.spyOn(globalThis, 'setInterval');
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
    intervals.mockRestore();
  }, 60_000);
});
