/**
 * The one door to Redis for rounds: connections (failing fast for one-shot commands, reconnecting
 * for workers), the round's BullMQ queue, and the round's own keys (its spec, screening plans,
 * per-worker throughput). One queue per round, so a round can be paused, cancelled and counted on
 * its own; workers find rounds through the `lw:rounds` set.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { LandWatchError } from '../errors.js';
import { roundSpecSchema, type RoundSpec } from './round-spec.js';

export const ROUNDS_KEY = 'lw:rounds';
export const specKey = (round: string) => `lw:round:${round}:spec`;
export const planKey = (round: string, pair: string) => `lw:round:${round}:plan:${pair}`;
export const workersKey = (round: string) => `lw:round:${round}:workers`;
export const queueName = (round: string) => `lw-round-${round}`;

/**
 * A connection to `url`. `persistent` (workers) reconnects for ever when Redis goes away and comes
 * back; otherwise (one-shot commands) the first failed connect throws one clear line.
 */
export async function connectRedis(url: string, persistent = false): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    // BullMQ's blocking commands need this; one-shot commands fail on the first lost connection.
    maxRetriesPerRequest: null,
    retryStrategy: persistent ? (times) => Math.min(times * 200, 5000) : () => null,
    connectTimeout: 5000,
  });
  let last: Error | null = null;
  redis.on('error', (error: Error) => {
    last = error;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const why = (last as Error | null)?.message ?? (error as Error).message;
    throw new LandWatchError('E_BAD_REQUEST', `cannot reach Redis at ${url}: ${why}.`);
  }
  return redis;
}

/** The round's queue on a connection. */
export function roundQueue(redis: Redis, round: string): Queue {
  return new Queue(queueName(round), { connection: redis });
}

/** The stored spec of a round; null when there is none. */
export async function readSpec(redis: Redis, round: string): Promise<RoundSpec | null> {
  const text = await redis.get(specKey(round));
  return text === null ? null : roundSpecSchema.parse(JSON.parse(text));
}

/** The stored spec, or one line saying the round does not exist. */
export async function requireSpec(redis: Redis, round: string): Promise<RoundSpec> {
  const spec = await readSpec(redis, round);
  if (!spec) throw new LandWatchError('E_NOT_FOUND', `round "${round}" does not exist.`);
  return spec;
}

/** Stores a new round's spec; false (and nothing written) when the name is taken. */
export async function storeNewSpec(redis: Redis, spec: RoundSpec): Promise<boolean> {
  const ok = await redis.set(specKey(spec.name), JSON.stringify(spec), 'NX');
  if (ok !== 'OK') return false;
  await redis.sadd(ROUNDS_KEY, spec.name);
  return true;
}

/** Removes a round's spec and its entry in the rounds set (the queue is the caller's). */
export async function deleteSpec(redis: Redis, round: string): Promise<void> {
  await redis.multi().del(specKey(round)).srem(ROUNDS_KEY, round).exec();
}

export async function updateSpec(redis: Redis, spec: RoundSpec): Promise<void> {
  await redis.set(specKey(spec.name), JSON.stringify(spec));
}

/** What a worker reports about itself per round (status's per-worker rows). */
export interface WorkerStats {
  host: string;
  pid: number;
  model: string;
  provider: string;
  version: string;
  jobs: number;
  pixels: number;
  busySeconds: number;
  lastSeen: string;
  refused?: string;
}

export async function readWorkers(
  redis: Redis,
  round: string,
): Promise<Record<string, WorkerStats>> {
  const all = await redis.hgetall(workersKey(round));
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, JSON.parse(v) as WorkerStats]));
}

export async function writeWorker(
  redis: Redis,
  round: string,
  id: string,
  stats: WorkerStats,
): Promise<void> {
  await redis.hset(workersKey(round), id, JSON.stringify(stats));
}
