/**
 * Writes a detection's change mask as a single-band 0/255 GeoTIFF on exactly the before image's
 * grid (same size, geotransform and GeoKeys), streaming row blocks so memory stays bounded. The
 * mask is the cleaned one the polygons were traced from, so both outputs show the same changes.
 */
import type { DetectResult } from '../inference/detect.js';
import { createGeoTiffWriter } from './geotiff-write.js';

export async function writeMask(
  path: string,
  result: Pick<DetectResult, 'before' | 'alignment' | 'mask'>,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  const { before, alignment, mask } = result;
  const { width, height } = before;
  const writer = await createGeoTiffWriter(path, {
    width,
    height,
    bands: 1,
    sampleFormat: 'uint8',
    photometric: 'minisblack',
    geoTransform: before.geoTransform,
    geoKeys: {
      copyFrom: {
        geoKeyDirectory: before.geoKeyTags.directory,
        doubleParams: before.geoKeyTags.doubleParams,
        asciiParams: before.geoKeyTags.asciiParams,
      },
    },
    compression: 'deflate',
    overwrite: options.overwrite,
  });
  try {
    const rowsPerBlock = writer.blockHeight;
    for (let y0 = 0; y0 < height; y0 += rowsPerBlock) {
      const rows = Math.min(rowsPerBlock, height - y0);
      const block = new Uint8Array(rows * width);
      for (let r = 0; r < rows; r++) {
        const wy = y0 + r - alignment.y;
        if (wy < 0 || wy >= alignment.height) continue;
        const src = wy * alignment.width;
        const dst = r * width + alignment.x;
        for (let c = 0; c < alignment.width; c++) block[dst + c] = mask[src + c] ? 255 : 0;
      }
      await writer.writeRows(block);
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
