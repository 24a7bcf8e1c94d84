/**
 * SceneImage renders ground extents of the demo scene: nearest-neighbour samples of the right
 * pixels, grey outside the image, and the same picture from a GDAL-built overview as from the
 * full-resolution image.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoScene } from '../../../resources/demo/write-demo.js';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { SceneImage } from '../../../electron/engine/report/scene-image.js';
import { gdalAvailable, makeTempDir } from '../export/gdal-cli.js';

const { dir, cleanup } = makeTempDir('scene-image');
afterAll(cleanup);

let before: string;
beforeAll(async () => {
  before = (await writeDemoScene(dir)).before;
}, 60_000);

describe('SceneImage', () => {
  it('samples the pixels under each output pixel, 8-bit data unstretched', async () => {
    const scene = await SceneImage.open(before);
    const source = await RasterSource.open(before);
    try {
      const [x0, px, , y0] = source.info.geoTransform;
      // 40 × 40 output pixels over 80 × 80 source pixels starting at column 100, row 200.
      const extent: [number, number, number, number] = [
        x0 + 100 * px,
        y0 - 280 * px,
        x0 + 180 * px,
        y0 - 200 * px,
      ];
      const rgb = await scene.render(extent, 40, 40);
      const [r, g, b] = await source.readWindow(
        { x: 100, y: 200, width: 80, height: 80 },
        [0, 1, 2],
      );
      for (const [row, col] of [
        [0, 0],
        [17, 5],
        [39, 39],
      ]) {
        const k = (row * 2 + 1) * 80 + col * 2 + 1; // the centre of each 2 × 2 block
        const at = (row * 40 + col) * 3;
        expect([...rgb.subarray(at, at + 3)]).toEqual([r[k], g[k], b[k]]);
      }
      expect(scene.pixelSize).toBe(0.5);
    } finally {
      scene.close();
      source.close();
    }
  });

  it('paints ground outside the image grey', async () => {
    const scene = await SceneImage.open(before);
    try {
      const [minX, minY] = scene.extent;
      const rgb = await scene.render([minX - 100, minY - 100, minX - 50, minY - 50], 10, 10);
      expect(new Set(rgb)).toEqual(new Set([221]));
    } finally {
      scene.close();
    }
  });

  it.skipIf(!gdalAvailable)('renders an overview map from GDAL overviews alike', async () => {
    const copy = join(dir, 'with-overviews.tif');
    copyFileSync(before, copy);
    expect(spawnSync('gdaladdo', ['-q', '-r', 'nearest', copy, '2', '4', '8']).status).toBe(0);
    const plain = await SceneImage.open(before);
    const pyramid = await SceneImage.open(copy);
    try {
      const a = await plain.render(plain.extent, 128, 128);
      const b = await pyramid.render(pyramid.extent, 128, 128);
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
      // Nearest overviews pick neighbouring pixels, not the same ones: close, not identical.
      expect(diff / a.length).toBeLessThan(20);
    } finally {
      plain.close();
      pyramid.close();
    }
  });
});
