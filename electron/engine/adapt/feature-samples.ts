/**
 * Runs the base model over the labelled tiles of one pair and streams its per-pixel features, with
 * their labels, into the training and held-back reservoirs. The pair is read exactly as `detect`
 * reads it (openInputs: alignment, bands, stretch, radiometric matching; tileFeeds: normalisation
 * and no-data filling), so the adapter learns on what the model will see when it runs.
 *
 * Tiles overlap; each feature pixel is taken from the one tile whose centre is nearest (its core),
 * so no pixel is sampled twice. Labels are reduced to the features' grid (1/stride) by majority of
 * the pixels under each feature pixel; a feature pixel with any no-data or mostly unlabelled
 * pixels is skipped. Each sample's cross-validation fold is that of its 128 × 128 px block (a
 * fixed hash of the block and the pair), so held-out labels lie apart from most training labels —
 * or, with several pairs, that of its pair, so held-out labels come from another scene.
 */
import { throwIfAborted } from '../errors.js';
import type { DetectInputs } from '../inference/detect-inputs.js';
import { tileFeeds } from '../inference/tile-predict.js';
import { tileAxes, type Tile } from '../inference/tiling.js';
import { withContext } from './context.js';
import { CHANGE, IGNORE, type LabelSource } from './label-sources.js';
import type { SampleReservoir } from './samples.js';
import type { RunSession } from '../inference/session.js';

const BLOCK_PX = 128;

/** Cross-validation folds (samples are assigned by 128-px block). */
export const FOLDS = 5;

export interface PairSampling {
  inputs: DetectInputs;
  session: RunSession;
  labels: LabelSource;
  /** Distinguishes pairs in the held-back hash. */
  pairIndex: number;
  /**
   * How samples are held out: by 128-px block (one pair: the rest of the same scene) or by pair
   * (several pairs: every sample of a pair is scored by a head fitted on the other pairs, so the
   * held-back figures say how well adaptation carries over to another scene).
   */
  holdOut: 'block' | 'pair';
  samples: SampleReservoir;
  /** Box sizes of the context channels to add to each feature pixel (context.ts; [] = none). */
  context: readonly number[];
  /** Most tiles run (tiles with change labels first, then others spread over the scene). */
  maxTiles: number;
  signal?: AbortSignal;
  onTile?: (done: number, total: number) => void;
}

export interface PairSampleReport {
  tilesRun: number;
  tilesLabelled: number;
  /** Labelled full-resolution pixels seen in the chosen tiles, per class [no change, change]. */
  pixels: [number, number];
}

/** The fold of a 128-px block of a pair (a fixed hash, so folds are spread over the scene). */
export function blockFold(pairIndex: number, bx: number, by: number): number {
  let h =
    (Math.imul(bx + 1, 73856093) ^
      Math.imul(by + 1, 19349663) ^
      Math.imul(pairIndex + 1, 83492791)) >>>
    0;
  h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  return (h ^ (h >>> 15)) % FOLDS;
}

/** Core span of each tile start along an axis: from the midpoint with the previous centre. */
function cores(starts: number[], size: number, length: number): [number, number][] {
  return starts.map((s, i) => {
    const lo = i === 0 ? 0 : Math.round((starts[i - 1] + s + size) / 2);
    const hi = i === starts.length - 1 ? length : Math.round((s + starts[i + 1] + size) / 2);
    return [lo, hi];
  });
}

/** Streams one pair's labelled features into the reservoirs; see the file comment. */
export async function samplePair(options: PairSampling): Promise<PairSampleReport> {
  const { inputs, labels, signal } = options;
  const { card, alignment } = inputs;
  const stride = card.features?.stride ?? 2;
  const axes = tileAxes(alignment.width, alignment.height, card.tile.size, card.tile.overlap);
  const xCores = cores(axes.xs, axes.tileWidth, alignment.width);
  const yCores = cores(axes.ys, axes.tileHeight, alignment.height);
  // First pass: which tiles hold labels (reading labels is cheap next to the model).
  const candidates: { tile: Tile; core: [number, number, number, number]; change: number }[] = [];
  for (let row = 0; row < axes.ys.length; row++) {
    for (let col = 0; col < axes.xs.length; col++) {
      throwIfAborted(signal);
      const [x0, x1] = xCores[col];
      const [y0, y1] = yCores[row];
      const win = { x: alignment.x + x0, y: alignment.y + y0, width: x1 - x0, height: y1 - y0 };
      const lab = await labels.read(win, signal);
      let change = 0;
      let any = 0;
      for (const v of lab) {
        if (v === IGNORE) continue;
        any++;
        if (v === CHANGE) change++;
      }
      if (any === 0) continue;
      const tile = {
        x: axes.xs[col],
        y: axes.ys[row],
        width: axes.tileWidth,
        height: axes.tileHeight,
      };
      candidates.push({ tile, core: [x0, y0, x1, y1], change });
    }
  }
  const withChange = candidates.filter((c) => c.change > 0);
  const others = candidates.filter((c) => c.change === 0);
  const room = Math.max(0, options.maxTiles - withChange.length);
  const step = others.length > room ? others.length / Math.max(1, room) : 1;
  const picked = [...withChange.slice(0, options.maxTiles)];
  for (let i = 0; picked.length < options.maxTiles && Math.floor(i) < others.length; i += step) {
    picked.push(others[Math.floor(i)]);
  }
  const report: PairSampleReport = {
    tilesRun: 0,
    tilesLabelled: candidates.length,
    pixels: [0, 0],
  };
  const featuresName = card.outputs.features as string;
  for (const { tile, core } of picked) {
    throwIfAborted(signal);
    const feeds = await tileFeeds(card, inputs.dates, alignment, tile, signal);
    const out = await options.session.run(feeds.feeds, [featuresName]);
    const f = out[featuresName];
    const [, fc, fh, fw] = f.dims as number[];
    const planes = withContext(f.data as Float32Array, fc, fw, fh, options.context);
    // Labels of the tile's core, full resolution, in before-grid pixels.
    const [cx0, cy0, cx1, cy1] = core;
    const win = { x: alignment.x + cx0, y: alignment.y + cy0, width: cx1 - cx0, height: cy1 - cy0 };
    const lab = await labels.read(win, signal);
    const hx0 = Math.ceil((cx0 - tile.x) / stride);
    const hy0 = Math.ceil((cy0 - tile.y) / stride);
    const hx1 = Math.min(fw, Math.floor((cx1 - tile.x) / stride));
    const hy1 = Math.min(fh, Math.floor((cy1 - tile.y) / stride));
    for (let hy = hy0; hy < hy1; hy++) {
      for (let hx = hx0; hx < hx1; hx++) {
        let change = 0;
        let none = 0;
        let skip = false;
        for (let dy = 0; dy < stride && !skip; dy++) {
          for (let dx = 0; dx < stride; dx++) {
            const tx = hx * stride + dx;
            const ty = hy * stride + dy;
            if (feeds.invalid[ty * feeds.pw + tx]) {
              skip = true;
              break;
            }
            const v = lab[(tile.y + ty - cy0) * win.width + (tile.x + tx - cx0)];
            if (v === CHANGE) change++;
            else if (v !== IGNORE) none++;
          }
        }
        if (skip || change + none <= (stride * stride) / 2) continue;
        const label = change >= none ? 1 : 0;
        report.pixels[label] += change + none;
        const gx = alignment.x + tile.x + hx * stride;
        const gy = alignment.y + tile.y + hy * stride;
        const bx = Math.floor(gx / BLOCK_PX);
        const by = Math.floor(gy / BLOCK_PX);
        const fold =
          options.holdOut === 'pair'
            ? options.pairIndex % FOLDS
            : blockFold(options.pairIndex, bx, by);
        const block = Math.imul(Math.imul(options.pairIndex + 1, 40503) + by, 40503) + bx;
        options.samples.offer(planes, fw * fh, hy * fw + hx, label, fold, block >>> 0);
      }
    }
    for (const t of feeds.tensors) t.dispose?.();
    f.dispose?.();
    report.tilesRun++;
    options.onTile?.(report.tilesRun, picked.length);
  }
  return report;
}
