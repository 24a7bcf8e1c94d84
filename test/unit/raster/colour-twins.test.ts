/**
 * Imagery read as it is meant (issue 18): tiled JPEG/YCbCr converted to RGB, palettes expanded
 * through their colour map, alpha honoured by radiometric matching. Golden reads compare with
 * GDAL's reading of the same files; detection on each variant finds the same changed area as on its
 * plain-RGB twin (within 1 %); an alpha band and GDAL's internal mask both count as no-data. Fixtures are made by test/fixtures/colour-twins.py (python3-gdal).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectChanges } from '../../../electron/engine/inference/detect.js';
import { OverviewReader } from '../../../electron/engine/raster/overview-reader.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { REPO, dataPath, hasData } from '../../helpers/data.js';

const python = '/usr/bin/python3';
const hasGdalPython =
  existsSync(python) &&
  (() => {
    try {
      execFileSync(python, ['-c', 'from osgeo import gdal']);
      return true;
    } catch {
      return false;
    }
  })();
const dir = mkdtempSync(join(tmpdir(), 'lw-colour-'));
const f = (name: string) => join(dir, name);

async function readRgb(path: string): Promise<Float32Array[]> {
  const s = await RasterSource.open(path);
  try {
    return await s.readWindow({ x: 0, y: 0, width: 256, height: 256 }, [0, 1, 2]);
  } finally {
    s.close();
  }
}

function meanAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let sum = 0;
  let n = 0;
  a.forEach((plane, i) =>
    plane.forEach((v, k) => {
      sum += Math.abs(v - b[i][k]);
      n++;
    }),
  );
  return sum / n;
}

const areas = new Map<string, number>();
async function changedArea(after: string): Promise<number> {
  const run = await detectChanges({
    beforePath: f('before.tif'),
    afterPath: f(after),
    minArea: 0,
    workDir: f(`work-${after}`),
    resume: false,
  });
  const area = run.polygons.reduce((s, p) => s + p.areaM2, 0);
  areas.set(after, area);
  return area;
}

describe.skipIf(!hasData || !hasGdalPython)(
  'colour models against GDAL and their RGB twins',
  () => {
    beforeAll(() => {
      execFileSync(python, [
        join(REPO, 'test', 'fixtures', 'colour-twins.py'),
        dir,
        dataPath('geotiff', 'vhr', 'dop-rgb.tif'),
      ]);
    }, 60_000);
    afterAll(() => {
      console.log(
        `changed area (m²): ${[...areas].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`,
      );
      rmSync(dir, { recursive: true, force: true });
    });

    it('reads tiled JPEG/YCbCr as RGB, as GDAL does', async () => {
      const ours = await readRgb(f('after-ycc.tif'));
      const gdal = await readRgb(f('after-ycc-plain.tif'));
      const diff = meanAbsDiff(ours, gdal);
      console.log(`YCbCr: mean |LandWatch − GDAL| = ${diff.toFixed(2)} grey levels`);
      expect(diff).toBeLessThan(2);
      expect(meanAbsDiff(ours, await readRgb(f('after.tif')))).toBeLessThan(6);
    });

    it('reads the real JPEG/YCbCr COG (vhr/cogeo.tif) as GDAL does', async () => {
      const path = dataPath('geotiff', 'vhr', 'cogeo.tif');
      const window = { x: 300, y: 400, width: 256, height: 256 };
      const raw = execFileSync(python, [
        '-c',
        `import sys; from osgeo import gdal; sys.stdout.buffer.write(gdal.Open(sys.argv[1]).ReadRaster(${window.x}, ${window.y}, ${window.width}, ${window.height}, band_list=[1, 2, 3]))`,
        path,
      ]);
      const n = window.width * window.height;
      const gdal = [0, 1, 2].map((b) => Float32Array.from(raw.subarray(b * n, (b + 1) * n)));
      const s = await RasterSource.open(path);
      const ours = await s.readWindow(window, [0, 1, 2]);
      s.close();
      const diff = meanAbsDiff(ours, gdal);
      console.log(`cogeo.tif: mean |LandWatch − GDAL| = ${diff.toFixed(2)} grey levels`);
      expect(diff).toBeLessThan(2);
    });

    it('reads the COG’s JPEG/YCbCr overview as RGB too, as GDAL does', async () => {
      const path = dataPath('geotiff', 'vhr', 'cogeo.tif');
      const raw = execFileSync(python, [
        '-c',
        'import sys; from osgeo import gdal; d = gdal.Open(sys.argv[1]); sys.stdout.buffer.write(b"".join(d.GetRasterBand(b).GetOverview(0).ReadRaster(100, 100, 128, 128) for b in (1, 2, 3)))',
        path,
      ]);
      const n = 128 * 128;
      const gdal = [0, 1, 2].map((b) => Float32Array.from(raw.subarray(b * n, (b + 1) * n)));
      const s = await RasterSource.open(path);
      const overview = await OverviewReader.open(s, 2);
      expect(overview).not.toBeNull();
      const ours = await overview!.readWindow(
        { x: 100, y: 100, width: 128, height: 128 },
        [0, 1, 2],
      );
      s.close();
      expect(meanAbsDiff(ours, gdal)).toBeLessThan(2);
    });

    it('presents GDAL’s internal mask as the alpha band', async () => {
      const s = await RasterSource.open(f('after-mask.tif'));
      expect([s.info.bands, s.info.alphaBand]).toEqual([3, 3]);
      const [red, alpha] = await s.readWindow({ x: 40, y: 0, width: 16, height: 1 }, [0, 3]);
      s.close();
      expect(Array.from(alpha)).toEqual([...Array(8).fill(0), ...Array(8).fill(255)]);
      expect(red[0]).toBe(0);
    });

    it('expands a palette through its colour map exactly as gdal_translate -expand rgb', async () => {
      const s = await RasterSource.open(f('after-pal.tif'));
      expect(s.info.bands).toBe(3);
      s.close();
      expect(
        meanAbsDiff(await readRgb(f('after-pal.tif')), await readRgb(f('after-pal-plain.tif'))),
      ).toBe(0);
    });

    it.each([
      ['after-ycc.tif', 'after-ycc-plain.tif'],
      ['after-pal.tif', 'after-pal-plain.tif'],
      ['after-rgba.tif', 'after-nodata.tif'],
      ['after-mask.tif', 'after-nodata.tif'],
    ])(
      'finds the same changed area in %s as in its twin %s (within 1 %)',
      async (variant, twin) => {
        const a = await changedArea(variant);
        const b = await changedArea(twin);
        expect(b).toBeGreaterThan(0);
        expect(Math.abs(a - b) / b).toBeLessThanOrEqual(0.01);
      },
      120_000,
    );
  },
);
