/**
 * Patch codes in a project file, with hand-made codes (no imagery, no model run): migration 5,
 * which patches need a (new) code after edits, how re-run links are judged by code distance
 * (duplicate vs a different change), the earlier decision at a patch's place, inheriting it as one
 * undoable step, and "find similar" with its filters.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { carryOver, inheritDecision } from '../../../electron/engine/codes/carry-over.js';
import type { CodeModel } from '../../../electron/engine/codes/code-model.js';
import { packNibbles } from '../../../electron/engine/codes/code-packing.js';
import { PatchCodeTable } from '../../../electron/engine/codes/code-table.js';
import { ProjectCodes } from '../../../electron/engine/codes/project-codes.js';
import type { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { detection, newRun, rectRing, tempProject } from '../store/fixtures.js';

const LENGTH = 8;
/** A card like lw-patchcode-v1's with short codes; the ONNX file is never opened here. */
const model: CodeModel = {
  dir: '/nonexistent',
  onnxPath: '/nonexistent/model.onnx',
  card: {
    id: 'test-codes',
    version: '1',
    file: 'model.onnx',
    inputs: { before: 'before', after: 'after' },
    outputs: { code: 'code' },
    normalization: { scale: 255, mean: [0.4, 0.4, 0.4], std: [0.2, 0.2, 0.2] },
    chip: { size: 64, margin: 0.25, minSidePixels: 16, noData: 221 },
    code: { length: LENGTH, bits: 4, max: 15, closeDistance: 10, duplicateDistance: 4 },
  },
};

let store: ProjectStore;
let table: PatchCodeTable;

/** Gives every stale patch the code `codeFor(id)`, as the coder would after a model run. */
function codeAll(codeFor: (id: number) => number[]): void {
  table.putMany(
    model.card.id,
    table.stale(model.card.id).map((patch) => ({ patch, packed: packNibbles(codeFor(patch.id)) })),
  );
}

const code = (v: number, bump = 0) => [v, v, v, v, v, v, v, v + bump].map((x) => Math.min(15, x));
const ids = (s: ProjectStore, runId?: string) => s.patches(runId).map((p) => Number(p.id));

beforeEach(() => {
  store = tempProject('codes').store;
  table = new PatchCodeTable(store.db);
});
afterEach(() => store.close());

describe('migration 5', () => {
  it('adds patch_codes and the code distance of links', () => {
    const cols = (t: string) =>
      (store.db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
    expect(cols('patch_codes')).toEqual([
      'patch_id',
      'model_id',
      'minx',
      'miny',
      'maxx',
      'maxy',
      'code',
    ]);
    expect(cols('patch_links')).toContain('code_distance');
  });
});

describe('which patches need a code', () => {
  it('lists new, reshaped, split and re-modelled patches, never deleted ones', () => {
    store.addRun(newRun(), [
      detection(0, 0, 10, 10),
      detection(50, 50, 60, 60),
      detection(100, 0, 140, 20),
    ]);
    const [a, b, c] = ids(store);
    expect(table.stale(model.card.id).map((p) => p.id)).toEqual([a, b, c]);
    codeAll(() => code(1));
    expect(table.stale(model.card.id)).toEqual([]);
    expect(table.stale('another-model')).toHaveLength(3);
    // a vertex edit that moves the bounds makes the code stale; one that keeps them does not
    store.setGeometry(a, [rectRing(0, 0, 12, 10)], 'ann');
    store.setAttributes([b], { note: 'seen' }, 'ann');
    expect(table.stale(model.card.id).map((p) => p.id)).toEqual([a]);
    store.deletePatches([a], 'ann');
    expect(table.stale(model.card.id)).toEqual([]);
    const split = store.split(
      c,
      [rectRing(120, -5, 120, 30)[0], rectRing(120, 30, 120, 30)[0]],
      'ann',
    );
    const pieces = split.changed.filter((p) => !p.deleted).map((p) => Number(p.id));
    expect(table.stale(model.card.id).map((p) => p.id)).toEqual(pieces);
    // deleting the patch row removes its code (ON DELETE CASCADE)
    expect(table.code(b, model.card.id)).not.toBeNull();
  });
});

describe('re-runs, carry-over and inherit', () => {
  let a: number, b: number, c: number, d1: number, d2: number;
  let codes: ProjectCodes;

  beforeEach(async () => {
    store.addRun(newRun(), [
      detection(0, 0, 10, 10),
      detection(50, 50, 60, 60),
      detection(100, 100, 120, 110),
    ]);
    [a, b, c] = ids(store);
    store.review(a, 'confirmed', 'roof seen', 'ann');
    store.setAttributes([a], { changeClass: '01', note: 'new house', legality: '2' }, 'ann');
    store.review(c, 'rejected', 'shadow', 'ann');
    const run2 = newRun();
    // d1 re-detects a with a slightly different outline; d2 lies where c was rejected
    store.addRun(run2, [
      detection(1, 1, 11, 11),
      detection(101, 100, 121, 111),
      detection(300, 300, 310, 310),
    ]);
    [d1, d2] = store.db
      .prepare('SELECT id FROM patches WHERE run_id = ? ORDER BY id')
      .all(run2.id)
      .map((r) => (r as { id: number }).id);
    codeAll((id) =>
      id === a
        ? code(3)
        : id === d1
          ? code(3, 2)
          : id === c
            ? code(0)
            : id === d2
              ? code(5)
              : code(9),
    );
    codes = new ProjectCodes(store, model);
    const { links } = await codes.ensure();
    expect(links).toEqual({ duplicates: 1, released: 1 });
  });

  it('keeps a close-coded re-detection hidden as a duplicate and releases a different change', () => {
    const distance = store.db
      .prepare('SELECT code_distance AS d FROM patch_links WHERE detection_id = ?')
      .get(d1) as { d: number };
    expect(distance.d).toBe(2);
    const live = ids(store);
    expect(live).not.toContain(d1);
    expect(live).toContain(d2);
    expect(store.patch(d2).linkedTo).toEqual([]);
    expect(
      store.db.prepare('SELECT COUNT(*) AS n FROM patch_links WHERE detection_id = ?').get(d2),
    ).toEqual({ n: 0 });
  });

  it('shows the earlier decision with the code distance, close or not', async () => {
    const near = await carryOver(codes, d1);
    expect(near).toMatchObject({
      earlier: {
        id: String(a),
        state: 'confirmed',
        changeClass: '01',
        note: 'new house',
        legality: '2',
      },
      distance: 2,
      close: true,
      closeDistance: 10,
    });
    const far = await carryOver(codes, d2);
    expect(far).toMatchObject({
      earlier: { id: String(c), state: 'rejected' },
      distance: 40,
      close: false,
    });
    expect(await carryOver(codes, b)).toBeNull();
  });

  it('inherits a close decision in one undoable step and refuses a different change', async () => {
    const result = await inheritDecision(codes, d1, 'bob');
    expect(result.entry?.action).toBe('inherit');
    expect(result.changed[0]).toMatchObject({
      id: String(d1),
      state: 'confirmed',
      comment: 'roof seen',
      reviewer: 'bob',
      attributes: { changeClass: '01', note: 'new house', legality: '2' },
    });
    store.undo('bob');
    expect(store.patch(d1)).toMatchObject({
      state: 'unreviewed',
      attributes: { changeClass: null, note: null },
    });
    store.redo('bob');
    expect(store.patch(d1)).toMatchObject({
      state: 'confirmed',
      attributes: { changeClass: '01' },
    });
    await expect(inheritDecision(codes, d2, 'bob')).rejects.toThrow(
      /differs from patch #3 \(code distance 40 > 10\): decide it yourself/,
    );
    await expect(inheritDecision(codes, b, 'bob')).rejects.toThrow(
      /no decided patch of another run/,
    );
  });

  it('ranks live patches by code distance, with state filters', async () => {
    const all = await codes.similar(a, 10);
    // d1 is hidden behind a; b is superseded by run 2 (untouched); a itself is left out
    expect(all.items.map((i) => [Number(i.patch.id), i.distance])).toEqual([
      [d2, 16],
      [c, 24],
      [d2 + 1, 48],
    ]);
    const rejected = await codes.similar(a, 10, ['rejected']);
    expect(rejected.items.map((i) => Number(i.patch.id))).toEqual([c]);
    expect(all).toMatchObject({
      modelId: 'test-codes',
      code: code(3),
      closeDistance: 10,
      coded: 0,
    });
  });
});

describe('carry-over with the shipped card (duplicate distance = close distance)', () => {
  // lw-patchcode-v1 sets both to 54: a close code alone used to mean "duplicate, hidden", so the
  // hint could never offer P. The outline decides now: the same outline stays hidden behind the
  // decision, a close-coded change that grew is queued and offers the earlier decision.
  const shipped: CodeModel = {
    ...model,
    card: { ...model.card, code: { ...model.card.code, closeDistance: 10, duplicateDistance: 10 } },
  };

  it('hides the same outline seen again and offers P for a grown change of the same kind', async () => {
    store.addRun(newRun(), [detection(0, 0, 10, 10), detection(100, 100, 110, 110)]);
    const [a, b] = ids(store);
    store.review(a, 'confirmed', 'new house', 'ann');
    store.review(b, 'rejected', 'shadow', 'ann');
    const run2 = newRun();
    store.addRun(run2, [detection(0, 0, 10, 10), detection(100, 100, 120, 120)]);
    const [same, grown] = store.db
      .prepare('SELECT id FROM patches WHERE run_id = ? ORDER BY id')
      .all(run2.id)
      .map((r) => (r as { id: number }).id);
    codeAll((id) => (id === grown ? code(4, 3) : code(4)));
    const codes = new ProjectCodes(store, shipped);
    expect((await codes.ensure()).links).toEqual({ duplicates: 1, released: 1 });
    expect(ids(store)).not.toContain(same);
    expect(ids(store)).toContain(grown);
    expect(await carryOver(codes, grown)).toMatchObject({
      earlier: { id: String(b), state: 'rejected', comment: 'shadow' },
      distance: 3,
      close: true,
    });
    const inherited = await inheritDecision(codes, grown, 'bob');
    expect(inherited.changed[0]).toMatchObject({ state: 'rejected', comment: 'shadow' });
  });
});
