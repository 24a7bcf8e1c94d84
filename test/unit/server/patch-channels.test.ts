/**
 * The review and editing channels through the backend, as the UI calls them: each payload is
 * validated against the contract (errors name the field), then the edit, undo and redo happen in
 * the project file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CodeLists,
  EditResult,
  HistoryEntry,
  HistoryStatus,
  PatchAuditEntry,
  PatchQueuePage,
  PatchSummary,
  PatchView,
  ProjectSettings,
  ProjectView,
} from '../../../electron/common/contract.js';
import { Backend } from '../../../electron/engine/api/backend.js';
import { SIZE_M, X0, Y0, detection, newRun, rectRing, tempProject } from '../store/fixtures.js';
import { testHost } from '../../helpers/host.js';

const host = testHost();

let backend: Backend;
let projectId: string;

beforeAll(() => {
  process.env.LANDWATCH_HOME = mkdtempSync(join(tmpdir(), 'lw-chan-'));
  const { store, path } = tempProject('channels');
  store.addRun(newRun(), [
    detection(0, 0, 10, 10, 0.9),
    detection(10, 0, 20, 10, 0.5),
    detection(100, 100, 120, 130, 0.6),
  ]);
  store.close();
  backend = new Backend(host);
  projectId = backend.projects.open(path);
});
afterAll(async () => backend.dispose());

const call = <T>(channel: string, payload: Record<string, unknown>) =>
  backend.handle(channel, { projectId, ...payload }) as Promise<T>;

describe('payload validation', () => {
  it.each([
    ['patches.queue', { limit: 5000 }, /"limit"/],
    ['patches.queue', { filter: { states: ['approved'] } }, /"filter.states.0"/],
    ['patches.queue', { filter: { color: 'red' } }, /filter|Unrecognized/],
    ['patches.get', { patchId: 'abc' }, /"patchId": must be a patch id/],
    ['patches.reviewMany', { state: 'confirmed' }, /either patchIds or filter/],
    ['patches.reviewMany', { state: 'confirmed', patchIds: [], filter: {} }, /patchIds/],
    ['patches.setAttributes', { patchIds: ['1'], attributes: {} }, /at least one attribute/],
    ['patches.setAttributes', { patchIds: ['1'], attributes: { colour: 'x' } }, /attributes/],
    [
      'patches.setAttributes',
      { patchIds: ['1'], attributes: { parcelNo: 'x'.repeat(65) } },
      /parcelNo/,
    ],
    [
      'patches.setGeometry',
      { patchId: '1', geometry: { type: 'Point', coordinates: [0, 0] } },
      /geometry/,
    ],
    [
      'patches.setGeometry',
      { patchId: '1', geometry: { type: 'Polygon', coordinates: [[[0, 0]]] } },
      /geometry.coordinates.0/,
    ],
    ['patches.split', { patchId: '1', line: [[0, 0]] }, /"line"/],
    ['patches.merge', { patchIds: ['1'] }, /"patchIds"/],
    ['history.undo', { extra: 1 }, /Unrecognized|extra/],
    ['settings.set', { rejectCommentMinConfidence: 2 }, /rejectCommentMinConfidence/],
  ])('%s rejects %j', async (channel, payload, message) => {
    const error = await call(channel, payload).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_BAD_REQUEST' });
    expect((error as Error).message).toMatch(message);
  });

  it('names the project when it is not open', async () => {
    await expect(backend.handle('patches.summary', { projectId: 'nope' })).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });
});

describe('review and editing channels', () => {
  it('serves the queue, the next patch, one patch and the summary', async () => {
    const page = await call<PatchQueuePage>('patches.queue', { limit: 2 });
    expect(page).toMatchObject({ total: 3, offset: 0 });
    expect(page.items.map((p) => p.id)).toEqual(['3', '1']);
    const next = await call<PatchView>('patches.next', { afterPatchId: '3' });
    expect(next.id).toBe('1');
    expect(await call('patches.next', { afterPatchId: '2' })).toBeNull();
    expect((await call<PatchView>('patches.get', { patchId: '2' })).attributes).toBeDefined();
    expect((await call<PatchSummary>('patches.summary', {})).byState.unreviewed).toBe(3);
  });

  it('keeps the existing review channel and applies the comment rule there too', async () => {
    await expect(call('patches.review', { patchId: '1', state: 'rejected' })).rejects.toThrow(
      /needs a comment/,
    );
    const p = await call<PatchView>('patches.review', { patchId: '2', state: 'confirmed' });
    expect(p.state).toBe('confirmed');
    const undone = await call<EditResult>('history.undo', {});
    expect(undone.changed[0]).toMatchObject({ id: '2', state: 'unreviewed' });
  });

  it('edits, undoes and redoes through the channels', async () => {
    const codes = await call<CodeLists>('codeLists.get', {});
    const cls = codes.changeClass[0].code;
    const attr = await call<EditResult>('patches.setAttributes', {
      patchIds: ['1', '2'],
      attributes: { changeClass: cls, note: 'two sheds' },
    });
    expect(attr.changed.map((p) => p.attributes?.changeClass)).toEqual([cls, cls]);

    const geom = await call<EditResult>('patches.setGeometry', {
      patchId: '3',
      geometry: {
        type: 'Polygon',
        coordinates: [rectRing(100, 100, 120, 140).map((p) => [...p, 0])],
      },
    });
    expect(geom.changed[0]).toMatchObject({ areaM2: 800, edited: true });
    const back = await call<EditResult>('patches.revertGeometry', { patchId: '3' });
    expect(back.changed[0].areaM2).toBe(600);

    const merged = await call<EditResult>('patches.merge', {
      patchIds: ['1', '2'],
      primaryId: '2',
    });
    const m = merged.changed.find((p) => p.origin === 'merge') as PatchView;
    expect(m.areaM2).toBeCloseTo(200, 9);
    const split = await call<EditResult>('patches.split', {
      patchId: m.id,
      line: [
        [X0 + 5, Y0 - SIZE_M - 5],
        [X0 + 5, Y0 - SIZE_M + 15],
      ],
    });
    expect(
      split.changed
        .filter((p) => !p.deleted)
        .map((p) => p.areaM2)
        .sort((a, b) => a - b),
    ).toEqual([50, 150]);

    const drawn = await call<EditResult>('patches.create', {
      geometry: { type: 'Polygon', coordinates: [rectRing(300, 300, 310, 310)] },
      attributes: { changeClass: cls },
    });
    expect(drawn.changed[0]).toMatchObject({ origin: 'manual', state: 'confirmed' });
    const del = await call<EditResult>('patches.delete', { patchIds: [drawn.changed[0].id] });
    expect(del.changed[0].deleted).toBe(true);
    expect(del.history.undo?.action).toBe('delete');

    const list = await call<{ entries: HistoryEntry[]; status: HistoryStatus }>('history.list', {});
    expect(list.entries.map((e) => e.action).slice(0, 7)).toEqual([
      'delete',
      'create',
      'split',
      'merge',
      'revert',
      'geometry',
      'attributes',
    ]);
    for (let i = 0; i < 7; i++) await call('history.undo', {});
    const restored = await call<PatchQueuePage>('patches.queue', {});
    expect(restored.items.map((p) => p.id).sort()).toEqual(['1', '2', '3']);
    expect(restored.items.every((p) => p.attributes?.changeClass === null)).toBe(true);
    const redo = await call<EditResult>('history.redo', {});
    expect(redo.entry?.action).toBe('attributes');

    const trail = await call<PatchAuditEntry[]>('patches.history', { patchId: '1' });
    expect(trail.map((t) => t.action)).toEqual(['attributes', 'merge', 'undo', 'undo', 'redo']);
  });

  it('reads and changes the project settings', async () => {
    expect(await call<ProjectSettings>('settings.get', {})).toEqual({
      rejectCommentMinConfidence: 0.8,
    });
    await call('settings.set', { rejectCommentMinConfidence: 0.95 });
    const r = await call<EditResult>('patches.reviewMany', {
      filter: { minConfidence: 0.85 },
      state: 'rejected',
    });
    expect(r.changed.map((p) => p.id)).toEqual(['1']);
    const view = await backend.handle('project.get', { projectId });
    expect((view as ProjectView).counts.rejected).toBe(1);
  });
});
