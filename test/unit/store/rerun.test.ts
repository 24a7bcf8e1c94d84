/**
 * Re-runs keep every human decision: decided or edited patches are never replaced, new detections
 * overlapping them are linked and kept out of the queue, untouched old detections are superseded.
 * Also: a project file from before migration 2 opens, upgrades and can be edited.
 */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../electron/engine/store/migrations.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { X0, Y0, detection, newRun, rectRing, tempProject } from './fixtures.js';

describe('a second detection run', () => {
  it('links overlapping detections to decided patches and leaves those untouched', () => {
    const { store } = tempProject();
    store.addRun(newRun(), [
      detection(0, 0, 10, 10, 0.9), // 1: confirmed
      detection(20, 0, 30, 10), // 2: classified
      detection(100, 100, 120, 120), // 3: outline edited
      detection(200, 0, 210, 10), // 4: untouched
      detection(300, 0, 310, 10), // 5: deleted
    ]);
    store.review(1, 'confirmed', null, 'a');
    store.setAttributes([2], { changeClass: '02' }, 'a');
    store.setGeometry(3, [rectRing(100, 100, 125, 120)], 'a');
    store.deletePatches([5], 'a');
    const before = [1, 2, 3].map((id) => store.patch(id));

    const run2 = newRun(0.4);
    store.addRun(run2, [
      detection(5, 5, 15, 15, 0.8), // 6: overlaps 1
      detection(30, 0, 40, 10), // 7: only shares an edge with 2
      detection(121, 101, 124, 104), // 8: inside the edited outline of 3 only
      detection(202, 2, 208, 8), // 9: overlaps untouched 4
      detection(305, 5, 320, 20), // 10: overlaps deleted 5
      detection(400, 400, 410, 410), // 11: new
    ]);
    expect([1, 2, 3].map((id) => store.patch(id))).toEqual(before);

    const queued = store.queue({}).items.map((p) => Number(p.id));
    expect(queued.sort((a, b) => a - b)).toEqual([1, 2, 3, 7, 9, 11]);
    expect(store.patches().map((p) => Number(p.id))).toEqual([1, 2, 3, 7, 9, 11]);
    expect(store.patches(run2.id).map((p) => Number(p.id))).toEqual([7, 9, 11]);
    const linked = store.queue({ includeLinked: true, runIds: [run2.id] }).items;
    expect(Object.fromEntries(linked.map((p) => [p.id, p.linkedTo]))).toMatchObject({
      '6': ['1'],
      '8': ['3'],
      '10': ['5'],
      '7': [],
    });
    expect(store.summary()).toMatchObject({ linked: 3, total: 6 });

    // Undoing the decision on 1 makes 6 a new detection again (1 stays: it was never superseded).
    store.undo('a'); // the deletion of 5
    store.undo('a'); // the geometry of 3
    store.undo('a'); // the class of 2
    store.undo('a'); // the review of 1
    const after = store.queue({}).items.map((p) => Number(p.id));
    expect(after).toEqual(expect.arrayContaining([1, 6, 8, 10]));
    store.close();
  });

  it('keeps decisions through several runs', () => {
    const { store } = tempProject();
    store.addRun(newRun(), [detection(0, 0, 10, 10), detection(50, 50, 60, 60)]);
    store.review(1, 'rejected', null, 'a');
    for (let i = 0; i < 3; i++)
      store.addRun(newRun(), [detection(1, 1, 9, 9), detection(50, 50, 60, 60)]);
    expect(store.patch(1)).toMatchObject({ state: 'rejected', deleted: false });
    const shown = store.queue({}).items;
    expect(shown.map((p) => p.id)).toEqual(['1', '8']); // equal scores: by number
    // Linked detections of runs 2 and 3 were superseded by the next run; run 4's is shown.
    expect(store.queue({ includeLinked: true }).total).toBe(3);
    store.close();
  });
});

describe('a run over an area of interest', () => {
  it('supersedes earlier untouched patches inside the area only', () => {
    const { store } = tempProject();
    store.addRun(newRun(), [detection(0, 0, 10, 10), detection(200, 200, 210, 210)]);
    const area = detection(-5, -5, 50, 50).bbox;
    const run2 = { ...newRun(), area };
    store.addRun(run2, [detection(2, 2, 12, 12)]);
    expect(
      store
        .queue({})
        .items.map((p) => Number(p.id))
        .sort(),
    ).toEqual([2, 3]);
    store.close();
  });
});

describe('projects from before migration 2', () => {
  it('upgrade on open and measure edits with units from the EPSG table', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lw-v1-')), 'old.landwatch');
    const db = new Database(path);
    db.exec(migrations[0]);
    db.pragma('user_version = 1');
    const gt = JSON.stringify([X0, 0.5, 0, Y0, 0, -0.5]);
    for (const role of ['before', 'after'])
      db.prepare(
        `INSERT INTO scenes VALUES (?, '/x.tif', 'x.tif', 1024, 1024, 3, 'EPSG:32650', 'UTM 50N', NULL, NULL, 32650, ?, NULL)`,
      ).run(role, gt);
    db.prepare(
      `INSERT INTO runs VALUES ('r1', 'm', '1', 0.5, 0, '{}', 'cpu', '2020-01-01T00:00:00Z', 1, 1)`,
    ).run();
    const g = JSON.stringify({ type: 'Polygon', coordinates: [rectRing(0, 0, 10, 10)] });
    db.prepare(
      `INSERT INTO patches (id, run_id, number, geometry, model_geometry, area_m2, perimeter_m, mean_prob, max_prob, created_at, updated_at)
       VALUES (1, 'r1', 1, ?, ?, 100, 40, 0.7, 0.9, 'x', 'x')`,
    ).run(g, g);
    const [minx, miny, maxx, maxy] = [X0, Y0 - 512, X0 + 10, Y0 - 502];
    db.prepare('INSERT INTO patches_rtree VALUES (1, ?, ?, ?, ?)').run(minx, maxx, miny, maxy);
    db.close();

    const store = ProjectStore.open(path);
    expect(store.scene('before').units).toBeNull();
    expect(store.frame().units).toEqual({ geographic: false, metresPerUnit: 1 });
    store.setGeometry(1, [rectRing(0, 0, 10, 20)], 'a');
    expect(store.patch(1).areaM2).toBeCloseTo(200, 9);
    store.revertGeometry(1, 'a');
    expect(store.patch(1)).toMatchObject({ areaM2: 100, perimeterM: 40, edited: false });
    expect(store.codeLists().changeClass.length).toBeGreaterThan(5);
    store.close();
  });
});
