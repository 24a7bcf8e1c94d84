/**
 * Worker-thread entry for a round's block job (or its pair's screening plan). ONNX Runtime runs a
 * tile synchronously on the thread that calls it, so the model must not run on the BullMQ worker's
 * event loop: there it would hold up the job-lock renewals, and a busy machine would see its jobs
 * declared stalled and handed to others while it still runs them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Device } from '../../common/contract.js';
import { toErrorBody } from '../errors.js';
import { runBlock, screenPair, type BlockRunResult } from '../round/block-run.js';
import type { BlockJob, RoundSpec } from '../round/round-spec.js';
import { workerSide } from './worker-job.js';

export type BlockWorkerData =
  | { mode: 'plan'; spec: RoundSpec; pair: string; device: Device }
  | { mode: 'block'; spec: RoundSpec; job: BlockJob; device: Device; plan: Uint8Array | null };
export type BlockProgress = { done: number; total: number };
export type BlockWorkerResult = BlockRunResult | { plan: Uint8Array };

const { signal, post, close } = workerSide<BlockProgress, BlockWorkerResult>(parentPort);
const data = workerData as BlockWorkerData;
const log = (line: string) => post({ type: 'log', line });

const work: Promise<BlockWorkerResult> =
  data.mode === 'plan'
    ? screenPair(data.spec, data.pair, { device: data.device, signal, log }).then((plan) => ({
        plan,
      }))
    : runBlock(data.spec, data.job, {
        device: data.device,
        signal,
        log,
        plan: data.plan,
        onTile: (done, total) => post({ type: 'progress', progress: { done, total } }),
      });

work
  .then((summary) => post({ type: 'done', summary }))
  .catch((error: unknown) => post({ type: 'error', error: toErrorBody(error) }))
  .finally(close);
