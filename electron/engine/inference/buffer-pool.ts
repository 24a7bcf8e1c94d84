/**
 * Reused typed arrays for a run of many tiles. Every tile needs the same few big arrays (model
 * inputs, no-data flags, the cropped probability); allocating them afresh costs little by itself,
 * but each one is outside V8's heap, and tens of MB of them a tile make V8 run a full garbage
 * collection every tile or two. Arrays come back dirty: callers overwrite or clear them.
 */

/** Buffers kept per size class: enough for the tiles being prepared, queued and run, and a spare. */
const KEEP = 6;
/**
 * Bytes of spare buffers kept in all, by default: about one full 768² tile's arrays (two 8 MB input
 * classes, the 4 MB probability, the no-data flags) with room to spare. A screened run's crops come
 * in many size classes; KEEP spares of each held ~70 MB at the peak of a 16384² run.
 */
export const POOL_SPARE_BYTES = 40 * 1024 * 1024;
/** The smallest size class, in bytes; classes double from there. */
const MIN_CLASS = 1 << 16;

/** The size class of `bytes`: the smallest power of two at least MIN_CLASS that holds them. */
function sizeClass(bytes: number): number {
  let c = MIN_CLASS;
  while (c < bytes) c *= 2;
  return c;
}

/**
 * Arrays are views of buffers of a few size classes, so tiles of many sizes (a screened run's
 * crops) reuse the same buffers and the pool never holds more than KEEP buffers per class, nor more
 * than `spareBytes` of spares in all.
 */
export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Bytes held in `free`. */
  private spare = 0;

  /** `spareBytes`: the most bytes of spare buffers kept; buffers given back beyond it are dropped. */
  constructor(private readonly spareBytes = POOL_SPARE_BYTES) {}

  /** Bytes of spare buffers held now. */
  get spareHeld(): number {
    return this.spare;
  }

  /** A Float32Array of `length` values, contents undefined. */
  floats(length: number): Float32Array {
    return new Float32Array(this.take(length * 4), 0, length);
  }

  /** A Uint8Array of `length` values, contents undefined. */
  bytes(length: number): Uint8Array {
    return new Uint8Array(this.take(length), 0, length);
  }

  /**
   * Gives arrays back for reuse (their whole buffers, when those came from a pool); the caller
   * must not touch them afterwards.
   */
  give(arrays: Iterable<Float32Array | Uint8Array>): void {
    for (const a of arrays) {
      const buffer = a.buffer;
      // Detached (lent to the model's thread, which hands back new views of the same memory), or
      // not one of the pool's buffers.
      if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) continue;
      if (buffer.byteLength !== sizeClass(buffer.byteLength)) continue;
      let list = this.free.get(buffer.byteLength);
      if (!list) this.free.set(buffer.byteLength, (list = []));
      if (list.length >= KEEP || this.spare + buffer.byteLength > this.spareBytes) continue;
      if (list.includes(buffer)) continue;
      list.push(buffer);
      this.spare += buffer.byteLength;
    }
  }

  /** Drops every spare buffer (a run's last tile is in). */
  clear(): void {
    this.free.clear();
    this.spare = 0;
  }

  private take(bytes: number): ArrayBuffer {
    const c = sizeClass(bytes);
    const hit = this.free.get(c)?.pop();
    if (!hit) return new ArrayBuffer(c);
    this.spare -= c;
    return hit;
  }
}
