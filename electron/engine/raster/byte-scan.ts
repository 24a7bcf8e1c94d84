/**
 * Scans of byte rasters that are mostly 0 (no-data flags, change masks, a screened run's
 * probability): four bytes are tested at once through an aligned 32-bit view, whatever the
 * array's byte offset.
 */

/** Bytes before the first 4-aligned one (all of them when too few for a word), and word count. */
function layout(a: Uint8Array): { lead: number; words: number } {
  if (a.length < 8) return { lead: a.length, words: 0 };
  const lead = (4 - (a.byteOffset & 3)) & 3;
  return { lead, words: (a.length - lead) >> 2 };
}

/** Whether any byte is non-zero. */
export function anyNonZero(a: Uint8Array): boolean {
  const { lead, words } = layout(a);
  for (let i = 0; i < lead; i++) if (a[i] !== 0) return true;
  if (words > 0) {
    const w = new Uint32Array(a.buffer, a.byteOffset + lead, words);
    for (let k = 0; k < words; k++) if (w[k] !== 0) return true;
  }
  for (let i = lead + (words << 2); i < a.length; i++) if (a[i] !== 0) return true;
  return false;
}

/**
 * Calls `visit(from, to)` for stretches [from, to) that together hold every non-zero byte: the
 * unaligned bytes at both ends, and each aligned group of four with a non-zero byte.
 */
export function nonZeroStretches(a: Uint8Array, visit: (from: number, to: number) => void): void {
  const { lead, words } = layout(a);
  if (lead > 0) visit(0, lead);
  if (words > 0) {
    const w = new Uint32Array(a.buffer, a.byteOffset + lead, words);
    for (let k = 0; k < words; k++) {
      if (w[k] === 0) continue;
      const from = lead + (k << 2);
      visit(from, from + 4);
    }
  }
  const tail = lead + (words << 2);
  if (tail < a.length) visit(tail, a.length);
}

/**
 * Whether any byte is non-zero in `rows` runs of `length` bytes of `a`, the first from `start`,
 * each `stride` bytes after the one before: a column of blocks in a block row, scanned without a
 * view made per run (a 4096² block row is 4096 runs of 256 bytes).
 */
export function anyNonZeroInRuns(
  a: Uint8Array,
  start: number,
  stride: number,
  length: number,
  rows: number,
): boolean {
  // One aligned 32-bit view of all of `a`, from its first 4-aligned byte.
  const lead = (4 - (a.byteOffset & 3)) & 3;
  const w =
    a.length > lead ? new Uint32Array(a.buffer, a.byteOffset + lead, (a.length - lead) >> 2) : null;
  for (let r = 0; r < rows; r++) {
    const from = start + r * stride;
    const end = from + length;
    let i = from;
    if (w) {
      // Bytes up to the first word boundary, then whole words, then the bytes left.
      const first = Math.min(end, from <= lead ? lead : lead + ((from - lead + 3) & ~3));
      for (; i < first; i++) if (a[i] !== 0) return true;
      const words = (end - i) >> 2;
      const k0 = (i - lead) >> 2;
      for (let k = k0; k < k0 + words; k++) if (w[k] !== 0) return true;
      i += words << 2;
    }
    for (; i < end; i++) if (a[i] !== 0) return true;
  }
  return false;
}
