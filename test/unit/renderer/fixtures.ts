import type { PatchView, ProjectView } from '../../../electron/common/contract.js';

export function patch(
  id: string,
  number: number,
  meanProb: number,
  areaM2: number,
  state: PatchView['state'] = 'unreviewed',
): PatchView {
  return {
    id,
    runId: 'r1',
    number,
    state,
    areaM2,
    areaMu: areaM2 / 666.67,
    perimeterM: 4 * Math.sqrt(areaM2),
    meanProb,
    maxProb: Math.min(1, meanProb + 0.1),
    comment: null,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    },
  };
}

export function project(runs: ProjectView['runs'] = []): ProjectView {
  const scene = {
    name: 's.tif',
    url: 'http://x/s.tif',
    width: 100,
    height: 100,
    bands: 3,
    extent: [0, 0, 100, 100] as [number, number, number, number],
    crs: 'EPSG:32650',
    proj4: null,
    date: null,
  };
  return {
    id: 'p1',
    name: 'Demo',
    crs: 'EPSG:32650',
    scenes: { before: { ...scene, role: 'before' }, after: { ...scene, role: 'after' } },
    runs,
    counts: { unreviewed: 0, confirmed: 0, rejected: 0, field_check: 0 },
  };
}
