/**
 * The cost of the queue itself, without the model: 1000 jobs that do nothing (or only report
 * progress as a round job does, once per tile) go through a BullMQ queue on a local Redis, added
 * in bulk with deterministic ids and taken by one Worker as `landwatch worker` takes them. Measured:
 * wall seconds end to end and the CPU seconds Redis itself spent (its INFO cpu counters), per 1000
 * jobs.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

export interface QueueCost {
  label: string;
  jobs: number;
  concurrency: number;
  progressPerJob: number;
  /** Wall seconds from the first add to the last completion. */
  wallSeconds: number;
  /** CPU seconds (user + sys) the Redis server used meanwhile. */
  redisCpuSeconds: number;
}

async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return get('used_cpu_user') + get('used_cpu_sys');
}

/** Pushes `jobs` no-op jobs through a fresh queue; see the module comment. */
export async function measureQueue(
  redis: Redis,
  label: string,
  jobs: number,
  concurrency: number,
  progressPerJob: number,
): Promise<QueueCost> {
  const name = `lw-bench-${label.replace(/\W+/g, '-')}-${Date.now()}`;
  const queue = new Queue(name, { connection: redis });
  let done = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const connection = redis.duplicate();
  const worker = new Worker(
    name,
    async (job) => {
      for (let i = 1; i <= progressPerJob; i++)
        await job.updateProgress({ done: i, total: progressPerJob });
      return { ok: true };
    },
    { connection, concurrency, autorun: false },
  );
  worker.on('completed', () => {
    if (++done === jobs) finish();
  });
  const cpu0 = await redisCpu(redis);
  const t0 = performance.now();
  await queue.addBulk(
    Array.from({ length: jobs }, (_, i) => ({
      name: 'block',
      data: { round: label, pair: 'p1', row: Math.floor(i / 100), col: i % 100 },
      opts: {
        jobId: `${label}.p1.${i}`,
        attempts: 3,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: false,
        removeOnFail: false,
      },
    })),
  );
  void worker.run();
  await finished;
  const wallSeconds = (performance.now() - t0) / 1000;
  const redisCpuSeconds = (await redisCpu(redis)) - cpu0;
  await worker.close();
  connection.disconnect();
  await queue.obliterate({ force: true });
  await queue.close();
  return { label, jobs, concurrency, progressPerJob, wallSeconds, redisCpuSeconds };
}
