/**
 * The thread side of session-thread.ts: starts the session on the provider the caller asked for
 * (with the same fallbacks as in-process), then runs one request at a time and posts the outputs
 * back transferred, in size-class buffers that the caller may hand back for later outputs.
 */
import * as ort from 'onnxruntime-node';
import { parentPort, workerData } from 'node:worker_threads';
import { LandWatchError } from '../errors.js';
import { BufferPool } from './buffer-pool.js';
import { createModelSession } from './session.js';
import type { FromSessionThread, SessionThreadData, WireTensor } from './session-thread.js';

/** Spare output buffers kept, in bytes: a few 768² probability tiles (4 MB class each). */
const OUTPUT_SPARE_BYTES = 16 * 1024 * 1024;

const port = parentPort;
if (!port) throw new Error('session-worker runs in a worker thread');
const post = (m: FromSessionThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const { onnxPath, device, tuning, warmUp } = workerData as SessionThreadData;

try {
  const model = await createModelSession(
    onnxPath,
    device,
    (line) => post({ type: 'log', line }),
    tuning,
  );
  post({ type: 'ready', executionProvider: model.executionProvider, fallbacks: model.fallbacks });
  // The warm-up runs before any request (runs are serial in this thread); its outputs are dropped.
  let last: Promise<unknown> = warmUp
    ? model.session
        .run(
          Object.fromEntries(
            warmUp.inputs.map((t) => {
              const size = t.dims.reduce((a, b) => a * b, 1);
              return [t.name, new ort.Tensor('float32', new Float32Array(size), t.dims)];
            }),
          ),
          warmUp.fetches,
        )
        .then(
          (result) => Object.values(result).forEach((t) => t.dispose?.()),
          (error: unknown) => post({ type: 'log', line: `model warm-up failed: ${String(error)}` }),
        )
        .finally(() => post({ type: 'warmed' }))
    : Promise.resolve();
  /**
   * Output buffers handed back by the caller (runner.recycle). Outputs are views of the pool's
   * size-class buffers, so a screened run's crops of many sizes reuse the same few (spares kept
   * per exact size grew with every crop size: +50 MB at the peak of a 16384² run).
   */
  const spares = new BufferPool(OUTPUT_SPARE_BYTES);
  /** A copy of ORT's output (its own buffers cannot move to another thread), into a spare if any. */
  const copyOut = (data: Float32Array): Float32Array => {
    const out = spares.floats(data.length);
    out.set(data);
    return out;
  };
  type Request = {
    type: 'run';
    id: number;
    inputs: WireTensor[];
    fetches: string[];
    /** The inputs' buffers were moved here: send them back with the result. */
    lend?: boolean;
  };
  port.on(
    'message',
    (m: Request | { type: 'release' } | { type: 'recycle'; buffers: ArrayBuffer[] }) => {
      if (m.type === 'recycle') {
        spares.give(m.buffers.map((b) => new Float32Array(b)));
        return;
      }
      if (m.type === 'release') {
        // After the run in flight, if any: the session must outlive it.
        void last.then(() => model.dispose()).finally(() => process.exit(0));
        return;
      }
      const start = performance.now();
      try {
        const feeds: Record<string, ort.Tensor> = {};
        for (const t of m.inputs) feeds[t.name] = new ort.Tensor(t.type, t.data as never, t.dims);
        // Synchronous inside ORT's own promise: this thread has nothing else to do meanwhile.
        last = model.session.run(feeds, m.fetches).then(
          (result) => {
            const outputs: WireTensor[] = [];
            const transfer: ArrayBuffer[] = [];
            for (const [name, t] of Object.entries(result)) {
              // A copy: ORT's own output buffers cannot be handed to another thread.
              const data =
                t.data instanceof Float32Array
                  ? copyOut(t.data)
                  : ArrayBuffer.isView(t.data)
                    ? (t.data as unknown as Uint8Array).slice()
                    : t.data;
              outputs.push({ name, type: t.type, dims: t.dims, data });
              if (ArrayBuffer.isView(data)) transfer.push(data.buffer as ArrayBuffer);
              t.dispose?.();
            }
            const ms = performance.now() - start;
            if (!m.lend) return post({ type: 'result', id: m.id, outputs, ms }, transfer);
            const inputs = m.inputs.map((t) => (t.data as Float32Array).buffer as ArrayBuffer);
            post({ type: 'result', id: m.id, outputs, ms, inputs }, [...transfer, ...inputs]);
          },
          (error: unknown) => post({ type: 'run-failed', id: m.id, message: String(error) }),
        );
      } catch (error) {
        post({ type: 'run-failed', id: m.id, message: String(error) });
      }
    },
  );
} catch (error) {
  const code = error instanceof LandWatchError ? error.code : 'E_EP';
  post({
    type: 'start-failed',
    code,
    message: error instanceof Error ? error.message : String(error),
  });
}
