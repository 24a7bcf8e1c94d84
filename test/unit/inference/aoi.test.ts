/**
 * Area of interest: the tiles it meets are the only ones run, the polygons it meets the only ones
 * kept, and on the demo scene a detection over one known change runs a fraction of the tiles and
 * returns patches over that change only.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDemoScene } from '../../../resources/demo/write-demo.js';
import {
  aoiRings,
  aoiTilePlan,
  polygonsInAoi,
  restrictPlan,
} from '../../../electron/engine/inference/aoi.js';
import { detectChanges } from '../../../electron/engine/inference/detect.js';
import { tileAxes } from '../../../electron/engine/inference/tiling.js';
import type { GeoTransform } from '../../../electron/engine/raster/raster-source.js';
import type { ChangePolygon } from '../../../electron/engine/vector/polygonize.js';

// 1000 px with 256-px tiles overlapping 64: tiles start at 0, 192, 384, 576, 744 on both axes.
const axes = tileAxes(1000, 1000, 256, 64);
// 2 m pixels, north up, origin (5000, 9000).
const gt: GeoTransform = [5000, 2, 0, 9000, 0, -2];
const inputs = { beforePath: 'a.tif', afterPath: 'b.tif' };

function onTiles(plan: Uint8Array): number[][] {
  return [...plan].flatMap((v, i) => (v ? [[Math.floor(i / 5), i % 5]] : []));
}

function square(x0: number, y0: number, size: number): ChangePolygon {
  const rings = aoiRings([x0, y0, x0 + size, y0 + size]);
  return {
    rings,
    areaM2: size * size,
    areaMu: (size * size) / 666.67,
    perimeter: 4 * size,
    meanProb: 0.8,
    maxProb: 0.9,
    pixelCount: 1,
    bbox: [x0, y0, x0 + size, y0 + size],
  };
}

describe('aoiTilePlan', () => {
  it('runs only the tiles a bounding box reaches', () => {
    // Pixels x 400–450, y 50–100: map x 5800–5900, y 8800–8900 → tile columns 1 and 2, row 0.
    const plan = aoiTilePlan(axes, gt, aoiRings([5800, 8800, 5900, 8900]));
    expect(onTiles(plan)).toEqual([
      [0, 1],
      [0, 2],
    ]);
  });

  it('follows a polygon, not its bounding box', () => {
    // A thin diagonal triangle from the top-left to the bottom-right corner of the window.
    const tri = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [5000, 9000],
          [5010, 9000],
          [7000, 7000],
          [5000, 9000],
        ],
      ],
    };
    const plan = aoiTilePlan(axes, gt, aoiRings(tri));
    const on = onTiles(plan);
    expect(on).toContainEqual([0, 0]);
    expect(on).toContainEqual([4, 4]);
    expect(on).not.toContainEqual([0, 4]);
    expect(on).not.toContainEqual([4, 0]);
  });

  it('rejects an empty box, and an AOI off the window with the file names', () => {
    expect(() => aoiRings([10, 10, 5, 20])).toThrow(/empty/);
    const off = aoiTilePlan(axes, gt, aoiRings([0, 0, 100, 100]));
    expect(() => restrictPlan(null, off, inputs)).toThrow(
      /outside the overlap of a\.tif and b\.tif/,
    );
  });

  it('narrows a screening plan to the AOI', () => {
    const aoi = aoiTilePlan(axes, gt, aoiRings([5800, 8800, 5900, 8900]));
    const screened = new Uint8Array(25);
    screened[1] = 1; // (0, 1)
    screened[24] = 1; // (4, 4)
    expect(onTiles(restrictPlan(screened, aoi, inputs))).toEqual([[0, 1]]);
    expect(onTiles(restrictPlan(null, aoi, inputs))).toEqual(onTiles(aoi));
  });
});

describe('polygonsInAoi', () => {
  it('keeps polygons whose interior overlaps the AOI, not those touching its edge', () => {
    const aoi = aoiRings([0, 0, 100, 100]);
    const inside = square(10, 10, 20);
    const across = square(90, 90, 20);
    const touching = square(100, 0, 20);
    const far = square(500, 500, 20);
    expect(polygonsInAoi([inside, across, touching, far], aoi)).toEqual([inside, across]);
  });
});

describe('detection with an area of interest (demo scene)', () => {
  it('runs the tiles over the AOI only and keeps the patches meeting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-aoi-'));
    const files = await writeDemoScene(dir);
    const truth = JSON.parse(readFileSync(files.truth, 'utf8')) as {
      features: { properties: { kind: string }; geometry: { coordinates: number[][][] } }[];
    };
    const site = truth.features.find((f) => f.properties.kind === 'earthwork');
    expect(site).toBeDefined();
    const ring = site?.geometry.coordinates[0] ?? [];
    const xs = ring.map((p) => p[0]);
    const ys = ring.map((p) => p[1]);
    const aoi: [number, number, number, number] = [
      Math.min(...xs) - 5,
      Math.min(...ys) - 5,
      Math.max(...xs) + 5,
      Math.max(...ys) + 5,
    ];
    const run = await detectChanges({
      beforePath: files.before,
      afterPath: files.after,
      device: 'cpu',
      aoi,
      workDir: join(dir, 'work'),
    });
    // The model's tile grid over the demo scene; the AOI reaches fewer of its tiles.
    const { tile } = run.model;
    const axes = tileAxes(run.alignment.width, run.alignment.height, tile.size, tile.overlap);
    const total = axes.xs.length * axes.ys.length;
    expect(run.tiles?.total).toBe(total);
    expect(run.tiles?.run).toBeLessThan(total);
    expect(run.tiles?.skipped).toBe(total - (run.tiles?.run ?? 0));
    expect(run.notes.join('\n')).toContain(`of ${total} tiles`);
    expect(run.polygons.length).toBeGreaterThan(0);
    for (const p of run.polygons) {
      expect(
        p.bbox[0] < aoi[2] && p.bbox[2] > aoi[0] && p.bbox[1] < aoi[3] && p.bbox[3] > aoi[1],
      ).toBe(true);
    }
  }, 180_000);
});
