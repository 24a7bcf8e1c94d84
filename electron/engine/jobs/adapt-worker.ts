/**
 * Worker-thread entry for an adaptation job: fits the project's adapter off the caller's event
 * loop and posts progress, the result or the error (see adapt/project-adapt.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AdaptProgress, AdaptResult } from '../adapt/adapt-model.js';
import { adaptFromDecisions, type DecisionInput } from '../adapt/project-adapt.js';
import { toErrorBody } from '../errors.js';
import type { AdaptJobParams } from './run-adapt-job.js';
import { workerSide } from './worker-job.js';

const { signal, post, close } = workerSide<AdaptProgress, AdaptResult>(parentPort);
const { input, options } = workerData as { input: DecisionInput; options: AdaptJobParams };

adaptFromDecisions(input, {
  ...options,
  signal,
  onProgress: (progress) => post({ type: 'progress', progress }),
  log: (line) => post({ type: 'log', line }),
})
  .then((summary) => post({ type: 'done', summary }))
  .catch((error: unknown) => post({ type: 'error', error: toErrorBody(error) }))
  .finally(close);
