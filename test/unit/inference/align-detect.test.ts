/**
 * Detection across grids, end to end: the after date (a real image with a new building painted in)
 * is reprojected with gdalwarp, LandWatch resamples it back onto the before grid, and the change is
 * found where it was painted, with areas right in degrees (EPSG:4326) and in US survey feet.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import proj4 from 'proj4';
import { beforeAll, describe, expect, it } from 'vitest';
import { lookupEpsg, proj4Definition } from '../../../electron/engine/crs/epsg.js';
import { detectChanges } from '../../../electron/engine/inference/detect.js';
import { polygonArea } from '../../../electron/engine/vector/geo.js';
import type { ChangePolygon } from '../../../electron/engine/vector/polygonize.js';
import { dataPath, hasData } from '../../helpers/data.js';
import { gdalwarp, hasGdalwarp, paintBuilding } from '../raster/warp-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-align-detect-'));
const p = (name: string) => join(dir, name);
const DOP = dataPath('geotiff', 'vhr', 'dop-rgb.tif');
const SP27 = dataPath('geotiff', 'misc', 'SP27GTIF.TIF');
const FT = 1200 / 3937;

const detect = (beforePath: string, afterPath: string, minArea = 100) =>
  detectChanges({
    beforePath,
    afterPath,
    device: 'cpu',
    minArea,
    workDir: p(`work-${Math.random()}`),
  });

/** The polygon's exterior projected to another CRS (EPSG codes) and measured there (planar). */
function areaIn(poly: ChangePolygon, from: number, to: number, toMetres = 1): number {
  const t = proj4(proj4Definition({ epsg: from })!.def, proj4Definition({ epsg: to })!.def);
  const ring = poly.rings[0].map(([x, y]) => t.forward([x, y]));
  return polygonArea([ring]) * toMetres * toMetres;
}

const centre = (poly: ChangePolygon) => [
  (poly.bbox[0] + poly.bbox[2]) / 2,
  (poly.bbox[1] + poly.bbox[3]) / 2,
];

describe.skipIf(!hasData || !hasGdalwarp)('detection across CRSs and resolutions', () => {
  beforeAll(async () => {
    // dop-rgb: 1.67 m pixels in EPSG:25832; the building covers pixels 300–329 × 250–273.
    await paintBuilding(DOP, p('dop-after.tif'), [300, 250, 30, 24]);
    gdalwarp(
      p('dop-after.tif'),
      p('after-4326.tif'),
      '-t_srs',
      'EPSG:4326',
      '-tr',
      '0.000018',
      '0.000012',
    );
    gdalwarp(
      DOP,
      p('before-4326.tif'),
      '-t_srs',
      'EPSG:4326',
      '-tr',
      '0.00002',
      '0.000014',
      '-dstalpha',
    );
    // SP27GTIF: 32.8 US ft pixels in EPSG:26771 (NAD27 Illinois East); after in NAD27 / UTM 16N.
    await paintBuilding(SP27, p('sp27-after.tif'), [400, 500, 20, 16]);
    gdalwarp(
      p('sp27-after.tif'),
      p('sp27-after-utm.tif'),
      '-t_srs',
      'EPSG:26716',
      '-tr',
      '12',
      '12',
      '-dstalpha',
    );
  }, 60_000);

  it('finds the building when the after date is in EPSG:4326 at another resolution', async () => {
    const same = await detect(DOP, p('dop-after.tif'));
    const warped = await detect(DOP, p('after-4326.tif'));
    expect(warped.alignment.resample?.differences).toEqual(['crs', 'pixel size']);
    expect(warped.notes.join('\n')).toMatch(/reprojected with proj4/);
    expect(same.polygons).toHaveLength(1);
    expect(warped.polygons).toHaveLength(1);
    const [a] = same.polygons;
    const [b] = warped.polygons;
    // Painted at x 533500–533550, y 5929543–5929583 (roof and shadow).
    expect(b.bbox[0]).toBeGreaterThan(533480);
    expect(b.bbox[2]).toBeLessThan(533570);
    expect(Math.abs(b.areaM2 - a.areaM2) / a.areaM2).toBeLessThan(0.05);
  }, 120_000);

  it('measures areas right when the before date (and so the polygons) is in degrees', async () => {
    const reference = await detect(DOP, p('dop-after.tif'));
    const r = await detect(p('before-4326.tif'), p('dop-after.tif'));
    expect(r.before.crs.geographic).toBe(true);
    expect(r.polygons).toHaveLength(1);
    const [poly] = r.polygons;
    expect(poly.rings[0][0][0]).toBeCloseTo(9.5, 0);
    // Geodesic area in degrees = the polygon's planar area once projected to UTM (scale ≈ 0.9996).
    const utm = areaIn(poly, 4326, 25832);
    expect(Math.abs(poly.areaM2 - utm) / utm).toBeLessThan(0.003);
    expect(
      Math.abs(poly.areaM2 - reference.polygons[0].areaM2) / reference.polygons[0].areaM2,
    ).toBeLessThan(0.1);
    const [lon, lat] = centre(poly);
    const [x, y] = proj4(lookupEpsg(4326)!.proj4!, lookupEpsg(25832)!.proj4!).forward([lon, lat]);
    expect(Math.hypot(x - 533527, y - 5929563)).toBeLessThan(15);
  }, 120_000);

  it('measures areas right in US survey feet, with the after date in metres (UTM)', async () => {
    const r = await detect(SP27, p('sp27-after-utm.tif'), 1000);
    expect(r.before.crs.id).toBe('EPSG:26771');
    expect(r.alignment.resample?.differences).toEqual(['crs', 'pixel size']);
    const hits = r.polygons.filter((q) => {
      const [x, y] = centre(q);
      // The painted block's centre: pixel (410, 508) of a 32.8 ft grid.
      return Math.hypot(x - (681480 + 410 * 32.8), y - (1913050 - 508 * 32.8)) < 30 * 32.8;
    });
    expect(hits).toHaveLength(1);
    // Nothing else: the warped image's blended edge is kept out by its alpha and the edge margin.
    expect(r.polygons).toHaveLength(1);
    const [poly] = hits;
    // Planar area in ft² × (m per US ft)², and the same polygon measured in UTM metres.
    expect(poly.areaM2).toBeCloseTo(polygonArea(poly.rings) * FT * FT, 3);
    const utm = areaIn(poly, 26771, 26716);
    expect(Math.abs(poly.areaM2 - utm) / utm).toBeLessThan(0.003);
    // The painted roof and shadow: 22 × 18 pixels of 10.0 m.
    const painted = 22 * 18 * (32.8 * FT) ** 2;
    expect(poly.areaM2 / painted).toBeGreaterThan(0.6);
    expect(poly.areaM2 / painted).toBeLessThan(1.8);
  }, 120_000);
});
