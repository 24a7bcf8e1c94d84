/**
 * Runs a detection in a worker thread (worker-job.ts). A job that was cancelled, crashed or killed
 * loses at most the tile row it was in: running the same parameters again resumes from the work
 * folder's checkpoint (see inference/work-dir.ts), and the summary says how many tiles were resumed.
 */
import type { DetectParams, DetectProgress } from '../inference/detect.js';
import type { DetectSummary } from './messages.js';
import { runWorkerJob, type WorkerHooks } from './worker-job.js';

export type JobHooks = WorkerHooks<DetectProgress>;

export function runDetectJob(params: DetectParams, hooks: JobHooks = {}): Promise<DetectSummary> {
  return runWorkerJob('detect-worker', 'detection', params, hooks);
}
