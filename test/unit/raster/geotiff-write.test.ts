import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createGeoTiffWriter,
  type GeoTransform,
  type RawGeoKeys,
} from '../../../electron/engine/raster/geotiff-write.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { anyNonZero, anyNonZeroInRuns } from '../../../electron/engine/raster/byte-scan.js';

const allZero = (bytes: Uint8Array) => !anyNonZero(bytes);
import { gdalAvailable, makeTempDir, runGdal, runGdalClean } from '../export/gdal-cli.js';

const { dir, cleanup } = makeTempDir('geotiff');
afterAll(cleanup);

const UTM_GT: GeoTransform = [500000, 0.5, 0, 4400000, 0, -0.5];

/** A 0/255 mask with a recognisable pattern (not tile-aligned: 600 x 350). */
function maskData(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = (x * 7 + y * 3) % 11 < 4 ? 255 : 0;
  }
  return data;
}

function gdalJson(path: string): {
  size: number[];
  geoTransform: number[];
  stac?: { 'proj:epsg'?: number };
  bands: { noDataValue?: number; type: string; colorInterpretation: string }[];
  coordinateSystem: { wkt: string };
} {
  return JSON.parse(runGdalClean('gdalinfo', ['-json', path]));
}

/** Pixels as GDAL decodes them, pixel-interleaved, via a raw ENVI copy. */
function gdalPixels(path: string): Buffer {
  const out = `${path}.bin`;
  runGdalClean('gdal_translate', ['-q', '-of', 'ENVI', '-co', 'INTERLEAVE=BIP', path, out]);
  return readFileSync(out);
}

/** A 1-band uint8 file with 2 overview levels, written 64 rows at a time. */
async function writeIn64Rows(
  path: string,
  data: Uint8Array,
  width: number,
  height: number,
  blocking = false,
): Promise<void> {
  const writer = await createGeoTiffWriter(path, {
    width,
    height,
    bands: 1,
    sampleFormat: 'uint8',
    geoTransform: UTM_GT,
    geoKeys: { epsg: 32650 },
    overviews: 2,
    blocking,
  });
  for (let y = 0; y < height; y += 64)
    await writer.writeRows(data.subarray(y * width, Math.min(height, y + 64) * width));
  await writer.close();
}

describe('createGeoTiffWriter', () => {
  it('writes a tiled 1-band uint8 mask row by row that geotiff.js reads back', async () => {
    const path = join(dir, 'mask.tif');
    const data = maskData(600, 350);
    const writer = await createGeoTiffWriter(path, {
      width: 600,
      height: 350,
      bands: 1,
      sampleFormat: 'uint8',
      geoTransform: UTM_GT,
      geoKeys: { epsg: 32650 },
      nodata: 0,
    });
    // Uneven chunks, so buffering across tile rows is exercised.
    for (let y = 0; y < 350; y += 37) {
      await writer.writeRows(data.subarray(y * 600, Math.min(350, y + 37) * 600));
    }
    expect(writer.rowsWritten).toBe(350);
    await writer.close();
    expect(existsSync(`${path}.part`)).toBe(false);

    const image = await (await fromFile(path)).getImage();
    expect([image.getWidth(), image.getHeight()]).toEqual([600, 350]);
    expect(image.getTileWidth()).toBe(256);
    expect(image.getOrigin()).toEqual([500000, 4400000, 0]);
    expect(image.getResolution()).toEqual([0.5, -0.5, 0]);
    expect(image.getGeoKeys()).toMatchObject({
      ProjectedCSTypeGeoKey: 32650,
      GTRasterTypeGeoKey: 1,
    });
    expect(image.getGDALNoData()).toBe(0);
    const [band] = (await image.readRasters()) as unknown as Uint8Array[];
    expect(Buffer.from(band).equals(Buffer.from(data))).toBe(true);
  });

  it('writes the same file from rows in any pieces: whole block rows, several, or parts', async () => {
    const data = maskData(1100, 700);
    const levels: Buffer[][] = [];
    // One row at a time (all through the row buffer); then pieces that start on a block row
    // and hold one or more whole block rows (cut straight from the caller's array) mixed with
    // pieces that do not.
    for (const pieces of [[1], [256, 600, 13, 256, 99], [512, 100, 88]]) {
      const path = join(dir, `pieces-${pieces.join('-')}.tif`);
      const writer = await createGeoTiffWriter(path, {
        width: 1100,
        height: 700,
        bands: 1,
        sampleFormat: 'uint8',
        geoTransform: UTM_GT,
        geoKeys: { epsg: 32650 },
        overviews: 2,
      });
      for (let y = 0, k = 0; y < 700; k++) {
        const n = Math.min(700 - y, pieces[k % pieces.length]);
        await writer.writeRows(data.subarray(y * 1100, (y + n) * 1100));
        y += n;
      }
      await writer.close();
      const tiff = await fromFile(path);
      const decoded: Buffer[] = [];
      for (let i = 0; i < 3; i++) {
        const [band] = (await (await tiff.getImage(i)).readRasters()) as unknown as Uint8Array[];
        decoded.push(Buffer.from(band));
      }
      expect(decoded[0].equals(Buffer.from(data))).toBe(true);
      levels.push(decoded);
    }
    // The overviews too are the same however the rows came (blocks may lie in another order).
    for (const other of levels.slice(1)) {
      other.forEach((level, i) => expect(level.equals(levels[0][i])).toBe(true));
    }
  });

  it.skipIf(!gdalAvailable)('gdalinfo reads the mask cleanly with the same grid and EPSG', () => {
    const path = join(dir, 'mask.tif');
    const info = gdalJson(path);
    expect(info.size).toEqual([600, 350]);
    expect(info.geoTransform).toEqual([...UTM_GT]);
    expect(info.stac?.['proj:epsg']).toBe(32650);
    expect(info.bands[0]).toMatchObject({ type: 'Byte', noDataValue: 0 });
    expect(gdalPixels(path).equals(Buffer.from(maskData(600, 350)))).toBe(true);
  });

  it('compresses empty blocks once and still reads back every pixel (geotiff.js and GDAL)', async () => {
    const path = join(dir, 'sparse.tif');
    const width = 1100;
    const height = 700;
    // Mostly empty, as a screened probability or a change mask: two small changes.
    const data = new Uint8Array(width * height);
    for (let y = 300; y < 320; y++) data.fill(200, y * width + 40, y * width + 70);
    for (let y = 650; y < 690; y++) data.fill(9, y * width + 1000, y * width + 1099);
    await writeIn64Rows(path, data, width, height);
    const image = await (await fromFile(path)).getImage();
    const [band] = (await image.readRasters()) as unknown as Uint8Array[];
    expect(Buffer.from(band).equals(Buffer.from(data))).toBe(true);
    if (gdalAvailable) expect(gdalPixels(path).equals(Buffer.from(data))).toBe(true);
  });

  it('writes the same bytes blocking (on this thread) as through the libuv pool', async () => {
    const width = 1100;
    const height = 700;
    const data = maskData(width, height);
    // Empty blocks beside full ones, so both the cached empty block and fresh ones are written.
    data.fill(0, 0, 300 * width);
    const files = await Promise.all(
      [false, true].map(async (blocking) => {
        const path = join(dir, `blocking-${blocking}.tif`);
        await writeIn64Rows(path, data, width, height, blocking);
        return readFileSync(path);
      }),
    );
    expect(files[1].equals(files[0])).toBe(true);
    const [band] = (await (
      await (await fromFile(join(dir, 'blocking-true.tif'))).getImage()
    ).readRasters()) as unknown as Uint8Array[];
    expect(Buffer.from(band).equals(Buffer.from(data))).toBe(true);
  });

  it('tells empty byte runs at any offset', () => {
    const store = new Uint8Array(41);
    for (let a = 0; a < 5; a++) {
      for (let b = a; b < 41; b += 3) {
        expect(allZero(store.subarray(a, b))).toBe(true);
        for (const at of [a, Math.floor((a + b) / 2), b - 1]) {
          if (at < a || at >= b) continue;
          store[at] = 1;
          expect(allZero(store.subarray(a, b))).toBe(false);
          store[at] = 0;
        }
      }
    }
  });

  it('tells empty runs of rows (a column of blocks) at any offset, stride and length', () => {
    const store = new Uint8Array(203);
    // Every start, stride and run length over views at each byte offset: one set byte anywhere
    // in a run (first, middle, last) is found, bytes between the runs are not.
    for (let off = 0; off < 4; off++) {
      const a = store.subarray(off);
      for (const stride of [9, 16, 23]) {
        for (let start = 0; start < 6; start++) {
          for (const length of [1, 3, 4, 7, 9]) {
            if (length > stride) continue;
            const rows = Math.floor((a.length - start - length) / stride) + 1;
            expect(anyNonZeroInRuns(a, start, stride, length, rows)).toBe(false);
            for (let r = 0; r < rows; r++) {
              const from = start + r * stride;
              for (const at of [from, from + (length >> 1), from + length - 1]) {
                a[at] = 1;
                expect(anyNonZeroInRuns(a, start, stride, length, rows)).toBe(true);
                a[at] = 0;
              }
              // Just past the run: outside every run when the stride leaves a gap.
              if (length < stride && from + length < a.length) {
                a[from + length] = 1;
                expect(anyNonZeroInRuns(a, start, stride, length, rows)).toBe(false);
                a[from + length] = 0;
              }
            }
          }
        }
      }
    }
  });

  it('writes 3-band RGB tile by tile in any order, cropped edge tiles included', async () => {
    const path = join(dir, 'rgb.tif');
    const [width, height, tile] = [300, 200, 128];
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 31) % 256;
    const writer = await createGeoTiffWriter(path, {
      width,
      height,
      bands: 3,
      sampleFormat: 'uint8',
      photometric: 'rgb',
      tileSize: tile,
      geoTransform: [2600000, 2, 0, 1200000, 0, -2],
      geoKeys: { epsg: 2056 },
    });
    const order = [
      [2, 1],
      [0, 0],
      [1, 1],
      [2, 0],
      [0, 1],
      [1, 0],
    ];
    for (const [tx, ty] of order) {
      const w = Math.min(tile, width - tx * tile);
      const h = Math.min(tile, height - ty * tile);
      const block = new Uint8Array(w * h * 3);
      for (let r = 0; r < h; r++) {
        const src = ((ty * tile + r) * width + tx * tile) * 3;
        block.set(rgb.subarray(src, src + w * 3), r * w * 3);
      }
      await writer.writeTile(tx, ty, block);
    }
    await writer.close();

    const image = await (await fromFile(path)).getImage();
    const back = (await image.readRasters({ interleave: true })) as unknown as Uint8Array;
    expect(Buffer.from(back).equals(Buffer.from(rgb))).toBe(true);
    if (gdalAvailable) {
      const info = gdalJson(path);
      expect(info.stac?.['proj:epsg']).toBe(2056);
      expect(info.bands.map((b) => b.colorInterpretation)).toEqual(['Red', 'Green', 'Blue']);
      expect(gdalPixels(path).equals(Buffer.from(rgb))).toBe(true);
    }
  });

  it('writes band descriptions as GDAL does, read back by RasterSource and gdalinfo', async () => {
    const write = async (name: string, descriptions: string[]) => {
      const path = join(dir, name);
      const writer = await createGeoTiffWriter(path, {
        width: 20,
        height: 10,
        bands: descriptions.length,
        sampleFormat: 'uint8',
        geoTransform: UTM_GT,
        geoKeys: { epsg: 32650 },
        bandDescriptions: descriptions,
      });
      await writer.writeRows(new Uint8Array(20 * 10 * descriptions.length).fill(7));
      await writer.close();
      return path;
    };
    const names = ['new_construction', 'other change', '"kind" 3'];
    const path = await write('described.tif', names);
    const source = await RasterSource.open(path);
    expect(source.info.metadata.descriptions).toEqual(names);
    source.close();
    if (gdalAvailable) {
      const info = gdalJson(path) as unknown as { bands: { description?: string }[] };
      expect(info.bands.map((b) => b.description)).toEqual(names);
    }
    // XML markup would read back differently in GDAL and geotiff.js: refused.
    await expect(write('markup.tif', ['a & b'])).rejects.toThrow(/holds &, < or >/);
  });

  it('writes uncompressed float32 strips in a geographic CRS with NaN nodata', async () => {
    const path = join(dir, 'prob.tif');
    const values = new Float32Array(50 * 41).map((_, i) => (i % 13 === 0 ? NaN : i / 1000));
    const writer = await createGeoTiffWriter(path, {
      width: 50,
      height: 41,
      bands: 1,
      sampleFormat: 'float32',
      layout: 'strip',
      rowsPerStrip: 8,
      compression: 'none',
      nodata: NaN,
      geoTransform: [116.3, 0.0001, 0, 39.9, 0, -0.0001],
      geoKeys: { epsg: 4326 },
    });
    await writer.writeRows(values);
    await writer.close();
    const image = await (await fromFile(path)).getImage();
    expect(image.getGeoKeys()).toMatchObject({ GTModelTypeGeoKey: 2, GeographicTypeGeoKey: 4326 });
    const [band] = (await image.readRasters()) as unknown as Float32Array[];
    expect(Array.from(band)).toEqual(Array.from(values));
    if (gdalAvailable) {
      const info = gdalJson(path);
      expect(info.stac?.['proj:epsg']).toBe(4326);
      expect(info.geoTransform).toEqual([116.3, 0.0001, 0, 39.9, 0, -0.0001]);
      expect(info.bands[0].type).toBe('Float32');
      expect(String(info.bands[0].noDataValue)).toBe('NaN');
    }
  });

  it.skipIf(!gdalAvailable)('writes a rotated grid as ModelTransformation', async () => {
    const path = join(dir, 'rotated.tif');
    const gt: GeoTransform = [500000, 0.8, 0.3, 4400000, 0.3, -0.8];
    const writer = await createGeoTiffWriter(path, {
      width: 20,
      height: 20,
      bands: 1,
      sampleFormat: 'uint16',
      geoTransform: gt,
      geoKeys: { epsg: 32650 },
    });
    await writer.writeRows(new Uint16Array(400).map((_, i) => i * 100));
    await writer.close();
    const info = gdalJson(path);
    info.geoTransform.forEach((v, i) => expect(v).toBeCloseTo(gt[i], 9));
    expect(info.bands[0].type).toBe('UInt16');
  });

  it.skipIf(!gdalAvailable)('copies custom GeoKeys verbatim, PixelIsPoint included', async () => {
    // A "before" image in a custom (non-EPSG) projection, written by GDAL itself.
    const source = join(dir, 'source.tif');
    const proj =
      '+proj=tmerc +lat_0=0 +lon_0=114.5 +k=1 +x_0=800000 +y_0=-3000000 +ellps=GRS80 +units=m';
    writeFileSync(
      `${source}.asc`,
      'ncols 4\nnrows 3\nxllcorner 10\nyllcorner 20\ncellsize 2\n' + '1 2 3 4\n'.repeat(3),
    );
    runGdalClean('gdal_translate', [
      '-q',
      '-a_srs',
      proj,
      '-mo',
      'AREA_OR_POINT=Point',
      `${source}.asc`,
      source,
    ]);
    const srcImage = await (await fromFile(source)).getImage();
    const dirValues = srcImage.fileDirectory;
    const keys: RawGeoKeys = {
      geoKeyDirectory: Array.from((await dirValues.loadValue('GeoKeyDirectory')) as number[]),
      doubleParams: Array.from((await dirValues.loadValue('GeoDoubleParams')) as number[]),
      asciiParams: (await dirValues.loadValue('GeoAsciiParams')) as string,
    };
    expect(srcImage.getGeoKeys()?.GTRasterTypeGeoKey).toBe(2);
    const srcInfo = gdalJson(source);

    const path = join(dir, 'copied.tif');
    const writer = await createGeoTiffWriter(path, {
      width: 4,
      height: 3,
      bands: 1,
      sampleFormat: 'uint8',
      geoTransform: srcInfo.geoTransform as unknown as GeoTransform,
      geoKeys: { copyFrom: keys },
    });
    await writer.writeRows(new Uint8Array(12).fill(255));
    await writer.close();
    const info = gdalJson(path);
    expect(info.coordinateSystem.wkt).toBe(srcInfo.coordinateSystem.wkt);
    expect(info.geoTransform).toEqual(srcInfo.geoTransform);
    const copied = await (await fromFile(path)).getImage();
    const copiedKeys = (await copied.fileDirectory.loadValue('GeoKeyDirectory')) as number[];
    expect(Array.from(copiedKeys)).toEqual(keys.geoKeyDirectory);
  });

  it('refuses to overwrite, to exceed 4 GB, or to close with missing rows', async () => {
    const base = {
      width: 10,
      height: 10,
      bands: 1,
      sampleFormat: 'uint8' as const,
      geoTransform: UTM_GT,
      geoKeys: { epsg: 32650 },
    };
    await expect(createGeoTiffWriter(join(dir, 'mask.tif'), base)).rejects.toThrow(
      /already exists/,
    );
    await expect(
      createGeoTiffWriter(join(dir, 'huge.tif'), {
        ...base,
        width: 70000,
        height: 70000,
        compression: 'none',
      }),
    ).rejects.toThrow(/4 GB.*BigTIFF/);
    await expect(
      createGeoTiffWriter(join(dir, 'x.tif'), { ...base, geoKeys: { epsg: 5773 } }),
    ).rejects.toThrow(/EPSG:5773/);

    const path = join(dir, 'partial.tif');
    const writer = await createGeoTiffWriter(path, base);
    await writer.writeRows(new Uint8Array(50));
    await expect(writer.close()).rejects.toThrow(/never written/);
    expect(existsSync(path) || existsSync(`${path}.part`)).toBe(false);

    const again = await createGeoTiffWriter(join(dir, 'mask.tif'), { ...base, overwrite: true });
    await expect(again.writeRows(new Uint16Array(10))).rejects.toThrow(/uint8/);
  });

  it.skipIf(!gdalAvailable)('leaves no GDAL warnings on a strip-layout mask', async () => {
    const path = join(dir, 'strips.tif');
    const writer = await createGeoTiffWriter(path, {
      width: 33,
      height: 17,
      bands: 2,
      sampleFormat: 'uint8',
      layout: 'strip',
      geoTransform: UTM_GT,
      geoKeys: { epsg: 32650 },
    });
    await writer.writeRows(new Uint8Array(33 * 17 * 2).fill(7));
    await writer.close();
    const result = runGdal('gdalinfo', ['-checksum', path]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/Block=33x16/);
  });
});
