/**
 * One round job: the engine `detect` runs, on one block of a pair. Opens and aligns both dates as
 * `detect` does (same bands, stretch, radiometric matching, checked against the scene-wide values
 * the round was made with), takes the pair's screening plan (made once per pair for the whole
 * scene by {@link screenPair}, exactly as `detect` makes it), runs the block's tiles over its
 * span and keeps the core's blended probability, stored as `detect` stores it (one byte a pixel),
 * in the round's shared folder. Written under a temporary name and renamed: a killed worker leaves
 * no half block.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LandWatchError, throwIfAborted } from '../errors.js';
import { openInputs } from '../inference/detect-inputs.js';
import { screenTiles } from '../inference/screening.js';
import { packPlan, unpackPlan } from '../inference/tile-crops.js';
import type { ModelRunner } from '../inference/session.js';
import { openModelRunner } from '../inference/session-thread.js';
import { runTileRows, windowAxes } from '../inference/tile-rows.js';
import { quantise } from '../raster/probability-file.js';
import type { Device } from '../../common/contract.js';
import { blockCrops, blockGrid, blockPlan } from './block-plan.js';
import {
  pairDetectParams,
  radiometryOf,
  type BlockJob,
  type DateRadiometry,
  type PairSpec,
  type RoundSpec,
} from './round-spec.js';

/** Where a block's core probability lies in the round's shared folder. */
export function blockPath(spec: RoundSpec, pair: string, row: number, col: number): string {
  return join(spec.outDir, pair, `block-${row}-${col}.u8`);
}

export interface BlockRunOptions {
  device: Device;
  signal?: AbortSignal;
  /** The pair's screening plan over its full tile grid, with its crops ({@link screenPair}); null = every tile. */
  plan: Uint8Array | null;
  onTile?: (done: number, total: number) => void;
  log?: (line: string) => void;
}

/** The pair's screening plan for its whole scene, made exactly as `detect` makes it. */
export async function screenPair(
  spec: RoundSpec,
  pairId: string,
  options: Pick<BlockRunOptions, 'device' | 'signal' | 'log'>,
): Promise<Uint8Array> {
  const pair = findPair(spec, pairId);
  const inputs = await openInputs(pairDetectParams(spec, pair), options.signal);
  let session: ModelRunner | null = null;
  try {
    const { card, alignment, dates } = inputs;
    checkRadiometry(pair, dates.map(radiometryOf));
    session = await openModelRunner(inputs.model.onnxPath, options.device, options.log);
    mkdirSync(join(spec.outDir, pair.id), { recursive: true });
    const screened = await screenTiles({
      session: session.runner,
      card,
      dates: [dates[0], dates[1]],
      window: alignment,
      axes: windowAxes(card, alignment.width, alignment.height),
      scratchDir: join(spec.outDir, pair.id),
      signal: options.signal,
    });
    // The crops travel with the plan, so blocks run exactly what `detect` runs.
    return packPlan(screened.plan, screened.crops);
  } finally {
    await session?.dispose();
    inputs.close();
  }
}

function findPair(spec: RoundSpec, id: string): PairSpec {
  const pair = spec.pairs.find((p) => p.id === id);
  if (!pair) throw new Error(`round ${spec.name} has no pair ${id}`);
  return pair;
}

export interface BlockRunResult {
  /** Core pixels written. */
  pixels: number;
  tilesRun: number;
  executionProvider: string;
  path: string;
}

/** Runs one block job and writes its core probability; see the module comment. */
export async function runBlock(
  spec: RoundSpec,
  job: BlockJob,
  options: BlockRunOptions,
): Promise<BlockRunResult> {
  const pair = findPair(spec, job.pair);
  const inputs = await openInputs(pairDetectParams(spec, pair), options.signal);
  let session: ModelRunner | null = null;
  try {
    const { card, alignment, dates } = inputs;
    checkRadiometry(pair, dates.map(radiometryOf));
    const axes = windowAxes(card, alignment.width, alignment.height);
    const block = blockGrid(axes, alignment.width, alignment.height, pair.perBlock)[
      job.row * pair.blockCols + job.col
    ];
    if (!block) throw new Error(`pair ${pair.id} has no block ${job.row}-${job.col}`);
    session = await openModelRunner(inputs.model.onnxPath, options.device, options.log);
    mkdirSync(join(spec.outDir, pair.id), { recursive: true });
    throwIfAborted(options.signal);
    const { span, core } = block;
    const planned = options.plan ? unpackPlan(options.plan, axes.xs.length * axes.ys.length) : null;
    const core8 = new Uint8Array(core.width * core.height);
    const counts = await runTileRows({
      session: session.runner,
      card,
      dates: [dates[0], dates[1]],
      window: {
        x: alignment.x + span.x,
        y: alignment.y + span.y,
        width: span.width,
        height: span.height,
      },
      plan: blockPlan(planned?.plan ?? null, axes.xs.length, block),
      crops: blockCrops(planned?.crops ?? null, axes.xs.length, block, span.x, span.y),
      signal: options.signal,
      onTile: (done, total) => options.onTile?.(done, total),
      onRows: (y, rows) => {
        // Keep only the core: the halo belongs to (and is computed exactly by) another block.
        const n = rows.length / span.width;
        for (let r = 0; r < n; r++) {
          const cy = span.y + y + r - core.y;
          if (cy < 0 || cy >= core.height) continue;
          const from = r * span.width + (core.x - span.x);
          for (let c = 0; c < core.width; c++)
            core8[cy * core.width + c] = quantise(rows[from + c]);
        }
      },
    });
    const path = blockPath(spec, pair.id, job.row, job.col);
    writeFileSync(`${path}.${process.pid}.tmp`, core8);
    renameSync(`${path}.${process.pid}.tmp`, path);
    return {
      pixels: core.width * core.height,
      tilesRun: counts.run,
      executionProvider: session.executionProvider,
      path,
    };
  } finally {
    await session?.dispose();
    inputs.close();
  }
}

/**
 * Every block must see the pair with the scene-wide statistics the round was made with (those of
 * a single `detect`): values computed here that differ mean a date changed since `round create`.
 */
function checkRadiometry(pair: PairSpec, here: DateRadiometry[]): void {
  if (!pair.radiometry) return;
  if (JSON.stringify(here) === JSON.stringify(pair.radiometry)) return;
  throw new LandWatchError(
    'E_BAD_REQUEST',
    `${pair.before} or ${pair.after} is not what the round was created from (its bands or radiometry differ); create the round again.`,
  );
}
