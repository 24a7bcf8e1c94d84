/**
 * The attributes LandWatch knows about a change patch, under their full LandWatch names. This is the
 * source side of every export profile: a profile maps these names to the short field codes a
 * receiving system wants (see profiles.ts), and the full-name profile writes them as they are.
 *
 * Keeping one flat record per patch (rather than reading PatchView directly) lets the exporters and
 * the evidence report take data from the project store, from a fresh detection, or from a test,
 * and lets the store grow new columns without touching the writers.
 */
import type { PolygonGeometry, ReviewState } from '../../common/contract.js';
import { orientPolygon, polygonsOf } from './geometry.js';
import type { ExportLayer, FieldDef, FieldValue, LayerCrs } from './types.js';

/** One change patch with everything an export or an evidence report may show. */
export interface PatchRecord {
  /** Stable id in the project (the store's row id). */
  id: string;
  /** The patch number analysts see (1, 2, ...). */
  number: number;
  state: ReviewState;
  /** Polygon or MultiPolygon in the scene CRS. */
  geometry: PolygonGeometry;
  areaM2: number;
  areaMu: number;
  perimeterM: number;
  /**
   * Mean change probability inside the patch: the confidence shown to analysts. Null for a patch
   * drawn by hand (the model never saw it): an export must not pass it off as 100 % sure.
   */
  meanProb: number | null;
  maxProb: number | null;
  /** Where the outline comes from: `model`, `edited` (reshaped, split, merged) or `drawn`. */
  source?: 'model' | 'edited' | 'drawn';
  /**
   * Area of the model's own outline (on which `meanProb`/`maxProb` were measured), apart from
   * `areaM2` of the outline as it is now; null when the model did not make this patch.
   */
  modelAreaM2?: number | null;
  /** Change class code from the project's code list (national 图斑类型 style, e.g. "01"). */
  changeClass: string | null;
  /** Legality code from the project's code list (e.g. "2" = 违法). */
  legality: string | null;
  /** Field-check result code from the project's code list (e.g. "1" = 属实). */
  fieldResult: string | null;
  /** Cadastral parcel number (宗地号). */
  parcelNo: string | null;
  /** The analyst's note on the patch. */
  note: string | null;
  /** Kind of change the model reported or the analyst corrected (free text, e.g. new_building). */
  changeKind: string | null;
  /** The comment given with the latest review decision. */
  comment: string | null;
  reviewer: string | null;
  /** ISO 8601 time of the latest review decision. */
  reviewedAt: string | null;
  runId: string | null;
  modelId: string | null;
  threshold: number | null;
  /** ISO 8601 time the detection ran. */
  detectedAt: string | null;
  /** Acquisition dates of the two images, YYYY-MM-DD. */
  beforeDate: string | null;
  afterDate: string | null;
}

/** A LandWatch attribute: its field definition and a one-line description for docs and errors. */
export interface PatchAttribute extends FieldDef {
  description: string;
}

/**
 * Every LandWatch patch attribute, in the order the full-name export writes them. Dates are
 * `date`; timestamps stay ISO text (a profile may turn them into dates, see applyProfile).
 */
export const PATCH_ATTRIBUTES: readonly PatchAttribute[] = [
  { name: 'patch_id', type: 'text', width: 20, description: 'stable id in the project' },
  { name: 'number', type: 'integer', description: 'patch number shown to analysts' },
  { name: 'state', type: 'text', width: 16, description: 'review state' },
  { name: 'change_class', type: 'text', width: 16, description: 'change class code' },
  { name: 'change_kind', type: 'text', width: 32, description: 'kind of change (model)' },
  { name: 'legality', type: 'text', width: 16, description: 'legality code' },
  { name: 'field_result', type: 'text', width: 16, description: 'field-check result code' },
  { name: 'parcel_no', type: 'text', width: 64, description: 'cadastral parcel number' },
  { name: 'area_m2', type: 'real', description: 'area in m²' },
  { name: 'area_mu', type: 'real', description: 'area in mu (1 mu = 666.67 m²)' },
  { name: 'perimeter_m', type: 'real', description: 'perimeter in m' },
  { name: 'mean_prob', type: 'real', description: 'confidence: mean change probability' },
  { name: 'max_prob', type: 'real', description: 'highest change probability' },
  { name: 'centroid_x', type: 'real', description: 'centroid x in the layer CRS' },
  { name: 'centroid_y', type: 'real', description: 'centroid y in the layer CRS' },
  { name: 'before_date', type: 'date', description: 'acquisition date of the before image' },
  { name: 'after_date', type: 'date', description: 'acquisition date of the after image' },
  { name: 'detected_at', type: 'text', width: 32, description: 'time the detection ran' },
  { name: 'run_id', type: 'text', width: 64, description: 'detection run id' },
  { name: 'model_id', type: 'text', width: 64, description: 'change model id' },
  { name: 'threshold', type: 'real', description: 'probability threshold of the run' },
  { name: 'reviewer', type: 'text', width: 64, description: 'who made the latest decision' },
  { name: 'reviewed_at', type: 'text', width: 32, description: 'time of the latest decision' },
  { name: 'comment', type: 'text', width: 254, description: 'comment of the latest decision' },
  { name: 'note', type: 'text', width: 254, description: "the analyst's note" },
  {
    name: 'source',
    type: 'text',
    width: 8,
    description: 'outline from the model, edited by a person, or drawn by a person',
  },
  {
    name: 'model_area_m2',
    type: 'real',
    description: "area in m² of the model's own outline (its probabilities' footprint)",
  },
];

/** Names of {@link PATCH_ATTRIBUTES}, for lookups and error messages. */
export const PATCH_ATTRIBUTE_NAMES: readonly string[] = PATCH_ATTRIBUTES.map((a) => a.name);

/**
 * Area-weighted centroid of a polygon or multipolygon (holes subtract), or null when it has no
 * area. Computed relative to the first vertex so projected coordinates keep their precision.
 */
export function centroidOf(geometry: PolygonGeometry): [number, number] | null {
  let polygons;
  try {
    polygons = polygonsOf(geometry, 'centroid');
  } catch {
    return null; // invalid geometry: the pre-export check reports it, not this helper
  }
  const origin = polygons[0]?.[0]?.[0];
  if (!origin) return null;
  const [x0, y0] = origin;
  let a2 = 0;
  let cx = 0;
  let cy = 0;
  // Exterior counter-clockwise, holes clockwise: the shoelace terms of holes then subtract.
  for (const polygon of polygons.map((p) => orientPolygon(p, true))) {
    for (const ring of polygon) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [ax, ay] = [ring[i][0] - x0, ring[i][1] - y0];
        const [bx, by] = [ring[i + 1][0] - x0, ring[i + 1][1] - y0];
        const cross = ax * by - bx * ay;
        a2 += cross;
        cx += (ax + bx) * cross;
        cy += (ay + by) * cross;
      }
    }
  }
  if (a2 === 0) return null;
  return [x0 + cx / (3 * a2), y0 + cy / (3 * a2)];
}

const day = (iso: string | null): string | null => (iso ? iso.slice(0, 10) : null);

/** The attribute values of one patch, keyed by LandWatch attribute name. */
export function patchAttributes(record: PatchRecord): Record<string, FieldValue> {
  const centroid = centroidOf(record.geometry);
  return {
    patch_id: record.id,
    number: record.number,
    state: record.state,
    change_class: record.changeClass,
    change_kind: record.changeKind,
    legality: record.legality,
    field_result: record.fieldResult,
    parcel_no: record.parcelNo,
    area_m2: record.areaM2,
    area_mu: record.areaMu,
    perimeter_m: record.perimeterM,
    mean_prob: record.meanProb,
    max_prob: record.maxProb,
    centroid_x: centroid?.[0] ?? null,
    centroid_y: centroid?.[1] ?? null,
    before_date: day(record.beforeDate),
    after_date: day(record.afterDate),
    detected_at: record.detectedAt,
    run_id: record.runId,
    model_id: record.modelId,
    threshold: record.threshold,
    reviewer: record.reviewer,
    reviewed_at: record.reviewedAt,
    comment: record.comment,
    note: record.note,
    source: record.source ?? 'model',
    model_area_m2: record.modelAreaM2 ?? null,
  };
}

/**
 * The patches as an export layer with LandWatch's full attribute names: the input of
 * `applyProfile`, `checkExport` and `exportWithProfile`.
 *
 * @example
 * const layer = patchSourceLayer(records, { epsg: 32650, wkt: null, proj4: null });
 * exportWithProfile('out.shp', layer, LAND_SURVEY_PROFILE, { encoding: 'GBK' });
 */
export function patchSourceLayer(
  records: readonly PatchRecord[],
  crs: LayerCrs,
  name = 'changes',
): ExportLayer {
  return {
    name,
    crs,
    fields: PATCH_ATTRIBUTES.map(({ name: n, type, width }) => ({ name: n, type, width })),
    features: records.map((r) => ({ geometry: r.geometry, properties: patchAttributes(r) })),
  };
}
