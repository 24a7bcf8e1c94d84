/**
 * The patches table as the store's code sees it: the row shape, the columns an analyst can change
 * (what undo restores), and the conversion of a row to the API's {@link PatchView}.
 */
import type {
  PatchAttributes,
  PatchOrigin,
  PatchView,
  PolygonGeometry,
  ReviewState,
} from '../../common/contract.js';
import { M2_PER_MU } from '../vector/geo.js';

/** A row of `patches` (migrations 1 and 2). */
export interface PatchRow {
  id: number;
  run_id: string;
  number: number;
  state: ReviewState;
  geometry: string;
  model_geometry: string;
  area_m2: number;
  perimeter_m: number;
  mean_prob: number;
  max_prob: number;
  comment: string | null;
  reviewer: string | null;
  reviewed_at: string | null;
  created_at: string;
  updated_at: string;
  change_class: string | null;
  legality: string | null;
  parcel_no: string | null;
  field_result: string | null;
  note: string | null;
  change_kind: string | null;
  origin: PatchOrigin;
  parents: string | null;
  edited: number;
  /** 0 live, 1 deleted by an analyst, 2 void (its creation was undone). */
  deleted: number;
  superseded_by: string | null;
  model_area_m2: number;
  model_perimeter_m: number;
  /** 1 when the patch has rows in patch_links (whether the linked patches are decided or not). */
  linked: number;
  /** Counts up with every analyst change (migration 7); writes carry the version they read. */
  version: number;
  /** 1 when the model never scored the patch (drawn by hand): mean/max probability mean nothing. */
  unscored: number;
}

/** What reads for the UI need: every column except the model's geometry and perimeter. */
export type ViewRow = Omit<PatchRow, 'model_geometry' | 'model_perimeter_m'>;

/** The {@link ViewRow} columns, for SELECTs (on alias `p`) that skip the model's geometry. */
export const VIEW_COLUMNS = [
  'id',
  'run_id',
  'number',
  'state',
  'geometry',
  'area_m2',
  'model_area_m2',
  'perimeter_m',
  'mean_prob',
  'max_prob',
  'comment',
  'reviewer',
  'reviewed_at',
  'created_at',
  'updated_at',
  'change_class',
  'legality',
  'parcel_no',
  'field_result',
  'note',
  'change_kind',
  'origin',
  'parents',
  'edited',
  'deleted',
  'superseded_by',
  'linked',
  'version',
  'unscored',
]
  .map((c) => `p.${c}`)
  .join(', ');

/**
 * The columns analysts change and undo restores. Probabilities, run, number and the model's
 * geometry never change after a patch is created, so they are not part of the history.
 */
export const MUTABLE_COLUMNS = [
  'state',
  'comment',
  'reviewer',
  'reviewed_at',
  'geometry',
  'area_m2',
  'perimeter_m',
  'change_class',
  'legality',
  'parcel_no',
  'field_result',
  'note',
  'change_kind',
  'edited',
  'deleted',
] as const;

export type MutableColumn = (typeof MUTABLE_COLUMNS)[number];
export type Snapshot = Partial<Record<MutableColumn, string | number | null>>;

/** Deleted-flag values. */
export const LIVE = 0;
export const DELETED = 1;
export const VOID = 2;

/** API attribute names → columns. */
export const ATTRIBUTE_COLUMNS: Record<keyof PatchAttributes, MutableColumn> = {
  changeClass: 'change_class',
  legality: 'legality',
  parcelNo: 'parcel_no',
  fieldResult: 'field_result',
  note: 'note',
  changeKind: 'change_kind',
};

/**
 * SQL condition (on alias `k`) for "an analyst has decided or shaped this patch": re-run
 * detections overlapping such a patch are linked to it instead of being queued as new.
 */
export const DECIDED_SQL = `(k.deleted = 1 OR (k.deleted = 0 AND (k.state <> 'unreviewed'
  OR k.edited = 1 OR k.origin <> 'model' OR k.comment IS NOT NULL OR k.change_class IS NOT NULL
  OR k.legality IS NOT NULL OR k.parcel_no IS NOT NULL OR k.field_result IS NOT NULL
  OR k.note IS NOT NULL)))`;

/** The mutable columns of a row. */
export function snapshotOf(row: PatchRow): Snapshot {
  const out: Snapshot = {};
  for (const c of MUTABLE_COLUMNS) out[c] = row[c];
  return out;
}

/** The columns whose values differ between two snapshots, as [before, after] partial snapshots. */
export function diffSnapshots(before: Snapshot, after: Snapshot): [Snapshot, Snapshot] | null {
  const b: Snapshot = {};
  const a: Snapshot = {};
  let any = false;
  for (const c of MUTABLE_COLUMNS) {
    if (before[c] !== after[c]) {
      b[c] = before[c] ?? null;
      a[c] = after[c] ?? null;
      any = true;
    }
  }
  return any ? [b, a] : null;
}

/** Converts a row (plus the ids of decided patches it is linked to) to the API view. */
export function toView(r: ViewRow, linkedTo: number[] = []): PatchView {
  return {
    id: String(r.id),
    runId: r.run_id,
    number: r.number,
    state: r.state,
    areaM2: r.area_m2,
    areaMu: r.area_m2 / M2_PER_MU,
    perimeterM: r.perimeter_m,
    meanProb: r.unscored ? null : r.mean_prob,
    maxProb: r.unscored ? null : r.max_prob,
    comment: r.comment,
    geometry: JSON.parse(r.geometry) as PolygonGeometry,
    attributes: {
      changeClass: r.change_class,
      legality: r.legality,
      parcelNo: r.parcel_no,
      fieldResult: r.field_result,
      note: r.note,
      changeKind: r.change_kind,
    },
    origin: r.origin,
    edited: r.edited === 1,
    modelAreaM2: r.origin === 'model' ? r.model_area_m2 : null,
    deleted: r.deleted !== LIVE,
    reviewer: r.reviewer,
    reviewedAt: r.reviewed_at,
    updatedAt: r.updated_at,
    parents: r.parents ? (JSON.parse(r.parents) as number[]).map(String) : [],
    linkedTo: linkedTo.map(String),
    version: r.version,
  };
}
