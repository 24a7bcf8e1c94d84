/**
 * The doors of `landwatch serve` (issue 18): every channel refuses a request without the launch's
 * token and a cross-origin one (403); only the server's own page gets the token; typed image paths
 * cannot register /etc/passwd; malformed paths and huge bodies get proper status codes.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, type ProjectView } from '../../../electron/common/contract.js';
import { MAX_BODY, startServer, type RunningServer } from '../../../electron/server/http-server.js';

let server: RunningServer;
let home: string;
let origin: string;
let ui: string;

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with exactly these headers (fetch would add its own Origin / Sec-Fetch-*). */
function raw(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
  base = server.url,
): Promise<Raw> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: options.method ?? 'POST',
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = { 'Content-Type': 'application/json' };
const auth = () => ({ ...json, 'X-LandWatch-Token': server.token });
const cookie = () => `landwatch_token_${new URL(server.url).port}=${server.token}`;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'lw-access-'));
  process.env.LANDWATCH_HOME = home;
  ui = join(home, 'ui');
  mkdirSync(ui);
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>LandWatch</title>');
  server = await startServer({ port: 0, staticDir: ui });
  origin = server.url.replace(/\/$/, '');
});
afterAll(async () => server.close());

describe('every channel refuses requests without the token or from another origin', () => {
  it.each(channels)('%s', async (channel) => {
    const path = `/api/${channel}`;
    const missing = await raw(path, { headers: json, body: '{}' });
    expect(missing.status).toBe(403);
    expect(missing.body).toMatch(/token/);
    // The attack of issue 18: a cross-site text/plain form post (a browser sends no cookie
    // cross-site, but refuse it even if it did).
    const crossSite = await raw(path, {
      headers: { 'Content-Type': 'text/plain', Origin: 'https://evil.example', Cookie: cookie() },
      body: '{"filter":{},"state":"rejected"}',
    });
    expect(crossSite.status).toBe(403);
    const crossOrigin = await raw(path, {
      headers: { ...auth(), Origin: 'http://127.0.0.1:1' },
      body: '{}',
    });
    expect(crossOrigin.status).toBe(403);
    const fetchSite = await raw(path, {
      headers: { ...auth(), 'Sec-Fetch-Site': 'same-site' },
      body: '{}',
    });
    expect(fetchSite.status).toBe(403);
    const referred = await raw(path, {
      headers: { ...auth(), Referer: 'https://evil.example/page' },
      body: '{}',
    });
    expect(referred.status).toBe(403);
    const wrong = await raw(path, {
      headers: { ...json, 'X-LandWatch-Token': `${server.token.slice(0, -1)}x` },
      body: '{}',
    });
    expect(wrong.status).toBe(403);
  });

  it('the event stream and files need the token too', async () => {
    expect((await raw('/api/events', { method: 'GET' })).status).toBe(403);
    const demo = await raw('/api/project.openDemo', { headers: auth(), body: '{}' });
    expect(demo.status).toBe(200);
    const url = (JSON.parse(demo.body) as ProjectView).scenes.before.url;
    expect((await raw(url, { method: 'GET' })).status).toBe(403);
    const foreign = await raw(url, {
      method: 'GET',
      headers: { Cookie: cookie(), 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(foreign.status).toBe(403);
    const own = await raw(url, {
      method: 'GET',
      headers: { Cookie: cookie(), Range: 'bytes=0-3', Referer: `${origin}/` },
    });
    expect(own.status).toBe(206);
  }, 30_000);

  it('the same-origin page with its cookie gets through', async () => {
    const r = await raw('/api/app.info', {
      headers: { ...json, Cookie: cookie(), Origin: origin, 'Sec-Fetch-Site': 'same-origin' },
      body: '{}',
    });
    expect(r.status).toBe(200);
  });

  it('state-changing calls must be application/json', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      const r = await raw('/api/app.info', {
        headers: { 'Content-Type': type, 'X-LandWatch-Token': server.token },
        body: '{}',
      });
      expect(r.status).toBe(415);
    }
  });
});

describe('the served page hands out the token', () => {
  it('to a browser on this machine, as an HttpOnly SameSite=Strict cookie', async () => {
    const page = await raw('/', { method: 'GET' });
    expect(page.status).toBe(200);
    const set = String(page.headers['set-cookie']);
    expect(set).toContain(cookie());
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
  });

  it('through ?token= (what a remote browser opens), and never for a wrong one', async () => {
    expect((await raw('/?token=nope', { method: 'GET' })).status).toBe(403);
    const ok = await raw(`/?token=${server.token}`, { method: 'GET' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/');
    expect(String(ok.headers['set-cookie'])).toContain(cookie());
  });

  const lan = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal);
  it.skipIf(!lan)('not to another machine, whatever its Host header says', async () => {
    const remote = await startServer({ host: '0.0.0.0', port: 0, staticDir: ui });
    try {
      const base = `http://${lan?.address}:${new URL(remote.url).port}/`;
      const host = { Host: `localhost:${new URL(remote.url).port}` };
      const api = await raw('/api/app.info', { headers: { ...json, ...host }, body: '{}' }, base);
      expect(api.status).toBe(403);
      expect((await raw('/', { method: 'GET', headers: host }, base)).status).toBe(403);
      const invited = await raw(`/?token=${remote.token}`, { method: 'GET' }, base);
      expect(invited.status).toBe(303);
      expect(remote.connectUrls.join(' ')).toContain(`?token=${remote.token}`);
    } finally {
      await remote.close();
    }
  });
});

describe('typed image paths cannot reach system files', () => {
  const pick = (path: string) =>
    raw('/api/file.pickImage', {
      headers: auth(),
      body: JSON.stringify({ role: 'before', path }),
    });

  it('/etc/passwd and /etc/shadow are refused', async () => {
    for (const path of ['/etc/passwd', '/etc/shadow', '/proc/self/environ', '/']) {
      const r = await pick(path);
      expect(r.status).toBe(400);
      expect(r.body).toMatch(/outside the folders/);
    }
  });

  it('also through a symbolic link named .tif, or ../ in the path', async () => {
    const link = join(home, 'passwd.tif');
    symlinkSync('/etc/passwd', link);
    expect((await pick(link)).status).toBe(400);
    expect((await pick(join(home, '..', '..', 'etc', 'passwd'))).status).toBe(400);
  });

  it('a file in an allowed folder must be a TIFF', async () => {
    const text = join(home, 'notes.txt');
    writeFileSync(text, 'II*\0 but called .txt');
    const r = await pick(text);
    expect(r.status).toBe(422);
    expect(r.body).toMatch(/not a TIFF file/);
  });

  it('nothing outside the registered files is served', async () => {
    for (const path of ['/files/..%2F..%2Fetc%2Fpasswd', '/..%2F..%2F..%2Fetc%2Fpasswd']) {
      const r = await raw(path, { method: 'GET', headers: { Cookie: cookie() } });
      expect(r.status).toBe(404);
      expect(r.body).not.toMatch(/root:/);
    }
  });
});

describe('small faults get proper status codes', () => {
  it('malformed percent-encoding is a 400', async () => {
    expect((await raw('/api/%E0%A4%A', { headers: auth(), body: '{}' })).status).toBe(400);
    expect((await raw('/%zz', { method: 'GET' })).status).toBe(400);
  });

  it('a 50 MB body is a 413, not a reset connection', async () => {
    const body = Buffer.alloc(50 * 1024 * 1024, 0x20);
    const r = await raw('/api/app.info', { headers: auth(), body });
    expect(r.status).toBe(413);
    expect(r.body).toMatch(/larger than/);
    const declared = await raw('/api/app.info', {
      headers: { ...auth(), 'Content-Length': String(MAX_BODY + 1), Expect: '100-continue' },
    });
    expect(declared.status).toBe(413);
  }, 30_000);
});
