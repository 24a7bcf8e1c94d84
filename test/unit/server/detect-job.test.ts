/**
 * A detection job through the backend as the UI drives it: demo project → detect.start (worker
 * thread) → progress and done events → patches stored → review → export; and cancel.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiEvent,
  EditResult,
  PatchQueuePage,
  PatchView,
  ProjectView,
} from '../../../electron/common/contract.js';
import { Backend } from '../../../electron/engine/api/backend.js';
import { polygonArea } from '../../../electron/engine/vector/geo.js';
import { isValidPolygon } from '../../../electron/engine/vector/validity.js';
import { testHost } from '../../helpers/host.js';

const home = mkdtempSync(join(tmpdir(), 'lw-job-'));
const exports = join(home, 'out');
mkdirSync(exports, { recursive: true });
const host = testHost(exports);

let backend: Backend;
let project: ProjectView;
const events: ApiEvent[] = [];

function waitFor(jobId: string, type: ApiEvent['type'][]): Promise<ApiEvent> {
  return new Promise((resolve) => {
    const check = () => {
      const found = events.find((e) => e.jobId === jobId && type.includes(e.type));
      if (found) resolve(found);
      else setTimeout(check, 50);
    };
    check();
  });
}

beforeAll(async () => {
  process.env.LANDWATCH_HOME = home;
  backend = new Backend(host);
  backend.onEvent((e) => events.push(e));
  project = (await backend.handle('project.openDemo', {})) as ProjectView;
});
afterAll(async () => backend.dispose());

describe('detection job on the demo project', () => {
  it('runs in a worker, reports progress, stores patches, reviews and exports them', async () => {
    const { jobId } = (await backend.handle('detect.start', {
      projectId: project.id,
      device: 'cpu',
    })) as { jobId: string };
    const end = await waitFor(jobId, ['job.done', 'job.failed', 'job.cancelled']);
    expect(end.type, JSON.stringify(end)).toBe('job.done');
    const progress = events.filter((e) => e.type === 'job.progress' && e.jobId === jobId);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.some((e) => e.type === 'job.progress' && e.executionProvider === 'cpu')).toBe(
      true,
    );

    const patches = (await backend.handle('patches.list', {
      projectId: project.id,
    })) as PatchView[];
    expect(patches.length).toBeGreaterThan(0);
    for (const p of patches) {
      expect(p.areaM2).toBeGreaterThanOrEqual(50);
      expect(p.areaMu).toBeCloseTo(p.areaM2 / (10000 / 15), 6);
      expect(p.geometry.type).toBe('Polygon');
    }
    const reviewed = (await backend.handle('patches.review', {
      projectId: project.id,
      patchId: patches[0].id,
      state: 'confirmed',
    })) as PatchView;
    expect(reviewed.state).toBe('confirmed');
    const view = (await backend.handle('project.get', { projectId: project.id })) as ProjectView;
    expect(view.counts.confirmed).toBe(1);
    expect(view.runs).toHaveLength(1);
    expect(view.runs[0].executionProvider).toBe('cpu');

    const result = (await backend.handle('export.run', {
      projectId: project.id,
      format: 'gpkg',
    })) as { location: string; features: number };
    expect(result.features).toBe(patches.length);
    if (existsSync('/usr/bin/ogrinfo')) {
      const info = execFileSync(
        'ogrinfo',
        ['-ro', '-q', '-sql', 'SELECT COUNT(*) AS n FROM reviews', result.location],
        { encoding: 'utf8' },
      );
      expect(info).toMatch(/n \(Integer\) = 1/);
    }
  }, 240_000);

  it('cancels within a second and reports it as cancelled, not failed', async () => {
    const { jobId } = (await backend.handle('detect.start', {
      projectId: project.id,
      device: 'cpu',
    })) as { jobId: string };
    await waitFor(jobId, ['job.progress']);
    const answer = (await backend.handle('detect.cancel', { jobId })) as { cancelled: boolean };
    expect(answer.cancelled).toBe(true);
    const end = await waitFor(jobId, ['job.done', 'job.failed', 'job.cancelled']);
    expect(end.type).toBe('job.cancelled');
    const view = (await backend.handle('project.get', { projectId: project.id })) as ProjectView;
    expect(view.runs).toHaveLength(1);
  }, 120_000);

  it('re-runs at another threshold without touching decisions; splits and merges real patches', async () => {
    const before = (await backend.handle('patches.list', { projectId: project.id })) as PatchView[];
    const decided = before.find((p) => p.state === 'confirmed') as PatchView;
    const { jobId } = (await backend.handle('detect.start', {
      projectId: project.id,
      device: 'cpu',
      threshold: 0.35,
    })) as { jobId: string };
    const end = await waitFor(jobId, ['job.done', 'job.failed', 'job.cancelled']);
    expect(end.type, JSON.stringify(end)).toBe('job.done');
    const run2 = end.type === 'job.done' ? end.run.id : '';
    const q = (filter: Record<string, unknown>) =>
      backend.handle('patches.queue', {
        projectId: project.id,
        limit: 1000,
        filter,
      }) as Promise<PatchQueuePage>;

    // The decision stands, untouched, and stands for the new detections over it.
    const still = (await backend.handle('patches.get', {
      projectId: project.id,
      patchId: decided.id,
    })) as PatchView;
    expect(still).toMatchObject({
      state: 'confirmed',
      geometry: decided.geometry,
      areaM2: decided.areaM2,
    });
    const linked = (await q({ runIds: [run2], includeLinked: true })).items.filter((p) =>
      p.linkedTo?.includes(decided.id),
    );
    expect(linked.length).toBeGreaterThan(0);
    const queue = (await q({})).items;
    expect(queue.some((p) => p.id === decided.id)).toBe(true);
    expect(queue.some((p) => linked.some((l) => l.id === p.id))).toBe(false);
    // Untouched patches of the first run gave way to the new run.
    expect(queue.filter((p) => p.runId !== run2).map((p) => p.id)).toEqual(
      before.filter((p) => p.state !== 'unreviewed').map((p) => p.id),
    );

    // Split the largest new patch through its middle, then merge the pieces back.
    const big = queue.filter((p) => p.runId === run2).sort((a, b) => b.areaM2 - a.areaM2)[0];
    const ring = (big.geometry.coordinates as number[][][])[0];
    const xs = ring.map((c) => c[0]);
    const ys = ring.map((c) => c[1]);
    const cx = (Math.min(...xs) + Math.max(...xs)) / 2 + 0.123;
    const split = (await backend.handle('patches.split', {
      projectId: project.id,
      patchId: big.id,
      line: [
        [cx, Math.min(...ys) - 5],
        [cx, Math.max(...ys) + 5],
      ],
    })) as EditResult;
    const pieces = split.changed.filter((p) => !p.deleted);
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    for (const p of pieces)
      expect(isValidPolygon(p.geometry.coordinates as number[][][])).toBe(true);
    const sum = pieces.reduce((s, p) => s + polygonArea(p.geometry.coordinates as number[][][]), 0);
    expect(sum).toBeCloseTo(polygonArea(big.geometry.coordinates as number[][][]), 3);
    const merged = (await backend.handle('patches.merge', {
      projectId: project.id,
      patchIds: pieces.map((p) => p.id),
    })) as EditResult;
    const whole = merged.changed.find((p) => p.origin === 'merge') as PatchView;
    expect(isValidPolygon(whole.geometry.coordinates as number[][][])).toBe(true);
    expect(whole.areaM2).toBeCloseTo(big.areaM2, 3);
    await backend.handle('history.undo', { projectId: project.id });
    await backend.handle('history.undo', { projectId: project.id });
    const back = (await backend.handle('patches.get', {
      projectId: project.id,
      patchId: big.id,
    })) as PatchView;
    expect(back).toMatchObject({ deleted: false, geometry: big.geometry });
  }, 240_000);
});
