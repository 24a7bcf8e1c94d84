/**
 * The raw probability file of a run in progress: rows written with the columns they can be
 * non-zero in store exactly what whole rows would, rows with no column are not written to a new
 * file yet read as 0, and reads into a reused buffer never show older rows.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  RawProbability,
  quantise,
  rawRows,
} from '../../../electron/engine/raster/probability-file.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-raw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 37;

/** Rows 0 outside columns 3–9 and 20–30, the rest a ramp. */
function rows(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n * W }, (_, i) => {
    const x = i % W;
    const inside = (x >= 3 && x < 10) || (x >= 20 && x < 31);
    return inside ? ((i * 7 + seed) % 101) / 100 : 0;
  });
}

describe('RawProbability', () => {
  it('stores rows given with their columns as whole rows, and skips empty ones', () => {
    const columns = Int32Array.of(3, 10, 20, 31);
    const a = new RawProbability(join(dir, 'a.raw'), W, 40, true);
    const b = new RawProbability(join(dir, 'b.raw'), W, 40, true);
    a.writeRows(0, rows(10, 1));
    b.writeRows(0, rows(10, 1), columns);
    // Rows 10–39: empty in a (written as zeros), not written at all in b.
    a.writeRows(10, new Float32Array(30 * W));
    b.writeRows(10, new Float32Array(30 * W), new Int32Array(0));
    expect(statSync(b.path).size).toBe(10 * W);
    const whole = a.readRows(0, 40);
    expect(Array.from(whole.subarray(0, 5))).toEqual(
      Array.from(rows(1, 1).subarray(0, 5), quantise),
    );
    // A reused buffer that held non-zero rows reads the unwritten rows as 0.
    const reused = new Uint8Array(40 * W).fill(99);
    expect(Buffer.from(b.readRows(0, 40, reused)).equals(Buffer.from(whole))).toBe(true);
    const bytes = rawRows(b).bytes;
    expect(bytes.table[255]).toBe(1);
    a.dispose();
    b.dispose();
  });

  it('writes every row of a reopened file, empty or not', () => {
    const path = join(dir, 'c.raw');
    const first = new RawProbability(path, W, 4, true);
    first.writeRows(0, rows(4, 3));
    first.close();
    const again = new RawProbability(path, W, 4, false);
    again.writeRows(0, new Float32Array(4 * W), new Int32Array(0));
    expect(again.readRows(0, 4).every((v) => v === 0)).toBe(true);
    again.dispose();
  });
});
