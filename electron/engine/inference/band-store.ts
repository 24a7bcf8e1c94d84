/**
 * Where a blending band keeps its sums (band-blender.ts): a ring of `capacity` rows (window row y
 * lives in ring row y mod capacity, so the band moves down without copying), cut into column
 * chunks. A band that fits {@link BAND_MEMORY_BYTES} is one chunk in memory. A wider one keeps only
 * the chunks the tile loop is working on in memory and the rest in a scratch file: a sweep adds
 * tiles left to right, so at 16 384 px wide a tile row touches each chunk while a few neighbours
 * are in memory, and the whole band (48 MB of float32 sums for 768-px tiles) never is.
 *
 * Each chunk knows up to which window row its rows are current (`validTo`). In a spilled band, rows
 * above the band's top or from `validTo` on hold stale sums and are zeroed before a tile adds to
 * them, so neither flushing nor loading a chunk has to clear anything. A band in memory is zeroed
 * where its rows are flushed instead (`clearRows`), which for a screened run's few crops is a small
 * part of the rows.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LandWatchError } from '../errors.js';

/**
 * A band larger than this (bytes of sums) keeps most of its chunks in a scratch file;
 * LANDWATCH_BAND_MEMORY_MB sets another budget (a machine short of memory).
 */
export const BAND_MEMORY_BYTES = 16 * 1024 * 1024;

function defaultBudget(): number {
  const mb = Number(process.env.LANDWATCH_BAND_MEMORY_MB);
  return Number.isFinite(mb) && mb > 0 ? mb * 1024 * 1024 : BAND_MEMORY_BYTES;
}
/** Scratch files of spilled bands are named `band-sums-<pid>-<n>.tmp`. */
export const BAND_SCRATCH_PREFIX = 'band-sums-';
let scratchCount = 0;
/** Columns of a chunk of a spilled band. */
const CHUNK_COLUMNS = 256;

/** Where and how a wide band spills (band-blender.ts `BlendGrid.spill`). */
export interface BandSpill {
  /** Folder for the scratch file (a detection's work folder). */
  dir: string;
  /** Bytes of sums kept in memory; default {@link BAND_MEMORY_BYTES} (or the environment's). */
  budgetBytes?: number;
  /** Columns per chunk; default 256. */
  chunkColumns?: number;
}

/** One chunk in memory: its sums, ring row r at [r × columns, (r + 1) × columns). */
export interface BandChunk {
  data: Float32Array;
  /** First window column of the chunk. */
  x0: number;
  columns: number;
}

export class BandStore {
  readonly chunkColumns: number;
  readonly chunkCount: number;
  /** Window row up to which each chunk's rows are current. */
  private readonly validTo: Int32Array;
  /** Chunks in memory, least recently used first. */
  private readonly live = new Map<number, Float32Array>();
  /** Chunks whose file copy is older than the one in memory. */
  private readonly dirty = new Set<number>();
  /** Chunks with a copy in the scratch file. */
  private readonly stored = new Set<number>();
  private readonly keep: number;
  private readonly chunkBytes: number;
  private readonly path: string | null = null;
  private fd: number | null = null;
  private spare: Float32Array | null = null;

  constructor(
    readonly width: number,
    readonly capacity: number,
    spill: BandSpill | null | undefined,
    top: number,
  ) {
    const budget = spill?.budgetBytes ?? defaultBudget();
    const whole = width * capacity * 4;
    if (!spill || whole <= budget) {
      this.chunkColumns = Math.max(1, width);
    } else {
      this.chunkColumns = Math.max(1, Math.min(width, spill.chunkColumns ?? CHUNK_COLUMNS));
      // A killed run leaves its file behind: work-dir.ts removes those when it opens the folder.
      this.path = join(spill.dir, `${BAND_SCRATCH_PREFIX}${process.pid}-${++scratchCount}.tmp`);
    }
    this.chunkCount = Math.ceil(width / this.chunkColumns);
    this.chunkBytes = this.chunkColumns * capacity * 4;
    // At least the chunks one tile row's adds and their neighbours need at once.
    this.keep = this.path
      ? Math.max(4, Math.floor(budget / this.chunkBytes))
      : Math.max(1, this.chunkCount);
    this.validTo = new Int32Array(this.chunkCount).fill(top);
  }

  /** Chunk j's columns. */
  columnsOf(j: number): number {
    return Math.min(this.chunkColumns, this.width - j * this.chunkColumns);
  }

  /**
   * Chunk j in memory with its rows from the band's `top` to `y1 - 1` current (rows it had no sums
   * for zeroed), for a tile to add to.
   */
  forAdd(j: number, top: number, y1: number): BandChunk {
    const data = this.load(j);
    const columns = this.columnsOf(j);
    const from = Math.max(this.validTo[j], top);
    // A band in memory is cleared as it is flushed (clearRows), where tiles added to it.
    if (this.path) {
      for (let y = from; y < y1; y++) {
        const at = (y % this.capacity) * columns;
        data.fill(0, at, at + columns);
      }
    }
    this.validTo[j] = Math.max(from, y1);
    if (this.path) this.dirty.add(j);
    return { data, x0: j * this.chunkColumns, columns };
  }

  /**
   * Copies the sums of window rows `y0` … `y1 - 1` within columns `x0` … `x1 - 1` of chunk j into
   * `out` (rows of `width` values, row y0 first); rows the chunk holds no sums for are left as
   * they are. Reads a spilled chunk's rows from the file without loading it.
   */
  copyRows(j: number, y0: number, y1: number, x0: number, x1: number, out: Float32Array): void {
    const last = Math.min(y1, this.validTo[j]);
    if (last <= y0) return;
    const columns = this.columnsOf(j);
    const cx = j * this.chunkColumns;
    const inMemory = this.live.get(j);
    if (inMemory) {
      for (let y = y0; y < last; y++) {
        const src = (y % this.capacity) * columns - cx;
        out.set(inMemory.subarray(src + x0, src + x1), (y - y0) * this.width + x0);
      }
      return;
    }
    if (!this.stored.has(j)) return;
    const rows = this.scratchRows(last - y0, columns);
    this.readRing(j, y0, last, rows);
    for (let y = y0; y < last; y++) {
      const src = (y - y0) * columns - cx;
      out.set(rows.subarray(src + x0, src + x1), (y - y0) * this.width + x0);
    }
  }

  /**
   * After window rows `y0` … `y1 - 1` of columns `x0` … `x1 - 1` were copied out of chunk j for
   * good: a band in memory zeroes them there, so that rows it reuses are 0 wherever a tile may
   * add (tiles add only where some tile of those rows ran, which flushing copies out). A spilled
   * band's chunks are zeroed as tiles reach them instead (forAdd): they may be in the file.
   */
  clearRows(j: number, y0: number, y1: number, x0: number, x1: number): void {
    if (this.path) return;
    const data = this.live.get(j);
    if (!data) return;
    const columns = this.columnsOf(j);
    const cx = j * this.chunkColumns;
    for (let y = y0; y < y1; y++) {
      const at = (y % this.capacity) * columns - cx;
      data.fill(0, at + x0, at + x1);
    }
  }

  /** After a flush to `top`: chunks' current rows start there at the earliest. */
  moveTop(top: number): void {
    for (let j = 0; j < this.chunkCount; j++) if (this.validTo[j] < top) this.validTo[j] = top;
  }

  /** Frees the chunks and deletes the scratch file. */
  dispose(): void {
    this.live.clear();
    this.spare = null;
    this.scratch = null;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.path) rmSync(this.path, { force: true });
  }

  private scratch: Float32Array | null = null;

  /** A reused array of at least rows × columns values. */
  private scratchRows(rows: number, columns: number): Float32Array {
    const n = rows * columns;
    if (!this.scratch || this.scratch.length < n) this.scratch = new Float32Array(n);
    return this.scratch;
  }

  /** Chunk j's ring rows for window rows y0 … y1 - 1, from the file, into `into` in row order. */
  private readRing(j: number, y0: number, y1: number, into: Float32Array): void {
    const columns = this.columnsOf(j);
    const rowBytes = columns * 4;
    const bytes = new Uint8Array(into.buffer, into.byteOffset, (y1 - y0) * rowBytes);
    let y = y0;
    while (y < y1) {
      // Up to the ring's end in one read.
      const ring = y % this.capacity;
      const n = Math.min(y1 - y, this.capacity - ring);
      const at = (y - y0) * rowBytes;
      this.io('read', () =>
        readAll(
          this.file(),
          bytes.subarray(at, at + n * rowBytes),
          j * this.chunkBytes + ring * rowBytes,
        ),
      );
      y += n;
    }
  }

  /** Chunk j in memory (most recently used), loaded from the file or new. */
  private load(j: number): Float32Array {
    const hit = this.live.get(j);
    if (hit) {
      this.live.delete(j);
      this.live.set(j, hit);
      return hit;
    }
    while (this.live.size >= this.keep) this.evictOldest();
    const columns = this.columnsOf(j);
    let data = this.spare && this.spare.length === columns * this.capacity ? this.spare : null;
    this.spare = null;
    data ??= new Float32Array(columns * this.capacity);
    if (this.stored.has(j)) {
      const bytes = new Uint8Array(data.buffer, 0, data.byteLength);
      this.io('read', () => readAll(this.file(), bytes, j * this.chunkBytes));
    }
    this.live.set(j, data);
    return data;
  }

  private evictOldest(): void {
    const [j, data] = this.live.entries().next().value as [number, Float32Array];
    this.live.delete(j);
    if (this.dirty.has(j)) {
      const bytes = new Uint8Array(data.buffer, 0, data.byteLength);
      this.io('write', () => writeAll(this.file(), bytes, j * this.chunkBytes));
      this.dirty.delete(j);
      this.stored.add(j);
    }
    this.spare = data;
  }

  /** File work, a failure (a full disk, a folder gone) as one message naming the file. */
  private io(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      throw new LandWatchError(
        'E_OUTPUT',
        `Could not ${what} the blending scratch file ${this.path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private file(): number {
    if (this.fd === null) {
      if (!this.path) throw new Error('band store: no scratch file for an in-memory band');
      this.fd = openSync(this.path, 'w+');
    }
    return this.fd;
  }
}

function readAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length;) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) {
      // Never written past here (a chunk evicted before a later one grew the file): zeros.
      bytes.fill(0, done);
      return;
    }
    done += n;
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length;) {
    done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
}
