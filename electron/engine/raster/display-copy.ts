/**
 * Imagery the map can show fast: a scene is read by the renderer tile by tile over HTTP range
 * requests, which works only when the file is tiled and carries overviews down to a size one
 * screen's worth of tiles covers. A stripped or overview-less scene (a Landsat export, a county
 * mosaic written by a tool that never made a pyramid) would need thousands of requests per view,
 * so it gets a display copy once: a tiled GeoTIFF with internal overviews (COG-style, 2 × 2 means),
 * on the same grid and CRS, written by the streaming writer a few rows at a time, so a 16384²
 * scene never has to be in memory. Detection keeps reading the original.
 */
import { LandWatchError, throwIfAborted } from '../errors.js';
import { createGeoTiffWriter, type SampleArray, type SampleFormat } from './geotiff-write.js';
import type { RasterInfo, RasterSource, StoredLayout } from './raster-source.js';

/** Tile edge of display copies: fewer, larger requests per view than 256 (bench-display.ts). */
export const DISPLAY_TILE = 512;
/** The coarsest level a map may need whole: a full view of it is at most a few tiles. */
export const DISPLAY_COARSEST_MAX = 1024;
/** Compressions geotiff.js decodes in the browser: none, LZW, JPEG, deflate (2), PackBits. */
const BROWSER_COMPRESSIONS = new Set([1, 5, 7, 8, 32946, 32773]);
/** Samples held per read while copying (float32 window of all bands), about 32 MB. */
const READ_SAMPLES = 8 * 1024 * 1024;

/**
 * Why a scene cannot be shown straight from its file, or null when it can: tiled in square tiles
 * of 64–1024 px, a compression the browser decodes, colours stored as they are shown, and a
 * coarsest level (the image or its smallest tiled overview) at most {@link DISPLAY_COARSEST_MAX}
 * px on its longer side.
 *
 * @example displayCopyReason({ ...layout, tiled: false }) // → 'stored in strips'
 */
export function displayCopyReason(layout: StoredLayout): string | null {
  if (layout.colour !== 'direct') {
    return `stored as ${layout.colour === 'ycbcr' ? 'JPEG YCbCr' : 'a palette'}`;
  }
  if (!layout.tiled) return 'stored in strips';
  const squareTiles = (l: { tileWidth: number; tileHeight: number }) =>
    l.tileWidth === l.tileHeight && l.tileWidth >= 64 && l.tileWidth <= 1024;
  if (!squareTiles(layout)) return `tiles of ${layout.tileWidth} × ${layout.tileHeight} px`;
  if (!BROWSER_COMPRESSIONS.has(layout.compression)) {
    return `TIFF compression ${layout.compression}`;
  }
  const usable = layout.overviews.filter((o) => o.tiled && squareTiles(o));
  const coarsest = Math.min(
    Math.max(layout.width, layout.height),
    ...usable.map((o) => Math.max(o.width, o.height)),
  );
  if (coarsest > DISPLAY_COARSEST_MAX) {
    return usable.length === 0 ? 'no overviews' : `overviews reach down to ${coarsest} px only`;
  }
  return null;
}

/** The sample type of the display copy: bytes and 16-bit stay, anything else becomes float32. */
export function displaySampleFormat(info: Pick<RasterInfo, 'bitsPerSample' | 'sampleFormat'>) {
  if (info.sampleFormat === 'uint' && info.bitsPerSample === 8) return 'uint8';
  if (info.sampleFormat === 'uint' && info.bitsPerSample === 16) return 'uint16';
  return 'float32';
}

/** Overview levels so the coarsest is at most one display tile on its longer side. */
export function displayOverviewCount(width: number, height: number): number {
  const longer = Math.max(width, height);
  return Math.min(8, Math.max(0, Math.ceil(Math.log2(longer / DISPLAY_TILE))));
}

export interface DisplayCopyOptions {
  signal?: AbortSignal;
  /** Rows copied so far of the scene's height. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes the display copy of `source` to `path` (replacing it): every band, in the sample type
 * of {@link displaySampleFormat}, tiled {@link DISPLAY_TILE} px, deflate, with internal overviews,
 * georeferenced as the source. Memory: one window of rows at a time plus the writer's block row.
 * A failure or cancel leaves no file behind (the writer writes `path.part` and renames on close).
 */
export async function writeDisplayCopy(
  source: RasterSource,
  path: string,
  options: DisplayCopyOptions = {},
): Promise<void> {
  const { info } = source;
  const { width, height, bands } = info;
  const format = displaySampleFormat(info);
  const nodata = representable(info.nodata, format);
  const writer = await createGeoTiffWriter(path, {
    width,
    height,
    bands,
    sampleFormat: format,
    photometric: bands >= 3 && [2, 3, 6].includes(info.photometric) ? 'rgb' : 'minisblack',
    geoTransform: info.geoTransform,
    geoKeys: {
      copyFrom: {
        geoKeyDirectory: info.geoKeyTags.directory,
        doubleParams: info.geoKeyTags.doubleParams,
        asciiParams: info.geoKeyTags.asciiParams,
      },
    },
    ...(nodata === undefined ? {} : { nodata }),
    tileSize: DISPLAY_TILE,
    overviews: displayOverviewCount(width, height),
    overwrite: true,
  });
  const order = Array.from({ length: bands }, (_, b) => b);
  const rows = Math.max(1, Math.min(256, Math.floor(READ_SAMPLES / (width * bands))));
  try {
    for (let y = 0; y < height; y += rows) {
      throwIfAborted(options.signal);
      const n = Math.min(rows, height - y);
      const data = await source.readWindow({ x: 0, y, width, height: n }, order, options.signal);
      await writer.writeRows(interleave(data, format, nodata));
      options.onProgress?.(y + n, height);
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    if (options.signal?.aborted) throw new LandWatchError('E_CANCELLED', 'Cancelled.');
    throw error;
  }
}

/** The source's no-data value when the copy's sample type can hold it. */
function representable(value: number | null, format: SampleFormat): number | undefined {
  if (value === null) return undefined;
  if (format === 'float32') return value;
  const max = format === 'uint8' ? 255 : 65535;
  return Number.isInteger(value) && value >= 0 && value <= max ? value : undefined;
}

/** Band arrays → one pixel-interleaved array of the copy's type (NaN → no data, else 0). */
function interleave(
  data: Float32Array[],
  format: SampleFormat,
  nodata: number | undefined,
): SampleArray {
  const nb = data.length;
  const count = data[0].length;
  const out =
    format === 'uint8'
      ? new Uint8Array(count * nb)
      : format === 'uint16'
        ? new Uint16Array(count * nb)
        : new Float32Array(count * nb);
  const empty = nodata ?? (format === 'float32' ? Number.NaN : 0);
  for (let b = 0; b < nb; b++) {
    const band = data[b];
    // Typed-array stores round-trip exactly for values already of the type (the usual case);
    // NaN (outside the image or unreadable) becomes the no-data value.
    for (let i = 0, o = b; i < count; i++, o += nb) {
      const v = band[i];
      out[o] = v === v ? v : empty;
    }
  }
  return out;
}
