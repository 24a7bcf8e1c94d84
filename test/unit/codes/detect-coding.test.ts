/**
 * The coding post-step of a detection job: after the run's patches are stored, the job reports a
 * "coding patches" phase and every new patch has a code before `job.done`; cancelling during
 * that phase still ends in `job.done` (the run is stored) and the missing codes are computed on
 * the next request.
 */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, PatchView, ProjectView } from '../../../electron/common/contract.js';
import { Backend } from '../../../electron/engine/api/backend.js';
import { testHost } from '../../helpers/host.js';

const home = mkdtempSync(join(tmpdir(), 'lw-job-codes-'));
const host = testHost();

let backend: Backend;
let project: ProjectView;
const events: ApiEvent[] = [];

function waitFor(jobId: string): Promise<ApiEvent> {
  return new Promise((resolve) => {
    const check = () => {
      const found = events.find(
        (e) => e.jobId === jobId && ['job.done', 'job.failed', 'job.cancelled'].includes(e.type),
      );
      if (found) resolve(found);
      else setTimeout(check, 50);
    };
    check();
  });
}

const codedIds = () => {
  const db = new Database(join(home, 'demo', 'demo.landwatch'), { readonly: true });
  try {
    return (db.prepare('SELECT patch_id FROM patch_codes').all() as { patch_id: number }[]).map(
      (r) => String(r.patch_id),
    );
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  process.env.LANDWATCH_HOME = home;
  backend = new Backend(host);
  backend.onEvent((e) => events.push(e));
  project = (await backend.handle('project.openDemo', {})) as ProjectView;
});
afterAll(async () => backend.dispose());

describe('detection job with patch codes', () => {
  it('codes every new patch in a "coding patches" phase before it is done', async () => {
    const { jobId } = (await backend.handle('detect.start', {
      projectId: project.id,
      device: 'cpu',
    })) as { jobId: string };
    expect((await waitFor(jobId)).type).toBe('job.done');
    const coding = events.filter(
      (e) => e.type === 'job.progress' && e.jobId === jobId && e.phase === 'coding patches',
    );
    const patches = (await backend.handle('patches.list', {
      projectId: project.id,
    })) as PatchView[];
    expect(patches.length).toBeGreaterThan(0);
    expect(coding.at(-1)).toMatchObject({ done: patches.length, total: patches.length });
    expect(codedIds().sort()).toEqual(patches.map((p) => p.id).sort());
  }, 120_000);

  // The demo's few patches fit one batch, so the cancel may land after the last one: what is
  // checked is the outcome (done, every patch coded after codes.update), not where it stopped.
  it('ends as done when cancelled while coding; the rest is coded on the next request', async () => {
    const { jobId } = (await backend.handle('detect.start', {
      projectId: project.id,
      device: 'cpu',
      threshold: 0.3, // another run key: a fresh run whose patches all need codes
    })) as { jobId: string };
    await new Promise<void>((resolve) => {
      const check = () => {
        if (
          events.some(
            (e) => e.jobId === jobId && e.type === 'job.progress' && e.phase === 'coding patches',
          )
        )
          resolve();
        else setTimeout(check, 5);
      };
      check();
    });
    await backend.handle('detect.cancel', { jobId });
    expect((await waitFor(jobId)).type).toBe('job.done');
    await backend.handle('codes.update', { projectId: project.id });
    const patches = (await backend.handle('patches.list', {
      projectId: project.id,
    })) as PatchView[];
    for (const p of patches) expect(codedIds()).toContain(p.id);
  }, 120_000);
});
