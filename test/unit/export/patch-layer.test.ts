/**
 * The layer `landwatch detect --out` writes: the model's kind of change goes out as `chg_kind`
 * with its probability where the model reports kinds, and stays empty where it does not.
 */
import { describe, expect, it } from 'vitest';
import { layerFromPolygons, PATCH_FIELDS } from '../../../electron/engine/api/patch-layer.js';
import type { ChangePolygon } from '../../../electron/engine/vector/polygonize.js';

const square: ChangePolygon = {
  rings: [
    [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
      [0, 0],
    ],
  ],
  areaM2: 100,
  areaMu: 0.15,
  perimeter: 40,
  meanProb: 0.8,
  maxProb: 0.95,
  pixelCount: 100,
  bbox: [0, 0, 10, 10],
};
const run = { runId: 'r1', modelId: 'm', threshold: 0.5, beforeDate: null, afterDate: null };
const crs = { epsg: 32650, wkt: null, proj4: null };

describe('layerFromPolygons', () => {
  it('writes the model kind and its probability, in Shapefile-sized field names', () => {
    const withKind = {
      ...square,
      changeKind: 'demolition',
      kindScores: { new_construction: 0.1, demolition: 0.83456, other_change: 0.06544 },
    };
    const layer = layerFromPolygons([withKind, square], crs, run);
    expect(layer.features[0].properties).toMatchObject({
      chg_kind: 'demolition',
      kind_prob: 0.8346,
    });
    expect(layer.features[1].properties).toMatchObject({ chg_kind: null, kind_prob: null });
    for (const f of PATCH_FIELDS) expect(Buffer.byteLength(f.name)).toBeLessThanOrEqual(10);
  });
});
