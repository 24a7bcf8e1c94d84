/**
 * The work folder: a sidecar that matches the inputs is resumed, one that does not is discarded,
 * checkpoints round-trip the blending rows, and a folder locked by a live run is not shared.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LandWatchError } from '../../../electron/engine/errors.js';
import { WorkDir } from '../../../electron/engine/inference/work-dir.js';

const root = mkdtempSync(join(tmpdir(), 'lw-workdir-'));
const open = (dir: string | undefined, key: string, resume = true) =>
  WorkDir.open({ dir, key, width: 10, height: 8, resume });

describe('WorkDir', () => {
  it('round-trips a checkpoint and resumes only with the same key', () => {
    const dir = join(root, 'a');
    const w = open(dir, 'k1');
    expect(w.resumed).toBe(false);
    const sum = Float32Array.from({ length: 30 }, (_, i) => (i === 7 ? Number.NaN : i / 3));
    writeFileSync(w.rawPath, new Uint8Array(80));
    w.checkpoint(2, { y: 5, rows: 3, width: 10, sum }, 9);
    expect(w.crops()).toBeNull();
    const crops = Int32Array.from([0, 0, 4, 4, 0, 0, 0, 0, 6, 0, 4, 8, 6, 2, 4, 2]);
    w.savePlan(Uint8Array.from([1, 0, 1, 1]), { factor: 4 }, crops);
    w.release();

    const again = open(dir, 'k1');
    expect(again.resumed).toBe(true);
    expect(again.record).toMatchObject({ nextRow: 2, tilesRun: 9, carry: 'carry-2.bin' });
    expect(Array.from(again.plan() ?? [])).toEqual([1, 0, 1, 1]);
    expect(Array.from(again.crops() ?? [])).toEqual(Array.from(crops));
    const carry = again.loadCarry();
    expect(carry).toMatchObject({ y: 5, rows: 3, width: 10 });
    expect(Array.from(carry?.sum ?? [])).toEqual(Array.from(sum));
    again.release();

    // Crops damaged on disk: the record is not resumed (blending whole tiles after rows blended
    // from crops would give another probability), and a note says why.
    const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { crops: string };
    writeFileSync(
      join(dir, 'run.json'),
      JSON.stringify({ ...record, crops: record.crops.slice(0, -8) }),
    );
    const damaged = open(dir, 'k1');
    expect(damaged.resumed).toBe(false);
    expect(damaged.record.nextRow).toBe(0);
    expect(damaged.notes.join(' ')).toMatch(/damaged tile crops/);
    damaged.release();

    const other = open(dir, 'k2');
    expect(other.resumed).toBe(false);
    expect(other.record.nextRow).toBe(0);
    other.release();
    const fresh = open(dir, 'k2', false);
    expect(fresh.resumed).toBe(false);
    fresh.release();
  });

  it('round-trips the kind blend with the checkpoint, and resumes only with the same kinds', () => {
    const dir = join(root, 'kinds');
    const w = WorkDir.open({ dir, key: 'k', width: 10, height: 8, resume: true, kinds: 2 });
    expect(w.record).toMatchObject({ kinds: 2, kindCarry: null });
    writeFileSync(w.rawPath, new Uint8Array(80));
    writeFileSync(w.kindRawPath, new Uint8Array(12));
    const sum = Float32Array.from({ length: 30 }, (_, i) => i);
    const kinds = [0, 1].map((k) => ({
      y: 1,
      rows: 2,
      width: 3,
      sum: Float32Array.from({ length: 6 }, (_, i) =>
        k === 1 && i === 2 ? Number.NaN : k + i / 7,
      ),
    }));
    w.checkpoint(1, { y: 5, rows: 3, width: 10, sum }, 4, kinds);
    w.checkpoint(2, { y: 5, rows: 3, width: 10, sum }, 8, kinds);
    w.release();
    expect(existsSync(join(dir, 'kind-carry-1.bin'))).toBe(false);

    const again = WorkDir.open({ dir, key: 'k', width: 10, height: 8, resume: true, kinds: 2 });
    expect(again.resumed).toBe(true);
    expect(again.record).toMatchObject({ nextRow: 2, kindCarry: 'kind-carry-2.bin' });
    expect(Array.from(again.loadCarry()?.sum ?? [])).toEqual(Array.from(sum));
    const loaded = again.loadKindCarry() ?? [];
    expect(loaded.map(({ y, rows, width }) => [y, rows, width])).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(loaded.map((c) => Array.from(c.sum))).toEqual(kinds.map((c) => Array.from(c.sum)));
    again.complete();
    expect(existsSync(join(dir, 'kind-carry-2.bin'))).toBe(false);
    expect(existsSync(again.kindRawPath)).toBe(false);
    again.release();

    // Complete without kind.tif (deleted) is not usable; nor is a run of another kind count.
    writeFileSync(join(dir, 'probability.tif'), '');
    const lost = WorkDir.open({ dir, key: 'k', width: 10, height: 8, resume: true, kinds: 2 });
    expect(lost.resumed).toBe(false);
    lost.release();
    const plain = WorkDir.open({ dir, key: 'k', width: 10, height: 8, resume: true });
    expect(plain.record).not.toHaveProperty('kinds');
    expect(plain.record).not.toHaveProperty('kindCarry');
    plain.release();
  });

  it('does not share a folder a live run holds', () => {
    const dir = join(root, 'b');
    const first = open(dir, 'k');
    expect(JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')).pid).toBe(process.pid);
    expect(() => open(dir, 'k')).toThrow(LandWatchError);
    expect(() => open(dir, 'k')).toThrow(/in use by another detection/);
    first.release();
    open(dir, 'k').release();
  });

  it('takes over the lock of a process that is gone', () => {
    const dir = join(root, 'c');
    open(dir, 'k').release();
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    const w = open(dir, 'k');
    expect(w.dir).toBe(dir);
    w.release();
  });

  it('gives a second run of the same inputs its own default folder', () => {
    process.env.LANDWATCH_WORK = join(root, 'default');
    try {
      const a = open(undefined, 'samekey');
      const b = open(undefined, 'samekey');
      expect(b.dir).not.toBe(a.dir);
      expect(b.notes[0]).toMatch(/another detection of the same inputs is running/);
      a.release();
      b.release();
    } finally {
      delete process.env.LANDWATCH_WORK;
    }
  });
});
