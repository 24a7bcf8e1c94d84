/**
 * A GeoTIFF opened for windowed reading. Nothing here reads a whole image: callers ask for windows
 * and get one Float32Array per requested band.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { fromFile, type GeoTIFF, type GeoTIFFImage } from 'geotiff';
import { LandWatchError } from '../errors.js';
import { BLOCK_CACHE_BYTES, BlockReader } from './block-reader.js';
import type { CrsInfo } from './crs-from-geokeys.js';
import { colourModel, type ColourModel } from './colour-model.js';
import { checkTiffStructure } from './tiff-structure.js';
import type { ImageMetadata } from './gdal-metadata.js';
import { findMask, readMask } from './mask-band.js';
import { describe } from './raster-info.js';

/** GDAL order: [originX, pixelWidth, rotX, originY, rotY, pixelHeight (negative for north-up)]. */
export type GeoTransform = [number, number, number, number, number, number];

export interface RasterInfo {
  path: string;
  name: string;
  width: number;
  height: number;
  bands: number;
  bitsPerSample: number;
  sampleFormat: 'uint' | 'int' | 'float';
  geoTransform: GeoTransform;
  crs: CrsInfo;
  nodata: number | null;
  /** Index of an alpha band (0-based), when the TIFF declares one. */
  alphaBand: number | null;
  photometric: number;
  overviewCount: number;
  metadata: ImageMetadata;
  /** The raw GeoKey tags, so outputs on this grid can carry exactly the same CRS. */
  geoKeyTags: GeoKeyTags;
}

export interface GeoKeyTags {
  directory: number[];
  doubleParams?: number[];
  asciiParams?: string;
}

/** Size and blocks of one image of a TIFF (the full image or an overview). */
export interface StoredLevel {
  width: number;
  height: number;
  tiled: boolean;
  tileWidth: number;
  tileHeight: number;
}

/** The full image's storage (see {@link RasterSource.storedLayout}). */
export interface StoredLayout extends StoredLevel {
  /** TIFF compression code (1 none, 5 LZW, 7 JPEG, 8 deflate …). */
  compression: number;
  colour: ColourModel['kind'];
  /** Decodable overviews with the image's band count, in file order. */
  overviews: StoredLevel[];
}

export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A windowed read into the caller's window-sized arrays, one per band (NaN outside the raster):
 * what a run of many windows uses to reuse the same few arrays instead of allocating new ones.
 */
export type ReadWindowInto = (
  window: PixelWindow,
  bands: number[],
  into: Float32Array[],
  signal?: AbortSignal,
) => Promise<void>;

/** How a window is read. */
export interface ReadOptions {
  /** Whether the decoded blocks go to the block cache (default true). */
  keep?: boolean;
}

export class RasterSource {
  /** Fast block path with a bounded cache of decoded blocks; null → geotiff.js readRasters. */
  private readonly blocks: BlockReader | null;

  private constructor(
    readonly info: RasterInfo,
    private readonly tiff: GeoTIFF,
    private readonly image: GeoTIFFImage,
    blockCacheBytes: number,
    private readonly colour: ColourModel,
    /** Per image of the file, whether it can be decoded (tiff-structure.ts). */
    private readonly decodable: boolean[],
    /** GDAL's internal mask, presented as the alpha band (mask-band.ts); null when none. */
    private readonly mask: GeoTIFFImage | null,
  ) {
    this.blocks = BlockReader.for(image, blockCacheBytes, info.path);
  }

  /**
   * Opens a GeoTIFF and reads its header, georeferencing and CRS. Fails with one clear message
   * that names the file: missing, not a TIFF, truncated or corrupt, or not georeferenced.
   * `blockCacheBytes` bounds the cache of decoded blocks (default 24 MB; 0 for a reader that
   * visits each block once).
   */
  static async open(
    path: string,
    signal?: AbortSignal,
    options: { blockCacheBytes?: number } = {},
  ): Promise<RasterSource> {
    const name = basename(path);
    const st = await stat(path).catch(() => null);
    if (!st) throw new LandWatchError('E_FILE_NOT_FOUND', `${name}: file not found (${path}).`);
    if (st.isDirectory())
      throw new LandWatchError('E_NOT_TIFF', `${name}: is a folder, not a TIFF file (${path}).`);
    if (!st.isFile())
      throw new LandWatchError('E_NOT_TIFF', `${name}: is not a regular file (${path}).`);
    if (st.size < 8)
      throw new LandWatchError('E_NOT_TIFF', `${name}: not a TIFF file (only ${st.size} bytes).`);
    const decodable = await checkTiffStructure(path, name, st.size).catch((error: unknown) => {
      if (error instanceof LandWatchError) throw error;
      const why =
        (error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : String(error);
      throw new LandWatchError('E_NOT_TIFF', `${name}: cannot be read (${why}).`, { cause: error });
    });
    let tiff: GeoTIFF;
    let image: GeoTIFFImage;
    try {
      tiff = await fromFile(path, signal);
      image = await tiff.getImage(0);
    } catch (error) {
      const msg = error instanceof Error ? error.message : String(error);
      const notTiff = /byte order|magic|Invalid/i.test(msg);
      throw new LandWatchError(
        notTiff ? 'E_NOT_TIFF' : 'E_TIFF_CORRUPT',
        notTiff ? `${name}: not a TIFF file.` : `${name}: the TIFF header cannot be read (${msg}).`,
        { cause: error },
      );
    }
    const colour = await colourModel(image, image.getSamplesPerPixel());
    const info = await describe(path, name, tiff, image, colour).catch((error: unknown) => {
      if (error instanceof LandWatchError) throw error;
      const msg = error instanceof Error ? error.message : String(error);
      throw new LandWatchError(
        'E_NO_GEOREF',
        `${name}: the georeferencing tags cannot be read (${msg}); the file may be damaged.`,
        { cause: error },
      );
    });
    // An internal mask stands in for an alpha band the file does not have: one band past the last.
    const mask = info.alphaBand === null ? await findMask(tiff, image, decodable) : null;
    if (mask) info.alphaBand = info.bands;
    return new RasterSource(
      info,
      tiff,
      image,
      options.blockCacheBytes ?? BLOCK_CACHE_BYTES,
      colour,
      decodable,
      mask,
    );
  }

  /**
   * Reads a window of the given bands (0-based) as Float32 arrays, row-major, window-sized. Pixels
   * of the window that fall outside the image are filled with `fill` (default NaN). `keep` false:
   * the blocks it decodes are not cached (a read nothing near will follow, such as sampling).
   */
  async readWindow(
    window: PixelWindow,
    bands: number[],
    signal?: AbortSignal,
    options: ReadOptions = {},
  ): Promise<Float32Array[]> {
    const maskBand = this.mask ? this.info.alphaBand : null;
    if (maskBand !== null && bands.includes(maskBand)) {
      const rest = bands.filter((b) => b !== maskBand);
      const data = rest.length > 0 ? await this.readWindow(window, rest, signal, options) : [];
      const alpha = await readMask(this.mask as GeoTIFFImage, this.info.name, window, signal);
      let k = 0;
      return bands.map((b) => (b === maskBand ? Float32Array.from(alpha) : data[k++]));
    }
    if (this.colour.kind === 'direct') return this.readStored(window, bands, signal, options);
    const stored = await this.readStored(window, this.colour.raw(bands), signal, options);
    return this.colour.convert(stored, bands, this.nodata);
  }

  /**
   * The 8-bit fast path of a tile read (tile-feeds.ts): maps the window's bands through 256-entry
   * tables (bands.ts byteNormaliseTable) straight into `target`, band i at i × window size; pixels
   * outside the image, and those whose entry is NaN, become 0 with their flag set in `invalid`.
   * Returns false, having written nothing, where it does not apply (not unsigned 8-bit, colour
   * converted, or the internal mask among the bands); the caller then uses readWindow.
   */
  async readMapped(
    window: PixelWindow,
    bands: number[],
    tables: Float32Array[],
    target: Float32Array,
    invalid: Uint8Array,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const maskBand = this.mask ? this.info.alphaBand : null;
    const reader = this.blocks;
    if (!reader?.byteSamples || this.colour.kind !== 'direct') return false;
    if (maskBand !== null && bands.includes(maskBand)) return false;
    const { width: w, height: h } = window;
    const x0 = Math.max(0, window.x);
    const y0 = Math.max(0, window.y);
    const x1 = Math.max(x0, Math.min(this.info.width, window.x + w));
    const y1 = Math.max(y0, Math.min(this.info.height, window.y + h));
    // Outside the image: 0 and flagged, as readWindow's NaN would be in normaliseInto.
    for (let r = 0; r < h; r++) {
      const inside = r >= y0 - window.y && r < y1 - window.y && x1 > x0;
      const spans = inside
        ? [
            [0, x0 - window.x],
            [x1 - window.x, w],
          ]
        : [[0, w]];
      for (const [a, b] of spans) {
        if (b <= a) continue;
        invalid.fill(1, r * w + a, r * w + b);
        for (let i = 0; i < bands.length; i++)
          target.fill(0, i * w * h + r * w + a, i * w * h + r * w + b);
      }
    }
    if (x1 <= x0 || y1 <= y0) return true;
    try {
      const [ox, oy] = [x0 - window.x, y0 - window.y];
      await reader.readMapped(
        x0,
        y0,
        x1,
        y1,
        bands,
        tables,
        target,
        w * h,
        invalid,
        w,
        ox,
        oy,
        signal,
      );
    } catch (error) {
      throw this.readFailed(error, x0, y0, x1, y1, signal);
    }
    return true;
  }

  private readFailed(
    error: unknown,
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    signal?: AbortSignal,
  ) {
    if (signal?.aborted) return new LandWatchError('E_CANCELLED', 'Cancelled.');
    const msg = error instanceof Error ? error.message : String(error);
    return new LandWatchError(
      'E_TIFF_CORRUPT',
      `${this.info.name}: pixels at x ${x0}–${x1}, y ${y0}–${y1} cannot be read; the file may be truncated or corrupt (${msg}).`,
      { cause: error },
    );
  }

  /** The file's own no-data value (a palette index for palette images). */
  private get nodata(): number | null {
    return this.image.getGDALNoData();
  }

  /** Stored samples of a window, before any colour conversion; see readWindow. */
  private async readStored(
    window: PixelWindow,
    bands: number[],
    signal?: AbortSignal,
    options: ReadOptions = {},
  ): Promise<Float32Array[]> {
    const { width, height } = this.info;
    const x0 = Math.max(0, window.x);
    const y0 = Math.max(0, window.y);
    const x1 = Math.min(width, window.x + window.width);
    const y1 = Math.min(height, window.y + window.height);
    const out = bands.map(() => new Float32Array(window.width * window.height).fill(Number.NaN));
    if (x1 <= x0 || y1 <= y0) return out;
    const unique = [...new Set(bands)];
    let rasters: ArrayLike<number>[];
    try {
      if (this.blocks) {
        // Read each band once straight into its first output array, then copy repeats.
        const first = unique.map((b) => out[bands.indexOf(b)]);
        await this.blocks.read(
          x0,
          y0,
          x1,
          y1,
          unique,
          first,
          window.width,
          x0 - window.x,
          y0 - window.y,
          signal,
          options.keep ?? true,
        );
        bands.forEach((b, i) => {
          if (bands.indexOf(b) !== i) out[i].set(out[bands.indexOf(b)]);
        });
        return out;
      }
      const data = await this.image.readRasters({
        window: [x0, y0, x1, y1],
        samples: unique,
        interleave: false,
        signal,
      });
      rasters = data as unknown as ArrayLike<number>[];
    } catch (error) {
      throw this.readFailed(error, x0, y0, x1, y1, signal);
    }
    const w = x1 - x0;
    const ox = x0 - window.x;
    const oy = y0 - window.y;
    bands.forEach((band, i) => {
      const src = rasters[unique.indexOf(band)];
      const dst = out[i];
      for (let r = 0; r < y1 - y0; r++) {
        const so = r * w;
        const dOff = (r + oy) * window.width + ox;
        for (let c = 0; c < w; c++) dst[dOff + c] = src[so + c];
      }
    });
    return out;
  }

  /**
   * Reads one band (0-based) of a window into `out` (window-sized, row-major), e.g. straight into a
   * Uint8Array for byte data without a Float32 copy; pixels outside the image are left untouched.
   */
  async readBandInto(
    window: PixelWindow,
    band: number,
    out: Float32Array | Uint8Array,
    signal?: AbortSignal,
  ): Promise<void> {
    const x0 = Math.max(0, window.x);
    const y0 = Math.max(0, window.y);
    const x1 = Math.min(this.info.width, window.x + window.width);
    const y1 = Math.min(this.info.height, window.y + window.height);
    if (x1 <= x0 || y1 <= y0) return;
    if (this.blocks && this.colour.kind === 'direct') {
      await this.blocks.read(
        x0,
        y0,
        x1,
        y1,
        [band],
        [out],
        window.width,
        x0 - window.x,
        y0 - window.y,
        signal,
      );
      return;
    }
    const [data] = await this.readWindow(window, [band], signal);
    for (let i = 0; i < data.length; i++) if (data[i] === data[i]) out[i] = data[i];
  }

  /** Size of the blocks the file is stored in (tiles, or full-width strips); reads aligned to
   * them decode each block once. */
  blockSize(): { width: number; height: number } {
    return { width: this.image.getTileWidth(), height: this.image.getTileHeight() };
  }

  /** Number of reduced-resolution images (COG overviews) in the file. */
  async overviewImages(): Promise<GeoTIFFImage[]> {
    // Overviews are read as stored; converted colours (YCbCr, palette) use the full image.
    if (this.colour.kind !== 'direct') return [];
    const count = await this.tiff.getImageCount();
    const out: GeoTIFFImage[] = [];
    for (let i = 1; i < count; i++) {
      if (!this.decodable[i]) continue;
      const img = await this.tiff.getImage(i);
      if (img.getSamplesPerPixel() === this.info.bands) out.push(img);
    }
    return out;
  }

  /**
   * The overviews with the colour model each is decoded through, for readers that convert colours
   * themselves (overview-reader.ts): unlike {@link overviewImages}, this includes the overviews of
   * JPEG/YCbCr and palette files, whose stored samples are not yet RGB.
   */
  async colourOverviews(): Promise<{ image: GeoTIFFImage; colour: ColourModel }[]> {
    const spp = this.image.getSamplesPerPixel();
    const count = await this.tiff.getImageCount();
    const out: { image: GeoTIFFImage; colour: ColourModel }[] = [];
    for (let i = 1; i < count; i++) {
      if (!this.decodable[i]) continue;
      const image = await this.tiff.getImage(i);
      if (image.getSamplesPerPixel() !== spp) continue;
      const colour = await colourModel(image, spp);
      if (colour.kind === this.colour.kind) out.push({ image, colour });
    }
    return out;
  }

  /**
   * How the file is stored, for deciding whether a map can show it straight from the file
   * (display-copy.ts): block layout and compression of the full image and of its overviews.
   */
  async storedLayout(): Promise<StoredLayout> {
    const level = (image: GeoTIFFImage): StoredLevel => ({
      width: image.getWidth(),
      height: image.getHeight(),
      tiled: image.isTiled,
      tileWidth: image.getTileWidth(),
      tileHeight: image.getTileHeight(),
    });
    const fd = this.image.getFileDirectory();
    return {
      ...level(this.image),
      compression: Number(fd.getValue('Compression') ?? 1),
      colour: this.colour.kind,
      overviews: (await this.overviewImages()).map(level),
    };
  }

  /** Frees the decoded-block cache (reads still work; they decode again). */
  releaseCache(): void {
    this.blocks?.clear();
  }

  close(): void {
    this.blocks?.close();
    // geotiff.js file sources hold a file handle; close it when the source supports it.
    const source = (this.tiff as unknown as { source?: { close?: () => void } }).source;
    source?.close?.();
  }
}
