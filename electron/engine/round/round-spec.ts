/**
 * What a round is, as stored in Redis and read by every worker: its pairs (paths every worker can
 * read), the model (id and version) and detection parameters, the job size, and the shared folder
 * where blocks are written and collected. One JSON document per round, validated when read.
 */
import { z } from 'zod';
import type { DetectParams } from '../inference/detect.js';

/** Round names become Redis keys, queue names, job ids and folder names: keep them plain. */
export const ROUND_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const rect = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });
const dateRadiometry = z.object({
  bands: z.array(z.number()),
  stretch: z.array(z.object({ low: z.number(), high: z.number() }).nullable()),
  linear: z.array(z.object({ gain: z.number(), offset: z.number() }).nullable()),
});
export type DateRadiometry = z.infer<typeof dateRadiometry>;

/** The radiometry of a prepared date, as a pair spec records it. */
export function radiometryOf(date: {
  bands: number[];
  stretch: DateRadiometry['stretch'];
  linear?: DateRadiometry['linear'];
}): DateRadiometry {
  return { bands: date.bands, stretch: date.stretch, linear: date.linear ?? [] };
}

export const pairSpecSchema = z.object({
  /** Pair id: the pairs file's `id` column, else its 1-based line number ("p1", "p2", …). */
  id: z.string(),
  before: z.string(),
  after: z.string(),
  /** The processed window (the overlap) in before-grid pixels, as `detect` processes it. */
  window: rect,
  /** Tile columns of the pair's full tile grid (for screening plans). */
  tileCols: z.number(),
  tileRows: z.number(),
  /** Tiles per block side (block-plan.ts). */
  perBlock: z.number(),
  blockRows: z.number(),
  blockCols: z.number(),
  screening: z.boolean(),
  /**
   * [before, after] as `detect` prepares them from scene-wide samples: bands, stretch and the
   * after date's match onto the before date. Every block of the pair must use exactly these, so
   * its pixels equal a single-machine run's; a worker that reads other values refuses the block.
   */
  radiometry: z.array(dateRadiometry).length(2).optional(),
});
export type PairSpec = z.infer<typeof pairSpecSchema>;

export const roundSpecSchema = z.object({
  name: z.string().regex(ROUND_NAME),
  createdAt: z.string(),
  model: z.object({ id: z.string(), version: z.string() }),
  params: z.object({
    threshold: z.number(),
    minArea: z.number(),
    bands: z.array(z.number()).optional(),
    stretch: z.enum(['auto', 'none', 'percentile']),
    matchRadiometry: z.boolean(),
  }),
  jobSize: z.number(),
  /** The shared folder blocks are written to and collected from. */
  outDir: z.string(),
  pairs: z.array(pairSpecSchema),
  state: z.enum(['running', 'cancelled']),
});
export type RoundSpec = z.infer<typeof roundSpecSchema>;

/** One job: a block of a pair of a round. */
export const blockJobSchema = z.object({
  round: z.string(),
  pair: z.string(),
  row: z.number(),
  col: z.number(),
});
export type BlockJob = z.infer<typeof blockJobSchema>;

/**
 * The deterministic job id of a block: the same round, pair and block always give the same id, so
 * a second submission finds the job already there and adds nothing.
 */
export function blockJobId(job: BlockJob): string {
  return `${job.round}.${job.pair}.${job.row}-${job.col}`;
}

/** The detection parameters of a pair, as `detect` takes them. */
export function pairDetectParams(spec: RoundSpec, pair: PairSpec): DetectParams {
  return {
    beforePath: pair.before,
    afterPath: pair.after,
    modelId: spec.model.id,
    threshold: spec.params.threshold,
    minArea: spec.params.minArea,
    bands: spec.params.bands,
    stretch: spec.params.stretch,
    matchRadiometry: spec.params.matchRadiometry,
    screening: pair.screening,
  };
}

/** Every job of a round, pair by pair, block row by block row. */
export function roundJobs(spec: RoundSpec): BlockJob[] {
  const jobs: BlockJob[] = [];
  for (const pair of spec.pairs) {
    for (let row = 0; row < pair.blockRows; row++) {
      for (let col = 0; col < pair.blockCols; col++)
        jobs.push({ round: spec.name, pair: pair.id, row, col });
    }
  }
  return jobs;
}
