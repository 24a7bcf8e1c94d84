/**
 * A round worker: one BullMQ Worker per running round it finds in Redis (rounds are looked up again
 * every few seconds), each running block jobs with the engine (block-run.ts). A round made for
 * another model version than the one installed here is refused, and the refusal is recorded where
 * `round status` shows it. Bad input (a file gone, unreadable, without overlap) fails the job once
 * with the file and problem named (UnrecoverableError); anything else is retried with backoff. A
 * worker killed outright loses its lock and BullMQ hands the job to another after the stalled
 * interval; a worker stopped (SIGTERM) aborts its jobs in flight and hands them straight back to
 * the queue. A cancelled round is left at once, its running jobs aborted. Redis going away and
 * coming back is survived: connections reconnect on their own.
 */
import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Device } from '../../common/contract.js';
import { LandWatchError, isAbort } from '../errors.js';
import { cardKinds } from '../inference/model-card.js';
import { findModel } from '../inference/model-registry.js';
import { createModelSession } from '../inference/session.js';
import { blockInThread, screenInThread } from './block-thread.js';
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
  private readonly workers = new Map<string, { worker: Worker; connection: Redis }>();
  private readonly refused = new Set<string>();
  private readonly id = `${hostname()}:${process.pid}`;
  private readonly model = findModel(undefined);
  private timer: NodeJS.Timeout | null = null;
  private provider = 'not started';
  /** Set once close() begins: aborted jobs go back to the queue instead of failing. */
  private stopping = false;

  constructor(private readonly o: RoundWorkerOptions) {}

  /** Says what it runs (model, version, execution provider), then serves every round it may. */
  async start(): Promise<void> {
    // Open the model once to learn the execution provider the device choice gives on this machine.
    const probe = await createModelSession(this.model.onnxPath, this.o.device, this.o.log);
    this.provider = probe.executionProvider;
    await probe.dispose();
    this.o.log(
      `worker ${this.id}: model ${this.model.card.id} ${this.model.card.version} on ${this.provider} (device ${this.o.device})`,
    );
    await this.discover();
    // A stop during that first look must not leave a timer behind: it would keep the process up.
    if (this.stopping) return;
    this.timer = setInterval(() => {
      this.discover().catch((e: unknown) =>
        this.o.log(`looking for rounds: ${(e as Error).message}`),
      );
    }, this.o.discoverMs ?? 5000);
  }

  /**
   * Stops taking jobs, aborts those in flight and hands them back to their queue (another worker
   * takes them at once, not after the stalled interval), then closes every connection it opened.
   */
  async close(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.workers.keys()].map((name) => this.leave(name, 'worker stopping')));
  }

  /** Stops serving one round: aborts its jobs in flight and closes its worker and connection. */
  private async leave(name: string, reason: string): Promise<void> {
    const held = this.workers.get(name);
    if (!held) return;
    this.workers.delete(name);
    held.worker.cancelAllJobs(reason);
    await held.worker.close();
    held.connection.disconnect();
  }

  private async discover(): Promise<void> {
    if (this.stopping) return;
    const names = await this.o.redis.smembers(ROUNDS_KEY);
    for (const name of names) {
      if (this.refused.has(name)) continue;
      const spec = await readSpec(this.o.redis, name);
      if (this.workers.has(name)) {
        if (spec?.state !== 'running') {
          this.o.log(`round ${name} was ${spec ? spec.state : 'removed'}: leaving it`);
          await this.leave(name, `round ${name} was cancelled`);
        }
        continue;
      }
      if (!spec || spec.state !== 'running') continue;
      const why = this.refusal(spec);
      if (why) {
        this.refused.add(name);
        this.o.log(`refusing round ${name}: ${why}`);
        await writeWorker(this.o.redis, name, this.id, { ...this.stats(), refused: why });
        continue;
      }
      // close() may have begun while this look awaited Redis: a worker opened now would outlive it
      // and keep the process from exiting.
      if (this.stopping) return;
      this.o.log(`serving round ${name} (${spec.model.id} ${spec.model.version})`);
      this.workers.set(name, this.serve(name));
    }
  }

  /** Why this machine must not run a round; null when it may. */
  private refusal(spec: RoundSpec): string | null {
    try {
      const here = findModel(spec.model.id).card;
      if (here.version !== spec.model.version)
        return `round made for ${spec.model.id} ${spec.model.version}, this worker has ${here.id} ${here.version}`;
      if (cardKinds(here)?.length)
        return `${here.id} ${here.version} here has a kind output, which rounds do not collect`;
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  private serve(name: string): { worker: Worker; connection: Redis } {
    const stalled = this.o.stalledMs ?? 30_000;
    const plans = new PlanCache(this.o.redis, name);
    const totals = { jobs: 0, pixels: 0, busySeconds: 0 };
    const connection = this.o.redis.duplicate();
    const worker = new Worker(
      queueName(name),
      // Three parameters: BullMQ passes the abort signal only to processors that take it.
      async (job: Job, token?: string, signal?: AbortSignal) => {
        const data = blockJobSchema.parse(job.data);
        const spec = await readSpec(this.o.redis, name);
        if (!spec || spec.state !== 'running')
          throw new UnrecoverableError(`round ${name} was cancelled`);
        const t0 = performance.now();
        let lastProgress = t0;
        try {
          const pair = spec.pairs.find((p) => p.id === data.pair);
          const plan = pair?.screening
            ? await plans.get(
                pair.id,
                () => screenInThread(spec, pair.id, this.o.device, signal),
                signal,
              )
            : null;
          const result = await blockInThread(spec, data, this.o.device, plan, {
            signal,
            // At most one progress write a second (and the last): Redis work stays per job, not per tile.
            onTile: (done, total) => {
              const now = performance.now();
              if (done < total && now - lastProgress < 1000) return;
              lastProgress = now;
              void job.updateProgress({ done, total });
            },
          });
          this.provider = result.executionProvider;
          totals.jobs++;
          totals.pixels += result.pixels;
          totals.busySeconds += (performance.now() - t0) / 1000;
          // The round's own model (it may not be this machine's default).
          const model = { model: spec.model.id, version: spec.model.version };
          await writeWorker(this.o.redis, name, this.id, { ...this.stats(), ...model, ...totals });
          return { pixels: result.pixels, tiles: result.tilesRun, worker: this.id };
        } catch (error) {
          if (isAbort(error) && this.stopping) {
            // Hand the block back now; WaitingError tells BullMQ the job was moved, not failed.
            await job.moveToWait(token);
            this.o.log(`job ${job.id} handed back`);
            throw new WaitingError();
          }
          if (isAbort(error)) throw new UnrecoverableError(`round ${name} was cancelled`);
          if (error instanceof LandWatchError && INPUT_ERRORS.has(error.code))
            throw new UnrecoverableError(`pair ${data.pair}: ${error.message}`);
          throw error;
        }
      },
      {
        connection,
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
    return { worker, connection };
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
