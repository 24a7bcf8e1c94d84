/**
 * The writing thread's failures reach the tile loop: a raw file it cannot open fails the next
 * request with the file named, later calls fail the same way instead of waiting, and stopping it
 * afterwards returns. (Same results as in-process, and cancelling: kind-detect.test.ts.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FollowThread } from '../../../electron/engine/inference/follow-thread.js';
import type { GeoTransform } from '../../../electron/engine/vector/geo.js';

describe('FollowThread', () => {
  it('fails with the missing raw file named, and stops cleanly after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-follow-'));
    const raw = join(dir, 'gone', 'probability.raw');
    const geoTransform: GeoTransform = [500_000, 1, 0, 3_500_000, 0, -1];
    const thread = FollowThread.start({
      raw: { path: raw, width: 64, height: 64 },
      tif: {
        path: join(dir, 'probability.tif'),
        georef: { geoTransform, geoKeys: { epsg: 32650 } },
      },
      extraction: {
        crs: {
          epsg: 32650,
          id: 'EPSG:32650',
          name: 'WGS 84 / UTM zone 50N',
          wkt: null,
          proj4: null,
          geographic: false,
          metresPerUnit: 1,
        },
        geoTransform,
        geoKeys: { epsg: 32650 },
        probPath: join(dir, 'probability.tif'),
        threshold: 0.5,
        minArea: 0,
        kindPath: null,
        scratchDir: dir,
      },
    });
    await thread.advance(32);
    await expect(thread.close()).rejects.toThrow(raw);
    await expect(thread.advance(64)).rejects.toThrow(raw);
    await expect(thread.finish()).rejects.toThrow(raw);
    await thread.abort();
  }, 30_000);
});
