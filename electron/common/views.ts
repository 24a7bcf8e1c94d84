/**
 * What the backend returns to the UI: the view types of projects, scenes, runs, patches, queue
 * pages, history, exports and reports. Types only; the request schemas are in contract.ts, which
 * re-exports everything here. Runs in Node, Electron and the browser.
 */
import type { PatchOrigin, ReviewState } from './enums.js';
import type { OverrideView, SecondCheckView } from './lease-contract.js';

/** A GeoJSON Polygon or MultiPolygon in the scene's CRS (not WGS84). */
export interface PolygonGeometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: number[][][] | number[][][][];
}

export interface ModelInfo {
  id: string;
  name: string;
  version: string;
  description: string;
  bands: number;
  metrics: Record<string, number>;
  /** The card's decision threshold: what the Detect dialog offers when this model is chosen. */
  threshold: number;
  /** Listed and pickable, never the default (see the card's description for why). */
  experimental: boolean;
  /** Shipped with LandWatch, or added by the user (only those can be removed). */
  source: 'bundled' | 'user';
  /** For a model adapted to a project's decisions: its base model and the project's name. */
  adaptedFrom?: { model: string; projectName: string | null };
}

export interface AppInfo {
  version: string;
  transport: 'electron' | 'http';
  executionProviders: string[];
  models: ModelInfo[];
  defaultModelId: string | null;
  /** Set by a team server (`landwatch serve --team`): log in before anything else. */
  team?: boolean;
}

export interface SceneView {
  role: 'before' | 'after';
  name: string;
  /**
   * URL the renderer reads the imagery from by HTTP range requests: the original when it is tiled
   * with overviews, else its display copy (a tiled GeoTIFF with overviews, same grid and CRS).
   */
  url: string;
  /**
   * `direct`: `url` is the original; `copy`: `url` is the display copy; `pending`: not decided or
   * the copy is not built yet (`display.prepare` does it) — do not load `url` then.
   */
  display?: 'direct' | 'copy' | 'pending';
  width: number;
  height: number;
  bands: number;
  /**
   * Bands (1-based) to show as red, green, blue when the file names its wavelengths (Landsat,
   * Sentinel stacks); absent or null: the first three.
   */
  displayBands?: [number, number, number] | null;
  /** [minX, minY, maxX, maxY] in the scene CRS. */
  extent: [number, number, number, number];
  crs: string;
  /** proj4 definition of the CRS, so the UI can show lon/lat. */
  proj4: string | null;
  date: string | null;
}

export interface RunView {
  id: string;
  modelId: string;
  threshold: number;
  minArea: number;
  executionProvider: string;
  startedAt: string;
  seconds: number;
  patchCount: number;
  /** `manual` for the run that holds hand-drawn patches (filled by the backend; see PatchView). */
  kind?: 'model' | 'manual';
  /**
   * URL of the run's blended change probability (a tiled uint8 GeoTIFF on the processed window's
   * grid, value = p × 255) for ol/source/GeoTIFF; null when the run kept none or it was deleted.
   * Filled in project views only.
   */
  probabilityUrl?: string | null;
}

export interface ProjectView {
  id: string;
  name: string;
  crs: string;
  scenes: { before: SceneView; after: SceneView };
  runs: RunView[];
  counts: Record<ReviewState, number>;
  /** The model adapted to this project's decisions (its runs' default), when there is one. */
  adaptedModelId?: string | null;
  /** A team project (PostgreSQL): leases, work packages and second checks apply. */
  team?: boolean;
}

/** What a project's decisions offer for adapting the change model (`adapt.summary`). */
export interface AdaptSummaryView {
  /** Patches labelled change (confirmed or drawn), no change (rejected), and left out. */
  decisions: { change: number; noChange: number; ignored: number };
  /** Areas marked reviewed (everything else in them counts as no change). */
  reviewedAreas: number;
  wholeSceneReviewed: boolean;
  /** The project's adapted model, and whether it is still installed. */
  adaptedModelId: string | null;
  adaptedModelInstalled: boolean;
  /** The model adaptation would start from. */
  baseModelId: string | null;
  /** Whether "Adapt" can run, and if not, why. */
  ready: boolean;
  reason: string | null;
}

/** What an adaptation learnt from and how it did, for the UI's summary. */
export interface AdaptResultView {
  modelId: string;
  modelName: string;
  baseModelId: string;
  seconds: number;
  tilesRun: number;
  /** Labelled pixels used: [no change, change]. */
  pixels: [number, number];
  chosen: 'base' | 'calibrated' | 'adapted';
  /** Held-back pixel F1 of the base model and of the chosen model. */
  heldBackF1: { base: number; chosen: number };
}

export interface PatchView {
  id: string;
  runId: string;
  number: number;
  state: ReviewState;
  areaM2: number;
  areaMu: number;
  perimeterM: number;
  /** The model's mean change probability; null for a patch drawn by hand (the model never saw it). */
  meanProb: number | null;
  maxProb: number | null;
  comment: string | null;
  geometry: PolygonGeometry;
  // The fields below are always filled by the backend; optional only so that older code that
  // builds PatchViews by hand keeps compiling.
  /** Classification and field-check attributes (codes from `codeLists.get`). */
  attributes?: PatchAttributes;
  /** How the patch came to be: detected, drawn by hand, or made by a split or a merge. */
  origin?: PatchOrigin;
  /** The geometry differs from what the model produced (`patches.revertGeometry` undoes that). */
  edited?: boolean;
  /**
   * Area (m²) of the outline the model produced, on which its probabilities were measured; kept
   * apart from `areaM2` (the outline now, perhaps a person's). Null unless the model made this
   * very patch (drawn by hand, or split / merged by a person).
   */
  modelAreaM2?: number | null;
  /** Deleted (soft, undoable). Only edit results, undo/redo and `patches.get` show deleted ones. */
  deleted?: boolean;
  reviewer?: string | null;
  reviewedAt?: string | null;
  updatedAt?: string;
  /** Patches this one was split or merged from. */
  parents?: string[];
  /**
   * For a detection of a later run that overlaps decided patches: their ids. Such detections are
   * left out of the queue, the lists and the counts (the decided patch stands for them).
   */
  linkedTo?: string[];
  /**
   * Counts up with every change by an analyst (edits, undo, redo). A write may carry the version
   * it read (`expectVersions`); it is refused with E_CONFLICT when the patch has moved on.
   */
  version?: number;
  /** Team projects: who is reviewing the patch right now (an active lease). */
  lease?: { user: string; expiresAt: string } | null;
  /** Team projects: the current decision overrode an analyst's (a supervisor's change). */
  override?: OverrideView | null;
  /** Team projects: a supervisor second-checked the current decision. */
  secondCheck?: SecondCheckView | null;
}

/** Attributes an analyst gives a patch; codes come from the project's code lists. */
export interface PatchAttributes {
  /** Change class code (图斑类型), list `changeClass`. */
  changeClass: string | null;
  /** Legality code, list `legality`. */
  legality: string | null;
  /** Cadastral parcel number (宗地号), free text. */
  parcelNo: string | null;
  /** Field-check result code, list `fieldResult`. */
  fieldResult: string | null;
  note: string | null;
  /** Kind of change the model reported (or the analyst corrected), free text. */
  changeKind: string | null;
}

/** One entry of a code list. */
export interface CodeEntry {
  code: string;
  /** Label in Chinese, as in the national codes. */
  label: string;
  labelEn: string;
  sort: number;
  active: boolean;
}

export interface CodeLists {
  changeClass: CodeEntry[];
  legality: CodeEntry[];
  fieldResult: CodeEntry[];
}

/** A page of the review queue, ranked by mean probability × area (largest first). */
export interface PatchQueuePage {
  /** Patches matching the filter, over all pages. */
  total: number;
  offset: number;
  items: PatchView[];
}

/** Counts of the live patches (not deleted, not superseded, not linked to a decided patch). */
export interface PatchSummary {
  total: number;
  byState: Record<ReviewState, number>;
  areaM2ByState: Record<ReviewState, number>;
  /** By change class code; unclassified patches under "". */
  byChangeClass: Record<string, number>;
  /** Detections of later runs linked to decided patches (hidden from the queue). */
  linked: number;
  deleted: number;
}

/** One undoable operation. */
export interface HistoryEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  summary: string;
  patchIds: string[];
  /** `discarded`: undone and then overwritten by a new edit (kept for the record). */
  status: 'done' | 'undone' | 'discarded';
}

export interface HistoryStatus {
  /** What `history.undo` would undo next, if anything. */
  undo: HistoryEntry | null;
  /** What `history.redo` would redo next, if anything. */
  redo: HistoryEntry | null;
}

/**
 * What every edit, undo and redo returns: the operation and the current state of every patch it
 * touched. Patches with `deleted: true` are gone from the map and the queue; new ones appear.
 */
export interface EditResult {
  entry: HistoryEntry | null;
  changed: PatchView[];
  history: HistoryStatus;
}

/** One row of a patch's audit trail: what changed (only the changed fields), who and when. */
export interface PatchAuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** The undoable operation this change belonged to (null for older rows). */
  historySeq: number | null;
  /** Team projects: this change overrode an analyst's decision (a supervisor's). */
  override?: boolean;
}

export interface ProjectSettings {
  /** Rejecting a patch whose mean probability is at least this needs a comment. */
  rejectCommentMinConfidence: number;
}

/** One problem the pre-export check found (see `export.check`). */
export interface ExportCheckProblem {
  severity: 'error' | 'warning';
  code: string;
  field?: string;
  /** 1-based position of the feature concerned. */
  feature?: number;
  message: string;
}

export interface ExportCheckResult {
  /** True when nothing stops the export (warnings allowed). */
  ok: boolean;
  features: number;
  problems: ExportCheckProblem[];
}

export interface ReportResult {
  fileName: string;
  patches: number;
  /** Where the report was written (Electron) or a URL to download it from (HTTP). */
  location: string;
}

export interface ExportResult {
  fileName: string;
  features: number;
  /** Where the file was written (Electron) or a URL to download it from (HTTP). */
  location: string;
}
