import { describe, expect, it } from 'vitest';
import type { ResourceLimits } from 'node:worker_threads';
import { JOB_THREAD_LIMITS } from '../../../electron/engine/jobs/worker-job.js';
import { startWorker } from '../../../electron/engine/worker-script.js';

const FIXTURES = new URL('../../fixtures/workers/', import.meta.url).href;

/** The largest new space (bytes) a churning worker started with `limits` got from V8. */
function largestNewSpace(limits?: ResourceLimits): Promise<number> {
  const worker = startWorker('young-gen-worker', null, FIXTURES, limits);
  return new Promise((resolve, reject) => {
    worker.once('message', (bytes: number) => {
      void worker.terminate();
      resolve(bytes);
    });
    worker.once('error', reject);
  });
}

describe('job threads', () => {
  it('keep the young generation at 8 MB semi-spaces however long they churn', async () => {
    const capped = await largestNewSpace(JOB_THREAD_LIMITS);
    const free = await largestNewSpace();
    // Two 8 MB semi-spaces at most; without the limit the same churn grows them past that.
    expect(capped).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(free).toBeGreaterThan(16 * 1024 * 1024);
  }, 60_000);
});
