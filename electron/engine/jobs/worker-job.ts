/**
 * Runs a job in a worker thread so the app's event loop stays free; cancelling posts a message the
 * worker turns into its AbortSignal, and terminates the worker if it has not stopped within a
 * second. Workers post {@link JobMessage}s: progress, log lines, the result or the error.
 */
import { type MessagePort, type ResourceLimits } from 'node:worker_threads';
import { LandWatchError } from '../errors.js';
import { startWorker } from '../worker-script.js';

export type JobMessage<P, R> =
  | { type: 'progress'; progress: P }
  | { type: 'log'; line: string }
  | { type: 'done'; summary: R }
  | { type: 'error'; error: { code: string; message: string } };

export interface WorkerHooks<P> {
  signal?: AbortSignal;
  onProgress?: (progress: P) => void;
  log?: (line: string) => void;
}

/**
 * A job thread's young generation, in MB (V8 makes it three semi-spaces: 8 MB ones). A job
 * allocates steadily (small objects per block, tile and row), and V8 doubles a thread's
 * semi-spaces each time as many bytes have survived scavenges as they hold, so a long job ends at
 * V8's largest (16 MB) whatever it keeps live (~15 MB): the heap of a 16384² sweep grew from 32 to
 * 50 MB, 16 MB that 4096² scenes never reached. 8 MB is where short jobs settle anyway; the cap
 * keeps long ones there (README, "Engine speed"; `landwatch` itself runs with the same cap,
 * bin/landwatch.js).
 */
export const JOB_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 24 };

/** Runs worker `name` (e.g. `detect-worker`) on `data`; `what` it is called in failure messages. */
export function runWorkerJob<P, R>(
  name: string,
  what: string,
  data: unknown,
  hooks: WorkerHooks<P> = {},
): Promise<R> {
  const { signal, onProgress, log } = hooks;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LandWatchError('E_CANCELLED', 'Cancelled.'));
    const worker = startWorker(name, data, import.meta.url, JOB_THREAD_LIMITS);
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'cancel' });
      killTimer = setTimeout(() => {
        void worker.terminate();
        finish(() => reject(new LandWatchError('E_CANCELLED', 'Cancelled.')));
      }, 1000);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: JobMessage<P, R>) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'log') log?.(m.line);
      else if (m.type === 'done') finish(() => resolve(m.summary));
      else if (m.type === 'error') {
        finish(() => reject(new LandWatchError(m.error.code as never, m.error.message)));
      }
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) => {
      finish(() =>
        reject(
          new LandWatchError('E_INTERNAL', `${what} worker stopped unexpectedly (exit ${code}).`),
        ),
      );
    });
  });
}

/** In a worker: the parent's port, and an AbortSignal that fires when the parent cancels. */
export function workerSide<P, R>(port: MessagePort | null) {
  if (!port) throw new Error('this module must run in a worker thread');
  const controller = new AbortController();
  port.on('message', (msg: { type: 'cancel' }) => {
    if (msg.type === 'cancel') controller.abort();
  });
  return {
    signal: controller.signal,
    post: (m: JobMessage<P, R>) => port.postMessage(m),
    close: () => port.close(),
  };
}
