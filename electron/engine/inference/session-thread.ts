/**
 * An ONNX Runtime session in a thread of its own. onnxruntime-node runs a session synchronously on
 * the calling thread, so in-process the tile loop cannot read and normalise the next tile while the
 * model works; with the session here, the caller's thread is free during `run` and the two
 * overlap. Tensors travel as structured-clone copies of their buffers (milliseconds for a tile, next to
 * the model's second). The thread picks the provider exactly as an in-process session does (session.ts).
 */
import * as ort from 'onnxruntime-node';
import type { Worker } from 'node:worker_threads';
import type { Device } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import { startWorker } from '../worker-script.js';
import {
  createModelSession,
  type ModelRunner,
  type RunSession,
  type SessionTuning,
  type WarmUp,
} from './session.js';

/** A tensor as it crosses between threads. */
export interface WireTensor {
  name: string;
  type: ort.Tensor.Type;
  dims: readonly number[];
  data: ort.Tensor.DataType;
}

/** Messages the session thread posts. */
export type FromSessionThread =
  | { type: 'ready'; executionProvider: string; fallbacks: { provider: string; reason: string }[] }
  | { type: 'start-failed'; code: string; message: string }
  | { type: 'result'; id: number; outputs: WireTensor[]; ms: number; inputs?: ArrayBuffer[] }
  | { type: 'run-failed'; id: number; message: string }
  /** The warm-up run (SessionThreadData.warmUp) is over. */
  | { type: 'warmed' }
  | { type: 'log'; line: string };

/** What the session thread is started with. */
export interface SessionThreadData {
  onnxPath: string;
  device: Device;
  tuning: SessionTuning;
  warmUp?: WarmUp;
}

/** Opens `onnxPath` in a session thread; resolves once the session has started. */
export function startSessionThread(
  onnxPath: string,
  device: Device,
  tuning: SessionTuning,
  log: (line: string) => void = () => {},
  warmUp?: WarmUp,
): Promise<ModelRunner> {
  const data: SessionThreadData = {
    onnxPath,
    device,
    tuning: { ...tuning, thread: false },
    ...(warmUp ? { warmUp } : {}),
  };
  const worker = startWorker('session-worker', data, import.meta.url);
  return new Promise((resolve, reject) => {
    const onStart = (m: FromSessionThread) => {
      if (m.type === 'log') return log(m.line);
      worker.off('message', onStart);
      worker.off('error', onError);
      if (m.type === 'ready') {
        resolve(threadRunner(worker, m.executionProvider, m.fallbacks, log, Boolean(warmUp)));
      } else if (m.type === 'start-failed') {
        void worker.terminate();
        reject(new LandWatchError(m.code as never, m.message));
      }
    };
    const onError = (error: Error) => reject(error);
    worker.on('message', onStart);
    worker.once('error', onError);
  });
}

function threadRunner(
  worker: Worker,
  executionProvider: string,
  fallbacks: { provider: string; reason: string }[],
  log: (line: string) => void,
  warming: boolean,
): ModelRunner {
  let nextId = 1;
  type Settle = (outputs: ort.InferenceSession.ReturnType, inputs?: ArrayBuffer[]) => void;
  const pending = new Map<number, { resolve: Settle; reject: (e: Error) => void }>();
  let stopped: Error | null = null;
  // Settled when the warm-up run is over (or the thread is gone): disposing waits for it.
  let warmed: () => void = () => {};
  const warmUpDone = warming
    ? new Promise<void>((resolve) => (warmed = resolve))
    : Promise.resolve();
  const failAll = (error: Error) => {
    stopped = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (m: FromSessionThread) => {
    if (m.type === 'log') return log(m.line);
    if (m.type === 'warmed') warmed();
    if (m.type !== 'result' && m.type !== 'run-failed') return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.type === 'run-failed') return p.reject(new LandWatchError('E_INTERNAL', m.message));
    const out: Record<string, ort.Tensor> = {};
    for (const t of m.outputs) out[t.name] = new ort.Tensor(t.type, t.data as never, t.dims);
    p.resolve(out as never, m.inputs);
  });
  worker.on('error', (error) => {
    warmed();
    failAll(error);
  });
  worker.on('exit', (code) => {
    warmed();
    failAll(new LandWatchError('E_INTERNAL', `The model's thread stopped (exit ${code}).`));
  });
  const send = (
    feeds: ort.InferenceSession.FeedsType,
    fetches: readonly string[],
    settle: Settle,
    reject: (e: Error) => void,
    lend: boolean,
  ) => {
    if (stopped) return reject(stopped);
    const id = nextId++;
    const inputs: WireTensor[] = Object.entries(feeds).map(([name, t]) => ({
      name,
      type: t.type,
      dims: t.dims,
      data: t.data,
    }));
    pending.set(id, { resolve: settle, reject });
    // Lent buffers move to the thread and come back with the result; others are copied, so callers
    // may still read their inputs after the run.
    const transfer = lend ? inputs.map((t) => (t.data as Float32Array).buffer as ArrayBuffer) : [];
    worker.postMessage({ type: 'run', id, inputs, fetches, lend }, transfer);
  };
  const runner: RunSession = {
    recycle(buffers) {
      const spare = buffers.filter((b) => b.byteLength > 0);
      if (stopped || spare.length === 0) return;
      worker.postMessage({ type: 'recycle', buffers: spare }, spare);
    },
    run(feeds, fetches) {
      return new Promise((resolve, reject) => send(feeds, fetches, resolve, reject, false));
    },
    runLending(feeds, fetches) {
      return new Promise((resolve, reject) =>
        send(
          feeds,
          fetches,
          (outputs, inputs) => resolve({ outputs, inputs: inputs ?? [] }),
          reject,
          true,
        ),
      );
    },
  };
  return {
    runner,
    executionProvider,
    fallbacks,
    async dispose() {
      if (stopped) return;
      stopped = new LandWatchError('E_INTERNAL', 'The model session was released.');
      worker.removeAllListeners('exit');
      worker.once('exit', () => warmed());
      const busy = pending.size > 0;
      failAll(stopped);
      // A run in flight cannot be interrupted inside ORT, and terminating the thread under it
      // aborts the process. A cancel's run: the thread releases the session and ends after that
      // run, and nobody waits for it. The warm-up (a few hundred ms at most) is waited for, so a
      // run that fails early (a damaged file) still ends cleanly.
      if (busy) worker.postMessage({ type: 'release' });
      else {
        await warmUpDone;
        await worker.terminate();
      }
    },
  };
}

/**
 * The session tuning detection uses: a session thread unless LANDWATCH_SESSION_THREAD=0, ORT's
 * intra-op threads from LANDWATCH_ORT_THREADS, idle intra-op threads that sleep rather than
 * spin unless LANDWATCH_ORT_SPIN=1, ORT's CPU memory arena unless LANDWATCH_ORT_ARENA=0, and no
 * memory patterns unless LANDWATCH_ORT_PATTERN=1 (the bench compares these).
 *
 * Arena without patterns, measured by `landwatch detect --stats` on the bench scenes (session 12):
 * a 16384² full sweep peaked at 537–547 MB against 592–623 MB with neither (ORT's per-run
 * activations, freed to malloc from its pool threads, left fragmented heaps behind), a 4096² one
 * at 433–446 MB against 507–549 MB, with runs 0–10 % faster. Patterns on top of the arena planned
 * each run as one block: ORT alone peaked at 286 MB instead of 213 MB for 768² tiles (the reason
 * an earlier measurement of "the arena" came out worse). Sleeping is the default because
 * spinning threads take the CPU that the next tile's preparation needs: on a 2-core machine ORT's
 * threads used 11.8–12.9 s of CPU for a 4096² full sweep sleeping against 18.4–19.5 s spinning, and
 * the run ended sooner (README, engine speed).
 */
export function defaultTuning(env: NodeJS.ProcessEnv = process.env): SessionTuning {
  const threads = Number(env.LANDWATCH_ORT_THREADS);
  return {
    thread: env.LANDWATCH_SESSION_THREAD !== '0',
    spin: env.LANDWATCH_ORT_SPIN === '1',
    arena: env.LANDWATCH_ORT_ARENA !== '0',
    pattern: env.LANDWATCH_ORT_PATTERN === '1',
    ...(Number.isInteger(threads) && threads > 0 ? { intraOpThreads: threads } : {}),
  };
}

/**
 * A model to run tiles on: in a session thread or in-process, as `tuning` says. A session thread
 * makes the `warmUp` run once its session starts (an in-process session would block the caller).
 */
export async function openModelRunner(
  onnxPath: string,
  device: Device,
  log: (line: string) => void = () => {},
  tuning: SessionTuning = defaultTuning(),
  warmUp?: WarmUp,
): Promise<ModelRunner> {
  if (tuning.thread) return startSessionThread(onnxPath, device, tuning, log, warmUp);
  return createModelSession(onnxPath, device, log, tuning);
}
