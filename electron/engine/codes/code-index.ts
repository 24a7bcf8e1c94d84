/**
 * An in-memory index of patch codes for "find similar": every code nibble-packed in one flat
 * Uint8Array, searched by brute force L1 distance. Brute force is exact, and with one lookup table
 * per query (the distance contributed by each packed byte at each position: 256 entries per byte,
 * two code values at once) it scans 100,000 codes well inside the 50 ms target
 * (scripts/bench-codes.ts measures it); a tree or hashing would lose exactness for little gain at
 * the sizes a project reaches.
 */
import { packNibbles, unpackNibbles } from './code-packing.js';

/** One search hit. */
export interface CodeHit {
  id: number;
  distance: number;
}

/**
 * Codes of one length, addressed by patch id.
 *
 * @example
 * const index = new CodeIndex(72);
 * index.set(12, code12);
 * index.search(query, 10, (id) => id !== 12); // the 10 nearest others
 */
export class CodeIndex {
  private codes: Uint8Array;
  private ids: Int32Array;
  private count = 0;
  private readonly slot = new Map<number, number>();
  /** Packed bytes per code. */
  private readonly bytes: number;

  /**
   * @param length - values per code (lw-patchcode-v1: 72)
   * @param capacity - codes to make room for at first (the arrays double when full)
   */
  constructor(
    readonly length: number,
    capacity = 1024,
  ) {
    this.bytes = Math.ceil(length / 2);
    this.codes = new Uint8Array(this.bytes * capacity);
    this.ids = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    return this.slot.has(id);
  }

  /** The stored code of `id` (one value a byte). */
  get(id: number): Uint8Array | undefined {
    const s = this.slot.get(id);
    if (s === undefined) return undefined;
    return unpackNibbles(this.codes.subarray(s * this.bytes, (s + 1) * this.bytes), this.length);
  }

  /** Adds or replaces the code of `id` (one value a byte, each 0..15). */
  set(id: number, code: Uint8Array): void {
    if (code.length !== this.length)
      throw new RangeError(
        `code of patch ${id} has ${code.length} values, expected ${this.length}`,
      );
    this.setPacked(id, packNibbles(code));
  }

  /** Adds or replaces the code of `id` from its packed bytes (as stored in the project file). */
  setPacked(id: number, packed: Uint8Array): void {
    if (packed.length !== this.bytes)
      throw new RangeError(
        `packed code of patch ${id} has ${packed.length} bytes, expected ${this.bytes}`,
      );
    let s = this.slot.get(id);
    if (s === undefined) {
      if (this.count === this.ids.length) this.grow();
      s = this.count++;
      this.slot.set(id, s);
      this.ids[s] = id;
    }
    this.codes.set(packed, s * this.bytes);
  }

  /** Removes `id` (the last slot moves into its place, so the arrays stay dense). */
  delete(id: number): boolean {
    const s = this.slot.get(id);
    if (s === undefined) return false;
    const last = --this.count;
    if (s !== last) {
      const moved = this.ids[last];
      this.codes.copyWithin(s * this.bytes, last * this.bytes, (last + 1) * this.bytes);
      this.ids[s] = moved;
      this.slot.set(moved, s);
    }
    this.slot.delete(id);
    return true;
  }

  /**
   * The `limit` codes nearest to `query` by L1 distance, nearest first (ties by id), among those
   * `accept` lets through (default: all).
   */
  search(query: Uint8Array, limit: number, accept?: (id: number) => boolean): CodeHit[] {
    if (query.length !== this.length)
      throw new RangeError(`query has ${query.length} values, expected ${this.length}`);
    if (limit <= 0) return [];
    const { codes, ids, bytes } = this;
    const table = byteDistances(query, bytes);
    // Keep the best `limit` in a sorted array; a hit enters only when it beats the worst kept,
    // so the common case (far codes) costs one comparison after the distance.
    const bestD: number[] = [];
    const bestId: number[] = [];
    let worst = Infinity;
    for (let s = 0, base = 0; s < this.count; s++, base += bytes) {
      let d = 0;
      for (let k = 0, t = 0; k < bytes; k++, t += 256) d += table[t + codes[base + k]];
      const id = ids[s];
      if (d > worst || (d === worst && bestD.length === limit && id > bestId[limit - 1])) continue;
      if (accept && !accept(id)) continue;
      let at = bestD.length;
      while (at > 0 && (bestD[at - 1] > d || (bestD[at - 1] === d && bestId[at - 1] > id))) at--;
      bestD.splice(at, 0, d);
      bestId.splice(at, 0, id);
      if (bestD.length > limit) {
        bestD.pop();
        bestId.pop();
      }
      if (bestD.length === limit) worst = bestD[limit - 1];
    }
    return bestId.map((id, i) => ({ id, distance: bestD[i] }));
  }

  private grow(): void {
    const cap = this.ids.length * 2;
    const codes = new Uint8Array(this.bytes * cap);
    codes.set(this.codes);
    const ids = new Int32Array(cap);
    ids.set(this.ids);
    this.codes = codes;
    this.ids = ids;
  }
}

/**
 * For every packed byte position k and byte value b: the L1 distance of the two code values in b
 * to the query's values at 2k and 2k + 1.
 */
function byteDistances(query: Uint8Array, bytes: number): Uint16Array {
  const table = new Uint16Array(bytes * 256);
  for (let k = 0; k < bytes; k++) {
    const lo = query[2 * k];
    const hi = 2 * k + 1 < query.length ? query[2 * k + 1] : 0;
    for (let b = 0; b < 256; b++)
      table[k * 256 + b] = Math.abs((b & 0x0f) - lo) + Math.abs((b >> 4) - hi);
  }
  return table;
}
