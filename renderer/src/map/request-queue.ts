/**
 * Bounded HTTP for imagery: every range read of the before/after GeoTIFFs goes through one queue
 * that keeps at most a few requests on the wire and sends the rest in the order asked (OpenLayers
 * asks for the tiles nearest the view centre first). A request whose tile was given up (its abort
 * signal fired: the tile left the view and OpenLayers dropped it) leaves the queue unsent, or is
 * aborted on the wire. Chromium opens 6 connections per host over HTTP/1.1 and the job event
 * stream holds one, so imagery taking at most 4 leaves API calls (Detect, review) a free one while
 * a large scene loads.
 *
 * DOM-free apart from `fetch`/`Response`, which are injected for the Node unit tests.
 */

/** Range reads of imagery on the wire at once, all scenes together. */
export const IMAGERY_MAX_IN_FLIGHT = 4;

export type FetchFn = (
  url: string,
  init: { headers: HeadersInit; signal: AbortSignal; credentials: 'same-origin' },
) => Promise<Response>;

export interface RequestQueue {
  /**
   * Fetches `url` when a slot is free; the slot is held until the whole body has arrived, so the
   * limit counts connections in use, not just headers received.
   */
  fetch(url: string, headers: HeadersInit, signal?: AbortSignal): Promise<Response>;
  /** Requests on the wire now. */
  readonly inFlight: number;
  /** Requests waiting for a slot. */
  readonly waiting: number;
}

interface Entry {
  url: string;
  headers: HeadersInit;
  signal: AbortSignal | undefined;
  resolve(response: Response): void;
  reject(error: unknown): void;
  onAbort: (() => void) | null;
}

function abortError(): Error {
  const error = new Error('The tile was no longer needed.');
  error.name = 'AbortError';
  return error;
}

/**
 * A queue of at most `max` requests in flight.
 *
 * @example
 * const queue = createRequestQueue(4);
 * const response = await queue.fetch(url, { Range: 'bytes=0-1023' }, signal);
 */
export function createRequestQueue(max: number, doFetch?: FetchFn): RequestQueue {
  const send: FetchFn =
    doFetch ?? ((url, init) => (globalThis as { fetch: FetchFn }).fetch(url, init));
  const waiting: Entry[] = [];
  let inFlight = 0;

  function pump(): void {
    while (inFlight < max && waiting.length > 0) {
      const entry = waiting.shift() as Entry;
      if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
      start(entry);
    }
  }

  async function start(entry: Entry): Promise<void> {
    inFlight++;
    const controller = new AbortController();
    const forward = () => controller.abort();
    entry.signal?.addEventListener('abort', forward);
    try {
      const response = await send(entry.url, {
        headers: entry.headers,
        signal: controller.signal,
        credentials: 'same-origin',
      });
      const body = await response.arrayBuffer();
      entry.resolve(
        new Response(body, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        }),
      );
    } catch (error) {
      entry.reject(entry.signal?.aborted ? abortError() : error);
    } finally {
      entry.signal?.removeEventListener('abort', forward);
      inFlight--;
      pump();
    }
  }

  return {
    fetch(url, headers, signal) {
      if (signal?.aborted) return Promise.reject(abortError());
      return new Promise<Response>((resolve, reject) => {
        const entry: Entry = { url, headers, signal, resolve, reject, onAbort: null };
        if (signal) {
          entry.onAbort = () => {
            const i = waiting.indexOf(entry);
            if (i >= 0) waiting.splice(i, 1);
            reject(abortError());
          };
          signal.addEventListener('abort', entry.onAbort, { once: true });
        }
        waiting.push(entry);
        pump();
      });
    },
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return waiting.length;
    },
  };
}

let shared: RequestQueue | null = null;

/** The one queue all imagery of this window shares. */
export function imageryQueue(): RequestQueue {
  shared ??= createRequestQueue(IMAGERY_MAX_IN_FLIGHT);
  return shared;
}
