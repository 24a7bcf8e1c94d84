/**
 * Detection keeps its probability on disk: re-extraction at the run's threshold gives the run's
 * polygons, another threshold needs no model run, a rerun of the same inputs reuses the stored
 * probability, and the mask on disk is the mask the polygons were traced from.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectChanges, type DetectResult } from '../../../electron/engine/inference/detect.js';
import { reextract } from '../../../electron/engine/inference/reextract.js';
import { overviewLevelsFor } from '../../../electron/engine/raster/probability-file.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { NANJING_AFTER, NANJING_BEFORE, hasData } from '../../helpers/data.js';

describe.skipIf(!hasData)('probability on disk (Nanjing pair)', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'lw-prob-'));
  let run: DetectResult;
  beforeAll(async () => {
    run = await detectChanges({
      beforePath: NANJING_BEFORE,
      afterPath: NANJING_AFTER,
      minArea: 1800,
      device: 'cpu',
      workDir,
    });
  }, 120_000);

  it('writes probability.tif and mask.tif on the window grid', async () => {
    expect(run.probabilityPath).toBe(join(workDir, 'probability.tif'));
    expect(run.tiles).toEqual({ total: 4, run: 4, skipped: 0, resumed: 0 });
    const prob = await RasterSource.open(run.probabilityPath as string);
    expect([prob.info.width, prob.info.height]).toEqual([800, 800]);
    expect(prob.info.geoTransform).toEqual(run.windowTransform);
    expect(prob.info.crs.id).toBe('EPSG:32650');
    const [stored] = await prob.readWindow({ x: 0, y: 0, width: 800, height: 800 }, [0]);
    prob.close();
    for (let i = 0; i < stored.length; i += 97)
      expect(run.probability[i]).toBe(Math.fround(stored[i] / 255));
    const mask = await RasterSource.open(run.maskPath as string);
    const [m] = await mask.readWindow({ x: 0, y: 0, width: 800, height: 800 }, [0]);
    mask.close();
    expect(Array.from(m, (v) => (v ? 1 : 0))).toEqual(Array.from(run.mask));
  });

  it('gives the probability overviews (800 px → 400 px, 1 level), for zoomed-out heat layers', async () => {
    expect(overviewLevelsFor(800, 800)).toBe(1);
    expect(overviewLevelsFor(16384, 300)).toBe(6);
    expect(overviewLevelsFor(200, 200)).toBe(0);
    const tiff = await fromFile(run.probabilityPath as string);
    expect(await tiff.getImageCount()).toBe(2);
    const overview = await tiff.getImage(1);
    expect([overview.getWidth(), overview.getHeight()]).toEqual([400, 400]);
    tiff.close();
  });

  it('re-extracts the same polygons at the same threshold, fewer at a higher one', async () => {
    const same = await reextract(run.probabilityPath as string, run.threshold, 1800);
    expect(same.polygons).toEqual(run.polygons);
    expect(same.crs.id).toBe('EPSG:32650');
    const strict = await reextract(run.probabilityPath as string, 0.8, 1800);
    const pixels = (r: { polygons: { pixelCount: number }[] }) =>
      r.polygons.reduce((s, p) => s + p.pixelCount, 0);
    expect(pixels(strict)).toBeLessThan(pixels(same));
  });

  it('a rerun of the same inputs takes the stored probability instead of running the model', async () => {
    const again = await detectChanges({
      beforePath: NANJING_BEFORE,
      afterPath: NANJING_AFTER,
      minArea: 1800,
      threshold: 0.6,
      device: 'cpu',
      workDir,
    });
    expect(again.tiles).toBeUndefined();
    expect(again.notes.join('\n')).toMatch(/model not run again/);
    const direct = await reextract(run.probabilityPath as string, 0.6, 1800);
    expect(again.polygons).toEqual(direct.polygons);
  }, 60_000);
});
