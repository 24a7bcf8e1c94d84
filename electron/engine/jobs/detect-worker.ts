/**
 * Worker-thread entry for a detection job: runs detectChanges off the caller's event loop and posts
 * progress, the result (polygons and run facts, not the raw probability) or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorBody } from '../errors.js';
import { detectChanges, type DetectParams, type DetectProgress } from '../inference/detect.js';
import type { DetectSummary } from './messages.js';
import { workerSide } from './worker-job.js';

const { signal, post, close } = workerSide<DetectProgress, DetectSummary>(parentPort);

detectChanges(workerData as DetectParams, {
  signal,
  onProgress: (progress) => post({ type: 'progress', progress }),
  log: (line) => post({ type: 'log', line }),
})
  .then((r) =>
    post({
      type: 'done',
      summary: {
        polygons: r.polygons,
        modelId: r.model.id,
        modelVersion: r.model.version,
        threshold: r.threshold,
        minArea: r.minArea,
        executionProvider: r.executionProvider,
        fallbacks: r.fallbacks,
        notes: r.notes,
        seconds: r.seconds,
        probabilityPath: r.probabilityPath,
        workDir: r.workDir,
        tiles: r.tiles,
      },
    }),
  )
  .catch((error: unknown) => post({ type: 'error', error: toErrorBody(error) }))
  .finally(close);
