/**
 * The one API contract between the LandWatch UI and its backend.
 *
 * Every channel maps to a request schema and a response schema. The same map is used by
 * - the Electron preload (IPC, `ipcRenderer.invoke(channel, payload)`),
 * - the HTTP transport of `landwatch serve` (`POST /api/<channel>`),
 * - the backend handlers, which validate every payload with these schemas before doing anything.
 * Progress and completion of long jobs arrive as {@link ApiEvent}s.
 *
 * This module runs in Node, Electron and the browser: it must not import Node built-ins.
 */
import { z } from 'zod';
import { codesContract } from './codes-contract.js';
import { leaseContract } from './lease-contract.js';
import { projectContract } from './project-contract.js';
import { rankContract } from './rank-contract.js';
import { teamContract } from './team-contract.js';
import { referenceContract, referenceOverlapFilterSchema } from './reference-contract.js';
import {
  deviceSchema,
  reviewStateSchema,
  exportFormatSchema,
  exportProfileSchema,
  exportEncodingSchema,
} from './enums.js';
import type {
  ModelInfo,
  AppInfo,
  RunView,
  ProjectView,
  PatchView,
  CodeLists,
  PatchQueuePage,
  PatchSummary,
  HistoryEntry,
  HistoryStatus,
  EditResult,
  PatchAuditEntry,
  ProjectSettings,
  ExportCheckResult,
  ReportResult,
  ExportResult,
  AdaptSummaryView,
  AdaptResultView,
} from './views.js';

const id = z.string().min(1).max(128);

export * from './enums.js';
export * from './views.js';
export type { RecentProjectView } from './project-contract.js';
export type { LearntRankingView, RankExplanationView, RankReasonView } from './rank-contract.js';
export type {
  LeaseListView,
  LeaseView,
  OverrideView,
  SecondCheckView,
  WorkPackageView,
} from './lease-contract.js';
export type { TeamLoginView, TeamProjectView, TeamRole, TeamUserView } from './team-contract.js';

const patchId = z.string().regex(/^[1-9][0-9]{0,14}$/, 'must be a patch id (a positive integer)');
const patchIds = z.array(patchId).min(1).max(100_000);
const finite = z.number().finite();
const position = z.array(finite).min(2).max(3);
const code = z.string().min(1).max(16);
/**
 * Optimistic concurrency: patch id → the `version` the client read. A patch that has changed
 * since refuses the whole write with E_CONFLICT (HTTP 409), naming who changed it and when.
 */
const expectVersions = z.record(patchId, z.number().int().min(1)).optional();

/** A GeoJSON Polygon in the scene CRS; a third coordinate (z) is accepted and dropped. */
export const polygonInputSchema = z
  .object({
    type: z.literal('Polygon'),
    coordinates: z.array(z.array(position).min(4).max(100_000)).min(1).max(1_000),
  })
  .strict();

export const patchAttributesInputSchema = z
  .object({
    changeClass: code.nullable(),
    legality: code.nullable(),
    parcelNo: z.string().max(64).nullable(),
    fieldResult: code.nullable(),
    note: z.string().max(4000).nullable(),
    changeKind: z.string().max(32).nullable(),
  })
  .partial()
  .strict();

/** Filters of the review queue and of filter-based bulk actions. All optional, all combined. */
export const patchFilterSchema = z
  .object({
    states: z.array(reviewStateSchema).min(1).max(4),
    minAreaM2: finite.min(0),
    maxAreaM2: finite.min(0),
    minConfidence: finite.min(0).max(1),
    maxConfidence: finite.min(0).max(1),
    runIds: z.array(id).min(1).max(100),
    /** Change class codes; null selects unclassified patches. */
    changeClasses: z.array(code.nullable()).min(1).max(100),
    /** Change kinds the model reported (`new_building`, …); null selects patches without one. */
    changeKinds: z.array(z.string().min(1).max(32).nullable()).min(1).max(100),
    /** [minX, minY, maxX, maxY] in the scene CRS: patches whose bounds meet it. */
    bbox: z.tuple([finite, finite, finite, finite]),
    /** Also show detections linked to decided patches (hidden by default). */
    includeLinked: z.boolean(),
    /** Share of the patch inside a reference layer (reference-contract.ts). */
    referenceOverlap: referenceOverlapFilterSchema,
    /** Patches in work packages assigned to this user (team projects; lease-contract.ts). */
    assignee: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be a team user name'),
  })
  .partial()
  .strict();
export type PatchFilter = z.infer<typeof patchFilterSchema>;

/** Area of interest of a detection in the scene CRS: `[minX, minY, maxX, maxY]` or a Polygon. */
export const aoiSchema = z.union([z.tuple([finite, finite, finite, finite]), polygonInputSchema]);
export type Aoi = z.infer<typeof aoiSchema>;

export const contract = {
  'app.info': { request: z.object({}).strict(), response: z.custom<AppInfo>() },
  /**
   * Add a model folder (card.json + ONNX). In the desktop app main shows a folder dialog and
   * ignores `path`; over HTTP the user types a folder path on the serving machine. Null: cancelled.
   */
  'models.add': {
    request: z
      .object({ path: z.string().min(1).max(4096).optional(), replace: z.boolean().default(false) })
      .strict(),
    response: z.custom<ModelInfo | null>(),
  },
  'models.remove': {
    request: z.object({ modelId: id }).strict(),
    response: z.custom<{ removed: boolean }>(),
  },
  'project.openDemo': { request: z.object({}).strict(), response: z.custom<ProjectView>() },
  /**
   * Choose a GeoTIFF. In the desktop app main shows a file dialog and ignores `path`; over HTTP the
   * user types a path on the serving machine. Returns an opaque token, or null when cancelled.
   */
  'file.pickImage': {
    request: z
      .object({ role: z.enum(['before', 'after']), path: z.string().min(1).max(4096).optional() })
      .strict(),
    response: z.custom<{ token: string; name: string } | null>(),
  },
  'project.create': {
    request: z
      .object({ name: z.string().min(1).max(200), beforeToken: id, afterToken: id })
      .strict(),
    response: z.custom<ProjectView>(),
  },
  'project.get': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<ProjectView>(),
  },
  'detect.start': {
    request: z
      .object({
        projectId: id,
        modelId: id.optional(),
        threshold: z.number().finite().gt(0).lt(1).default(0.5),
        minArea: z.number().finite().min(0).max(1e9).default(50),
        device: deviceSchema.default('auto'),
        /** Run only the tiles meeting it and keep only the patches meeting it. */
        aoi: aoiSchema.optional(),
        /** Remove haze / cloud / shadow from these dates before comparing them (METHODS M4). */
        declutter: z
          .object({ before: z.boolean().optional(), after: z.boolean().optional() })
          .strict()
          .optional(),
      })
      .strict(),
    response: z.custom<{ jobId: string }>(),
  },
  /** What the project's decisions offer for adapting the model, and its adapted model. */
  'adapt.summary': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<AdaptSummaryView>(),
  },
  /**
   * Fit an adapter on the project's decisions (a job: adapt.* events); the new model becomes the
   * project's default. `baseModelId` defaults to the app's default model.
   */
  'adapt.start': {
    request: z
      .object({ projectId: id, baseModelId: id.optional(), device: deviceSchema.default('auto') })
      .strict(),
    response: z.custom<{ jobId: string }>(),
  },
  'adapt.cancel': {
    request: z.object({ jobId: id }).strict(),
    response: z.custom<{ cancelled: boolean }>(),
  },
  /**
   * Mark an area (default: the whole scene) reviewed: every change there has been decided, so what
   * is not confirmed or drawn counts as no change. `clear` forgets every reviewed area.
   */
  'adapt.markReviewed': {
    request: z
      .object({ projectId: id, aoi: aoiSchema.optional(), clear: z.boolean().default(false) })
      .strict(),
    response: z.custom<AdaptSummaryView>(),
  },
  'detect.cancel': {
    request: z.object({ jobId: id }).strict(),
    response: z.custom<{ cancelled: boolean }>(),
  },
  'patches.list': {
    request: z.object({ projectId: id, runId: id.optional() }).strict(),
    response: z.custom<PatchView[]>(),
  },
  'patches.review': {
    request: z
      .object({
        projectId: id,
        patchId: id,
        state: reviewStateSchema,
        comment: z.string().max(2000).optional(),
        expectVersions,
      })
      .strict(),
    response: z.custom<PatchView>(),
  },
  /** The review queue: ranked by mean probability × area, filtered, one page at a time. */
  'patches.queue': {
    request: z
      .object({
        projectId: id,
        filter: patchFilterSchema.default({}),
        offset: z.number().int().min(0).max(10_000_000).default(0),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict(),
    response: z.custom<PatchQueuePage>(),
  },
  /**
   * The patch after `afterPatchId` in queue order (the first one without it), or null; with
   * `backward`, the patch before it (K in the review desk).
   */
  'patches.next': {
    request: z
      .object({
        projectId: id,
        afterPatchId: patchId.optional(),
        filter: patchFilterSchema.default({}),
        backward: z.boolean().default(false),
      })
      .strict(),
    response: z.custom<PatchView | null>(),
  },
  'patches.summary': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<PatchSummary>(),
  },
  'patches.get': {
    request: z.object({ projectId: id, patchId }).strict(),
    response: z.custom<PatchView>(),
  },
  /** One decision for many patches, by ids or by a queue filter (exactly one of the two). */
  'patches.reviewMany': {
    request: z
      .object({
        projectId: id,
        patchIds: patchIds.optional(),
        filter: patchFilterSchema.optional(),
        state: reviewStateSchema,
        comment: z.string().max(2000).optional(),
        expectVersions,
      })
      .strict()
      .refine((r) => (r.patchIds === undefined) !== (r.filter === undefined), {
        message: 'give either patchIds or filter, not both and not neither',
        path: ['patchIds'],
      }),
    response: z.custom<EditResult>(),
  },
  /** Sets the given attributes (others unchanged; null clears) on one or more patches. */
  'patches.setAttributes': {
    request: z
      .object({
        projectId: id,
        patchIds,
        attributes: patchAttributesInputSchema.refine((a) => Object.keys(a).length > 0, {
          message: 'give at least one attribute',
        }),
        expectVersions,
      })
      .strict(),
    response: z.custom<EditResult>(),
  },
  /** Replaces a patch's geometry (vertex edits); must be a valid polygon inside the scene. */
  'patches.setGeometry': {
    request: z
      .object({ projectId: id, patchId, geometry: polygonInputSchema, expectVersions })
      .strict(),
    response: z.custom<EditResult>(),
  },
  'patches.revertGeometry': {
    request: z.object({ projectId: id, patchId, expectVersions }).strict(),
    response: z.custom<EditResult>(),
  },
  /** Splits a patch along a polyline that crosses it; the pieces replace it. */
  'patches.split': {
    request: z
      .object({
        projectId: id,
        patchId,
        line: z.array(position).min(2).max(10_000),
        expectVersions,
      })
      .strict(),
    response: z.custom<EditResult>(),
  },
  /**
   * Merges overlapping or edge-sharing patches into one. State, comment and attributes come from
   * `primaryId` (default: the largest), attributes it lacks from the others by area.
   */
  'patches.merge': {
    request: z
      .object({
        projectId: id,
        patchIds: z.array(patchId).min(2).max(500),
        primaryId: patchId.optional(),
        expectVersions,
      })
      .strict(),
    response: z.custom<EditResult>(),
  },
  /** A patch drawn by hand (stored in the project's "manual" run). */
  'patches.create': {
    request: z
      .object({
        projectId: id,
        geometry: polygonInputSchema,
        state: reviewStateSchema.default('confirmed'),
        comment: z.string().max(2000).optional(),
        attributes: patchAttributesInputSchema.optional(),
      })
      .strict(),
    response: z.custom<EditResult>(),
  },
  'patches.delete': {
    request: z.object({ projectId: id, patchIds, expectVersions }).strict(),
    response: z.custom<EditResult>(),
  },
  /** Every recorded change of one patch, oldest first. */
  'patches.history': {
    request: z.object({ projectId: id, patchId }).strict(),
    response: z.custom<PatchAuditEntry[]>(),
  },
  'history.undo': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<EditResult>(),
  },
  'history.redo': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<EditResult>(),
  },
  /** The project's operations, newest first, and what undo/redo would do next. */
  'history.list': {
    request: z
      .object({ projectId: id, limit: z.number().int().min(1).max(1000).default(50) })
      .strict(),
    response: z.custom<{ entries: HistoryEntry[]; status: HistoryStatus }>(),
  },
  'codeLists.get': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<CodeLists>(),
  },
  'settings.get': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<ProjectSettings>(),
  },
  'settings.set': {
    request: z.object({ projectId: id, rejectCommentMinConfidence: finite.min(0).max(1) }).strict(),
    response: z.custom<ProjectSettings>(),
  },
  'export.run': {
    request: z
      .object({
        projectId: id,
        format: exportFormatSchema,
        states: z.array(reviewStateSchema).min(1).optional(),
        /** Default: `builtin` for Shapefiles, `landwatch` otherwise. */
        profile: exportProfileSchema.optional(),
        /** Shapefile attribute encoding; default UTF-8. */
        encoding: exportEncodingSchema.optional(),
      })
      .strict(),
    response: z.custom<ExportResult | null>(),
  },
  /** The pre-export check of `export.run` with the same options, without writing anything. */
  'export.check': {
    request: z
      .object({
        projectId: id,
        format: exportFormatSchema,
        states: z.array(reviewStateSchema).min(1).optional(),
        profile: exportProfileSchema.optional(),
        encoding: exportEncodingSchema.optional(),
      })
      .strict(),
    response: z.custom<ExportCheckResult>(),
  },
  /** The evidence report (before/after chips, decisions) of some or all patches, HTML or PDF. */
  'report.evidence': {
    request: z
      .object({
        projectId: id,
        patchIds: z.array(patchId).min(1).max(1000).optional(),
        states: z.array(reviewStateSchema).min(1).optional(),
        format: z.enum(['pdf', 'html']),
      })
      .strict(),
    response: z.custom<ReportResult | null>(),
  },
  /**
   * Makes both scenes displayable fast: decides each, and builds the display copy of a scene that
   * needs one (a job: display.* events). `jobId` null: both are ready now (`project.get` shows them).
   */
  'display.prepare': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<{ jobId: string | null }>(),
  },
  'display.cancel': {
    request: z.object({ jobId: id }).strict(),
    response: z.custom<{ cancelled: boolean }>(),
  },
  ...codesContract,
  ...referenceContract,
  ...projectContract,
  ...rankContract,
  ...leaseContract,
  ...teamContract,
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type RequestOf<C extends Channel> = z.input<Contract[C]['request']>;
export type ParsedRequestOf<C extends Channel> = z.output<Contract[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<Contract[C]['response']>;

export const channels = Object.keys(contract) as Channel[];

export function isChannel(value: string): value is Channel {
  return Object.prototype.hasOwnProperty.call(contract, value);
}

/** Progress and completion of jobs, pushed from the backend to every UI. */
export type ApiEvent =
  | {
      type: 'job.progress';
      jobId: string;
      projectId: string;
      phase: string;
      done: number;
      total: number;
      etaSeconds: number | null;
      executionProvider: string | null;
    }
  | { type: 'job.done'; jobId: string; projectId: string; run: RunView }
  | { type: 'job.failed'; jobId: string; projectId: string; error: ApiErrorBody }
  | { type: 'job.cancelled'; jobId: string; projectId: string }
  | {
      type: 'adapt.progress';
      jobId: string;
      projectId: string;
      phase: string;
      done: number;
      total: number;
      message: string;
    }
  | { type: 'adapt.done'; jobId: string; projectId: string; result: AdaptResultView }
  | { type: 'adapt.failed'; jobId: string; projectId: string; error: ApiErrorBody }
  | { type: 'adapt.cancelled'; jobId: string; projectId: string }
  | {
      type: 'display.progress';
      jobId: string;
      projectId: string;
      /** The scene being copied, and its rows copied so far. */
      role: 'before' | 'after';
      done: number;
      total: number;
    }
  | { type: 'display.done'; jobId: string; projectId: string }
  | { type: 'display.failed'; jobId: string; projectId: string; error: ApiErrorBody }
  | { type: 'display.cancelled'; jobId: string; projectId: string };

/** Errors cross every transport in this shape. */
export interface ApiErrorBody {
  code: string;
  message: string;
}

/** The surface the renderer sees, whichever transport carries it. */
export interface LandWatchApi {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
}
