import type { DetectProgress, DetectResult } from '../inference/detect.js';
import type { JobMessage } from './worker-job.js';

/** What a detection job hands back: enough to store a run, not the probability raster. */
export type DetectSummary = Pick<
  DetectResult,
  | 'polygons'
  | 'threshold'
  | 'minArea'
  | 'executionProvider'
  | 'fallbacks'
  | 'notes'
  | 'seconds'
  // The probability GeoTIFF kept for re-extraction (inference/reextract.ts), the work folder, and
  // the tiles run / skipped by screening / taken from a checkpoint (absent when none ran).
  | 'probabilityPath'
  | 'workDir'
  | 'tiles'
> & { modelId: string; modelVersion: string };

export type WorkerMessage = JobMessage<DetectProgress, DetectSummary>;
