/**
 * A round worker: one BullMQ Worker per running round it finds in Redis (rounds are looked up again
 * every few seconds), each running block jobs with the engine (block-run.ts). A round made for
 * another model version than the one installed here is refused, and the refusal is recorded where
 * `round status` shows it. Bad input (a file gone, unreadable, without overlap) fails the job once
 * with the file and problem named (UnrecoverableError); anything else is retried with backoff. A
 * worker killed outright loses its lock and BullMQ hands the job to another after the stalled
 * interval. Redis going away and coming back is survived: connections reconnect on their own.
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Device } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import { findModel } from '../inference/model-registry.js';
import { runBlock } from './block-run.js';
import { PlanCache } from './plan-cache.js';
import { ROUNDS_KEY, queueName, readSpec, writeWorker, type WorkerStats } from './round-redis.js';
import { blockJobSchema, type RoundSpec } from './round-spec.js';

export interface RoundWorkerOptions {
  redis: Redis;
  concurrency: number;
  device: Device;
  /** Lock duration and stalled-check interval in ms (default 30 000); short in tests. */
  stalledMs?: number;
  /** Look for new rounds this often (ms, default 5 000). */
  discoverMs?: number;
  log: (line: string) => void;
}

/** Errors that no retry can fix: the input is wrong, not the machine. */
const INPUT_ERRORS = new Set([
  'E_FILE_NOT_FOUND',
  'E_NOT_TIFF',
  'E_TIFF_CORRUPT',
  'E_NO_GEOREF',
  'E_CRS_UNKNOWN',
  'E_CRS_MISMATCH',
  'E_GRID_MISMATCH',
  'E_NO_OVERLAP',
  'E_BANDS',
  'E_BAD_REQUEST',
]);

/** Runs rounds until {@link RoundWorker.close}. */
export class RoundWorker {
  private readonly workers = new Map<string, Worker>();
  private readonly refused = new Set<string>();
  private readonly id = `${hostname()}:${process.pid}`;
  private readonly model = findModel(undefined);
  private timer: NodeJS.Timeout | null = null;
  private provider = 'not started';

  constructor(private readonly o: RoundWorkerOptions) {}

  /** Says what it runs, then serves every running round it may. */
  async start(): Promise<void> {
    this.o.log(
      `worker ${this.id}: models installed here, default ${this.model.card.id} ${this.model.card.version}; device ${this.o.device}`,
    );
    await this.discover();
    this.timer = setInterval(() => {
      this.discover().catch((e: unknown) =>
        this.o.log(`looking for rounds: ${(e as Error).message}`),
      );
    }, this.o.discoverMs ?? 5000);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.workers.values()].map((w) => w.close()));
  }

  private async discover(): Promise<void> {
    const names = await this.o.redis.smembers(ROUNDS_KEY);
    for (const name of names) {
      if (this.workers.has(name) || this.refused.has(name)) continue;
      const spec = await readSpec(this.o.redis, name);
      if (!spec || spec.state !== 'running') continue;
      const why = this.refusal(spec);
      if (why) {
        this.refused.add(name);
        this.o.log(`refusing round ${name}: ${why}`);
        await writeWorker(this.o.redis, name, this.id, { ...this.stats(), refused: why });
        continue;
      }
      this.o.log(`serving round ${name} (${spec.model.id} ${spec.model.version})`);
      this.workers.set(name, this.serve(name));
    }
  }

  /** Why this machine must not run a round; null when it may. */
  private refusal(spec: RoundSpec): string | null {
    try {
      const here = findModel(spec.model.id).card;
      if (here.version !== spec.model.version)
        return `round made for ${spec.model.id} ${spec.model.version}, this worker has ${here.version}`;
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  private serve(name: string): Worker {
    const stalled = this.o.stalledMs ?? 30_000;
    const plans = new PlanCache(this.o.redis, name);
    const totals = { jobs: 0, pixels: 0, busySeconds: 0 };
    const worker = new Worker(
      queueName(name),
      async (job: Job) => {
        const data = blockJobSchema.parse(job.data);
        const spec = await readSpec(this.o.redis, name);
        if (!spec || spec.state !== 'running')
          throw new UnrecoverableError(`round ${name} was cancelled`);
        const t0 = performance.now();
        try {
          const result = await runBlock(spec, data, {
            device: this.o.device,
            plan: (compute) => plans.get(data.pair, compute),
            onTile: (done, total) => void job.updateProgress({ done, total }),
          });
          this.provider = result.executionProvider;
          totals.jobs++;
          totals.pixels += result.pixels;
          totals.busySeconds += (performance.now() - t0) / 1000;
          await writeWorker(this.o.redis, name, this.id, { ...this.stats(), ...totals });
          return { pixels: result.pixels, tiles: result.tilesRun, worker: this.id };
        } catch (error) {
          if (error instanceof LandWatchError && INPUT_ERRORS.has(error.code))
            throw new UnrecoverableError(`pair ${data.pair}: ${error.message}`);
          throw error;
        }
      },
      {
        connection: this.o.redis.duplicate(),
        concurrency: this.o.concurrency,
        lockDuration: stalled,
        stalledInterval: stalled,
        maxStalledCount: 3,
      },
    );
    worker.on('failed', (job, error) => this.o.log(`job ${job?.id} failed: ${error.message}`));
    worker.on('completed', (job) => this.o.log(`job ${job.id} done`));
    worker.on('active', (job) => this.o.log(`job ${job.id} started`));
    worker.on('error', (error) => this.o.log(`redis: ${error.message}`));
    return worker;
  }

  private stats(): WorkerStats {
    return {
      host: hostname(),
      pid: process.pid,
      model: this.model.card.id,
      version: this.model.card.version,
      provider: this.provider,
      jobs: 0,
      pixels: 0,
      busySeconds: 0,
      lastSeen: new Date().toISOString(),
    };
  }
}
