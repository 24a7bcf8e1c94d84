/**
 * Builds the export layer (schema + features) for a fresh detection's polygons (`landwatch detect`).
 * Field names fit a Shapefile's 10 bytes, so every format carries the same names. A project's
 * reviewed patches go out through export profiles instead (api/export-project.ts).
 */
import type { ExportLayer, FieldDef, LayerCrs } from '../export/types.js';
import type { CrsInfo } from '../raster/crs-from-geokeys.js';
import { M2_PER_MU } from '../vector/geo.js';
import type { ChangePolygon } from '../vector/polygonize.js';

export const PATCH_FIELDS: FieldDef[] = [
  { name: 'number', type: 'integer' },
  { name: 'state', type: 'text', width: 16 },
  { name: 'area_m2', type: 'real' },
  { name: 'area_mu', type: 'real' },
  { name: 'perim_m', type: 'real' },
  { name: 'mean_prob', type: 'real' },
  { name: 'max_prob', type: 'real' },
  // The model's kind of change (new_construction, demolition, …) and its mean probability, where
  // the model reports kinds; empty otherwise.
  { name: 'chg_kind', type: 'text', width: 32 },
  { name: 'kind_prob', type: 'real' },
  { name: 'run_id', type: 'text', width: 40 },
  { name: 'model_id', type: 'text', width: 40 },
  { name: 'threshold', type: 'real' },
  { name: 'date_bef', type: 'date' },
  { name: 'date_aft', type: 'date' },
  { name: 'comment', type: 'text', width: 254 },
];

export interface RunContext {
  runId: string;
  modelId: string;
  threshold: number;
  beforeDate: string | null;
  afterDate: string | null;
}

export function layerCrs(crs: Pick<CrsInfo, 'epsg' | 'wkt' | 'proj4'>): LayerCrs {
  return { epsg: crs.epsg, wkt: crs.wkt, proj4: crs.proj4 };
}

const round = (v: number, d: number) => Number(v.toFixed(d));

export function layerFromPolygons(
  polygons: ChangePolygon[],
  crs: LayerCrs,
  run: RunContext,
): ExportLayer {
  return {
    name: 'changes',
    crs,
    fields: PATCH_FIELDS,
    features: polygons.map((p, i) => ({
      geometry: { type: 'Polygon', coordinates: p.rings },
      properties: {
        number: i + 1,
        state: 'unreviewed',
        area_m2: round(p.areaM2, 2),
        area_mu: round(p.areaM2 / M2_PER_MU, 4),
        perim_m: round(p.perimeter, 2),
        mean_prob: round(p.meanProb, 4),
        max_prob: round(p.maxProb, 4),
        chg_kind: p.changeKind ?? null,
        kind_prob:
          p.changeKind && p.kindScores?.[p.changeKind] !== undefined
            ? round(p.kindScores[p.changeKind], 4)
            : null,
        run_id: run.runId,
        model_id: run.modelId,
        threshold: run.threshold,
        date_bef: run.beforeDate,
        date_aft: run.afterDate,
        comment: null,
      },
    })),
  };
}
