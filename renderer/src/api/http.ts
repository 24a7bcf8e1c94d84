/**
 * HTTP transport for `landwatch serve`: `POST /api/<channel>` with a JSON body for calls, and
 * Server-Sent Events at `GET /api/events` for job progress. Implements the contract's
 * `LandWatchApi`, so the rest of the UI cannot tell it from the Electron preload. The server admits
 * only its own page: the access cookie it set with index.html rides on every same-origin request.
 *
 * DOM-free on purpose (fetch and EventSource are injected or taken from `globalThis`), so the
 * error handling is unit-tested in Node with a mocked fetch.
 */
import type {
  ApiEvent,
  Channel,
  LandWatchApi,
  RequestOf,
  ResponseOf,
} from '../../../electron/common/contract.js';
import { ApiError, isErrorEnvelope } from './errors.js';

/** The part of a fetch `Response` this transport reads. */
export interface ResponseLike {
  ok: boolean;
  status: number;
  statusText: string;
  text(): Promise<string>;
}

export type FetchLike = (
  url: string,
  init: {
    method: 'POST';
    headers: Record<string, string>;
    body: string;
    credentials: 'same-origin';
  },
) => Promise<ResponseLike>;

/** The part of `EventSource` this transport uses. */
export interface EventSourceLike {
  onmessage: ((event: { data: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onopen?: ((event: unknown) => void) | null;
  close(): void;
}

export interface HttpApiOptions {
  /** Prefix for every URL; default `''` (same origin as the page). */
  baseUrl?: string;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Default: `new EventSource(url)`. */
  createEventSource?: (url: string) => EventSourceLike;
}

const MAX_DETAIL = 300;

function globalFetch(): FetchLike {
  const f = (globalThis as unknown as { fetch?: FetchLike }).fetch;
  if (!f) throw new ApiError('NO_FETCH', 'This browser has no fetch(); LandWatch cannot run here.');
  return (url, init) => f.call(globalThis, url, init);
}

function globalEventSource(url: string): EventSourceLike {
  const ES = (globalThis as unknown as { EventSource?: new (url: string) => EventSourceLike })
    .EventSource;
  if (!ES) throw new ApiError('NO_EVENTSOURCE', 'This browser has no EventSource.');
  return new ES(url);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Reads a response into the call's result, or throws the {@link ApiError} it describes. */
export async function readResponse(channel: Channel, response: ResponseLike): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ApiError('NETWORK', `The answer to ${channel} was cut off: ${why}`, response.status);
  }
  const parsed = parseJson(text);
  if (response.ok) {
    if (!parsed.ok) {
      throw new ApiError(
        'BAD_RESPONSE',
        `The server answered ${channel} with something that is not JSON.`,
        response.status,
      );
    }
    return parsed.value;
  }
  if (parsed.ok && isErrorEnvelope(parsed.value)) {
    const { code, message } = parsed.value.error;
    throw new ApiError(code, message, response.status);
  }
  const detail = text.trim().slice(0, MAX_DETAIL);
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  throw new ApiError(
    `HTTP_${response.status}`,
    `${channel} failed (${status})${detail ? `: ${detail}` : '.'}`,
    response.status,
  );
}

function isApiEvent(value: unknown): value is ApiEvent {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { jobId?: unknown }).jobId === 'string'
  );
}

/**
 * Creates the HTTP transport.
 *
 * @example
 * const api = createHttpApi();
 * const info = await api.invoke('app.info', {});
 */
export function createHttpApi(options: HttpApiOptions = {}): LandWatchApi {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? globalFetch();
  const createEventSource = options.createEventSource ?? globalEventSource;
  const listeners = new Set<(event: ApiEvent) => void>();
  let source: EventSourceLike | null = null;

  function dispatch(data: string): void {
    const parsed = parseJson(data);
    if (!parsed.ok || !isApiEvent(parsed.value)) {
      console.warn('LandWatch: ignoring a malformed server event', data.slice(0, MAX_DETAIL));
      return;
    }
    for (const listener of [...listeners]) {
      try {
        listener(parsed.value);
      } catch (err) {
        console.error('LandWatch: an event listener failed', err);
      }
    }
  }

  // One EventSource shared by every listener, opened with the first and closed with the last.
  // EventSource reconnects by itself after a dropped connection.
  function openEvents(): void {
    if (source) return;
    source = createEventSource(`${baseUrl}/api/events`);
    let connected = true;
    source.onopen = () => {
      connected = true;
    };
    source.onmessage = (event) => {
      connected = true;
      dispatch(event.data);
    };
    source.onerror = () => {
      // Said once per outage: EventSource retries every few seconds while the server is away.
      if (connected) console.warn('LandWatch: job event stream interrupted; reconnecting');
      connected = false;
    };
  }

  return {
    async invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
      let response: ResponseLike;
      try {
        response = await doFetch(`${baseUrl}/api/${channel}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(request),
          // The server's access token is an HttpOnly cookie it set with this page; same-origin
          // calls carry it (as do EventSource and the imagery's range reads).
          credentials: 'same-origin',
        });
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new ApiError('NETWORK', `Cannot reach the LandWatch server for ${channel}: ${why}`);
      }
      return (await readResponse(channel, response)) as ResponseOf<C>;
    },

    onEvent(listener: (event: ApiEvent) => void): () => void {
      listeners.add(listener);
      openEvents();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}
