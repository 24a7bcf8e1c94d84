/**
 * A probability GeoTIFF read back row by row (a finished detection's probability.tif, for
 * re-extraction and masks). Apart from probability-file.ts, whose raw rows and GeoTIFF stream a
 * detection's writing thread (follow-worker.ts) loads without geotiff.js.
 */
import { PROBABILITY_SCALE } from './probability-file.js';
import { RasterSource } from './raster-source.js';

/**
 * Rows of a single-band GeoTIFF as probabilities (stored value / `scale`), read in whole blocks of
 * the file so each block is decoded once while a reader moves down the raster; only the blocks
 * covering the last request are kept (as bytes).
 */
export class GeoTiffRows {
  private cache: { y0: number; y1: number; data: Uint8Array } | null = null;

  private constructor(
    private readonly source: RasterSource,
    readonly width: number,
    readonly height: number,
    private readonly blockRows: number,
    private readonly scale: number,
  ) {
    this.bytes = {
      table: Float32Array.from({ length: 256 }, (_, v) => v / scale),
      read: (y0, y1, signal) => this.readBytes(y0, y1, signal),
    };
  }

  static async open(path: string, scale = PROBABILITY_SCALE): Promise<GeoTiffRows> {
    // Rows are read top to bottom, each block once: no block cache to hold.
    const source = await RasterSource.open(path, undefined, { blockCacheBytes: 0 });
    const { width, height } = source.info;
    return new GeoTiffRows(source, width, height, source.blockSize().height, scale);
  }

  get info() {
    return this.source.info;
  }

  async read(y0: number, y1: number, signal?: AbortSignal): Promise<Float32Array> {
    const data = await this.readBytes(y0, y1, signal);
    const out = new Float32Array(data.length);
    for (let i = 0; i < out.length; i++) out[i] = data[i] / this.scale;
    return out;
  }

  /** The rows as stored bytes; byte v stands for probability `table[v]`, as `read` gives it. */
  readonly bytes: {
    table: Float32Array;
    read(y0: number, y1: number, signal?: AbortSignal): Promise<Uint8Array>;
  };

  /** Rows `y0` … `y1 - 1` as stored bytes: a view of the block rows now cached. */
  private async readBytes(y0: number, y1: number, signal?: AbortSignal): Promise<Uint8Array> {
    const { width, blockRows } = this;
    const a = Math.floor(y0 / blockRows) * blockRows;
    const b = Math.min(this.height, Math.ceil(y1 / blockRows) * blockRows);
    const data = new Uint8Array((b - a) * width);
    let from = a;
    const c = this.cache;
    if (c && c.y0 <= a && c.y1 > a) {
      from = Math.min(b, c.y1);
      data.set(c.data.subarray((a - c.y0) * width, (from - c.y0) * width));
    }
    if (from < b) {
      // Byte rasters go straight into the byte cache: no full-width Float32 copy of the block row.
      const target = data.subarray((from - a) * width);
      await this.source.readBandInto({ x: 0, y: from, width, height: b - from }, 0, target, signal);
    }
    this.cache = { y0: a, y1: b, data };
    return data.subarray((y0 - a) * width, (y1 - a) * width);
  }

  close(): void {
    this.cache = null;
    this.source.close();
  }
}
