/**
 * detect.start with an area of interest, as the detection dialog sends it: a full run, then a run
 * over one corner keeps only patches meeting it and leaves the earlier patches elsewhere in the
 * queue; each run's probability GeoTIFF is offered as `probabilityUrl`, readable through the
 * same file tokens as the imagery.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiEvent,
  PatchQueuePage,
  PatchView,
  ProjectView,
} from '../../../electron/common/contract.js';
import { Backend } from '../../../electron/engine/api/backend.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { testHost } from '../../helpers/host.js';

const home = mkdtempSync(join(tmpdir(), 'lw-aoi-job-'));
const host = testHost(home);

let backend: Backend;
let project: ProjectView;
const events: ApiEvent[] = [];

async function detect(extra: Record<string, unknown>): Promise<ApiEvent> {
  const { jobId } = (await backend.handle('detect.start', {
    projectId: project.id,
    device: 'cpu',
    ...extra,
  })) as { jobId: string };
  return new Promise((resolve) => {
    const check = () => {
      const end = events.find(
        (e) => e.jobId === jobId && ['job.done', 'job.failed', 'job.cancelled'].includes(e.type),
      );
      if (end) resolve(end);
      else setTimeout(check, 50);
    };
    check();
  });
}

const meets = (p: PatchView, [x0, y0, x1, y1]: number[]) => {
  const pts = (p.geometry.coordinates as number[][][])[0];
  const xs = pts.map((q) => q[0]);
  const ys = pts.map((q) => q[1]);
  return (
    Math.min(...xs) < x1 && Math.max(...xs) > x0 && Math.min(...ys) < y1 && Math.max(...ys) > y0
  );
};

beforeAll(async () => {
  process.env.LANDWATCH_HOME = home;
  process.env.LANDWATCH_WORK = join(home, 'work');
  backend = new Backend(host);
  backend.onEvent((e) => events.push(e));
  project = (await backend.handle('project.openDemo', {})) as ProjectView;
});
afterAll(async () => backend.dispose());

describe('detect.start with an area of interest', () => {
  it('keeps only patches meeting the AOI and leaves earlier patches outside it', async () => {
    const full = await detect({});
    expect(full.type, JSON.stringify(full)).toBe('job.done');
    const queue = async () =>
      (
        (await backend.handle('patches.queue', {
          projectId: project.id,
          limit: 1000,
        })) as PatchQueuePage
      ).items;
    const first = await queue();
    // The quarter of the scene holding the most patches of the full run.
    const [x0, y0, x1, y1] = project.scenes.before.extent;
    const mx = (x0 + x1) / 2;
    const my = (y0 + y1) / 2;
    const quarters = [
      [x0, y0, mx, my],
      [mx, y0, x1, my],
      [x0, my, mx, y1],
      [mx, my, x1, y1],
    ];
    const aoi = quarters
      .map((q) => ({ q, n: first.filter((p) => meets(p, q)).length }))
      .sort((a, b) => b.n - a.n)[0].q;
    expect(first.some((p) => !meets(p, aoi))).toBe(true);

    const corner = await detect({ aoi });
    expect(corner.type, JSON.stringify(corner)).toBe('job.done');
    const runId = corner.type === 'job.done' ? corner.run.id : '';
    const kept = (await backend.handle('patches.list', {
      projectId: project.id,
      runId,
    })) as PatchView[];
    expect(kept.length).toBeGreaterThan(0);
    for (const p of kept) expect(meets(p, aoi)).toBe(true);
    // Patches of the full run outside the AOI are still in the queue.
    const outside = first.filter((p) => !meets(p, aoi)).map((p) => p.id);
    const now = new Set((await queue()).map((p) => p.id));
    for (const id of outside) expect(now.has(id)).toBe(true);

    const view = (await backend.handle('project.get', { projectId: project.id })) as ProjectView;
    const run = view.runs.find((r) => r.id === runId);
    expect(run?.probabilityUrl).toMatch(/^\/files\/[0-9a-f]+$/);
    const token = (run?.probabilityUrl ?? '').replace('/files/', '');
    const prob = await RasterSource.open(backend.files.pathOf(token));
    expect(prob.info.bands).toBe(1);
    expect(prob.info.crs.id).toBe(project.crs);
    prob.close();
  }, 240_000);

  it('refuses an AOI outside the scene with a message naming both images', async () => {
    const [x0, y0] = project.scenes.before.extent;
    const end = await detect({ aoi: [x0 - 5000, y0 - 5000, x0 - 4000, y0 - 4000] });
    expect(end.type).toBe('job.failed');
    expect(end.type === 'job.failed' ? end.error.message : '').toMatch(
      /area of interest lies outside the overlap of .*before.*\.tif and .*after.*\.tif/,
    );
  }, 120_000);
});
