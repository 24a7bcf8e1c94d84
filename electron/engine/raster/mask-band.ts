/**
 * GDAL's internal per-dataset mask: a transparency-mask image (NewSubfileType 4, usually 1-bit
 * deflate) of the full image's size, which GDAL writes instead of an alpha band when asked
 * (`GDAL_TIFF_INTERNAL_MASK`, `-mask`, JPEG COGs with no-data). RasterSource presents it as one
 * more band, the alpha band (0 = transparent, 255 = valid), so every reader that honours alpha —
 * statistics, model input, screening — honours the mask too.
 */
import type { GeoTIFF, GeoTIFFImage } from 'geotiff';
import { LandWatchError } from '../errors.js';
import type { PixelWindow } from './raster-source.js';

/** The full-size mask image of `tiff`, or null. `decodable` says which images can be read. */
export async function findMask(
  tiff: GeoTIFF,
  image: GeoTIFFImage,
  decodable: boolean[],
): Promise<GeoTIFFImage | null> {
  const count = await tiff.getImageCount();
  for (let i = 1; i < count; i++) {
    if (!decodable[i]) continue;
    const candidate = await tiff.getImage(i);
    const fd = candidate.getFileDirectory();
    const subfile = Number(fd.getValue('NewSubfileType') ?? 0);
    if (
      (subfile & 4) !== 0 &&
      (subfile & 1) === 0 &&
      candidate.getSamplesPerPixel() === 1 &&
      candidate.getWidth() === image.getWidth() &&
      candidate.getHeight() === image.getHeight()
    )
      return candidate;
  }
  return null;
}

/** The mask over `window` as alpha (0 or 255), window-sized; NaN outside the image. */
export async function readMask(
  mask: GeoTIFFImage,
  name: string,
  window: PixelWindow,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const out = new Float32Array(window.width * window.height).fill(Number.NaN);
  const x0 = Math.max(0, window.x);
  const y0 = Math.max(0, window.y);
  const x1 = Math.min(mask.getWidth(), window.x + window.width);
  const y1 = Math.min(mask.getHeight(), window.y + window.height);
  if (x1 <= x0 || y1 <= y0) return out;
  let data: ArrayLike<number>;
  try {
    const rasters = await mask.readRasters({
      window: [x0, y0, x1, y1],
      samples: [0],
      interleave: false,
      signal,
    });
    data = (rasters as unknown as ArrayLike<number>[])[0];
  } catch (error) {
    if (signal?.aborted) throw new LandWatchError('E_CANCELLED', 'Cancelled.');
    const msg = error instanceof Error ? error.message : String(error);
    throw new LandWatchError(
      'E_TIFF_CORRUPT',
      `${name}: its mask at x ${x0}–${x1}, y ${y0}–${y1} cannot be read; the file may be damaged (${msg}).`,
      { cause: error },
    );
  }
  const w = x1 - x0;
  for (let r = 0; r < y1 - y0; r++) {
    const o = (r + y0 - window.y) * window.width + (x0 - window.x);
    for (let c = 0; c < w; c++) out[o + c] = data[r * w + c] ? 255 : 0;
  }
  return out;
}
