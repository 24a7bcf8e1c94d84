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

const id = z.string().min(1).max(128);

export const deviceSchema = z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']);
export type Device = z.infer<typeof deviceSchema>;

export const reviewStateSchema = z.enum(['unreviewed', 'confirmed', 'rejected', 'field_check']);
export type ReviewState = z.infer<typeof reviewStateSchema>;

export const exportFormatSchema = z.enum(['gpkg', 'geojson', 'shp']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

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
}

export interface AppInfo {
  version: string;
  transport: 'electron' | 'http';
  executionProviders: string[];
  models: ModelInfo[];
  defaultModelId: string | null;
}

export interface SceneView {
  role: 'before' | 'after';
  name: string;
  /** URL the renderer can hand to ol/source/GeoTIFF (supports HTTP range requests). */
  url: string;
  width: number;
  height: number;
  bands: number;
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
}

export interface ProjectView {
  id: string;
  name: string;
  crs: string;
  scenes: { before: SceneView; after: SceneView };
  runs: RunView[];
  counts: Record<ReviewState, number>;
}

export interface PatchView {
  id: string;
  runId: string;
  number: number;
  state: ReviewState;
  areaM2: number;
  areaMu: number;
  perimeterM: number;
  meanProb: number;
  maxProb: number;
  comment: string | null;
  geometry: PolygonGeometry;
}

export interface ExportResult {
  fileName: string;
  features: number;
  /** Where the file was written (Electron) or a URL to download it from (HTTP). */
  location: string;
}

export const contract = {
  'app.info': { request: z.object({}).strict(), response: z.custom<AppInfo>() },
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
      })
      .strict(),
    response: z.custom<{ jobId: string }>(),
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
      })
      .strict(),
    response: z.custom<PatchView>(),
  },
  'export.run': {
    request: z
      .object({
        projectId: id,
        format: exportFormatSchema,
        states: z.array(reviewStateSchema).min(1).optional(),
      })
      .strict(),
    response: z.custom<ExportResult | null>(),
  },
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
  | { type: 'job.cancelled'; jobId: string; projectId: string };

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
