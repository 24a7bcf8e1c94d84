/**
 * Renders any ground extent of a scene as an 8-bit RGB image for the evidence report: red, green
 * and blue chosen as for detection (band wavelengths where the file records them), one display
 * stretch per scene (so every chip of a date looks alike), nearest-neighbour resampling.
 *
 * It reads only the rows it samples, in batches, and from the coarsest overview that still has
 * the output's resolution; so a whole-scene overview map of a large image reads a few hundred
 * rows of an overview rather than the whole image.
 */
import type { GeoTIFFImage } from 'geotiff';
import { LandWatchError } from '../errors.js';
import { chooseBands, sampleBands, stretchFromSamples, type BandStretch } from '../raster/bands.js';
import { RasterSource, type GeoTransform, type RasterInfo } from '../raster/raster-source.js';
import type { Extent } from './chip-geometry.js';

/** One resolution level: the full image or an overview. */
interface Level {
  width: number;
  height: number;
  transform: GeoTransform;
  read(window: [number, number, number, number], bands: number[]): Promise<ArrayLike<number>[]>;
}

/** Grey for pixels outside the image or without data, so they never pass for imagery. */
const NO_DATA = 221;
/** Most source rows read at once; bounds memory for wide scenes. */
const BATCH_ROWS = 64;

export class SceneImage {
  private constructor(
    private readonly source: RasterSource,
    private readonly levels: Level[],
    private readonly bands: number[],
    private readonly stretch: (BandStretch | null)[],
  ) {}

  /** Opens a GeoTIFF for rendering; fails with the raster reader's clear messages. */
  static async open(path: string, signal?: AbortSignal): Promise<SceneImage> {
    const source = await RasterSource.open(path, signal);
    try {
      const { info } = source;
      const [, , rx, , ry] = info.geoTransform;
      if (rx !== 0 || ry !== 0) {
        throw new LandWatchError(
          'E_BAD_REQUEST',
          `${info.name}: rotated images cannot be shown in evidence reports yet.`,
        );
      }
      const { bands } = chooseBands(info, 3);
      const stretch = stretchFromSamples(await sampleBands(source, bands, signal), info, 'auto');
      const full: Level = {
        width: info.width,
        height: info.height,
        transform: info.geoTransform,
        read: ([x0, y0, x1, y1], b) =>
          source.readWindow({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, b, signal),
      };
      const overviews = (await source.overviewImages()).map((image) =>
        overviewLevel(info, image, signal),
      );
      return new SceneImage(source, [full, ...overviews], bands, stretch);
    } catch (error) {
      source.close();
      throw error;
    }
  }

  get info(): RasterInfo {
    return this.source.info;
  }

  /** The scene's ground extent. */
  get extent(): Extent {
    const [x0, px, , y0, , py] = this.info.geoTransform;
    const xs = [x0, x0 + px * this.info.width];
    const ys = [y0, y0 + py * this.info.height];
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }

  /** Ground size of one full-resolution pixel, in CRS units. */
  get pixelSize(): number {
    return Math.abs(this.info.geoTransform[1]);
  }

  /** `extent` as `width` × `height` RGB bytes (row-major, y down). */
  async render(extent: Extent, width: number, height: number): Promise<Uint8Array> {
    const outPixel = (extent[2] - extent[0]) / width;
    // The coarsest level that is still at least as fine as the output.
    const level = this.levels.reduce((best, l) =>
      Math.abs(l.transform[1]) <= outPixel * 1.001 &&
      Math.abs(l.transform[1]) > Math.abs(best.transform[1])
        ? l
        : best,
    );
    const [gx, gpx, , gy, , gpy] = level.transform;
    const cols = Int32Array.from({ length: width }, (_, c) =>
      Math.floor((extent[0] + (c + 0.5) * outPixel - gx) / gpx),
    );
    const rowStep = (extent[3] - extent[1]) / height;
    const rows = Int32Array.from({ length: height }, (_, r) =>
      Math.floor((extent[3] - (r + 0.5) * rowStep - gy) / gpy),
    );
    const out = new Uint8Array(width * height * 3).fill(NO_DATA);
    const inCols = cols.filter((c) => c >= 0 && c < level.width);
    if (inCols.length === 0) return out;
    const c0 = Math.min(...inCols);
    const c1 = Math.max(...inCols) + 1;
    const wanted = [...new Set(rows)]
      .filter((r) => r >= 0 && r < level.height)
      .sort((a, b) => a - b);
    for (let i = 0; i < wanted.length;) {
      // A batch: consecutive wanted rows spanning at most BATCH_ROWS source rows.
      let j = i;
      while (j + 1 < wanted.length && wanted[j + 1] - wanted[i] < BATCH_ROWS) j++;
      const r0 = wanted[i];
      const r1 = wanted[j] + 1;
      const data = await level.read([c0, r0, c1, r1], this.bands);
      for (let r = 0; r < height; r++) {
        if (rows[r] < r0 || rows[r] >= r1) continue;
        const base = (rows[r] - r0) * (c1 - c0);
        for (let c = 0; c < width; c++) {
          if (cols[c] < c0 || cols[c] >= c1) continue;
          this.paint(out, (r * width + c) * 3, data, base + cols[c] - c0);
        }
      }
      i = j + 1;
    }
    return out;
  }

  private paint(out: Uint8Array, at: number, data: ArrayLike<number>[], k: number): void {
    const { nodata } = this.info;
    for (let b = 0; b < 3; b++) {
      const v = data[b][k];
      if (!Number.isFinite(v) || v === nodata) {
        out.fill(NO_DATA, at, at + 3);
        return;
      }
    }
    for (let b = 0; b < 3; b++) {
      const s = this.stretch[b];
      const v = s ? ((data[b][k] - s.low) / (s.high - s.low)) * 255 : data[b][k];
      out[at + b] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }

  close(): void {
    this.source.close();
  }
}

/** A reduced-resolution image of the file as a level (its transform scaled from the full one). */
function overviewLevel(info: RasterInfo, image: GeoTIFFImage, signal?: AbortSignal): Level {
  const width = image.getWidth();
  const height = image.getHeight();
  const [x0, px, rx, y0, ry, py] = info.geoTransform;
  const sx = info.width / width;
  const sy = info.height / height;
  return {
    width,
    height,
    transform: [x0, px * sx, rx, y0, ry, py * sy],
    read: async ([wx0, wy0, wx1, wy1], bands) => {
      // A grey image repeats band 0; ask for each band once.
      const unique = [...new Set(bands)];
      const data = (await image.readRasters({
        window: [wx0, wy0, wx1, wy1],
        samples: unique,
        interleave: false,
        signal,
      })) as unknown as ArrayLike<number>[];
      return bands.map((b) => data[unique.indexOf(b)]);
    },
  };
}
