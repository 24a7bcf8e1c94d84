/**
 * The thread side of follow-thread.ts: opens the raw rows, probability.tif and the extraction,
 * then follows the rows as the tile loop reports them final, exactly as probability-run.ts does
 * in-process (RawTiffStream, then PolygonExtraction), one message at a time and in order. An
 * 'abort' stops the work in flight at once; the partial files go.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LandWatchError } from '../errors.js';
import { RawProbability, RawTiffStream, rawRows } from '../raster/probability-file.js';
import type {
  FollowSeconds,
  FollowThreadData,
  FromFollowThread,
  ToFollowThread,
} from './follow-thread.js';
import { PolygonExtraction } from './polygon-extraction.js';

const port = parentPort;
if (!port) throw new Error('follow-worker runs in a worker thread');
const post = (m: FromFollowThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const data = workerData as FollowThreadData;
const cancel = new AbortController();
const { signal } = cancel;
const seconds: FollowSeconds = { write: 0, vectorise: 0 };

/** Seconds spent since the last report, then zeroed. */
function report(): FollowSeconds {
  const out = { ...seconds };
  seconds.write = 0;
  seconds.vectorise = 0;
  return out;
}

/** The raw rows, probability.tif and the extraction, opened at the first message. */
const open = async () => {
  const { raw: r, tif, extraction: e } = data;
  const raw = new RawProbability(r.path, r.width, r.height, false);
  // This thread only writes and vectorises: blocks are compressed and written here, without a
  // round trip through the libuv pool for each (4096² screened: the tail after the last tile
  // 0.27 → 0.18 s).
  const stream = await RawTiffStream.open(raw, tif.path, tif.georef, { blocking: true });
  try {
    const extraction = await PolygonExtraction.start(
      {
        rows: rawRows(raw),
        crs: e.crs,
        geoTransform: e.geoTransform,
        geoKeys: e.geoKeys,
        probPath: e.probPath,
      },
      e.threshold,
      e.minArea,
      {
        maskPath: e.maskPath,
        kindPath: e.kindPath,
        scratchDir: e.scratchDir,
        keepInMemory: e.keepInMemory,
        blocking: true,
        signal,
        onProgress: (done, total) => post({ type: 'progress', done, total }),
      },
    );
    return { raw, stream, extraction };
  } catch (error) {
    await stream.abort();
    raw.close();
    throw error;
  }
};
// The thread starts before the raw file exists (while the scene is screened); its code is
// loaded meanwhile.
let opened: ReturnType<typeof open> | null = null;

async function handle(m: ToFollowThread): Promise<void> {
  opened ??= open();
  const { raw, stream, extraction } = await opened;
  if (m.type === 'advance') {
    const start = performance.now();
    await stream.advance(m.ready, signal);
    const mid = performance.now();
    await extraction.advance(m.ready);
    seconds.write += (mid - start) / 1000;
    seconds.vectorise += (performance.now() - mid) / 1000;
  } else if (m.type === 'close') {
    const start = performance.now();
    await stream.finish(signal);
    raw.close();
    seconds.write += (performance.now() - start) / 1000;
    post({ type: 'closed', seconds: report() });
  } else if (m.type === 'finish') {
    const start = performance.now();
    const result = await extraction.finish();
    seconds.vectorise += (performance.now() - start) / 1000;
    const transfer = [result.probability?.buffer, result.mask?.buffer].filter(
      (b): b is ArrayBuffer => b instanceof ArrayBuffer,
    );
    post({ type: 'finished', result, seconds: report() }, transfer);
  }
}

/** Deletes what a stopped run leaves: the partial probability.tif, mask and scratch files. */
async function abort(): Promise<void> {
  const parts = opened && (await opened.catch(() => null));
  if (parts) {
    await parts.stream.abort();
    await parts.extraction.abort();
    parts.raw.close();
  }
  post({ type: 'aborted' });
}

let queue: Promise<void> = Promise.resolve();
let failed = false;
port.on('message', (m: ToFollowThread) => {
  if (m.type === 'abort') {
    cancel.abort();
    queue = queue.then(abort, abort);
    return;
  }
  queue = queue.then(async () => {
    if (failed || signal.aborted) return;
    try {
      await handle(m);
    } catch (error) {
      failed = true;
      post({
        type: 'failed',
        message: error instanceof Error ? error.message : String(error),
        code: error instanceof LandWatchError ? error.code : undefined,
      });
    }
  });
});
