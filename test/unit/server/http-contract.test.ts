import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectView } from '../../../electron/common/contract.js';
import { startServer, type RunningServer } from '../../../electron/server/http-server.js';

let server: RunningServer;

async function post(channel: string, body: unknown, raw = false) {
  const res = await fetch(`${server.url}api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-LandWatch-Token': server.token },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & {
      error?: { code: string; message: string };
    },
  };
}

beforeAll(async () => {
  process.env.LANDWATCH_HOME = mkdtempSync(join(tmpdir(), 'lw-http-'));
  server = await startServer({ port: 0 });
});
afterAll(async () => server.close());

describe('HTTP transport validates every payload before acting', () => {
  it('rejects unknown channels', async () => {
    const r = await post('fs.readFile', {});
    expect(r.status).toBe(400);
    expect(r.body.error?.message).toMatch(/Unknown API channel "fs.readFile"/);
  });

  it('rejects malformed JSON', async () => {
    const r = await post('app.info', '{not json', true);
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('E_BAD_REQUEST');
  });

  it.each([
    ['detect.start', { projectId: 'p', threshold: 2 }, /threshold/],
    ['detect.start', { projectId: 'p', device: 'tpu' }, /device/],
    ['detect.start', { threshold: 0.5 }, /projectId/],
    ['patches.review', { projectId: 'p', patchId: '1', state: 'approved' }, /state/],
    [
      'project.create',
      { name: 'x', beforeToken: 'a', afterToken: 'b', path: '/etc/passwd' },
      /path|Unrecognized/i,
    ],
    ['export.run', { projectId: 'p', format: 'kml' }, /format/],
    ['app.info', { extra: true }, /extra|Unrecognized/i],
  ])('%s rejects %j', async (channel, payload, message) => {
    const r = await post(channel, payload);
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('E_BAD_REQUEST');
    expect(r.body.error?.message).toMatch(message);
  });

  it('only answers POST on API channels', async () => {
    const res = await fetch(`${server.url}api/app.info`, {
      headers: { 'X-LandWatch-Token': server.token },
    });
    expect(res.status).toBe(405);
  });

  it('refuses requests for another Host (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(server.url);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/api/app.info',
          method: 'POST',
          headers: { Host: 'evil.example:80' },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(421);
  });

  it('unknown projects are a clear 404', async () => {
    const r = await post('project.get', { projectId: 'does-not-exist' });
    expect(r.status).toBe(404);
    expect(r.body.error?.message).toMatch(/not open/);
  });
});

describe('new projects from bad files fail with one clear message and leave nothing behind', () => {
  it('a path that does not exist', async () => {
    const path = join(process.env.LANDWATCH_HOME as string, 'nowhere', 'before.tif');
    const r = await post('file.pickImage', { role: 'before', path });
    expect(r.status).toBe(422);
    expect(r.body.error?.message).toMatch(/before\.tif: file not found/);
  });

  it('a file that is not a TIFF is not even registered', async () => {
    const text = join(process.env.LANDWATCH_HOME as string, 'notes.tif');
    writeFileSync(text, 'not an image');
    const r = await post('file.pickImage', { role: 'before', path: text });
    expect(r.status).toBe(422);
    expect(r.body.error?.message).toMatch(/notes\.tif: not a TIFF file/);
    expect(existsSync(join(process.env.LANDWATCH_HOME as string, 'projects'))).toBe(false);
  });

  it('a TIFF header on a damaged file: project.create names the file', async () => {
    const bad = join(process.env.LANDWATCH_HOME as string, 'cut.tif');
    writeFileSync(bad, Buffer.from([0x49, 0x49, 0x2a, 0x00, 0xff, 0xff]));
    const a = await post('file.pickImage', { role: 'before', path: bad });
    expect(a.status).toBe(200);
    const token = (a.body as unknown as { token: string }).token;
    const r = await post('project.create', { name: 'bad', beforeToken: token, afterToken: token });
    expect(r.status).toBe(422);
    expect(r.body.error?.message).toMatch(/cut\.tif/);
    expect(existsSync(join(process.env.LANDWATCH_HOME as string, 'projects'))).toBe(false);
  });
});

describe('HTTP transport serves the demo project', () => {
  it('opens the demo and range-reads its imagery', async () => {
    const r = await post('project.openDemo', {});
    expect(r.status).toBe(200);
    const project = r.body as unknown as ProjectView;
    // The shipped demo: a real aerial photograph in the Swiss grid (resources/demo).
    expect(project.crs).toBe('EPSG:2056');
    expect(project.scenes.before.width).toBe(800);
    expect(project.scenes.before.date).toBe('2023-04-18');
    const res = await fetch(new URL(project.scenes.after.url, server.url), {
      headers: { Range: 'bytes=0-7', 'X-LandWatch-Token': server.token },
    });
    expect(res.status).toBe(206);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(8);
    expect(String.fromCharCode(bytes[0], bytes[1])).toBe('II');
    const again = await post('project.get', { projectId: project.id });
    expect(again.status).toBe(200);
  });

  it('does not serve files that were never registered', async () => {
    const res = await fetch(`${server.url}files/0123456789abcdef01234567`, {
      headers: { 'X-LandWatch-Token': server.token },
    });
    expect(res.status).toBe(404);
  });
});
