/**
 * The blended change probability on disk. While a detection runs, finished rows go to a raw file
 * (one byte per pixel, written in place, so a killed run keeps every finished row); when it is
 * done the rows become a tiled, deflated GeoTIFF next to it, which stays for re-extraction at
 * another threshold. Probabilities are stored as round(p × 255): 1/255 is far finer than any
 * threshold an analyst picks, and a 20 000² scene is at most 400 MB before compression.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { throwIfAborted } from '../errors.js';
import {
  createGeoTiffWriter,
  type GeoKeySource,
  type GeoTiffWriter,
  type GeoTransform,
} from './geotiff-write.js';

/** Stored value of probability 1. */
export const PROBABILITY_SCALE = 255;

/** The probability each stored byte stands for (as a 32-bit float). */
const BYTE_PROBABILITY = Float32Array.from({ length: 256 }, (_, v) => v / PROBABILITY_SCALE);

/** A probability stored as a byte (NaN and negatives → 0). */
export function quantise(p: number): number {
  return p > 0 ? Math.min(PROBABILITY_SCALE, Math.round(p * PROBABILITY_SCALE)) : 0;
}

/** The raw rows of a run in progress: width × height bytes, row-major, written in place. */
export class RawProbability {
  private fd: number | null;
  private bytes = new Uint8Array(0);

  /**
   * Opens `path`, creating it (zero-filled) when `create` is set or it does not exist. Rows of a
   * created file that are never written read as 0 (a sparse file holds no blocks for them).
   */
  constructor(
    readonly path: string,
    readonly width: number,
    readonly height: number,
    private readonly create: boolean,
  ) {
    this.fd = openSync(path, create ? 'w+' : 'r+');
  }

  /**
   * Stores finished rows starting at row `y`. With `columns` (sorted [start, end) pairs), the rows
   * are known to be 0 outside them: only those columns are quantised, and rows with no column at
   * all are not written to a created file (they read as 0 already).
   */
  writeRows(y: number, prob: Float32Array, columns?: Int32Array): void {
    const n = prob.length;
    if (columns && columns.length === 0 && this.create) return;
    // One buffer for every write: rows arrive all through a run, and each new array would be
    // garbage that piles up while the model runs.
    if (this.bytes.length < n) this.bytes = new Uint8Array(n);
    const bytes = this.bytes;
    if (columns) {
      bytes.fill(0, 0, n);
      const w = this.width;
      for (let o = 0; o < n; o += w) {
        for (let j = 0; j < columns.length; j += 2) {
          for (let i = o + columns[j]; i < o + columns[j + 1]; i++) bytes[i] = quantise(prob[i]);
        }
      }
    } else {
      for (let i = 0; i < n; i++) bytes[i] = quantise(prob[i]);
    }
    writeSync(this.handle(), bytes, 0, n, y * this.width);
  }

  /**
   * Rows `y0` … `y1 - 1` as stored bytes (rows never written read as 0), into `into` (a view of
   * its start) when it is long enough, else a new array.
   */
  readRows(y0: number, y1: number, into?: Uint8Array): Uint8Array {
    const length = (y1 - y0) * this.width;
    const out = into && into.length >= length ? into.subarray(0, length) : new Uint8Array(length);
    let got = 0;
    while (got < out.length) {
      const n = readSync(this.handle(), out, got, out.length - got, y0 * this.width + got);
      if (n === 0) break;
      got += n;
    }
    // Past the end of the file: rows never written (a reused buffer holds older rows there).
    out.fill(0, got);
    return out;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** Closes and deletes the raw file. */
  dispose(): void {
    this.close();
    rmSync(this.path, { force: true });
  }

  private handle(): number {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    return this.fd;
  }
}

/** Where a probability raster lies: the processed window's transform and the before CRS. */
export interface ProbabilityGeoref {
  geoTransform: GeoTransform;
  geoKeys: GeoKeySource;
}

/** Number of 2× overview levels that bring the longer side to about 256 px (0 for small rasters). */
export function overviewLevelsFor(width: number, height: number): number {
  return Math.max(0, Math.floor(Math.log2(Math.max(width, height) / 256)));
}

/**
 * Writes the raw rows as a uint8 GeoTIFF (tiled, deflate, with overviews), block row by block row.
 * With `bandNames` the raw file holds that many bands one after another (band b is raw rows
 * b × height … (b + 1) × height − 1, as the kind map keeps them) and the GeoTIFF gets one band
 * each, described by its name.
 */
export async function rawToGeoTiff(
  raw: RawProbability,
  tifPath: string,
  georef: ProbabilityGeoref,
  signal?: AbortSignal,
  bandNames?: string[],
): Promise<void> {
  const stream = await RawTiffStream.open(raw, tifPath, georef, { bandNames });
  await stream.finish(signal);
}

/**
 * {@link rawToGeoTiff} while the raw rows are still being written top to bottom: `advance` writes
 * every block row that lies above the rows written so far, so the conversion keeps pace with the
 * model instead of following it; `finish` writes the rest. Any failure deletes the partial file.
 */
export class RawTiffStream {
  /** Rows converted so far (a multiple of the block height, or the height). */
  private done = 0;
  /** The block row being converted, reused. */
  private rows = new Uint8Array(0);

  private constructor(
    private readonly raw: RawProbability,
    private readonly writer: GeoTiffWriter,
    private readonly bands: number,
    private readonly height: number,
  ) {}

  static async open(
    raw: RawProbability,
    tifPath: string,
    georef: ProbabilityGeoref,
    options: {
      bandNames?: string[];
      /** Blocks compressed and written on this thread (geotiff-write.ts `blocking`). */
      blocking?: boolean;
    } = {},
  ): Promise<RawTiffStream> {
    const { width } = raw;
    const { bandNames, blocking } = options;
    const bands = bandNames?.length ?? 1;
    const height = raw.height / bands;
    if (!Number.isInteger(height)) throw new Error(`${raw.path} does not hold ${bands} bands`);
    const writer = await createGeoTiffWriter(tifPath, {
      width,
      height,
      bands,
      sampleFormat: 'uint8',
      photometric: 'minisblack',
      geoTransform: georef.geoTransform,
      geoKeys: georef.geoKeys,
      compression: 'deflate',
      overwrite: true,
      bandDescriptions: bandNames,
      blocking,
      // Overviews down to about 256 px, so the review desk's heat layer (ol/source/GeoTIFF) reads
      // a reduced image when zoomed out on a huge scene instead of every full-resolution block.
      overviews: overviewLevelsFor(width, height),
    });
    return new RawTiffStream(raw, writer, bands, height);
  }

  /** Converts every block row above row `ready` not converted yet (all bands must have them). */
  async advance(ready: number, signal?: AbortSignal): Promise<void> {
    const { raw, writer, bands, height } = this;
    const { width } = raw;
    try {
      while (this.done < height) {
        const y = this.done;
        const y1 = Math.min(height, y + writer.blockHeight);
        if (y1 > ready) return;
        throwIfAborted(signal);
        if (bands === 1) {
          // Into one buffer for every block row (the writer copies what it keeps).
          const length = (y1 - y) * width;
          if (this.rows.length < length) this.rows = new Uint8Array(length);
          await writer.writeRows(raw.readRows(y, y1, this.rows));
        } else {
          // Pixel-interleaved, as the writer takes rows.
          const rows = new Uint8Array((y1 - y) * width * bands);
          for (let b = 0; b < bands; b++) {
            const plane = raw.readRows(b * height + y, b * height + y1);
            for (let i = 0; i < plane.length; i++) rows[i * bands + b] = plane[i];
          }
          await writer.writeRows(rows);
        }
        this.done = y1;
      }
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  /** Converts the rows left and closes the file. */
  async finish(signal?: AbortSignal): Promise<void> {
    await this.advance(this.height, signal);
    try {
      await this.writer.close();
    } catch (error) {
      await this.writer.abort();
      throw error;
    }
  }

  /** Deletes the partial file (after a failure or cancel elsewhere). */
  async abort(): Promise<void> {
    await this.writer.abort();
  }
}

/**
 * The raw rows as probabilities (stored value / 255), exactly as {@link GeoTiffRows} reads them,
 * and as the stored bytes with the table of their values (strip-vectorise.ts thresholds those).
 * For one reader at a time: each read reuses the array of the one before (a strip's worth of
 * rows, read all through a run, would otherwise be garbage piling up while the model runs).
 */
export function rawRows(raw: RawProbability): {
  width: number;
  height: number;
  read(y0: number, y1: number): Promise<Float32Array>;
  bytes: { table: Float32Array; read(y0: number, y1: number): Promise<Uint8Array> };
} {
  let buffer = new Float32Array(0);
  let byteBuffer = new Uint8Array(0);
  const readBytes = (y0: number, y1: number) => {
    const length = (y1 - y0) * raw.width;
    if (byteBuffer.length < length) byteBuffer = new Uint8Array(length);
    return raw.readRows(y0, y1, byteBuffer);
  };
  return {
    width: raw.width,
    height: raw.height,
    read: async (y0, y1) => {
      const data = readBytes(y0, y1);
      if (buffer.length < data.length) buffer = new Float32Array(data.length);
      const out = buffer.subarray(0, data.length);
      // Through a table of the 256 values: the same floats as dividing, without a division a pixel.
      for (let i = 0; i < out.length; i++) out[i] = BYTE_PROBABILITY[data[i]];
      return out;
    },
    bytes: { table: BYTE_PROBABILITY, read: async (y0, y1) => readBytes(y0, y1) },
  };
}
