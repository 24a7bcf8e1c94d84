/**
 * The patch-code channels through the HTTP transport (`landwatch serve`), on the demo scene with
 * the shipped lw-patchcode-v1 model: the demo's true changes stored as a run, coded on request,
 * ranked by code distance (checked against the codes stored in the project file), recoded after a
 * geometry edit, and a re-run detection inheriting the earlier decision in one undoable step.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CarryOver, SimilarResult } from '../../../electron/common/codes-contract.js';
import type { EditResult, ProjectView } from '../../../electron/common/contract.js';
import { ensureDemoProject } from '../../../electron/engine/api/demo-project.js';
import { l1, unpackNibbles } from '../../../electron/engine/codes/code-packing.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { startServer, type RunningServer } from '../../../electron/server/http-server.js';
import { newRun } from '../store/fixtures.js';
import { boxDetection as box } from './fixtures.js';

let server: RunningServer;
let projectId: string;
let projectPath: string;
/** Patch ids of the demo's true changes, by kind. */
const byKind = new Map<string, number[]>();

async function post<T>(channel: string, body: Record<string, unknown>) {
  const res = await fetch(`${server.url}api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-LandWatch-Token': server.token },
    body: JSON.stringify({ projectId, ...body }),
  });
  const json = (await res.json()) as T & { error?: { code: string; message: string } };
  return { status: res.status, body: json };
}

type Truth = { properties: { kind: string }; geometry: { coordinates: number[][][] } };
let truth: Truth[] = [];
const boundsOf = (t: Truth) => {
  const xs = t.geometry.coordinates[0].map((p) => p[0]);
  const ys = t.geometry.coordinates[0].map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as const;
};

beforeAll(async () => {
  process.env.LANDWATCH_HOME = mkdtempSync(join(tmpdir(), 'lw-codes-'));
  projectPath = await ensureDemoProject(undefined, 'synthetic');
  truth = (
    JSON.parse(readFileSync(join(dirname(projectPath), 'demo-true-changes.geojson'), 'utf8')) as {
      features: Truth[];
    }
  ).features;
  const store = ProjectStore.open(projectPath);
  store.addRun(
    newRun(),
    truth.map((t) => box(...boundsOf(t))),
  );
  store.db
    .prepare('SELECT id FROM patches ORDER BY id')
    .all()
    .forEach((r, i) => {
      const kind = truth[i].properties.kind;
      byKind.set(kind, [...(byKind.get(kind) ?? []), (r as { id: number }).id]);
    });
  store.close();
  server = await startServer({ port: 0 });
  // The synthetic squares demo (exact rectangles), opened by its path.
  const opened = await post<ProjectView>('project.open', { path: projectPath });
  projectId = opened.body.id;
}, 60_000);
afterAll(async () => server?.close());

/** The stored codes, read through a second (read-only) connection. */
function storedCodes(): Map<number, Uint8Array> {
  const db = new Database(projectPath, { readonly: true });
  try {
    const rows = db.prepare('SELECT patch_id, model_id, code FROM patch_codes').all() as {
      patch_id: number;
      model_id: string;
      code: Buffer;
    }[];
    expect(new Set(rows.map((r) => r.model_id))).toEqual(new Set(['lw-patchcode-v1']));
    return new Map(rows.map((r) => [r.patch_id, unpackNibbles(new Uint8Array(r.code), 72)]));
  } finally {
    db.close();
  }
}

describe('patch-code channels over HTTP', () => {
  it('codes every patch once and stores 36-byte codes', async () => {
    const first = await post<{ coded: number }>('codes.update', {});
    expect(first.status).toBe(200);
    expect(first.body.coded).toBe(truth.length);
    expect((await post<{ coded: number }>('codes.update', {})).body.coded).toBe(0);
    const codes = storedCodes();
    expect(codes.size).toBe(truth.length);
    for (const c of codes.values()) expect(Math.max(...c)).toBeLessThanOrEqual(15);
  });

  it('ranks the other patches by the L1 distance of their stored codes', async () => {
    const query = byKind.get('new_building')![0];
    const r = await post<SimilarResult>('patches.similar', { patchId: String(query), limit: 5 });
    expect(r.status).toBe(200);
    const codes = storedCodes();
    expect(r.body.code).toEqual([...codes.get(query)!]);
    expect(r.body.items).toHaveLength(5);
    const ids = r.body.items.map((i) => Number(i.patch.id));
    expect(ids).not.toContain(query);
    for (const it of r.body.items)
      expect(it.distance).toBe(l1(codes.get(Number(it.patch.id))!, codes.get(query)!));
    const all = [...codes.keys()].filter((id) => id !== query);
    const best = all.map((id) => l1(codes.get(id)!, codes.get(query)!)).sort((a, b) => a - b);
    expect(r.body.items.map((i) => i.distance)).toEqual(best.slice(0, 5));
  });

  it('rejects bad payloads and unknown patches with the field or the patch named', async () => {
    const noId = await post('patches.similar', { patchId: 'x' });
    expect(noId.status).toBe(400);
    expect(noId.body.error?.message).toMatch(/patches.similar: invalid "patchId"/);
    const noLimit = await post('patches.similar', { patchId: '1', limit: 0 });
    expect(noLimit.body.error?.message).toMatch(/invalid "limit"/);
    const missing = await post('patches.similar', { patchId: '99999' });
    expect(missing.status).toBe(404);
    expect(missing.body.error?.message).toMatch(/Patch 99999 does not exist in demo.landwatch/);
  });

  it('recodes a patch whose outline moved', async () => {
    const id = byKind.get('earthwork')![0];
    const [x0, y0, x1, y1] = boundsOf(truth[id - 1]);
    const ring = [
      [x0, y0],
      [x1 + 10, y0],
      [x1 + 10, y1],
      [x0, y1],
      [x0, y0],
    ];
    const edit = await post('patches.setGeometry', {
      patchId: String(id),
      geometry: { type: 'Polygon', coordinates: [ring] },
    });
    expect(edit.status).toBe(200);
    const r = await post<SimilarResult>('patches.similar', { patchId: String(id), limit: 3 });
    expect(r.body.coded).toBe(1);
  });

  it('lets a re-detection inherit the earlier decision, undoably', async () => {
    const earlier = byKind.get('new_building')![1];
    await post('patches.reviewMany', { patchIds: [String(earlier)], state: 'confirmed' });
    await post('patches.setAttributes', {
      patchIds: [String(earlier)],
      attributes: { changeClass: '01', note: 'house, no permit' },
    });
    // a second run finds the same building with an outline half a metre off
    const [x0, y0, x1, y1] = boundsOf(truth[earlier - 1]);
    const store = ProjectStore.open(projectPath);
    const run = newRun();
    store.addRun(run, [box(x0 + 0.5, y0 - 0.5, x1 + 0.5, y1)]);
    const again = (
      store.db.prepare('SELECT id FROM patches WHERE run_id = ?').get(run.id) as { id: number }
    ).id;
    store.close();
    const hint = await post<CarryOver>('patches.carryOver', { patchId: String(again) });
    expect(hint.body).toMatchObject({
      earlier: {
        id: String(earlier),
        state: 'confirmed',
        changeClass: '01',
        note: 'house, no permit',
      },
      close: true,
    });
    const inherited = await post<EditResult>('patches.inherit', { patchId: String(again) });
    expect(inherited.body.changed[0]).toMatchObject({
      state: 'confirmed',
      attributes: { changeClass: '01' },
    });
    const undone = await post<EditResult>('history.undo', {});
    expect(undone.body.changed[0]).toMatchObject({
      id: String(again),
      state: 'unreviewed',
      attributes: { changeClass: null },
    });
  });
});
