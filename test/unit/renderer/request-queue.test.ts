/**
 * The imagery request queue: never more than its limit on the wire (a slot is held until the body
 * has arrived), first asked first sent, and a request whose tile was given up is never sent (or is
 * aborted on the wire), freeing its slot.
 */
import { describe, expect, it } from 'vitest';
import { createRequestQueue, type FetchFn } from '../../../renderer/src/map/request-queue.js';

/** A fetch whose answers the test releases one by one. */
function manualFetch() {
  const calls: { url: string; signal: AbortSignal; answer: () => void }[] = [];
  let wire = 0;
  let maxWire = 0;
  const fetch: FetchFn = (url, init) =>
    new Promise<Response>((resolve, reject) => {
      wire++;
      maxWire = Math.max(maxWire, wire);
      const done = () => wire--;
      init.signal.addEventListener('abort', () => {
        done();
        const error = new Error('aborted');
        error.name = 'AbortError';
        reject(error);
      });
      calls.push({
        url,
        signal: init.signal,
        answer: () => {
          done();
          resolve(new Response(url, { status: 206 }));
        },
      });
    });
  return { fetch, calls, maxWire: () => maxWire };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('createRequestQueue', () => {
  it('keeps at most the limit in flight and sends in the order asked', async () => {
    const wire = manualFetch();
    const queue = createRequestQueue(3, wire.fetch);
    const answers = Array.from({ length: 10 }, (_, i) => queue.fetch(`/t${i}`, {}));
    await tick();
    expect(wire.calls.map((c) => c.url)).toEqual(['/t0', '/t1', '/t2']);
    expect(queue.waiting).toBe(7);
    for (let i = 0; i < 10; i++) {
      wire.calls[i].answer();
      await tick();
    }
    const bodies = await Promise.all(answers.map(async (a) => (await a).text()));
    expect(bodies).toEqual(Array.from({ length: 10 }, (_, i) => `/t${i}`));
    expect(wire.maxWire()).toBe(3);
    expect(queue.inFlight).toBe(0);
  });

  it('drops a waiting request whose signal fires, and aborts one on the wire', async () => {
    const wire = manualFetch();
    const queue = createRequestQueue(1, wire.fetch);
    const first = new AbortController();
    const second = new AbortController();
    const a = queue.fetch('/a', {}, first.signal);
    const b = queue.fetch('/b', {}, second.signal);
    const c = queue.fetch('/c', {});
    await tick();
    second.abort();
    await expect(b).rejects.toMatchObject({ name: 'AbortError' });
    first.abort();
    await expect(a).rejects.toMatchObject({ name: 'AbortError' });
    expect(wire.calls[0].signal.aborted).toBe(true);
    await tick();
    // /b was never sent; /c got the freed slot.
    expect(wire.calls.map((x) => x.url)).toEqual(['/a', '/c']);
    wire.calls[1].answer();
    expect(await (await c).text()).toBe('/c');
  });

  it('refuses a request whose signal has already fired', async () => {
    const wire = manualFetch();
    const queue = createRequestQueue(2, wire.fetch);
    await expect(queue.fetch('/x', {}, AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(wire.calls).toHaveLength(0);
  });
});
