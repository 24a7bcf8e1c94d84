/**
 * Checkpoint files of the blending rows in flight (band-blender.ts): one or more carries, each a
 * 16-byte header (magic, first row, rows, width as int32) and its Σ probability × weight as
 * float32, one after the other. The probability's checkpoint holds one carry; the kind map's one
 * per kind. Written under a temporary name and renamed, so a kill leaves the old file or the new.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { LandWatchError } from '../errors.js';
import type { BandCarry, BandRows } from './band-blender.js';

const CARRY_MAGIC = 0x4c574332; // "LWC2"
const HEADER_BYTES = 16;

// Carries are written and read in place: at 16 384 px wide one is several MB, checkpointed every
// tile row, and an assembled copy would be one more band-sized allocation each time.
/** Writes the carries to `path`, atomically. */
export function writeCarries(path: string, carries: (BandCarry | BandRows)[]): void {
  const fd = openSync(`${path}.tmp`, 'w');
  try {
    let at = 0;
    for (const c of carries) {
      const head = new Int32Array([CARRY_MAGIC, c.y, c.rows, c.width]);
      ioAll(writeSync, fd, new Uint8Array(head.buffer), at);
      const bytes = c.rows * c.width * 4;
      let written = 0;
      for (const piece of 'sum' in c ? [c.sum.subarray(0, c.rows * c.width)] : c.pieces()) {
        const b = new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
        ioAll(writeSync, fd, b, at + HEADER_BYTES + written);
        written += b.length;
      }
      if (written !== bytes) {
        throw new LandWatchError(
          'E_INTERNAL',
          `${path}: a carry of ${bytes} bytes gave ${written}`,
        );
      }
      at += HEADER_BYTES + bytes;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(`${path}.tmp`, path);
}

/** The carries of a checkpoint file, in the order they were written. */
export function readCarries(path: string): BandCarry[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const out: BandCarry[] = [];
    for (let at = 0; at < size;) {
      const head = new Int32Array(4);
      ioAll(readSync, fd, new Uint8Array(head.buffer), at);
      if (head[0] !== CARRY_MAGIC)
        throw new LandWatchError('E_INTERNAL', `${path}: not a checkpoint`);
      const [, y, rows, width] = head;
      const sum = new Float32Array(rows * width);
      ioAll(readSync, fd, new Uint8Array(sum.buffer), at + HEADER_BYTES);
      out.push({ y, rows, width, sum });
      at += HEADER_BYTES + sum.byteLength;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** All of `bytes` at `position`; a short file is a damaged checkpoint. */
function ioAll(
  io: (fd: number, b: Uint8Array, off: number, len: number, pos: number) => number,
  fd: number,
  bytes: Uint8Array,
  position: number,
): void {
  for (let done = 0; done < bytes.length;) {
    const n = io(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) throw new LandWatchError('E_INTERNAL', 'checkpoint file is truncated');
    done += n;
  }
}
