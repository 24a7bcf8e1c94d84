import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LandWatchError } from '../../../electron/engine/errors.js';
import { alignDates } from '../../../electron/engine/raster/alignment.js';
import { chooseBands } from '../../../electron/engine/raster/bands.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { NANJING_AFTER, NANJING_BEFORE, dataPath, hasData } from '../../helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'lw-raster-'));

async function openError(path: string): Promise<LandWatchError> {
  const err = await RasterSource.open(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LandWatchError);
  return err as LandWatchError;
}

describe('RasterSource errors name the file and the problem', () => {
  it('missing file', async () => {
    const e = await openError(join(tmp, 'nope.tif'));
    expect(e.code).toBe('E_FILE_NOT_FOUND');
    expect(e.message).toContain('nope.tif');
  });

  it('not a TIFF', async () => {
    const p = join(tmp, 'readme.tif');
    writeFileSync(p, 'this is not an image, just text pretending to be one');
    const e = await openError(p);
    expect(e.code).toBe('E_NOT_TIFF');
    expect(e.message).toContain('readme.tif');
  });

  it.skipIf(!hasData)('truncated TIFF fails on read with the file name', async () => {
    const p = join(tmp, 'truncated.tif');
    writeFileSync(p, readFileSync(NANJING_BEFORE).subarray(0, 200_000));
    const src = await RasterSource.open(p).catch((e: LandWatchError) => e);
    if (src instanceof LandWatchError) {
      expect(src.message).toContain('truncated.tif');
      return;
    }
    const err = await src
      .readWindow({ x: 0, y: 700, width: 100, height: 100 }, [0])
      .catch((e: unknown) => e);
    src.close();
    expect(err).toBeInstanceOf(LandWatchError);
    expect((err as LandWatchError).code).toBe('E_TIFF_CORRUPT');
    expect((err as LandWatchError).message).toContain('truncated.tif');
  });
});

describe.skipIf(!hasData)('RasterSource on real GeoTIFFs', () => {
  it('reads the Nanjing header, CRS, date and wavelengths', async () => {
    const src = await RasterSource.open(NANJING_BEFORE);
    const { info } = src;
    expect([info.width, info.height, info.bands]).toEqual([800, 800, 6]);
    expect(info.crs.id).toBe('EPSG:32650');
    expect(info.crs.metresPerUnit).toBe(1);
    expect(info.geoTransform).toEqual([660585, 30, 0, 3551295, 0, -30]);
    expect(info.metadata.date).toBe('2000-05-03');
    expect(chooseBands(info, 3).bands).toEqual([2, 1, 0]);
    const [b] = await src.readWindow({ x: -2, y: 0, width: 4, height: 1 }, [0]);
    expect(Number.isNaN(b[0])).toBe(true);
    expect(Number.isFinite(b[2])).toBe(true);
    src.close();
  });

  it('aligns the Nanjing pair on the same grid', async () => {
    const [a, b] = await Promise.all([
      RasterSource.open(NANJING_BEFORE),
      RasterSource.open(NANJING_AFTER),
    ]);
    const al = alignDates(a.info, b.info);
    expect(al).toMatchObject({ x: 0, y: 0, width: 800, height: 800, afterDx: 0, afterDy: 0 });
    a.close();
    b.close();
  });

  it('refuses a pair in different CRSs that do not overlap, naming both files', async () => {
    const [a, b] = await Promise.all([
      RasterSource.open(NANJING_BEFORE),
      RasterSource.open(dataPath('geotiff', 'misc', 'RGB.byte.tif')),
    ]);
    expect(() => alignDates(a.info, b.info)).toThrow(
      /RGB\.byte\.tif is in EPSG:32618.*Nanjing_LT5120038200012/,
    );
    a.close();
    b.close();
  });

  it('refuses two dates that do not overlap', async () => {
    const a = await RasterSource.open(NANJING_BEFORE);
    const shifted = {
      ...a.info,
      name: 'far.tif',
      geoTransform: [690585, 30, 0, 3551295, 0, -30] as typeof a.info.geoTransform,
    };
    expect(() => alignDates(a.info, shifted)).toThrow(/do not overlap/);
    a.close();
  });

  it('knows feet and degrees', async () => {
    const feet = await RasterSource.open(dataPath('geotiff', 'misc', 'SP27GTIF.TIF'));
    expect(feet.info.crs.metresPerUnit).toBeCloseTo(1200 / 3937, 9);
    feet.close();
    const deg = await RasterSource.open(dataPath('geotiff', 'misc', 'world.rgb.tif'));
    expect(deg.info.crs.geographic).toBe(true);
    deg.close();
    const custom = await RasterSource.open(
      dataPath('geotiff', 'misc', 'sample_geotiff_custom_proj.tif'),
    );
    expect(custom.info.crs.id).toBe('custom');
    expect(custom.info.crs.proj4).toContain('+proj=aea');
    custom.close();
  });

  it('a copied file keeps working (no hidden state)', async () => {
    const p = join(tmp, 'copy.tif');
    copyFileSync(NANJING_AFTER, p);
    const src = await RasterSource.open(p);
    expect(src.info.metadata.date).toBe(null);
    src.close();
  });
});
