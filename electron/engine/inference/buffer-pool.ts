/**
 * Reused typed arrays for a run of many tiles. Every tile needs the same few big arrays (model
 * inputs, no-data flags, the cropped probability); allocating them afresh costs little by itself,
 * but each one is outside V8's heap, and tens of MB of them a tile make V8 run a full garbage
 * collection every tile or two. Arrays come back dirty: callers overwrite or clear them.
 */

/** Arrays kept per length: enough for the tile being prepared, the one running and a spare. */
const KEEP = 6;

export class BufferPool {
  private readonly f32 = new Map<number, Float32Array[]>();
  private readonly u8 = new Map<number, Uint8Array[]>();

  /** A Float32Array of `length` values, contents undefined. */
  floats(length: number): Float32Array {
    return this.f32.get(length)?.pop() ?? new Float32Array(length);
  }

  /** A Uint8Array of `length` values, contents undefined. */
  bytes(length: number): Uint8Array {
    return this.u8.get(length)?.pop() ?? new Uint8Array(length);
  }

  /** Gives arrays back for reuse; the caller must not touch them afterwards. */
  give(arrays: Iterable<Float32Array | Uint8Array>): void {
    for (const a of arrays) {
      // Detached (lent to the model's thread, which hands back new views of the same memory).
      if (a.length === 0) continue;
      const map: Map<number, (Float32Array | Uint8Array)[]> =
        a instanceof Float32Array ? this.f32 : this.u8;
      let list = map.get(a.length);
      if (!list) map.set(a.length, (list = []));
      if (list.length < KEEP && !list.includes(a)) list.push(a);
    }
  }
}
