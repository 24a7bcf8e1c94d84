/**
 * Runs a detection in a worker thread so the app's event loop stays free; cancelling posts a
 * message the worker turns into its AbortSignal, and terminates the worker if it has not stopped
 * within a second. A job that was cancelled, crashed or killed loses at most the tile row it was
 * in: running the same parameters again resumes from the work folder's checkpoint (see
 * inference/work-dir.ts), and the summary says how many tiles were resumed.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LandWatchError } from '../errors.js';
import type { DetectParams, DetectProgress } from '../inference/detect.js';
import type { DetectSummary, WorkerMessage } from './messages.js';

export interface JobHooks {
  signal?: AbortSignal;
  onProgress?: (progress: DetectProgress) => void;
  log?: (line: string) => void;
}

/**
 * Starts the worker script next to this module: the bundled .js in dist/, or (tests, dev) the .ts
 * source through tsx's loader, registered inside the worker because loader flags passed in
 * execArgv do not reach a worker's entry module on Node 20.
 */
function startWorker(params: DetectParams): Worker {
  const js = new URL('./detect-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: params });
  const ts = new URL('./detect-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(boot, { eval: true, workerData: params });
}

export function runDetectJob(params: DetectParams, hooks: JobHooks = {}): Promise<DetectSummary> {
  const { signal, onProgress, log } = hooks;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LandWatchError('E_CANCELLED', 'Cancelled.'));
    const worker = startWorker(params);
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
    worker.on('message', (m: WorkerMessage) => {
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
          new LandWatchError('E_INTERNAL', `detection worker stopped unexpectedly (exit ${code}).`),
        ),
      );
    });
  });
}
