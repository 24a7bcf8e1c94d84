/**
 * Patch codes as bytes. A code is a row of small integers (lw-patchcode-v1: 72 values of 0..15);
 * in memory each value takes a byte (fast L1 distances), on disk two values share a byte (half
 * the file size). Distances are L1 over the values, which keeps how strong each response is.
 */

/** Most value a 4-bit code can hold. */
export const NIBBLE_MAX = 15;

/**
 * Packs values of 0..15 two to a byte (first value in the low nibble).
 *
 * @example
 * packNibbles(Uint8Array.of(1, 15, 7)) // Uint8Array [0xf1, 0x07]
 */
export function packNibbles(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v > NIBBLE_MAX)
      throw new RangeError(`code value ${v} at ${i} does not fit in 4 bits`);
    out[i >> 1] |= (i & 1) === 0 ? v : v << 4;
  }
  return out;
}

/** Unpacks `length` values packed by {@link packNibbles}. */
export function unpackNibbles(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length * 2 < length)
    throw new RangeError(`${bytes.length} packed bytes cannot hold ${length} code values`);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const b = bytes[i >> 1];
    out[i] = (i & 1) === 0 ? b & 0x0f : b >> 4;
  }
  return out;
}

/** L1 distance between two codes of the same length. */
export function l1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] - b[i]);
  return d;
}

/** Model output (integers as float32) to code bytes; rejects values a code cannot hold. */
export function codeFromFloats(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i]);
    if (!(v >= 0 && v <= NIBBLE_MAX))
      throw new RangeError(`code value ${values[i]} at ${i} is outside 0..${NIBBLE_MAX}`);
    out[i] = v;
  }
  return out;
}
