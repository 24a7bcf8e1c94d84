/**
 * Every edit operation of the project store with its undo and redo, the rejection-comment rule,
 * validation failures, and undo after closing and reopening the project file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PatchView } from '../../../electron/common/contract.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { SIZE_M, X0, Y0, detection, newRun, rectRing, tempProject } from './fixtures.js';

let store: ProjectStore;
let path: string;
const ME = 'analyst-a';

beforeEach(() => {
  ({ store, path } = tempProject());
  store.addRun(newRun(), [
    detection(0, 0, 10, 10, 0.9), // 1: strong
    detection(10, 0, 20, 10, 0.5), // 2: shares an edge with 1
    detection(100, 100, 120, 130, 0.6), // 3: apart
    detection(15, 5, 30, 20, 0.4), // 4: overlaps 2
  ]);
});
afterEach(() => store.close());

const live = () => store.patches().map((p) => p.id);
const get = (id: number) => store.patch(id);

/** Does an edit, undoes it, redoes it; returns the three states of the live list. */
function roundTrip(edit: () => void): { before: string[]; after: string[]; undone: string[] } {
  const before = live();
  edit();
  const after = live();
  store.undo(ME);
  const undone = live();
  expect(undone).toEqual(before);
  store.redo(ME);
  expect(live()).toEqual(after);
  return { before, after, undone };
}

describe('review', () => {
  it('records state, reviewer, review row, audit row and an undo entry', () => {
    const p = store.review(3, 'confirmed', null, ME);
    expect(p).toMatchObject({ state: 'confirmed', reviewer: ME });
    expect(store.reviews()).toHaveLength(1);
    expect(store.patchHistory(3).map((h) => h.action)).toEqual(['review']);
    store.undo(ME);
    expect(get(3)).toMatchObject({ state: 'unreviewed', reviewer: null, comment: null });
    store.redo(ME);
    expect(get(3)).toMatchObject({ state: 'confirmed', reviewer: ME });
    expect(store.patchHistory(3).map((h) => h.action)).toEqual(['review', 'undo', 'redo']);
  });

  it('needs a comment to reject a patch the model was sure about', () => {
    expect(() => store.review(1, 'rejected', null, ME)).toThrow(/#1 \(0\.90\).*needs a comment/);
    expect(() => store.review(1, 'rejected', '   ', ME)).toThrow(/needs a comment/);
    expect(get(1).state).toBe('unreviewed');
    expect(store.historyStatus().undo).toBeNull();
    expect(store.review(1, 'rejected', 'shadow of a crane', ME).comment).toBe('shadow of a crane');
    // Below the threshold no comment is needed; the threshold is a project setting.
    expect(store.review(2, 'rejected', null, ME).state).toBe('rejected');
    store.setSettings({ rejectCommentMinConfidence: 0.3 });
    expect(() => store.review(4, 'rejected', null, ME)).toThrow(/E_BAD_REQUEST|needs a comment/);
    expect(store.settings().rejectCommentMinConfidence).toBe(0.3);
  });

  it('reviews many patches in one undoable step, by ids or by filter', () => {
    const r = store.reviewMany([1, 2, 3], 'field_check', null, ME);
    expect(r.changed.map((p) => p.state)).toEqual(['field_check', 'field_check', 'field_check']);
    expect(r.entry?.summary).toBe('Sent to field check 3 patches');
    expect(() => store.reviewMany([1, 2, 3, 4], 'rejected', null, ME)).toThrow(/#1 \(0\.90\)/);
    store.undo(ME);
    expect(store.counts().unreviewed).toBe(4);
    const byFilter = store.reviewMany({ maxConfidence: 0.55 }, 'rejected', null, ME);
    expect(byFilter.changed.map((p) => p.id).sort()).toEqual(['2', '4']);
    expect(() => store.reviewMany({ minAreaM2: 1e9 }, 'confirmed', null, ME)).toThrow(/No patch/);
  });

  it('refuses unknown and deleted patches', () => {
    expect(() => store.review(99, 'confirmed', null, ME)).toThrow(/Patch 99 does not exist/);
    store.deletePatches([3], ME);
    expect(() => store.review(3, 'confirmed', null, ME)).toThrow(/is deleted; undo/);
  });
});

describe('attributes', () => {
  it('sets coded and free attributes, checks codes, undoes', () => {
    roundTrip(() =>
      store.setAttributes([1, 2], { changeClass: '01', legality: '2', parcelNo: 'P-17' }, ME),
    );
    expect(get(1).attributes).toMatchObject({ changeClass: '01', legality: '2', parcelNo: 'P-17' });
    store.undo(ME);
    expect(get(2).attributes?.changeClass).toBeNull();
    expect(() => store.setAttributes([1], { changeClass: 'XX' }, ME)).toThrow(
      /changeClass "XX" is not in the change_class code list; valid codes: 01 新增建设用地/,
    );
    expect(() => store.setAttributes([1], { fieldResult: '9' }, ME)).toThrow(/field_result/);
    const r = store.setAttributes([3], { note: 'check with town office', fieldResult: '3' }, ME);
    expect(r.changed[0].attributes).toMatchObject({
      note: 'check with town office',
      fieldResult: '3',
    });
  });

  it('serves the code lists with the seeded national-style codes', () => {
    const lists = store.codeLists();
    expect(lists.changeClass.map((c) => c.label)).toEqual(
      expect.arrayContaining(['新增建设用地', '拆除', '改建', '推填土', '道路']),
    );
    expect(lists.legality.length).toBeGreaterThan(2);
    expect(lists.fieldResult.length).toBeGreaterThan(2);
  });
});

describe('geometry', () => {
  const moved = [rectRing(0, 0, 12, 10)];

  it('replaces a geometry, measures it, and reverts to the model', () => {
    roundTrip(() => store.setGeometry(1, moved, ME));
    const p = get(1);
    expect(p.areaM2).toBeCloseTo(120, 9);
    expect(p.perimeterM).toBeCloseTo(44, 9);
    expect(p.edited).toBe(true);
    const r = store.revertGeometry(1, ME);
    expect(r.changed[0]).toMatchObject({ areaM2: 100, edited: false });
    store.undo(ME);
    expect(get(1).areaM2).toBeCloseTo(120, 9);
    expect(
      store
        .queue({ bbox: [X0 + 11, Y0 - SIZE_M + 1, X0 + 11.5, Y0 - SIZE_M + 2] })
        .items.map((x) => x.id),
    ).toContain('1');
  });

  it('refuses invalid polygons and polygons outside the scene', () => {
    const bowtie = [
      [X0 + 1, Y0 - 10],
      [X0 + 5, Y0 - 6],
      [X0 + 5, Y0 - 10],
      [X0 + 1, Y0 - 6],
      [X0 + 1, Y0 - 10],
    ];
    expect(() => store.setGeometry(1, [bowtie], ME)).toThrow(
      /not a valid polygon: ring 0 self-intersects/,
    );
    expect(() => store.setGeometry(1, [rectRing(-5, 0, 10, 10)], ME)).toThrow(/leaves the scene/);
    expect(store.historyStatus().undo).toBeNull();
  });

  it('splits along a line into pieces that replace the patch', () => {
    const line = [
      [X0 + 5, Y0 - SIZE_M - 1],
      [X0 + 5, Y0 - SIZE_M + 11],
    ];
    store.review(1, 'confirmed', null, ME);
    const { after } = roundTrip(() => store.split(1, line, ME));
    expect(after).not.toContain('1');
    const pieces = store.patches().filter((p) => p.origin === 'split');
    expect(pieces.map((p) => p.areaM2)).toEqual([50, 50]);
    expect(pieces.every((p) => p.state === 'confirmed' && p.parents?.[0] === '1')).toBe(true);
    expect(() =>
      store.split(
        3,
        [
          [X0 + 105, Y0 - SIZE_M + 90],
          [X0 + 105, Y0 - SIZE_M + 110],
        ],
        ME,
      ),
    ).toThrow(/does not cut patch #3 apart/);
  });

  it('merges touching patches with the per-field rule and refuses separate ones', () => {
    store.setAttributes([2], { changeClass: '04', note: 'fill' }, ME);
    store.setAttributes([4], { legality: '2', note: 'pile of earth' }, ME);
    store.review(4, 'field_check', null, ME);
    const r = store.merge([2, 4], undefined, ME);
    const merged = r.changed.find((p) => p.origin === 'merge') as PatchView;
    expect(merged.areaM2).toBeCloseTo(100 + 225 - 25, 9);
    expect(merged.state).toBe('field_check'); // from the largest
    expect(merged.attributes).toMatchObject({
      changeClass: '04',
      legality: '2',
      note: 'pile of earth\nfill',
    });
    expect(merged.meanProb).toBeCloseTo((0.5 * 100 + 0.4 * 225) / 325, 9);
    expect(merged.parents?.sort()).toEqual(['2', '4']);
    store.undo(ME);
    expect(live()).toEqual(['1', '2', '3', '4']);
    expect(() => store.merge([1, 3], undefined, ME)).toThrow(/2 separate areas/);
    expect(() => store.merge([1, 1], undefined, ME)).toThrow(/at least two/);
    expect(() => store.merge([1, 2], 3, ME)).toThrow(/primaryId 3 is not one of/);
  });

  it('draws a new patch in the manual run and deletes softly', () => {
    const r = store.createPatch(
      [rectRing(200, 200, 210, 204)],
      'confirmed',
      null,
      { changeClass: '05' },
      ME,
    );
    const drawn = r.changed[0];
    expect(drawn).toMatchObject({
      runId: 'manual',
      origin: 'manual',
      areaM2: 40,
      state: 'confirmed',
    });
    expect(store.runs().find((x) => x.id === 'manual')).toMatchObject({
      kind: 'manual',
      patchCount: 1,
    });
    store.undo(ME);
    expect(live()).not.toContain(drawn.id);
    expect(() => store.patch(Number(drawn.id))).toThrow(/does not exist/);
    store.redo(ME);
    expect(live()).toContain(drawn.id);
    roundTrip(() => store.deletePatches([Number(drawn.id), 3], ME));
    expect(store.summary().deleted).toBe(2);
    // The comment rule guards against overruling a confident model: a drawn patch has no model.
    const rejected = store.createPatch([rectRing(0, 0, 1, 1)], 'rejected', null, {}, ME);
    expect(rejected.changed[0]).toMatchObject({ state: 'rejected', meanProb: null });
  });
});

describe('history', () => {
  it('undoes any number of steps in order and a new edit discards the redo stack', () => {
    store.review(1, 'confirmed', null, ME);
    store.setAttributes([1], { changeClass: '02' }, ME);
    store.setGeometry(1, [rectRing(0, 0, 11, 11)], ME);
    store.deletePatches([1], ME);
    for (let i = 0; i < 4; i++) expect(store.undo(ME).entry).not.toBeNull();
    expect(store.undo(ME).entry).toBeNull();
    expect(get(1)).toMatchObject({ state: 'unreviewed', areaM2: 100, deleted: false });
    expect(get(1).attributes?.changeClass).toBeNull();
    store.redo(ME);
    store.redo(ME);
    store.review(2, 'confirmed', null, ME);
    expect(store.historyStatus().redo).toBeNull();
    expect(store.historyList(10).map((e) => e.status)).toEqual([
      'done',
      'discarded',
      'discarded',
      'done',
      'done',
    ]);
    expect(get(1)).toMatchObject({ state: 'confirmed' });
    expect(get(1).attributes?.changeClass).toBe('02');
  });

  it('keeps undo and redo across closing and reopening the project', () => {
    store.review(1, 'confirmed', null, ME);
    store.merge([2, 4], undefined, ME);
    store.split(
      3,
      [
        [X0 + 110, Y0 - SIZE_M + 90],
        [X0 + 110, Y0 - SIZE_M + 140],
      ],
      ME,
    );
    store.undo(ME);
    store.close();
    store = ProjectStore.open(path);
    expect(store.historyStatus().redo?.action).toBe('split');
    expect(store.historyStatus().undo?.action).toBe('merge');
    store.undo(ME);
    expect(live()).toEqual(['1', '2', '3', '4']);
    store.close();
    store = ProjectStore.open(path);
    store.redo(ME);
    store.redo(ME);
    expect(store.patches().filter((p) => p.origin === 'split')).toHaveLength(2);
    expect(store.integrityCheck()).toBe('ok');
  });

  it('shows the full history of a patch, who and when', () => {
    store.review(3, 'confirmed', null, 'alice');
    store.setAttributes([3], { parcelNo: 'A-1' }, 'bob');
    store.undo('bob');
    const h = store.patchHistory(3);
    expect(h.map((e) => [e.action, e.actor])).toEqual([
      ['review', 'alice'],
      ['attributes', 'bob'],
      ['undo', 'bob'],
    ]);
    expect(h[1].after).toEqual({ parcel_no: 'A-1' });
    expect(h[2].after).toEqual({ parcel_no: null });
  });
});
