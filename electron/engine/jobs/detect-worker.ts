/**
 * Worker-thread entry for a detection job: runs detectChanges off the caller's event loop and posts
 * progress, the result (polygons and run facts, not the raw probability) or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorBody } from '../errors.js';
import { detectChanges, type DetectParams } from '../inference/detect.js';
import type { WorkerMessage } from './messages.js';

const port = parentPort;
if (!port) throw new Error('detect-worker must run in a worker thread');
const controller = new AbortController();
port.on('message', (msg: { type: 'cancel' }) => {
  if (msg.type === 'cancel') controller.abort();
});

const post = (m: WorkerMessage) => port.postMessage(m);

detectChanges(workerData as DetectParams, {
  signal: controller.signal,
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
  .finally(() => port.close());
