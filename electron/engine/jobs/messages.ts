import type { DetectProgress } from '../inference/detect.js';
import type { TileCounts } from '../inference/tile-rows.js';
import type { ChangePolygon } from '../vector/polygonize.js';

/** What a detection job hands back: enough to store a run, not the probability raster. */
export interface DetectSummary {
  polygons: ChangePolygon[];
  modelId: string;
  modelVersion: string;
  threshold: number;
  minArea: number;
  executionProvider: string;
  fallbacks: { provider: string; reason: string }[];
  notes: string[];
  seconds: { open: number; infer: number; vectorise: number };
  /** The probability GeoTIFF kept for re-extraction (see inference/reextract.ts). */
  probabilityPath?: string;
  /** The run's work folder: probability, mask, checkpoints. */
  workDir?: string;
  /** Tiles run, skipped by screening and taken from a checkpoint; absent when none ran. */
  tiles?: TileCounts;
}

export type WorkerMessage =
  | { type: 'progress'; progress: DetectProgress }
  | { type: 'log'; line: string }
  | { type: 'done'; summary: DetectSummary }
  | { type: 'error'; error: { code: string; message: string } };
