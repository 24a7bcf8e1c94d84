/**
 * A float32 raster (band after band, row-major) written by row segments and read by windows like a
 * GeoTIFF source. Pyramid levels live here while a detection runs. A large one goes to a scratch
 * file: the coarse level of a 20 000² scene at factor 4 is 25 MP per band, which must not sit in
 * memory. A small one (up to the caller's `memoryBytes`) stays in memory: a 4096² scene's 1/4
 * level is 12 MB a date, and reading it back from the file a row at a time for every coarse tile
 * took ~0.13 s of a ~2 s screened run. The file is read whole rows at a time, many rows a call.
 */
import { closeSync, ftruncateSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { PixelWindow } from './raster-source.js';

/** Bytes of whole rows a file-backed window read fetches in one system call. */
const READ_CHUNK_BYTES = 1024 * 1024;

type Store = { fd: number } | { values: Float32Array };

/** A float32 raster in memory or in a temporary file; dispose() frees it (deletes the file). */
export class ScratchRaster {
  readonly info: {
    name: string;
    nodata: number | null;
    alphaBand: number | null;
    width: number;
    height: number;
    bands: number;
  };
  private store: Store | null;
  /** Whole rows of one band read from the file, reused by window reads. */
  private chunk = new Float32Array(0);

  /**
   * Zero-filled width × height × bands float32 values: in memory when they take at most
   * `memoryBytes`, else in a file at `path` (created, and deleted by dispose()).
   */
  constructor(
    readonly path: string,
    readonly width: number,
    readonly height: number,
    readonly bands: number,
    memoryBytes = 0,
  ) {
    this.info = { name: basename(path), nodata: null, alphaBand: null, width, height, bands };
    const count = width * height * bands;
    if (count * 4 <= memoryBytes) {
      this.store = { values: new Float32Array(count) };
    } else {
      const fd = openSync(path, 'w+');
      ftruncateSync(fd, count * 4);
      this.store = { fd };
    }
  }

  /** Whether the values are held in memory rather than in the file. */
  get inMemory(): boolean {
    return this.store !== null && 'values' in this.store;
  }

  /** Stores `values` at row y, columns x … x + values.length - 1, of a band. */
  writeSegment(band: number, y: number, x: number, values: Float32Array): void {
    const at = (band * this.height + y) * this.width + x;
    const store = this.open();
    if ('values' in store) store.values.set(values, at);
    else writeSync(store.fd, values, 0, values.byteLength, at * 4);
  }

  /** A window of the given bands; pixels outside the raster are NaN (as RasterSource does). */
  async readWindow(window: PixelWindow, bands: number[]): Promise<Float32Array[]> {
    const into = bands.map(() => new Float32Array(window.width * window.height));
    await this.readWindowInto(window, bands, into);
    return into;
  }

  /** readWindow into the caller's window-sized arrays, one per band. */
  async readWindowInto(window: PixelWindow, bands: number[], into: Float32Array[]): Promise<void> {
    const x0 = Math.max(0, window.x);
    const x1 = Math.min(this.width, window.x + window.width);
    const y0 = Math.max(0, window.y);
    const y1 = Math.min(this.height, window.y + window.height);
    const store = this.open();
    bands.forEach((band, i) => {
      const out = into[i];
      const inside = x1 > x0 && y1 > y0;
      const whole = inside && x0 === window.x && x1 - x0 === window.width;
      if (!whole || y0 !== window.y || y1 - y0 !== window.height) out.fill(Number.NaN);
      if (!inside) return;
      const put = (rows: Float32Array, first: number, y: number) => {
        const from = (y - first) * this.width + x0;
        out.set(rows.subarray(from, from + x1 - x0), (y - window.y) * window.width + x0 - window.x);
      };
      if ('values' in store) {
        const plane = band * this.height;
        for (let y = y0; y < y1; y++) put(store.values.subarray((plane + y) * this.width), y, y);
        return;
      }
      // Whole rows, many at a time: one system call per chunk rather than one per row.
      const perChunk = Math.max(1, Math.floor(READ_CHUNK_BYTES / (4 * this.width)));
      for (let first = y0; first < y1; first += perChunk) {
        const n = Math.min(perChunk, y1 - first);
        const rows = this.readRows(store.fd, band, first, n);
        for (let y = first; y < first + n; y++) put(rows, first, y);
      }
    });
  }

  /** Frees the values; closes and deletes the file. */
  dispose(): void {
    if (this.store && 'fd' in this.store) closeSync(this.store.fd);
    if (this.store && 'fd' in this.store) rmSync(this.path, { force: true });
    this.store = null;
    this.chunk = new Float32Array(0);
  }

  /** Rows first … first + n - 1 of a band, whole, from the file (a view of the reused chunk). */
  private readRows(fd: number, band: number, first: number, n: number): Float32Array {
    const count = n * this.width;
    if (this.chunk.length < count) this.chunk = new Float32Array(count);
    const bytes = new Uint8Array(this.chunk.buffer, 0, count * 4);
    const offset = (band * this.height + first) * this.width * 4;
    let got = 0;
    while (got < bytes.length) {
      const read = readSync(fd, bytes, got, bytes.length - got, offset + got);
      if (read === 0) break;
      got += read;
    }
    return this.chunk;
  }

  private open(): Store {
    if (this.store === null) throw new Error(`${this.path} is closed`);
    return this.store;
  }
}
