/**
 * Making a round: read the pairs file, open and align every pair exactly as `detect` would (so a
 * missing file or a pair without overlap is refused before anything is written), cut each pair
 * into blocks, then store the round's spec (only if the name is free) and submit one job per block
 * with a deterministic id. Submitting again adds nothing that is already queued or done.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { LandWatchError } from '../errors.js';
import { openInputs } from '../inference/detect-inputs.js';
import { findModel } from '../inference/model-registry.js';
import { cardKinds } from '../inference/model-card.js';
import { windowAxes } from '../inference/tile-rows.js';
import { axisBlocks, tilesPerBlock } from './block-plan.js';
import { deleteSpec, roundQueue, storeNewSpec } from './round-redis.js';
import {
  ROUND_NAME,
  blockJobId,
  radiometryOf,
  roundJobs,
  type PairSpec,
  type RoundSpec,
} from './round-spec.js';

/** A pairs file row: `id,before,after` or `before,after`; `#` comments and a header are skipped. */
export function readPairsFile(path: string): { id: string; before: string; after: string }[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new LandWatchError('E_FILE_NOT_FOUND', `${path}: pairs file not found.`);
  }
  const base = dirname(path);
  const at = (p: string) => (/^https?:\/\//.test(p) || isAbsolute(p) ? p : resolve(base, p));
  const rows: { id: string; before: string; after: string }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    if (!line.trim() || line.startsWith('#') || /^(id|before)$/i.test(cells[0])) return;
    if (cells.length < 2 || cells.length > 3)
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `${path} line ${i + 1}: expected "id,before,after" or "before,after".`,
      );
    const [id, before, after] = cells.length === 3 ? cells : [`p${rows.length + 1}`, ...cells];
    if (!ROUND_NAME.test(id))
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `${path} line ${i + 1}: pair id "${id}" must be letters, digits, - or _.`,
      );
    rows.push({ id, before: at(before), after: at(after) });
  });
  if (rows.length === 0) throw new LandWatchError('E_BAD_REQUEST', `${path}: no pairs in it.`);
  return rows;
}

export interface CreateRoundOptions {
  name: string;
  pairsFile: string;
  outDir: string;
  jobSize: number;
  modelId?: string;
  threshold?: number;
  minArea: number;
  bands?: number[];
  stretch: 'auto' | 'none' | 'percentile';
  matchRadiometry: boolean;
  /** Force screening on or off; default per pair as `detect` decides. */
  screening?: boolean;
}

/** Validates every pair and builds the spec; writes nothing. */
export async function planRound(o: CreateRoundOptions): Promise<RoundSpec> {
  if (!ROUND_NAME.test(o.name))
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `round name "${o.name}": use letters, digits, - or _ (up to 64).`,
    );
  const rows = readPairsFile(o.pairsFile);
  const pairs: PairSpec[] = [];
  let model: RoundSpec['model'] | null = null;
  let threshold = o.threshold ?? 0.5;
  // A round names its model, so that every worker, CPU or GPU, runs the same one: the default
  // model itself, not the CPU variant a local detect would pick here (name that with --model).
  const modelId = o.modelId ?? findModel(undefined).card.id;
  for (const row of rows) {
    const inputs = await openInputs({
      beforePath: row.before,
      afterPath: row.after,
      modelId,
      bands: o.bands,
      stretch: o.stretch,
      matchRadiometry: o.matchRadiometry,
      screening: o.screening,
    }).catch((error: unknown) => {
      const e = error as Error;
      throw new LandWatchError(
        error instanceof LandWatchError ? error.code : 'E_BAD_REQUEST',
        `pair ${row.id} (${row.before}, ${row.after}): ${e.message}`,
      );
    });
    try {
      const { card, alignment } = inputs;
      if (cardKinds(card)?.length)
        throw new LandWatchError(
          'E_MODEL',
          `model ${card.id} has a kind output, which rounds do not collect yet; pick another --model.`,
        );
      model = { id: card.id, version: card.version };
      threshold = o.threshold ?? card.threshold;
      const axes = windowAxes(card, alignment.width, alignment.height);
      const perBlock = tilesPerBlock(o.jobSize, card.tile.size, card.tile.overlap);
      const { x, y, width, height } = alignment;
      pairs.push({
        ...row,
        window: { x, y, width, height },
        tileCols: axes.xs.length,
        tileRows: axes.ys.length,
        perBlock,
        blockCols: axisBlocks(axes.xs, axes.tileWidth, width, perBlock).length,
        blockRows: axisBlocks(axes.ys, axes.tileHeight, height, perBlock).length,
        screening: inputs.screening,
        radiometry: inputs.dates.map(radiometryOf),
      });
    } finally {
      inputs.close();
    }
  }
  return {
    name: o.name,
    createdAt: new Date().toISOString(),
    model: model!,
    params: {
      threshold,
      minArea: o.minArea,
      ...(o.bands ? { bands: o.bands } : {}),
      stretch: o.stretch,
      matchRadiometry: o.matchRadiometry,
    },
    jobSize: o.jobSize,
    outDir: resolve(o.outDir),
    pairs,
    state: 'running',
  };
}

/** Stores a new round and submits its jobs; a taken name is refused with nothing written. */
export async function createRound(redis: Redis, spec: RoundSpec): Promise<number> {
  if (!(await storeNewSpec(redis, spec)))
    throw new LandWatchError(
      'E_OUTPUT',
      `round "${spec.name}" already exists; pick another --name (or "round status ${spec.name}").`,
    );
  try {
    return await submitJobs(redis, spec);
  } catch (error) {
    // Nothing half-written: a round whose jobs could not all be queued is taken back whole.
    const queue = roundQueue(redis, spec.name);
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await deleteSpec(redis, spec.name).catch(() => {});
    throw error;
  }
}

/** Adds the round's jobs that are not in its queue yet; returns how many were added. */
export async function submitJobs(redis: Redis, spec: RoundSpec): Promise<number> {
  const queue = roundQueue(redis, spec.name);
  try {
    const jobs = roundJobs(spec);
    const before = await queue.getJobCountByTypes(
      'waiting',
      'active',
      'completed',
      'failed',
      'delayed',
      'prioritized',
    );
    await queue.addBulk(
      jobs.map((data) => ({
        name: 'block',
        data,
        opts: {
          jobId: blockJobId(data),
          attempts: 3,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: false,
          removeOnFail: false,
        },
      })),
    );
    const after = await queue.getJobCountByTypes(
      'waiting',
      'active',
      'completed',
      'failed',
      'delayed',
      'prioritized',
    );
    return after - before;
  } finally {
    await queue.close();
  }
}
