/**
 * The fast block path of RasterSource reads exactly what geotiff.js reads, on every kind of real
 * GeoTIFF in the shared data (tiled and stripped, 8/16-bit, signed, 6 bands, alpha), for windows
 * inside, across and beyond the image edges, and repeated bands.
 */
import { fromFile } from 'geotiff';
import { describe, expect, it } from 'vitest';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { dataPath, hasData } from '../../helpers/data.js';

// vhr/cogeo.tif is JPEG/YCbCr: RasterSource converts it to RGB, geotiff.js's readRasters does not;
// colour-twins.test.ts compares it with GDAL's reading instead.
const FILES = [
  ['vhr', 'sample_geotiff.tif'],
  ['vhr', 'dop-rgb.tif'],
  ['misc', 'RGBA.byte.tif'],
  ['misc', 'L7_ETMs.tif'],
  ['misc', 'sample_geotiff_custom_proj.tif'],
  ['misc', 'SP27GTIF.TIF'],
  ['landsat-nanjing', 'Nanjing_LT51200382000124BJC00_Nanjing.tif'],
];

describe.skipIf(!hasData)('RasterSource block reads', () => {
  it.each(FILES)('%s/%s matches geotiff.js readRasters', async (dir, name) => {
    const path = dataPath('geotiff', dir, name);
    const src = await RasterSource.open(path);
    const tiff = await fromFile(path);
    const image = await tiff.getImage(0);
    const { width, height, bands } = src.info;
    const windows = [
      { x: 0, y: 0, width: Math.min(300, width), height: Math.min(200, height) },
      { x: width - 150, y: height - 90, width: 300, height: 200 },
      { x: -20, y: 37, width: 123, height: 301 },
      { x: Math.floor(width / 3), y: Math.floor(height / 2), width: 257, height: 129 },
    ];
    const pick = bands > 1 ? [bands - 1, 0, bands - 1] : [0, 0];
    for (const w of windows) {
      const got = await src.readWindow(w, pick);
      const x0 = Math.max(0, w.x);
      const y0 = Math.max(0, w.y);
      const x1 = Math.min(width, w.x + w.width);
      const y1 = Math.min(height, w.y + w.height);
      const ref = (await image.readRasters({
        window: [x0, y0, x1, y1],
        samples: [...new Set(pick)],
        interleave: false,
      })) as unknown as ArrayLike<number>[];
      pick.forEach((band, i) => {
        const r = ref[[...new Set(pick)].indexOf(band)];
        for (let y = 0; y < w.height; y++) {
          for (let x = 0; x < w.width; x++) {
            const v = got[i][y * w.width + x];
            const inside = w.x + x >= x0 && w.x + x < x1 && w.y + y >= y0 && w.y + y < y1;
            if (!inside) {
              if (!Number.isNaN(v)) throw new Error(`outside pixel ${x},${y} is ${v}`);
              continue;
            }
            const e = r[(w.y + y - y0) * (x1 - x0) + (w.x + x - x0)];
            if (v !== Math.fround(e))
              throw new Error(`${name} band ${band} at ${x},${y}: ${v} ≠ ${e}`);
          }
        }
      });
    }
    src.close();
    expect(true).toBe(true);
  });
});
