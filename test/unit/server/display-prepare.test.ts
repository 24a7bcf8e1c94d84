/**
 * display.prepare through the backend, as the renderer calls it: a project on a stripped pair
 * shows its scenes `pending`, the job reports progress and ends with display.done, the project's
 * scene URLs then point at the display copies (detection keeps the originals), and preparing again
 * is immediate. A cancelled job says so and leaves the scenes pending.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, ProjectView } from '../../../electron/common/contract.js';
import { Backend } from '../../../electron/engine/api/backend.js';
import { createGeoTiffWriter } from '../../../electron/engine/raster/geotiff-write.js';
import { testHost } from '../../helpers/host.js';

const home = mkdtempSync(join(tmpdir(), 'lw-display-job-'));
let backend: Backend;
const events: ApiEvent[] = [];

async function stripped(path: string, size: number) {
  const writer = await createGeoTiffWriter(path, {
    width: size,
    height: size,
    bands: 3,
    sampleFormat: 'uint8',
    photometric: 'rgb',
    geoTransform: [600_000, 1, 0, 3_500_000, 0, -1],
    geoKeys: { epsg: 32650 },
    layout: 'strip',
    rowsPerStrip: 1,
  });
  await writer.writeRows(new Uint8Array(size * size * 3).map((_, i) => (i * 7) % 256));
  await writer.close();
}

async function createProject(name: string, size: number): Promise<ProjectView> {
  const tokens: string[] = [];
  for (const role of ['before', 'after'] as const) {
    const path = join(home, `${name}-${role}.tif`);
    await stripped(path, size);
    tokens.push(backend.files.register(path).token);
  }
  return (await backend.handle('project.create', {
    name,
    beforeToken: tokens[0],
    afterToken: tokens[1],
  })) as ProjectView;
}

function end(jobId: string): Promise<ApiEvent> {
  return new Promise((resolve) => {
    const check = () => {
      const found = events.find((e) => e.jobId === jobId && e.type !== 'display.progress');
      if (found) resolve(found);
      else setTimeout(check, 20);
    };
    check();
  });
}

beforeAll(() => {
  process.env.LANDWATCH_HOME = home;
  backend = new Backend(testHost(home));
  backend.onEvent((e) => events.push(e));
});
afterAll(() => backend.dispose());

describe('display.prepare', () => {
  it('builds the display copies once and points the scene URLs at them', async () => {
    const project = await createProject('strips', 1200);
    expect(project.scenes.before.display).toBe('pending');
    const originalUrl = project.scenes.before.url;
    const { jobId } = (await backend.handle('display.prepare', { projectId: project.id })) as {
      jobId: string;
    };
    expect(jobId).toEqual(expect.any(String));
    // A second prepare while it runs joins the same job.
    expect(await backend.handle('display.prepare', { projectId: project.id })).toEqual({ jobId });
    expect((await end(jobId)).type).toBe('display.done');
    const progress = events.filter((e) => e.jobId === jobId && e.type === 'display.progress');
    expect(progress.map((e) => e.type === 'display.progress' && e.role)).toContain('after');

    const ready = (await backend.handle('project.get', { projectId: project.id })) as ProjectView;
    expect(ready.scenes.before.display).toBe('copy');
    expect(ready.scenes.after.display).toBe('copy');
    expect(ready.scenes.before.url).not.toBe(originalUrl);
    const copy = backend.files.pathOf(ready.scenes.before.url.split('/').pop() as string);
    expect(copy).toContain('display-cache');
    // Detection reads the originals.
    const store = backend.projects.store(project.id);
    expect(store.scene('before').path).toBe(join(home, 'strips-before.tif'));
    expect(await backend.handle('display.prepare', { projectId: project.id })).toEqual({
      jobId: null,
    });
  });

  it('reports a cancelled job and leaves the scenes pending', async () => {
    const project = await createProject('cancelled', 2000);
    const { jobId } = (await backend.handle('display.prepare', { projectId: project.id })) as {
      jobId: string;
    };
    expect(await backend.handle('display.cancel', { jobId })).toEqual({ cancelled: true });
    expect((await end(jobId)).type).toBe('display.cancelled');
    const after = (await backend.handle('project.get', { projectId: project.id })) as ProjectView;
    expect(after.scenes.before.display).toBe('pending');
    expect(await backend.handle('display.cancel', { jobId })).toEqual({ cancelled: false });
  });
});
