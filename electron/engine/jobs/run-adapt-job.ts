/** Runs an adaptation from a project's decisions in a worker thread (worker-job.ts). */
import type { Device } from '../../common/contract.js';
import type { AdaptProgress, AdaptResult } from '../adapt/adapt-model.js';
import type { DecisionInput } from '../adapt/project-adapt.js';
import { runWorkerJob, type WorkerHooks } from './worker-job.js';

/** The options a worker can receive (no functions, no signal). */
export interface AdaptJobParams {
  baseModelId?: string;
  id?: string;
  device?: Device;
}

export function runAdaptJob(
  input: DecisionInput,
  options: AdaptJobParams,
  hooks: WorkerHooks<AdaptProgress> = {},
): Promise<AdaptResult> {
  return runWorkerJob('adapt-worker', 'adaptation', { input, options }, hooks);
}
