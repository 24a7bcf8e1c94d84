/**
 * Windowed reads of a GeoTIFF's internal overview (a COG's reduced-resolution image) at a given
 * reduction, so work that wants a coarse view of a scene — the screening pass of detection
 * (pyramid.ts) — decodes 1/factor² of the blocks instead of every full-resolution one. An overview
 * is taken only when its size is exactly the full image's divided by the factor and rounded up,
 * as GDAL and LandWatch's writer make them, so its pixel (x, y) covers full-resolution pixels
 * [x·factor, x·factor + factor) and windows map between the two grids without resampling.
 */
import type { GeoTIFFImage } from 'geotiff';
import { BlockReader } from './block-reader.js';
import type { ColourModel } from './colour-model.js';
import type { PyramidSource } from './pyramid.js';
import type { PixelWindow, RasterSource } from './raster-source.js';

/** Decoded overview blocks kept while the coarse level is built (it visits each a few times). */
const OVERVIEW_CACHE_BYTES = 8 * 1024 * 1024;

/** A reduced-resolution image read like a RasterSource: windows of bands, NaN outside. */
export class OverviewReader {
  /** What readers of a level need: no-data markers as the full image has them, and the size. */
  readonly info: PyramidSource['info'] & { name: string; width: number; height: number };

  private constructor(
    source: RasterSource,
    readonly factor: number,
    private readonly blocks: BlockReader,
    private readonly image: GeoTIFFImage,
    private readonly colour: ColourModel,
  ) {
    const { name, nodata, alphaBand } = source.info;
    this.info = {
      name: `${name} (overview 1/${factor})`,
      nodata,
      // An internal mask (mask-band.ts) is not a sample of the overview: screening goes without it.
      alphaBand: alphaBand !== null && alphaBand < colour.bands ? alphaBand : null,
      width: image.getWidth(),
      height: image.getHeight(),
    };
  }

  /**
   * The overview of `source` at reduction `factor`, or null when the file has none of exactly
   * that size (or its sample layout needs geotiff.js's slow general path, which would cost more
   * than it saves).
   */
  static async open(source: RasterSource, factor: number): Promise<OverviewReader | null> {
    const { width, height } = source.info;
    const w = Math.ceil(width / factor);
    const h = Math.ceil(height / factor);
    for (const { image, colour } of await source.colourOverviews()) {
      if (image.getWidth() !== w || image.getHeight() !== h) continue;
      const blocks = BlockReader.for(image, OVERVIEW_CACHE_BYTES, source.info.path);
      return blocks ? new OverviewReader(source, factor, blocks, image, colour) : null;
    }
    return null;
  }

  /** A window of the given bands (0-based), one Float32Array per band; NaN outside the image. */
  async readWindow(
    window: PixelWindow,
    bands: number[],
    signal?: AbortSignal,
  ): Promise<Float32Array[]> {
    // JPEG/YCbCr and palette overviews are stored as such: read the stored samples, then convert.
    const stored = this.colour.raw(bands);
    const out = stored.map(() => new Float32Array(window.width * window.height));
    await this.readStoredInto(window, stored, out, signal);
    return this.colour.convert(out, bands, this.image.getGDALNoData());
  }

  /** readWindow into the caller's window-sized arrays, one per band. */
  async readWindowInto(
    window: PixelWindow,
    bands: number[],
    into: Float32Array[],
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.colour.kind === 'direct') return this.readStoredInto(window, bands, into, signal);
    const read = await this.readWindow(window, bands, signal);
    read.forEach((values, i) => into[i].set(values));
  }

  /** Stored samples of a window into `into` (any contents), NaN outside the image. */
  private async readStoredInto(
    window: PixelWindow,
    stored: number[],
    into: Float32Array[],
    signal?: AbortSignal,
  ): Promise<void> {
    const x0 = Math.max(0, window.x);
    const y0 = Math.max(0, window.y);
    const x1 = Math.min(this.info.width, window.x + window.width);
    const y1 = Math.min(this.info.height, window.y + window.height);
    const inside = x1 - x0 === window.width && y1 - y0 === window.height;
    if (!inside) for (const out of into) out.fill(Number.NaN);
    if (x1 <= x0 || y1 <= y0) return;
    const ox = x0 - window.x;
    const oy = y0 - window.y;
    await this.blocks.read(x0, y0, x1, y1, stored, into, window.width, ox, oy, signal);
  }

  /** Drops the decoded blocks. */
  close(): void {
    this.blocks.close();
  }
}

/**
 * The coarsest overview of `source` whose reduction divides `factor` and lines up with a window
 * starting at (x, y) (its origin on the overview's grid), or null: full resolution it is.
 *
 * @example
 * const level = await alignedOverview(source, 4, 0, 0); // 1/4, else 1/2, else null
 */
export async function alignedOverview(
  source: RasterSource,
  factor: number,
  x: number,
  y: number,
): Promise<OverviewReader | null> {
  if (source.info.overviewCount === 0) return null;
  for (let g = factor; g >= 2; g /= 2) {
    if (!Number.isInteger(g) || x % g !== 0 || y % g !== 0) continue;
    const reader = await OverviewReader.open(source, g);
    if (reader) return reader;
  }
  return null;
}
