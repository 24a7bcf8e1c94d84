/**
 * A binary mask kept on disk, one bit per pixel, read and written by whole rows. The strip
 * vectoriser parks the cleaned change mask here between its passes: a 20 000² scene is 50 MB of
 * file, and memory holds only the rows being worked on.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';

/** A width × height bit mask in a file, written and read by whole rows. */
export class BitRowsFile {
  private fd: number | null;
  /** Bytes per row. */
  readonly stride: number;

  /** Creates (or truncates) the file at `path` for a width × height mask. */
  constructor(
    readonly path: string,
    readonly width: number,
    readonly height: number,
  ) {
    this.stride = Math.ceil(width / 8);
    this.fd = openSync(path, 'w+');
  }

  /**
   * Writes rows `y` … of a 0/1 (any non-zero = 1) row-major mask, `width` bytes per row. With
   * `columns` (sorted [start, end) pairs), only those columns are read: the rest are 0.
   */
  writeRows(y: number, mask: Uint8Array, columns?: Int32Array): void {
    const rows = mask.length / this.width;
    const packed = new Uint8Array(rows * this.stride);
    const runs = columns ?? Int32Array.of(0, this.width);
    for (let r = 0; r < rows; r++) {
      const src = r * this.width;
      const dst = r * this.stride;
      for (let j = 0; j < runs.length; j += 2) {
        for (let x = runs[j]; x < runs[j + 1]; x++) {
          if (mask[src + x] !== 0) packed[dst + (x >> 3)] |= 1 << (x & 7);
        }
      }
    }
    writeSync(this.handle(), packed, 0, packed.length, y * this.stride);
  }

  /** Rows `y0` … `y1 - 1` as a 0/1 byte mask, `width` bytes per row. */
  readRows(y0: number, y1: number): Uint8Array {
    const rows = y1 - y0;
    const packed = new Uint8Array(rows * this.stride);
    let got = 0;
    while (got < packed.length) {
      const n = readSync(this.handle(), packed, got, packed.length - got, y0 * this.stride + got);
      if (n === 0) break;
      got += n;
    }
    const out = new Uint8Array(rows * this.width);
    for (let r = 0; r < rows; r++) {
      const src = r * this.stride;
      const dst = r * this.width;
      for (let b = 0; b < this.stride; b++) {
        const v = packed[src + b];
        // Most bytes of a change mask are empty: 8 pixels at once.
        if (v === 0) continue;
        const x0 = b << 3;
        const n = Math.min(8, this.width - x0);
        for (let k = 0; k < n; k++) out[dst + x0 + k] = (v >> k) & 1;
      }
    }
    return out;
  }

  /** Closes and deletes the file. */
  dispose(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.path, { force: true });
  }

  private handle(): number {
    if (this.fd === null) throw new Error(`${this.path} is already closed`);
    return this.fd;
  }
}
