/**
 * What follows a detection's finished rows, in a thread of its own: writing probability.tif (its
 * blocks and overviews) and vectorising (strip-vectorise.ts), both reading the raw rows the tile
 * loop writes to the work folder. In-process they ran on the tile loop's thread between tiles, and
 * on a screened scene that thread, not the model, sets the pace: 0.6 s of a 4096² screened run's
 * ~1.3 s full-resolution pass was writing and vectorising while the model's thread idled half the
 * time. Here the tile loop only tells the thread how far the rows are final and goes on with the
 * next tile; the thread keeps up behind it and hands back the polygons at the end. The results
 * are the same as in-process (follow-worker.ts runs the same code on the same rows). The thread
 * loads in ~75 ms: it imports no geotiff.js, proj4 or zod (kind-assign.ts only where a run keeps
 * kinds), which took it 270 ms.
 */
import type { Worker } from 'node:worker_threads';
import { LandWatchError } from '../errors.js';
import type { CrsInfo } from '../raster/crs-from-geokeys.js';
import type { GeoKeySource } from '../raster/geotiff-write.js';
import type { ProbabilityGeoref } from '../raster/probability-file.js';
import type { GeoTransform } from '../vector/geo.js';
import { startWorker } from '../worker-script.js';
import type { PhaseClock } from './phase-clock.js';
import type { RowSink } from './probability-run.js';
import type { ExtractedPolygons } from './polygon-extraction.js';

/**
 * Screened windows from this many pixels up follow their rows in a thread (detect.ts): below it
 * (a test scene, a small AOI) the thread's start costs more than the work it takes over. A full
 * sweep keeps the work in-process: the model, not the tile loop's thread, sets its pace (4096²:
 * 5.1 → 4.9 s with the thread), and the thread's own heap and malloc arena added 15 MB to a
 * 4096² sweep's peak and 58 MB to a 16384² one's, against a bound on how memory grows with the
 * scene.
 */
export const FOLLOW_THREAD_MIN_PIXELS = 4 * 1024 * 1024;

/** How long a stop waits for the thread to delete its partial files before terminating it. */
const ABORT_WAIT_MS = 10_000;

/** What the thread is started with (structured-clone data only). */
export interface FollowThreadData {
  raw: { path: string; width: number; height: number };
  /** probability.tif. */
  tif: { path: string; georef: ProbabilityGeoref };
  extraction: {
    crs: CrsInfo;
    geoTransform: GeoTransform;
    geoKeys: GeoKeySource;
    probPath: string;
    threshold: number;
    minArea: number;
    maskPath?: string;
    kindPath?: string | null;
    scratchDir?: string;
    keepInMemory?: boolean;
  };
}

/** Messages to the thread, handled in order ('abort' at once). */
export type ToFollowThread =
  { type: 'advance'; ready: number } | { type: 'close' } | { type: 'finish' } | { type: 'abort' };

/** Seconds the thread spent writing probability.tif and vectorising since its last report. */
export interface FollowSeconds {
  write: number;
  vectorise: number;
}

/** Messages from the thread. */
export type FromFollowThread =
  | { type: 'closed'; seconds: FollowSeconds }
  | { type: 'finished'; result: ExtractedPolygons; seconds: FollowSeconds }
  | { type: 'aborted' }
  | { type: 'progress'; done: number; total: number }
  | { type: 'failed'; message: string; code?: string };

export interface FollowThreadHooks {
  signal?: AbortSignal;
  /** Vectorising's progress while `finish` traces (as PolygonExtraction reports it). */
  onProgress?: (done: number, total: number) => void;
  /** The thread's writing and vectorising time goes to the 'write' and 'vectorise' phases. */
  clock?: PhaseClock;
}

/**
 * The thread, seen from the tile loop: a RowSink (probability-run.ts) whose `advance` only posts
 * how far the rows are final, and an extraction whose `finish` returns the polygons.
 */
export class FollowThread implements RowSink {
  private failure: Error | null = null;
  /** The reply awaited (one request at a time). */
  private waiting: {
    type: FromFollowThread['type'];
    resolve: (m: FromFollowThread) => void;
    reject: (error: Error) => void;
  } | null = null;
  private ended = false;
  private aborting: Promise<void> | null = null;
  private readonly onAbort = () => void this.abort();

  private constructor(
    private readonly worker: Worker,
    private readonly hooks: FollowThreadHooks,
  ) {
    worker.on('message', (m: FromFollowThread) => {
      if (m.type === 'progress') return this.hooks.onProgress?.(m.done, m.total);
      if (m.type === 'failed') return this.fail(threadError(m.message, m.code));
      if (this.waiting?.type === m.type) {
        const { resolve } = this.waiting;
        this.waiting = null;
        resolve(m);
      }
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      const gone = new LandWatchError('E_INTERNAL', `The writing thread stopped (exit ${code}).`);
      if (!this.ended) return this.fail(gone);
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.reject(gone);
    });
    hooks.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Starts the thread; it opens the raw rows (which must exist) and probability.tif. */
  static start(data: FollowThreadData, hooks: FollowThreadHooks = {}): FollowThread {
    return new FollowThread(startWorker('follow-worker', data, import.meta.url), hooks);
  }

  /** Rows above `ready` are final in the raw file. Throws the thread's failure, if any. */
  advance(ready: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.post({ type: 'advance', ready });
    return Promise.resolve();
  }

  /** Every row was given: waits for probability.tif to be finished. */
  async close(): Promise<void> {
    const m = await this.request({ type: 'close' }, 'closed');
    if (m.type === 'closed') this.count(m.seconds);
  }

  /** Waits for the polygons (after {@link close} and once any kind map is written). */
  async finish(): Promise<ExtractedPolygons> {
    try {
      const m = await this.request({ type: 'finish' }, 'finished');
      if (m.type !== 'finished') throw new LandWatchError('E_INTERNAL', 'no polygons came back');
      this.count(m.seconds);
      return m.result;
    } finally {
      await this.stop();
    }
  }

  /**
   * Stops: the thread deletes the partial probability.tif, mask and scratch files, then ends. Safe
   * to call again (a cancel signal and the run's own cleanup both do): every call waits for the one
   * stop.
   */
  abort(): Promise<void> {
    this.aborting ??= this.stopCleanly();
    return this.aborting;
  }

  private async stopCleanly(): Promise<void> {
    if (this.ended) return;
    // A close or finish awaited meanwhile (a cancel during either) ends here.
    const earlier = this.waiting;
    this.waiting = null;
    earlier?.reject(new LandWatchError('E_CANCELLED', 'Cancelled.'));
    if (!this.failure) {
      this.post({ type: 'abort' });
      // The work in flight stops at its next strip; a thread stuck past that is terminated.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ABORT_WAIT_MS)));
      await Promise.race([this.wait('aborted').catch(() => {}), late]);
      clearTimeout(timer);
    }
    await this.stop();
  }

  private async stop(): Promise<void> {
    this.ended = true;
    this.hooks.signal?.removeEventListener('abort', this.onAbort);
    await this.worker.terminate();
  }

  private count(seconds: FollowSeconds): void {
    this.hooks.clock?.add('write', seconds.write * 1000);
    this.hooks.clock?.add('vectorise', seconds.vectorise * 1000);
  }

  private post(m: ToFollowThread): void {
    this.worker.postMessage(m);
  }

  private async request(
    m: ToFollowThread,
    reply: FromFollowThread['type'],
  ): Promise<FromFollowThread> {
    if (this.failure) throw this.failure;
    this.post(m);
    return this.wait(reply);
  }

  private wait(type: FromFollowThread['type']): Promise<FromFollowThread> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting = { type, resolve, reject };
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(this.failure);
  }
}

/** The thread's failure as the error in-process code would have thrown (its code kept). */
function threadError(message: string, code?: string): Error {
  return code ? new LandWatchError(code as never, message) : new Error(message);
}
