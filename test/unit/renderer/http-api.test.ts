import { describe, expect, it, vi } from 'vitest';
import { ApiError, describeError } from '../../../renderer/src/api/errors.js';
import {
  createHttpApi,
  type EventSourceLike,
  type FetchLike,
  type ResponseLike,
} from '../../../renderer/src/api/http.js';

function respond(status: number, body: string, statusText = ''): ResponseLike {
  return { ok: status >= 200 && status < 300, status, statusText, text: async () => body };
}

function apiWith(fetch: FetchLike) {
  return createHttpApi({ fetch, createEventSource: () => fakeSource() });
}

function fakeSource(): EventSourceLike & { closed: boolean } {
  return {
    onmessage: null,
    onerror: null,
    closed: false,
    close() {
      this.closed = true;
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('HTTP transport', () => {
  it('POSTs JSON to /api/<channel> and returns the body', async () => {
    const fetch = vi.fn<FetchLike>(async () => respond(200, '{"jobId":"j1"}'));
    const api = createHttpApi({ baseUrl: 'http://host:1234', fetch });
    const answer = await api.invoke('detect.start', { projectId: 'p1', threshold: 0.4 });
    expect(answer).toEqual({ jobId: 'j1' });
    expect(fetch).toHaveBeenCalledWith('http://host:1234/api/detect.start', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ projectId: 'p1', threshold: 0.4 }),
      credentials: 'same-origin',
    });
  });

  it('passes a JSON null through (cancelled pick)', async () => {
    const api = apiWith(async () => respond(200, 'null'));
    await expect(
      api.invoke('file.pickImage', { role: 'before', path: '/x.tif' }),
    ).resolves.toBeNull();
  });

  it('rejects with the code and message of an error envelope', async () => {
    const api = apiWith(async () =>
      respond(
        404,
        JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Project p9 does not exist' } }),
      ),
    );
    const err = await rejection(api.invoke('project.get', { projectId: 'p9' }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('Project p9 does not exist');
    expect(err.status).toBe(404);
  });

  it('describes a non-JSON error page by status', async () => {
    const api = apiWith(async () => respond(502, '<html>Bad Gateway</html>', 'Bad Gateway'));
    const err = await rejection(api.invoke('app.info', {}));
    expect(err.code).toBe('HTTP_502');
    expect(err.message).toContain('app.info failed (HTTP 502 Bad Gateway)');
  });

  it('rejects a 200 whose body is not JSON', async () => {
    const api = apiWith(async () => respond(200, 'hello'));
    const err = await rejection(api.invoke('app.info', {}));
    expect(err.code).toBe('BAD_RESPONSE');
  });

  it('turns a network failure into NETWORK', async () => {
    const api = apiWith(async () => {
      throw new TypeError('Failed to fetch');
    });
    const err = await rejection(api.invoke('app.info', {}));
    expect(err.code).toBe('NETWORK');
    expect(err.message).toContain('Failed to fetch');
  });

  it('shares one event stream, drops malformed events and closes with the last listener', () => {
    const source = fakeSource();
    const createEventSource = vi.fn(() => source);
    const api = createHttpApi({ fetch: async () => respond(200, '{}'), createEventSource });
    const first = vi.fn();
    const second = vi.fn();
    const offFirst = api.onEvent(first);
    const offSecond = api.onEvent(second);
    expect(createEventSource).toHaveBeenCalledTimes(1);
    expect(createEventSource).toHaveBeenCalledWith('/api/events');

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    source.onmessage?.({ data: 'not json' });
    source.onmessage?.({ data: '{"no":"type"}' });
    expect(first).not.toHaveBeenCalled();
    warn.mockRestore();

    const event = { type: 'job.cancelled', jobId: 'j1', projectId: 'p1' };
    source.onmessage?.({ data: JSON.stringify(event) });
    expect(first).toHaveBeenCalledWith(event);
    expect(second).toHaveBeenCalledWith(event);

    offFirst();
    expect(source.closed).toBe(false);
    offSecond();
    expect(source.closed).toBe(true);
  });
});

describe('describeError', () => {
  it('keeps code and message, strips the Electron IPC prefix', () => {
    const err = Object.assign(
      new Error("Error invoking remote method 'project.get': Error: Project p9 does not exist"),
      { code: 'NOT_FOUND' },
    );
    expect(describeError(err)).toEqual({ code: 'NOT_FOUND', message: 'Project p9 does not exist' });
    expect(describeError('plain')).toEqual({ code: 'ERROR', message: 'plain' });
    expect(describeError({ error: { code: 'X', message: 'y' } })).toEqual({
      code: 'X',
      message: 'y',
    });
    expect(describeError(undefined).message).toMatch(/no message/);
  });
});
