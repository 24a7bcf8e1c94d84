/**
 * One suite, both backends: the review store on a SQLite project file and on PostgreSQL +
 * PostGIS must answer the same reads and edits the same way — ranking, filters, counts, review
 * rules, geometry edits, undo/redo, audit rows with their actors — and both refuse stale writes.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReviewStore } from '../../../electron/engine/store/review-store.js';
import { StaleWriteError } from '../../../electron/engine/store/versions.js';
import { backends } from './backends.js';
import { SIZE_M, X0, Y0, detection, newRun, rectRing } from './fixtures.js';

const all = await backends();
afterAll(async () => {
  for (const b of all) await b.stop();
});

const ALICE = 'alice';
const BOB = 'bob';

describe.each(all)('review store on $name', (backend) => {
  describe.skipIf(backend.skip !== null)(backend.skip ?? 'runs', () => {
    let store: ReviewStore;
    beforeEach(async () => {
      store = await backend.open();
      await store.addRun(newRun(), [
        detection(0, 0, 10, 10, 0.9), // 1: strong, 100 m²
        detection(10, 0, 20, 10, 0.5), // 2: shares an edge with 1
        detection(100, 100, 120, 130, 0.6), // 3: apart, 600 m²
        detection(15, 5, 30, 20, 0.4), // 4: overlaps 2
      ]);
    });
    afterEach(async () => store.close());

    const ids = (views: { id: string }[]) => views.map((v) => v.id);

    it('stores a run and ranks the queue by confidence × area', async () => {
      const runs = await store.runs();
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ patchCount: 4, kind: 'model' });
      expect((await store.patches()).map((p) => p.number)).toEqual([1, 2, 3, 4]);
      const page = await store.queue({}, 0, 2);
      expect(page.total).toBe(4);
      // scores: 3 → 360, 1 → 90, 4 → 90 (225 × 0.4), 2 → 50; ties by number.
      expect(ids(page.items)).toEqual(['3', '1']);
      expect(ids((await store.queue({}, 2, 10)).items)).toEqual(['4', '2']);
      expect((await store.next({}))?.id).toBe('3');
      expect((await store.next({}, 1))?.id).toBe('4');
      expect((await store.next({}, 4, true))?.id).toBe('1');
      expect(await store.next({}, 2)).toBeNull();
      const p3 = await store.patch(3);
      expect(p3).toMatchObject({ areaM2: 600, meanProb: 0.6, state: 'unreviewed', version: 1 });
      expect(p3.geometry.coordinates[0]).toEqual(rectRing(100, 100, 120, 130));
    });

    it('filters by state, confidence, area and map bounds', async () => {
      await store.review(3, 'confirmed', null, ALICE);
      expect(ids((await store.queue({ states: ['unreviewed'] })).items)).toEqual(['1', '4', '2']);
      expect(ids((await store.queue({ minConfidence: 0.55 })).items)).toEqual(['3', '1']);
      expect(ids((await store.queue({ maxAreaM2: 150 })).items)).toEqual(['1', '2']);
      const by = Y0 - SIZE_M;
      const box: [number, number, number, number] = [X0 + 90, by + 90, X0 + 200, by + 200];
      expect(ids((await store.queue({ bbox: box })).items)).toEqual(['3']);
      const s = await store.summary();
      expect(s.byState).toEqual({ unreviewed: 3, confirmed: 1, rejected: 0, field_check: 0 });
      expect(s.areaM2ByState.confirmed).toBe(600);
      expect(s.total).toBe(4);
    });

    it('records a review with its actor, audit row and undo entry', async () => {
      const p = await store.review(3, 'confirmed', 'new roof', ALICE);
      expect(p).toMatchObject({ state: 'confirmed', reviewer: ALICE, comment: 'new roof' });
      expect(p.version).toBe(2);
      const audit = await store.patchHistory(3);
      expect(audit.map((a) => [a.action, a.actor])).toEqual([['review', ALICE]]);
      expect(audit[0].before).toMatchObject({ state: 'unreviewed', reviewer: null });
      expect(audit[0].after).toMatchObject({ state: 'confirmed', reviewer: ALICE });
      expect((await store.historyStatus(ALICE)).undo?.summary).toBe('Confirmed patch #3');
      const undone = await store.undo(ALICE);
      expect(undone.changed[0]).toMatchObject({ state: 'unreviewed', reviewer: null, version: 3 });
      const redone = await store.redo(ALICE);
      expect(redone.changed[0]).toMatchObject({ state: 'confirmed', reviewer: ALICE });
      expect((await store.patchHistory(3)).map((a) => a.action)).toEqual([
        'review',
        'undo',
        'redo',
      ]);
      expect((await store.historyList()).map((h) => [h.actor, h.status])).toEqual([
        [ALICE, 'done'],
      ]);
    });

    it('needs a comment to reject what the model was sure about; checks codes', async () => {
      await expect(store.review(1, 'rejected', null, ALICE)).rejects.toThrow(
        /#1 \(0\.90\).*needs a comment/,
      );
      expect((await store.patch(1)).state).toBe('unreviewed');
      const r = await store.reviewMany({ maxConfidence: 0.55 }, 'rejected', null, ALICE);
      expect(ids(r.changed).sort()).toEqual(['2', '4']);
      expect(r.entry?.summary).toBe('Rejected 2 patches');
      await expect(store.reviewMany({ minAreaM2: 1e9 }, 'confirmed', null, ALICE)).rejects.toThrow(
        /No patch/,
      );
      await expect(store.setAttributes([3], { changeClass: '77' }, ALICE)).rejects.toThrow(
        /changeClass "77" is not in the change_class code list; valid codes: 01 新增建设用地/,
      );
      const set = await store.setAttributes([3], { changeClass: '01', parcelNo: ' ' }, ALICE);
      expect(set.changed[0].attributes).toMatchObject({ changeClass: '01', parcelNo: null });
      await store.setSettings({ rejectCommentMinConfidence: 0.95 });
      expect((await store.review(1, 'rejected', null, ALICE)).state).toBe('rejected');
      expect((await store.codeLists()).legality.map((c) => c.code)).toEqual([
        '1',
        '2',
        '3',
        '4',
        '9',
      ]);
    });

    it('edits, reverts, draws and deletes outlines, all undoable', async () => {
      const ring = rectRing(100, 100, 110, 130);
      const edited = await store.setGeometry(3, [ring], ALICE);
      expect(edited.changed[0]).toMatchObject({ areaM2: 300, perimeterM: 80, edited: true });
      await expect(store.setGeometry(3, [rectRing(100, 100, 900, 130)], ALICE)).rejects.toThrow(
        /leaves the scene/,
      );
      const reverted = await store.revertGeometry(3, ALICE);
      expect(reverted.changed[0]).toMatchObject({ areaM2: 600, edited: false });
      const drawn = await store.createPatch(
        [rectRing(200, 200, 210, 210)],
        'confirmed',
        null,
        {},
        ALICE,
      );
      expect(drawn.changed[0]).toMatchObject({ number: 5, origin: 'manual', state: 'confirmed' });
      // The manual run dates from the project's creation, before any detection run.
      expect((await store.runs()).map((r) => [r.kind, r.patchCount])).toEqual([
        ['manual', 1],
        ['model', 4],
      ]);
      await store.deletePatches([1, 2], ALICE);
      expect((await store.patches()).map((p) => p.number)).toEqual([3, 4, 5]);
      expect((await store.summary()).deleted).toBe(2);
      await store.undo(ALICE); // delete
      await store.undo(ALICE); // draw
      expect((await store.patches()).map((p) => p.number)).toEqual([1, 2, 3, 4]);
      await expect(store.patch(5)).rejects.toThrow(/Patch 5 does not exist/);
      await store.undo(ALICE); // revert
      expect((await store.patch(3)).areaM2).toBe(300);
    });

    it('splits and merges, the new patches taking over the decision; undo restores', async () => {
      await store.review(3, 'confirmed', 'pit', ALICE);
      const by = Y0 - SIZE_M;
      const cut = await store.split(
        3,
        [
          [X0 + 110, by + 90],
          [X0 + 110, by + 140],
        ],
        ALICE,
      );
      expect(cut.entry?.summary).toBe('Split patch #3 into 2');
      const pieces = cut.changed.filter((p) => !p.deleted);
      expect(pieces.map((p) => [p.number, p.areaM2, p.state, p.origin])).toEqual([
        [5, 300, 'confirmed', 'split'],
        [6, 300, 'confirmed', 'split'],
      ]);
      await expect(
        store.split(
          1,
          [
            [X0 + 500, by],
            [X0 + 501, by + 1],
          ],
          ALICE,
        ),
      ).rejects.toThrow(/does not cut patch #1 apart/);
      await expect(store.merge([1, 3], undefined, ALICE)).rejects.toThrow(/#3.*is deleted/);
      await expect(store.merge([1, 5], undefined, ALICE)).rejects.toThrow(/2 separate areas/);
      await store.setAttributes([2], { note: 'fence' }, ALICE);
      const merged = await store.merge([1, 2], 1, ALICE);
      const m = merged.changed.find((p) => p.origin === 'merge')!;
      expect(m).toMatchObject({ number: 7, areaM2: 200, maxProb: 1, parents: ['1', '2'] });
      expect(m.meanProb).toBeCloseTo(0.7, 12);
      expect(m.attributes?.note).toBe('fence');
      await store.undo(ALICE);
      await store.undo(ALICE);
      await store.undo(ALICE);
      expect((await store.patches()).map((p) => p.number)).toEqual([1, 2, 3, 4]);
      expect(await store.patch(3)).toMatchObject({ state: 'confirmed', deleted: false });
    });

    it('links a re-run detection to the decided patch it overlaps', async () => {
      await store.review(3, 'confirmed', null, ALICE);
      const run = newRun();
      await store.addRun(run, [detection(105, 105, 125, 125, 0.8), detection(300, 300, 310, 310)]);
      const all = await store.patches();
      expect(all.map((p) => p.number)).toEqual([3, 6]); // 1, 2, 4 superseded; 5 linked to 3
      expect((await store.patches(run.id)).map((p) => p.number)).toEqual([6]);
      expect((await store.patch(5)).linkedTo).toEqual(['3']);
      const withLinked = await store.queue({ runIds: [run.id], includeLinked: true });
      expect(withLinked.items.map((p) => p.number)).toEqual([5, 6]);
      expect((await store.summary()).linked).toBe(1);
    });

    it('refuses a stale write, naming who changed the patch and when', async () => {
      const read = await store.patch(3);
      const read2 = await store.patch(1);
      await store.review(3, 'confirmed', null, BOB, { 3: read.version! });
      let error: unknown;
      try {
        await store.review(3, 'rejected', 'not a change', ALICE, { 3: read.version! });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StaleWriteError);
      const stale = error as StaleWriteError;
      expect(stale.code).toBe('E_CONFLICT');
      expect(stale.message).toMatch(
        /Patch #3 was changed by bob at \d{4}-.*\(review\).*version 1.*version 2/,
      );
      expect(stale.details).toMatchObject({ changedBy: BOB, readVersion: 1, currentVersion: 2 });
      // Nothing of the refused write (of any patch in it) was stored.
      await expect(
        store.setAttributes([1, 3], { note: 'x' }, ALICE, { 1: read2.version!, 3: 1 }),
      ).rejects.toThrow(StaleWriteError);
      expect(await store.patch(3)).toMatchObject({ state: 'confirmed', reviewer: BOB, version: 2 });
      expect((await store.patch(1)).attributes?.note).toBeNull();
      expect((await store.patchHistory(3)).map((a) => a.actor)).toEqual([BOB]);
      // A writer who missed a deletion hears who deleted the patch, not just "deleted".
      const one = await store.patch(1);
      await store.deletePatches([1], BOB);
      await expect(
        store.review(1, 'confirmed', null, ALICE, { 1: one.version! }),
      ).rejects.toMatchObject({
        code: 'E_CONFLICT',
        message: expect.stringMatching(/Patch #1 was changed by bob at .* \(delete\)/),
      });
      // With the version just read, the write goes through.
      const fresh = await store.patch(3);
      const done = await store.setAttributes([3], { note: 'checked' }, ALICE, {
        3: fresh.version!,
      });
      expect(done.changed[0]).toMatchObject({ version: 3, attributes: { note: 'checked' } });
      expect((await store.patchHistory(3)).map((a) => a.actor)).toEqual([BOB, ALICE]);
    });
  });
});
