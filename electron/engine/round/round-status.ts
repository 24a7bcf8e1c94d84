/**
 * A round's progress as `round status` prints it: job counts by state, each worker's throughput
 * (core pixels per second of busy time) and an ETA from the remaining pixels and the pace of the
 * workers seen in the last minutes.
 */
import type { Redis } from 'ioredis';
import { readWorkers, roundQueue, type WorkerStats } from './round-redis.js';
import type { RoundSpec } from './round-spec.js';

export interface RoundStatus {
  name: string;
  state: RoundSpec['state'] | 'paused';
  counts: { waiting: number; active: number; done: number; failed: number };
  workers: (WorkerStats & { id: string; pixelsPerSecond: number })[];
  failures: string[];
  etaSeconds: number | null;
}

const RECENT_MS = 5 * 60_000;

export async function roundStatus(redis: Redis, spec: RoundSpec): Promise<RoundStatus> {
  const queue = roundQueue(redis, spec.name);
  try {
    const c = await queue.getJobCounts(
      'waiting',
      'active',
      'completed',
      'failed',
      'delayed',
      'prioritized',
      'waiting-children',
    );
    const counts = {
      waiting: c.waiting + c.delayed + c.prioritized + (c['waiting-children'] ?? 0),
      active: c.active,
      done: c.completed,
      failed: c.failed,
    };
    const failed = await queue.getFailed(0, 20);
    const workers = Object.entries(await readWorkers(redis, spec.name)).map(([id, w]) => ({
      id,
      ...w,
      pixelsPerSecond: w.busySeconds > 0 ? w.pixels / w.busySeconds : 0,
    }));
    const total = spec.pairs.reduce((s, p) => s + p.window.width * p.window.height, 0);
    const jobs = counts.waiting + counts.active + counts.done + counts.failed;
    const left = jobs > 0 ? (total * (counts.waiting + counts.active)) / jobs : 0;
    const now = Date.now();
    const pace = workers
      .filter((w) => !w.refused && now - Date.parse(w.lastSeen) < RECENT_MS)
      .reduce((s, w) => s + w.pixelsPerSecond, 0);
    return {
      name: spec.name,
      state: spec.state === 'running' && (await queue.isPaused()) ? 'paused' : spec.state,
      counts,
      workers,
      failures: failed.map((j) => `${j.id}: ${j.failedReason}`),
      etaSeconds: left === 0 ? 0 : pace > 0 ? left / pace : null,
    };
  } finally {
    await queue.close();
  }
}

/** The status as a plain-text table. */
export function formatStatus(s: RoundStatus): string {
  const { waiting, active, done, failed } = s.counts;
  const lines = [
    `round ${s.name}: ${s.state}`,
    `  jobs   waiting ${waiting}   active ${active}   done ${done}   failed ${failed}`,
    `  ETA    ${s.etaSeconds === null ? 'unknown (no worker has finished a job yet)' : `${Math.ceil(s.etaSeconds)} s`}`,
    '  worker                          model                 provider  jobs   Mpx/s',
  ];
  for (const w of s.workers) {
    const model = `${w.model} ${w.version}`;
    lines.push(
      `  ${w.id.padEnd(32)}${model.padEnd(22)}${w.provider.padEnd(10)}${String(w.jobs).padStart(4)}  ${(w.pixelsPerSecond / 1e6).toFixed(2).padStart(6)}${w.refused ? `  refused: ${w.refused}` : ''}`,
    );
  }
  for (const f of s.failures) lines.push(`  failed ${f}`);
  return lines.join('\n');
}
