/**
 * A pair's screening plan, made once for the whole scene (as `detect` makes it) and shared by every
 * block of the pair through Redis. The first worker to need it takes a short lock and computes it;
 * the others wait for it. A worker that dies holding the lock lets it expire, and the next one
 * computes the plan instead: screening is deterministic, so whoever computes it gets the same plan.
 */
import type { Redis } from 'ioredis';
import { throwIfAborted } from '../errors.js';
import { planKey } from './round-redis.js';

const LOCK_MS = 120_000;
const POLL_MS = 200;

export class PlanCache {
  private readonly local = new Map<string, Uint8Array>();

  constructor(
    private readonly redis: Redis,
    private readonly round: string,
  ) {}

  /**
   * The pair's plan: from this process, from Redis, or computed here and stored. While another
   * worker computes it this one waits, but not past `signal`: a worker told to stop hands its job
   * back at once instead of waiting on a plan (up to the lock's two minutes, if its holder died).
   */
  async get(
    pair: string,
    compute: () => Promise<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const hit = this.local.get(pair);
    if (hit) return hit;
    const key = planKey(this.round, pair);
    for (;;) {
      throwIfAborted(signal);
      const stored = await this.redis.getBuffer(key);
      if (stored) return this.keep(pair, new Uint8Array(stored));
      const locked = await this.redis.set(`${key}:lock`, String(process.pid), 'PX', LOCK_MS, 'NX');
      if (locked === 'OK') {
        try {
          const plan = await compute();
          await this.redis.set(key, Buffer.from(plan));
          return this.keep(pair, plan);
        } finally {
          await this.redis.del(`${key}:lock`);
        }
      }
      await pause(POLL_MS, signal);
    }
  }

  private keep(pair: string, plan: Uint8Array): Uint8Array {
    this.local.set(pair, plan);
    return plan;
  }
}

/** Waits `ms`, or less when `signal` aborts first. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      done();
    }
    signal?.addEventListener('abort', finish, { once: true });
  });
}
