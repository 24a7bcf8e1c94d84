/**
 * Alignment of dates on different grids: another CRS, another pixel size, a sub-pixel or whole-pixel
 * shift. The second date is made from a real GeoTIFF with gdalwarp at test time; the after image,
 * resampled onto the before grid window by window, must land on the before pixels.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LandWatchError } from '../../../electron/engine/errors.js';
import { afterReader, alignDates } from '../../../electron/engine/raster/alignment.js';
import { crsTransform } from '../../../electron/engine/raster/grid-warp.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { dataPath, hasData } from '../../helpers/data.js';
import { gdalwarp, hasGdalwarp } from './warp-fixtures.js';

const DOP = dataPath('geotiff', 'vhr', 'dop-rgb.tif');
const dir = mkdtempSync(join(tmpdir(), 'lw-align-'));

/** Mean absolute difference of band 0 between the before image and the after date read on its grid,
 * for the after window shifted by (sx, sy) before pixels. */
async function mad(afterPath: string, sx: number, sy: number): Promise<number> {
  const before = await RasterSource.open(DOP);
  const after = await RasterSource.open(afterPath);
  const al = alignDates(before.info, after.info);
  const reader = afterReader(before.info, after.info, after, al);
  const win = { x: 150, y: 170, width: 256, height: 224 };
  const [b] = await before.readWindow(win, [0]);
  const [a] = await reader.readWindow(
    { ...win, x: win.x + al.afterDx + sx, y: win.y + al.afterDy + sy },
    [0],
  );
  before.close();
  after.close();
  let s = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(a[i])) continue;
    s += Math.abs(a[i] - b[i]);
    n++;
  }
  expect(n).toBeGreaterThan(0.95 * b.length);
  return s / n;
}

/** The after date lands on the before pixels: no shift fits better than none. */
async function expectRegistered(afterPath: string): Promise<number> {
  const here = await mad(afterPath, 0, 0);
  for (const [sx, sy] of [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
  ]) {
    expect(await mad(afterPath, sx, sy)).toBeGreaterThan(here * 1.3);
  }
  return here;
}

describe.skipIf(!hasData || !hasGdalwarp)('alignment of dates on different grids', () => {
  const p = (name: string) => join(dir, name);
  beforeAll(() => {
    gdalwarp(DOP, p('wgs84.tif'), '-t_srs', 'EPSG:4326', '-tr', '0.000018', '0.000012');
    gdalwarp(DOP, p('utm31.tif'), '-t_srs', 'EPSG:32631', '-tr', '2.1', '2.1');
    gdalwarp(DOP, p('coarser.tif'), '-tr', '2.3', '2.3');
    gdalwarp(DOP, p('finer.tif'), '-tr', '0.7', '0.7');
    // Same pixel size, origin moved by 0.4 and 0.3 pixels.
    gdalwarp(
      DOP,
      p('subpixel.tif'),
      '-tr',
      '1.6666666666667',
      '1.6666666666667',
      '-te',
      '533010.6667',
      '5929010.5',
      '533960.6667',
      '5929960.5',
    );
  }, 60_000);

  it('reprojects from EPSG:4326 at another resolution and says so', async () => {
    const before = await RasterSource.open(DOP);
    const after = await RasterSource.open(p('wgs84.tif'));
    const al = alignDates(before.info, after.info);
    before.close();
    after.close();
    expect(al.resample?.differences).toEqual(['crs', 'pixel size']);
    expect(al.notes[0]).toMatch(
      /wgs84\.tif \(EPSG:4326.*differs from dop-rgb\.tif \(EPSG:25832.*reprojected with proj4 and resampled bilinearly/,
    );
    expect([al.x, al.y, al.width, al.height]).toEqual([0, 0, 600, 600]);
    expect(await expectRegistered(p('wgs84.tif'))).toBeLessThan(12);
  });

  it('reprojects from another UTM zone', async () => {
    expect(await expectRegistered(p('utm31.tif'))).toBeLessThan(12);
  });

  it('resamples a coarser grid, a finer one (block-averaged) and a sub-pixel shift', async () => {
    const before = await RasterSource.open(DOP);
    const infos = await Promise.all(
      ['coarser.tif', 'finer.tif', 'subpixel.tif'].map(async (n) => {
        const s = await RasterSource.open(p(n));
        s.close();
        return alignDates(before.info, s.info);
      }),
    );
    before.close();
    expect(infos[0].resample?.differences).toEqual(['pixel size']);
    expect(infos[1].resample).toMatchObject({ differences: ['pixel size'], reduce: 2 });
    expect(infos[1].notes[0]).toMatch(/averaging 2×2 blocks/);
    expect(infos[2].resample?.differences).toEqual(['offset']);
    // The shifted grid starts 6 px inside the before image.
    expect([infos[2].x, infos[2].y]).toEqual([6, 23]);
    for (const n of ['coarser.tif', 'finer.tif', 'subpixel.tif']) {
      expect(await expectRegistered(p(n))).toBeLessThan(12);
    }
  });

  it('refuses dates that do not overlap once reprojected, naming both CRSs', async () => {
    const a = await RasterSource.open(DOP);
    const b = await RasterSource.open(dataPath('geotiff', 'misc', 'RGB.byte.tif'));
    let error: unknown;
    try {
      alignDates(a.info, b.info);
    } catch (e) {
      error = e;
    }
    a.close();
    b.close();
    expect(error).toBeInstanceOf(LandWatchError);
    expect((error as LandWatchError).code).toBe('E_NO_OVERLAP');
    expect((error as LandWatchError).message).toMatch(
      /RGB\.byte\.tif is in EPSG:32618, dop-rgb\.tif in EPSG:25832/,
    );
  });
});

describe('crsTransform', () => {
  it('drops a datum grid proj4js cannot load and notes that the shift is approximate', () => {
    const wgs84 = '+proj=longlat +datum=WGS84 +no_defs';
    const withGrid = crsTransform('+proj=utm +zone=16 +ellps=clrk66 +nadgrids=NTv2_0.gsb', wgs84);
    const without = crsTransform('+proj=utm +zone=16 +ellps=clrk66', wgs84);
    const [lon, lat] = withGrid.transform(500_000, 4_000_000);
    expect(lon).toBeCloseTo(-87, 9);
    expect([lon, lat]).toEqual(without.transform(500_000, 4_000_000));
    expect(withGrid.notes).toEqual([
      'datum grid NTv2_0.gsb is not available: the datum shift between the dates is approximate (up to some tens of metres)',
    ]);
    expect(crsTransform('+proj=merc +nadgrids=@null', wgs84).notes).toEqual([]);
  });
});
