/**
 * Writes the demo scene as two georeferenced GeoTIFFs (EPSG:32650, 0.5 m) and its true changes as
 * GeoJSON (same CRS), so the demo project can be created on first start without any download.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGeoTiffWriter } from '../../electron/engine/raster/geotiff-write.js';
import {
  DEMO_EPSG,
  DEMO_ORIGIN,
  DEMO_PIXEL_M,
  DEMO_SIZE,
  generateDemoScene,
} from './demo-scene.js';

export interface DemoFiles {
  before: string;
  after: string;
  truth: string;
}

export const DEMO_DATES = { before: '2023-04-18', after: '2024-05-02' };

export async function writeDemoScene(dir: string): Promise<DemoFiles> {
  mkdirSync(dir, { recursive: true });
  const scene = generateDemoScene();
  const files: DemoFiles = {
    before: join(dir, `demo-before-${DEMO_DATES.before}.tif`),
    after: join(dir, `demo-after-${DEMO_DATES.after}.tif`),
    truth: join(dir, 'demo-true-changes.geojson'),
  };
  const geoTransform = [DEMO_ORIGIN[0], DEMO_PIXEL_M, 0, DEMO_ORIGIN[1], 0, -DEMO_PIXEL_M] as const;
  for (const [path, pixels] of [
    [files.before, scene.before],
    [files.after, scene.after],
  ] as const) {
    const writer = await createGeoTiffWriter(path, {
      width: DEMO_SIZE,
      height: DEMO_SIZE,
      bands: 3,
      sampleFormat: 'uint8',
      photometric: 'rgb',
      geoTransform,
      geoKeys: { epsg: DEMO_EPSG },
      overwrite: true,
    });
    await writer.writeRows(pixels);
    await writer.close();
  }
  const features = scene.changes.map((c, i) => {
    const [x, y, w, h] = c.rect;
    const X = (px: number) => DEMO_ORIGIN[0] + px * DEMO_PIXEL_M;
    const Y = (py: number) => DEMO_ORIGIN[1] - py * DEMO_PIXEL_M;
    return {
      type: 'Feature',
      properties: { id: i + 1, kind: c.kind },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [X(x), Y(y + h)],
            [X(x + w), Y(y + h)],
            [X(x + w), Y(y)],
            [X(x), Y(y)],
            [X(x), Y(y + h)],
          ],
        ],
      },
    };
  });
  const tmp = `${files.truth}.part`;
  writeFileSync(
    tmp,
    JSON.stringify(
      {
        type: 'FeatureCollection',
        name: 'true_changes',
        // Projected coordinates: the pre-RFC 7946 crs member tells GDAL/QGIS which CRS they are in.
        crs: { type: 'name', properties: { name: `urn:ogc:def:crs:EPSG::${DEMO_EPSG}` } },
        features,
      },
      null,
      1,
    ),
  );
  renameSync(tmp, files.truth);
  return files;
}
