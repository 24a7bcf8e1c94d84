/**
 * Optimistic concurrency over HTTP: two clients read the same patch; the first write wins, the
 * second (carrying the version it read) is refused with 409 and says who changed the patch and
 * when; nothing of it is stored.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EditResult, PatchView, ProjectView } from '../../../electron/common/contract.js';
import { startServer, type RunningServer } from '../../../electron/server/http-server.js';
import { detection, newRun, tempProject } from '../store/fixtures.js';

let server: RunningServer;
let projectId: string;

async function post(channel: string, body: Record<string, unknown>) {
  const res = await fetch(`${server.url}api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-LandWatch-Token': server.token },
    body: JSON.stringify({ projectId, ...body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  process.env.LANDWATCH_HOME = mkdtempSync(join(tmpdir(), 'lw-stale-'));
  const { store, path } = tempProject('stale');
  store.addRun(newRun(), [detection(0, 0, 10, 10, 0.5), detection(100, 100, 120, 130, 0.6)]);
  store.close();
  server = await startServer({ port: 0 });
  projectId = ((await post('project.open', { path })).body as unknown as ProjectView).id;
});
afterAll(async () => server.close());

it('refuses a stale write with 409, who and when; a fresh one goes through', async () => {
  const read = (await post('patches.get', { patchId: '2' })).body as unknown as PatchView;
  expect(read.version).toBe(1);
  const first = await post('patches.review', {
    patchId: '2',
    state: 'confirmed',
    expectVersions: { '2': read.version },
  });
  expect(first.status).toBe(200);
  expect((first.body as unknown as PatchView).version).toBe(2);

  const second = await post('patches.setAttributes', {
    patchIds: ['1', '2'],
    attributes: { note: 'late' },
    expectVersions: { '1': 1, '2': read.version },
  });
  expect(second.status).toBe(409);
  const error = second.body.error as { code: string; message: string; details: object };
  expect(error.code).toBe('E_CONFLICT');
  expect(error.message).toMatch(
    /Patch #2 was changed by .+ at \d{4}-\d\d-\d\dT.*nothing was written/,
  );
  expect(error.details).toMatchObject({ patchId: '2', readVersion: 1, currentVersion: 2 });
  const one = (await post('patches.get', { patchId: '1' })).body as unknown as PatchView;
  expect(one.attributes?.note).toBeNull();

  const retry = await post('patches.setAttributes', {
    patchIds: ['2'],
    attributes: { note: 'after reload' },
    expectVersions: { '2': 2 },
  });
  expect(retry.status).toBe(200);
  expect((retry.body as unknown as EditResult).changed[0].version).toBe(3);
  const bad = await post('patches.delete', { patchIds: ['1'], expectVersions: { x: 1 } });
  expect(bad.status).toBe(400);
});
