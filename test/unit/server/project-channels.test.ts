/**
 * The project channels: the demo and a new project enter the recent list (newest first, with
 * scene, counts and a thumbnail of the after scene made once and kept in the project file), the last one opened is marked for reopening on start, rename and close
 * keep the list in step, and a closed project opens again from its recent entry.
 */
import { mkdtempSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectView, RecentProjectView } from '../../../electron/common/contract.js';
import { Backend } from '../../../electron/engine/api/backend.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { testHost } from '../../helpers/host.js';

const home = mkdtempSync(join(tmpdir(), 'lw-projects-'));
let backend: Backend;
let demo: ProjectView;
let created: ProjectView;

const recent = async () => (await backend.handle('project.recent', {})) as RecentProjectView[];

beforeAll(async () => {
  process.env.LANDWATCH_HOME = home;
  backend = new Backend(testHost(home));
  demo = (await backend.handle('project.openDemo', {})) as ProjectView;
  const token = async (role: string, file: string) =>
    (
      (await backend.handle('file.pickImage', {
        role,
        path: join(home, 'demo', file),
      })) as { token: string }
    ).token;
  created = (await backend.handle('project.create', {
    name: 'County 2024',
    beforeToken: await token('before', 'demo-before-2023-04-18.tif'),
    afterToken: await token('after', 'demo-after-2024-05-02.tif'),
  })) as ProjectView;
}, 120_000);

afterAll(async () => {
  await backend.dispose();
});

describe('project channels', () => {
  it('lists the demo and the new project, newest first, the new one to reopen', async () => {
    const list = await recent();
    expect(list.map((e) => e.name)).toEqual(['County 2024', demo.name]);
    expect(list[0]).toMatchObject({ id: created.id, demo: false, last: true, isOpen: true });
    expect(list[1]).toMatchObject({ id: demo.id, demo: true, last: false });
    expect(list[0].scene).toBe('demo-before-2023-04-18.tif → demo-after-2024-05-02.tif');
    expect(list[0].counts).toEqual({ unreviewed: 0, confirmed: 0, rejected: 0, field_check: 0 });
    expect(JSON.stringify(list)).not.toContain(home); // no paths reach the UI
  });

  it('shows a thumbnail of the after scene, rendered once and kept in the project file', async () => {
    const entry = (await recent()).find((e) => e.demo);
    const uri = entry?.thumbnail ?? '';
    expect(uri).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
    // The 800 × 800 demo scene at most 96 px on its longer side: 96 × 96 RGB.
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[25]]).toEqual([96, 96, 2]);
    // Real imagery, not a flat fill: the decoded rows (filter byte + 288 bytes) vary.
    const raw = inflateSync(png.subarray(41, 41 + png.readUInt32BE(33)));
    expect(new Set(raw).size).toBeGreaterThan(50);
    const store = ProjectStore.open(join(home, 'demo', 'demo.landwatch'));
    try {
      expect(store.thumbnail()).toBe(uri);
    } finally {
      store.close();
    }
  });

  it('renames a project in its file and in the list', async () => {
    const view = (await backend.handle('project.rename', {
      projectId: created.id,
      name: 'County 2024 (spring)',
    })) as ProjectView;
    expect(view.name).toBe('County 2024 (spring)');
    expect((await recent())[0].name).toBe('County 2024 (spring)');
  });

  it('closes a project (not reopened on start) and opens it again from the list', async () => {
    expect(await backend.handle('project.close', { projectId: created.id })).toEqual({
      closed: true,
    });
    const after = await recent();
    expect(after[0]).toMatchObject({ id: created.id, isOpen: false, last: false });
    await expect(backend.handle('project.get', { projectId: created.id })).rejects.toThrow(
      /not open/,
    );
    const again = (await backend.handle('project.openRecent', {
      projectId: created.id,
    })) as ProjectView;
    expect(again.name).toBe('County 2024 (spring)');
    expect((await recent())[0]).toMatchObject({ id: created.id, isOpen: true, last: true });
  });

  it('opens a project file by a typed path over HTTP, refuses a missing one', async () => {
    await expect(
      backend.handle('project.open', { path: join(home, 'nope.landwatch') }),
    ).rejects.toThrow(/not found/);
    const opened = (await backend.handle('project.open', {
      path: join(home, 'demo', 'demo.landwatch'),
    })) as ProjectView;
    expect(opened.id).toBe(demo.id);
    expect((await recent())[0]).toMatchObject({ id: demo.id, last: true });
  });

  it('forgets a project', async () => {
    await backend.handle('project.close', { projectId: created.id, forget: true });
    expect((await recent()).map((e) => e.id)).toEqual([demo.id]);
  });
});
