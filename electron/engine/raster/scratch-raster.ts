/**
 * A float32 raster in a scratch file (band after band, row-major), written by row segments and read
 * by windows like a GeoTIFF source. Pyramid levels live here while a detection runs: the coarse
 * level of a 20 000² scene at factor 4 is 25 MP per band, which must not sit in memory.
 */
import { closeSync, ftruncateSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { PixelWindow } from './raster-source.js';

/** A float32 raster in a temporary file; dispose() deletes it. */
export class ScratchRaster {
  readonly info: {
    name: string;
    nodata: number | null;
    alphaBand: number | null;
    width: number;
    height: number;
    bands: number;
  };
  private fd: number | null;

  /** Creates the file (filled with zeros) for width × height × bands float32 values. */
  constructor(
    readonly path: string,
    readonly width: number,
    readonly height: number,
    readonly bands: number,
  ) {
    this.info = { name: basename(path), nodata: null, alphaBand: null, width, height, bands };
    this.fd = openSync(path, 'w+');
    ftruncateSync(this.fd, width * height * bands * 4);
  }

  /** Stores `values` at row y, columns x … x + values.length - 1, of a band. */
  writeSegment(band: number, y: number, x: number, values: Float32Array): void {
    const offset = ((band * this.height + y) * this.width + x) * 4;
    writeSync(this.handle(), values, 0, values.byteLength, offset);
  }

  /** A window of the given bands; pixels outside the raster are NaN (as RasterSource does). */
  async readWindow(window: PixelWindow, bands: number[]): Promise<Float32Array[]> {
    const x0 = Math.max(0, window.x);
    const x1 = Math.min(this.width, window.x + window.width);
    const y0 = Math.max(0, window.y);
    const y1 = Math.min(this.height, window.y + window.height);
    return bands.map((band) => {
      const out = new Float32Array(window.width * window.height).fill(Number.NaN);
      if (x1 <= x0 || y1 <= y0) return out;
      const row = new Float32Array(x1 - x0);
      const bytes = new Uint8Array(row.buffer);
      for (let y = y0; y < y1; y++) {
        const offset = ((band * this.height + y) * this.width + x0) * 4;
        let got = 0;
        while (got < bytes.length) {
          const n = readSync(this.handle(), bytes, got, bytes.length - got, offset + got);
          if (n === 0) break;
          got += n;
        }
        out.set(row, (y - window.y) * window.width + (x0 - window.x));
      }
      return out;
    });
  }

  /** Closes and deletes the file. */
  dispose(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.path, { force: true });
  }

  private handle(): number {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    return this.fd;
  }
}
