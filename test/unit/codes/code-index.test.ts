/**
 * The code index answers exactly what a brute-force sort of all distances answers, after adds,
 * replacements and deletions; packing codes into nibbles round-trips and refuses what cannot fit.
 */
import { describe, expect, it } from 'vitest';
import { CodeIndex } from '../../../electron/engine/codes/code-index.js';
import {
  codeFromFloats,
  l1,
  packNibbles,
  unpackNibbles,
} from '../../../electron/engine/codes/code-packing.js';

/** Deterministic pseudo-random codes (xorshift), skewed to small values like real codes. */
function codes(n: number, length: number, seed = 1): Uint8Array[] {
  let s = seed;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  return Array.from({ length: n }, () =>
    Uint8Array.from({ length }, () => Math.min(15, Math.floor(next() ** 2 * 8))),
  );
}

function bruteForce(all: Map<number, Uint8Array>, q: Uint8Array, limit: number) {
  return [...all]
    .map(([id, c]) => ({ id, distance: l1(c, q) }))
    .sort((a, b) => a.distance - b.distance || a.id - b.id)
    .slice(0, limit);
}

describe('CodeIndex', () => {
  it('returns the same ranking as a full sort, ties broken by id', () => {
    const index = new CodeIndex(72, 4);
    const all = new Map<number, Uint8Array>();
    codes(3000, 72).forEach((c, i) => {
      index.set(i * 3 + 1, c);
      all.set(i * 3 + 1, c);
    });
    for (const q of codes(25, 72, 99)) {
      expect(index.search(q, 10)).toEqual(bruteForce(all, q, 10));
    }
    // ties: a few identical codes must come back in id order
    const twin = codes(1, 72, 5)[0];
    for (const id of [9001, 9000, 9002]) {
      index.set(id, twin);
      all.set(id, twin);
    }
    expect(index.search(twin, 3)).toEqual([
      { id: 9000, distance: 0 },
      { id: 9001, distance: 0 },
      { id: 9002, distance: 0 },
    ]);
  });

  it('keeps answering exactly after replacements and deletions', () => {
    const index = new CodeIndex(16);
    const all = new Map<number, Uint8Array>();
    const pool = codes(500, 16, 7);
    pool.forEach((c, i) => {
      index.set(i, c);
      all.set(i, c);
    });
    for (let i = 0; i < 500; i += 3) {
      expect(index.delete(i)).toBe(true);
      all.delete(i);
    }
    for (let i = 1; i < 500; i += 7) {
      index.set(i, pool[(i * 13) % 500]);
      all.set(i, pool[(i * 13) % 500]);
    }
    expect(index.size).toBe(all.size);
    expect(index.delete(0)).toBe(false);
    for (const q of codes(10, 16, 3)) expect(index.search(q, 25)).toEqual(bruteForce(all, q, 25));
    expect(index.get(1)).toEqual(all.get(1));
  });

  it('filters hits and rejects codes of the wrong length', () => {
    const index = new CodeIndex(4);
    index.set(1, Uint8Array.of(0, 0, 0, 0));
    index.set(2, Uint8Array.of(0, 0, 0, 1));
    index.set(3, Uint8Array.of(5, 5, 5, 5));
    expect(index.search(Uint8Array.of(0, 0, 0, 0), 2, (id) => id !== 1)).toEqual([
      { id: 2, distance: 1 },
      { id: 3, distance: 20 },
    ]);
    expect(index.search(Uint8Array.of(0, 0, 0, 0), 0)).toEqual([]);
    expect(() => index.set(4, Uint8Array.of(1, 2))).toThrow(/patch 4 has 2 values, expected 4/);
    expect(() => index.search(Uint8Array.of(1), 3)).toThrow(/expected 4/);
  });
});

describe('nibble packing', () => {
  it('round-trips odd and even lengths in half the bytes', () => {
    for (const c of codes(20, 71, 11).concat(codes(20, 72, 12))) {
      const packed = packNibbles(c);
      expect(packed.length).toBe(Math.ceil(c.length / 2));
      expect(unpackNibbles(packed, c.length)).toEqual(c);
    }
    expect([...packNibbles(Uint8Array.of(1, 15, 7))]).toEqual([0xf1, 0x07]);
  });

  it('refuses values that do not fit in 4 bits', () => {
    expect(() => packNibbles([3, 16])).toThrow(/16 at 1 does not fit in 4 bits/);
    expect(() => unpackNibbles(Uint8Array.of(1), 3)).toThrow(/cannot hold 3/);
    expect(() => codeFromFloats(Float32Array.of(1, -1))).toThrow(/outside 0..15/);
    expect([...codeFromFloats(Float32Array.of(0, 3.0000001, 15))]).toEqual([0, 3, 15]);
  });
});
