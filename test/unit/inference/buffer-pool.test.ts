import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../electron/engine/inference/buffer-pool.js';

describe('BufferPool', () => {
  it('reuses a given-back buffer for the next array of its size class', () => {
    const pool = new BufferPool();
    const a = pool.floats(1000);
    pool.give([a]);
    expect(pool.spareHeld).toBe(a.buffer.byteLength);
    const b = pool.floats(900);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(900);
    expect(pool.spareHeld).toBe(0);
  });

  it('keeps no more spare bytes than its budget, whatever the size classes', () => {
    const budget = 1 << 20;
    const pool = new BufferPool(budget);
    // Crops of many sizes: arrays of several classes come back at once.
    const arrays = [
      ...Array.from({ length: 6 }, () => pool.bytes(300_000)),
      ...Array.from({ length: 6 }, () => pool.bytes(100_000)),
      ...Array.from({ length: 6 }, () => pool.floats(20_000)),
    ];
    pool.give(arrays);
    expect(pool.spareHeld).toBeGreaterThan(0);
    expect(pool.spareHeld).toBeLessThanOrEqual(budget);
    // Taking them all again empties the spares exactly.
    const again = [
      ...Array.from({ length: 6 }, () => pool.bytes(300_000)),
      ...Array.from({ length: 6 }, () => pool.bytes(100_000)),
      ...Array.from({ length: 6 }, () => pool.floats(20_000)),
    ];
    expect(again.every((a) => a.buffer.byteLength >= a.byteLength)).toBe(true);
    expect(pool.spareHeld).toBe(0);
  });

  it('ignores a buffer given twice and arrays that are not its own', () => {
    const pool = new BufferPool();
    const a = pool.bytes(70_000);
    pool.give([a, a, new Uint8Array(70_000)]);
    expect(pool.spareHeld).toBe(a.buffer.byteLength);
  });
});
