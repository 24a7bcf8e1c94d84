/**
 * Round work off the BullMQ worker's event loop: a block, or a pair's screening plan, run in a
 * worker thread (jobs/block-worker.ts) so job locks keep being renewed while the model runs.
 * Errors come back with their code (bad input stays bad input); aborting the signal stops the
 * thread within a second.
 */
import type { Device } from '../../common/contract.js';
import type { BlockProgress, BlockWorkerData, BlockWorkerResult } from '../jobs/block-worker.js';
import { runWorkerJob } from '../jobs/worker-job.js';
import type { BlockRunResult } from './block-run.js';
import type { BlockJob, RoundSpec } from './round-spec.js';

/** {@link screenPair} in a worker thread. */
export async function screenInThread(
  spec: RoundSpec,
  pair: string,
  device: Device,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const data: BlockWorkerData = { mode: 'plan', spec, pair, device };
  const result = await runWorkerJob<BlockProgress, BlockWorkerResult>(
    'block-worker',
    'screening',
    data,
    { signal },
  );
  return (result as { plan: Uint8Array }).plan;
}

/** {@link runBlock} in a worker thread. */
export async function blockInThread(
  spec: RoundSpec,
  job: BlockJob,
  device: Device,
  plan: Uint8Array | null,
  hooks: { signal?: AbortSignal; onTile?: (done: number, total: number) => void },
): Promise<BlockRunResult> {
  const data: BlockWorkerData = { mode: 'block', spec, job, device, plan };
  return (await runWorkerJob<BlockProgress, BlockWorkerResult>(
    'block-worker',
    'round block',
    data,
    {
      signal: hooks.signal,
      onProgress: (p) => hooks.onTile?.(p.done, p.total),
    },
  )) as BlockRunResult;
}
