/**
 * A detection job through the backend as the UI drives it: demo project → detect.start (worker
 * thread) → progress and done events → patches stored → review → export; and cancel.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, PatchView, ProjectView } from '../../../electron/common/contract.js';
import { Backend, type Host } from '../../../electron/engine/api/backend.js';

const home = mkdtempSync(join(tmpdir(), 'lw-job-'));
const exports = join(home, 'out');
mkdirSync(exports, { recursive: true });
const host: Host = {
  transport: 'http',
  pickImage: async (_role, path) => path ?? null,
  fileUrl: (token) => `/files/${token}`,
  exportTarget: async (name) => ({ path: join(exports, name), location: (p) => p }),
};

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
});
