/**
 * Test projects without imagery: two scenes described as a 1024 × 1024 grid at 0.5 m in
 * EPSG:32650 (what the demo uses), and detections made of axis-aligned rectangles in scene
 * metres, so areas and overlaps are easy to state.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ProjectStore,
  type NewDetection,
  type NewRun,
  type SceneSource,
} from '../../../electron/engine/store/project-store.js';

/** Upper-left corner of the test scenes. */
export const X0 = 500_000;
export const Y0 = 3_500_000;
/** The scenes cover [X0, Y0 - 512] .. [X0 + 512, Y0]. */
export const SIZE_M = 512;

export function scene(role: 'before' | 'after', geographic = false): SceneSource {
  return {
    path: `/nonexistent/${role}.tif`,
    name: `${role}.tif`,
    width: 1024,
    height: 1024,
    bands: 3,
    geoTransform: [X0, 0.5, 0, Y0, 0, -0.5],
    crs: {
      id: 'EPSG:32650',
      name: 'WGS 84 / UTM zone 50N',
      wkt: null,
      proj4: null,
      epsg: 32650,
      geographic,
      metresPerUnit: 1,
    },
    metadata: { date: role === 'before' ? '2020-01-01' : '2021-01-01' },
  };
}

/** A fresh project file in a temporary folder. */
export function tempProject(name = 'test'): { store: ProjectStore; path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lw-store-'));
  const path = join(dir, `${name}.landwatch`);
  const store = ProjectStore.create(path, name, scene('before'), scene('after'));
  return { store, path, dir };
}

/** A closed rectangle ring in map coordinates, from offsets (metres) from X0 / Y0 - SIZE_M. */
export function rectRing(x0: number, y0: number, x1: number, y1: number): number[][] {
  const bx = X0;
  const by = Y0 - SIZE_M;
  return [
    [bx + x0, by + y0],
    [bx + x1, by + y0],
    [bx + x1, by + y1],
    [bx + x0, by + y1],
    [bx + x0, by + y0],
  ];
}

/** A detection of a rectangle with a given mean probability. */
export function detection(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  meanProb = 0.7,
): NewDetection {
  const ring = rectRing(x0, y0, x1, y1);
  const area = (x1 - x0) * (y1 - y0);
  return {
    rings: [ring],
    areaM2: area,
    areaMu: area / (10000 / 15),
    perimeter: 2 * (x1 - x0 + (y1 - y0)),
    meanProb,
    maxProb: Math.min(1, meanProb + 0.1),
    pixelCount: area * 4,
    bbox: [ring[0][0], ring[0][1], ring[2][0], ring[2][1]],
  };
}

let runNo = 0;

/** A run description with a unique id. */
export function newRun(threshold = 0.5): NewRun {
  runNo++;
  return {
    id: `run-${runNo}-${Math.random().toString(36).slice(2, 8)}`,
    modelId: 'test-model',
    modelVersion: '1',
    threshold,
    minArea: 0,
    params: {},
    executionProvider: 'cpu',
    startedAt: new Date(Date.now() + runNo).toISOString(),
    seconds: 1,
  };
}
