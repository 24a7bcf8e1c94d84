/**
 * The model's own time for `npm run bench`: ONNX Runtime `run` alone, on real tiles of the bench
 * scene whose inputs were read and normalised in advance, in a session tuned as detection tunes
 * it. A sample of tiles spread over the scene is timed (after one warm-up run) and the median
 * time per tile stands for every tile, since a CPU model's cost per tile of fixed size does not
 * depend on what the tile shows. A screened run's crops (tiles cut to where change may be) have
 * many sizes: each is timed, once, and their times summed.
 */
import { openInputs, type DetectInputs } from '../electron/engine/inference/detect-inputs.js';
import { cardKinds } from '../electron/engine/inference/model-card.js';
import { createModelSession, type ModelSession } from '../electron/engine/inference/session.js';
import { defaultTuning } from '../electron/engine/inference/session-thread.js';
import { runTile, tileFeeds } from '../electron/engine/inference/tile-predict.js';
import { windowAxes } from '../electron/engine/inference/tile-rows.js';
import { axisTile, type Tile } from '../electron/engine/inference/tiling.js';

/** Median seconds of one model run on a tile of `before`/`after`, over `sample` tiles. */
export async function modelSecondsPerTile(
  before: string,
  after: string,
  options: OwnOptions & { sample?: number } = {},
): Promise<{ secondsPerTile: number; tileSize: number; executionProvider: string }> {
  return withSession(before, after, options, async (inputs, model) => {
    const { card, dates, alignment } = inputs;
    const axes = windowAxes(card, alignment.width, alignment.height);
    const count = axes.xs.length * axes.ys.length;
    const n = Math.min(options.sample ?? 8, count);
    const picks = Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * count) / n));
    const feeds = [];
    for (const k of picks) {
      const tile = axisTile(axes, Math.floor(k / axes.xs.length), k % axes.xs.length);
      feeds.push(await tileFeeds(card, [dates[0], dates[1]], alignment, tile));
    }
    // Fetch what detection fetches: the kind planes too when the model has them.
    const withKind = cardKinds(card) !== null;
    await runTile(model.runner, card, feeds[0], withKind);
    const times: number[] = [];
    for (const f of feeds) {
      const start = performance.now();
      await runTile(model.runner, card, f, withKind);
      times.push((performance.now() - start) / 1000);
    }
    times.sort((a, b) => a - b);
    const mid = times.length >> 1;
    const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
    return {
      secondsPerTile: median,
      tileSize: card.tile.size,
      executionProvider: model.executionProvider,
    };
  });
}

interface OwnOptions {
  modelId?: string;
  device?: string;
}

/** Opens the scene and a session tuned as detection tunes it, runs `fn`, closes both. */
async function withSession<T>(
  before: string,
  after: string,
  options: OwnOptions,
  fn: (inputs: DetectInputs, model: ModelSession) => Promise<T>,
): Promise<T> {
  const device = (options.device ?? 'auto') as never;
  const inputs = await openInputs({
    beforePath: before,
    afterPath: after,
    modelId: options.modelId,
    device,
  });
  const { thread: _thread, ...tuning } = defaultTuning();
  const model = await createModelSession(inputs.model.onnxPath, device, () => {}, tuning);
  try {
    return await fn(inputs, model);
  } finally {
    await model.dispose();
    inputs.close();
  }
}

/**
 * Seconds of the model's runs on `rects` (window pixels, e.g. a screened run's crops) of
 * `before`/`after`, each prepared in advance and run once after one warm-up run, summed.
 */
export async function modelSecondsForRects(
  before: string,
  after: string,
  rects: Tile[],
  options: OwnOptions = {},
): Promise<number> {
  return withSession(before, after, options, async (inputs, model) => {
    const { card, dates, alignment } = inputs;
    const withKind = cardKinds(card) !== null;
    let total = 0;
    for (const [i, rect] of rects.entries()) {
      const feeds = await tileFeeds(card, [dates[0], dates[1]], alignment, rect);
      if (i === 0) await runTile(model.runner, card, feeds, withKind);
      const start = performance.now();
      await runTile(model.runner, card, feeds, withKind);
      total += (performance.now() - start) / 1000;
    }
    return total;
  });
}
