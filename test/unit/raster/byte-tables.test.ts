/**
 * The 8-bit fast path of a tile read (RasterSource.readMapped through bands.ts byteNormaliseTable)
 * writes exactly what readWindow + normaliseInto write — same values to the bit, same no-data
 * flags — for windows inside, across and beyond the image, repeated bands, a no-data value, a
 * stretch and a linear map; and declines (writing nothing) where it does not apply.
 */
import { describe, expect, it } from 'vitest';
import { byteNormaliseTable, normaliseInto } from '../../../electron/engine/raster/bands.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { dataPath, hasData } from '../../helpers/data.js';

const norm = { scale: 255, mean: [0.39, 0.445, 0.41], std: [0.2, 0.19, 0.21] };
const FILES = [
  ['vhr', 'dop-rgb.tif'],
  ['vhr', 'ch-bw.tif'],
  ['misc', 'RGB.byte.tif'],
  ['misc', 'L7_ETMs.tif'],
];

describe.skipIf(!hasData)('8-bit table reads', () => {
  it.each(FILES)('%s/%s: same model input as readWindow + normaliseInto', async (dir, name) => {
    const src = await RasterSource.open(dataPath('geotiff', dir, name));
    const { width, height } = src.info;
    // Bands out of order, and RGB in order (the unrolled loop of block-reader.ts).
    const bandSets =
      src.info.bands >= 3
        ? [
            [2, 0, 0],
            [0, 1, 2],
          ]
        : [[0, 0, 0]];
    const stretch = [null, { low: 12, high: 201 }, null];
    const linear = [{ gain: 1.07, offset: -3.5 }, null, { gain: 0.93, offset: 2 }];
    const windows = [
      { x: 0, y: 0, width: Math.min(96, width), height: Math.min(64, height) },
      { x: width - 50, y: height - 30, width: 96, height: 64 },
      { x: -20, y: 37, width: 64, height: 96 },
      { x: 3, y: 5, width: 257, height: 33 },
      { x: width + 5, y: 0, width: 32, height: 32 },
    ];
    for (const [bands, nodata] of bandSets.flatMap((b) =>
      [null, 0, 77].map((v) => [b, v] as const),
    )) {
      const tables = bands.map((_, b) =>
        byteNormaliseTable(b, stretch[b], norm, nodata, linear[b]),
      );
      for (const w of windows) {
        const n = w.width * w.height;
        const want = new Float32Array(3 * n);
        const wantInvalid = new Uint8Array(n);
        const data = await src.readWindow(w, bands);
        normaliseInto(want, 0, data, stretch, norm, nodata, wantInvalid, linear);
        // Dirty arrays, as a buffer pool hands them out: everything must be overwritten.
        const got = new Float32Array(3 * n).fill(123);
        const gotInvalid = new Uint8Array(n);
        expect(await src.readMapped(w, bands, tables, got, gotInvalid)).toBe(true);
        expect(Buffer.compare(Buffer.from(got.buffer), Buffer.from(want.buffer))).toBe(0);
        expect(Buffer.compare(gotInvalid, wantInvalid)).toBe(0);
      }
    }
    src.close();
  });

  it.each([
    ['vhr', 'sample_geotiff.tif'],
    ['vhr', 'cogeo.tif'],
  ])('%s/%s (16-bit; JPEG YCbCr): declined, nothing written', async (dir, name) => {
    const src = await RasterSource.open(dataPath('geotiff', dir, name));
    const target = new Float32Array(16).fill(5);
    const invalid = new Uint8Array(16);
    const tables = [0, 1, 2].map((b) => byteNormaliseTable(b, null, norm, null));
    const w = { x: -2, y: -2, width: 4, height: 4 };
    expect(await src.readMapped(w, [0], tables, target, invalid)).toBe(false);
    expect([...target].every((v) => v === 5)).toBe(true);
    expect([...invalid].every((v) => v === 0)).toBe(true);
    src.close();
  });
});
