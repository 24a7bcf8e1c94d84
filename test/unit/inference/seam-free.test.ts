/**
 * Seam-free blending (issue 3): stitched tiles must equal one whole-image pass.
 *
 * With a model whose receptive field (7 × 7 px, test/fixtures/seam-model) is far smaller than the
 * tile overlap, every difference between the blended tiles and a single whole-image pass comes from
 * the engine — tiling, padding to the model multiple, Hann weights, normalisation, the streamed
 * blending band — so the two must agree to 1e-3 away from the scene border, and no tile-border line
 * may appear. (LandWatch's change models see further than the overlap, so they differ slightly by
 * context; model-parity.test.ts bounds that.)
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelCard } from '../../../electron/engine/inference/model-card.js';
import {
  createModelSession,
  type ModelSession,
} from '../../../electron/engine/inference/session.js';
import { predictWindow } from '../../../electron/engine/inference/tile-runner.js';
import { windowAxes } from '../../../electron/engine/inference/tile-rows.js';
import type { MemoryRaster } from '../../../electron/engine/raster/memory-raster.js';
import { REPO } from '../../helpers/data.js';
import { syntheticRaster } from '../../helpers/synthetic.js';

const W = 1088;
const H = 992;
const card: ModelCard = {
  id: 'seam-test',
  name: 'seam test model',
  version: '0',
  description: 'three 3×3 convolutions, fixed random weights',
  file: 'model.onnx',
  inputs: { before: 'before', after: 'after' },
  outputs: { probability: 'prob' },
  bands: 3,
  normalization: { scale: 255, mean: [0.4, 0.4, 0.4], std: [0.2, 0.2, 0.2] },
  tile: { size: 512, overlap: 128, multipleOf: 32 },
  threshold: 0.5,
  metrics: {},
} as ModelCard;

/** A textured pair with changed blocks, several tiles in each direction. */
function pair(): [MemoryRaster, MemoryRaster] {
  const date = (changed: boolean) =>
    syntheticRaster(changed ? 'after' : 'before', W, H, 3, (x, y, b) =>
      changed && (x + 40) % 300 < 90 && (y + 20) % 260 < 70
        ? 200 - b * 30
        : 110 + 60 * Math.sin(x / 9 + b) * Math.cos(y / 13) + ((x * 7 + y * 13 + b * 5) % 17),
    );
  return [date(false), date(true)];
}

describe('seam-free blending with a bounded receptive field', () => {
  let model: ModelSession;
  let whole: Float32Array;
  let tiled: Float32Array;
  beforeAll(async () => {
    model = await createModelSession(join(REPO, 'test/fixtures/seam-model/model.onnx'), 'cpu');
    const [before, after] = pair();
    const run = (size: number, overlap: number) =>
      predictWindow({
        session: model.session,
        card: { ...card, tile: { ...card.tile, size, overlap } },
        dates: [
          { source: before, bands: [0, 1, 2], stretch: [null, null, null], dx: 0, dy: 0 },
          { source: after, bands: [0, 1, 2], stretch: [null, null, null], dx: 0, dy: 0 },
        ],
        window: { x: 0, y: 0, width: W, height: H },
      });
    whole = await run(Math.max(W, H), 0);
    tiled = await run(card.tile.size, card.tile.overlap);
  }, 120_000);
  afterAll(() => model?.dispose());

  it('matches one whole-image pass to 1e-3 away from the scene border', () => {
    const axes = windowAxes(card, W, H);
    expect(axes.xs.length * axes.ys.length).toBeGreaterThanOrEqual(6);
    const margin = 8;
    let worst = 0;
    for (let y = margin; y < H - margin; y++) {
      for (let x = margin; x < W - margin; x++) {
        worst = Math.max(worst, Math.abs(whole[y * W + x] - tiled[y * W + x]));
      }
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it('draws no line along tile borders', () => {
    // Column-to-column steps across every inner tile edge, tiled minus whole: a seam would be a
    // step the whole-image pass does not have.
    const axes = windowAxes(card, W, H);
    const edges = new Set<number>();
    for (const x of axes.xs) if (x > 0) edges.add(x);
    for (const x of axes.xs) if (x + axes.tileWidth < W) edges.add(x + axes.tileWidth);
    let worst = 0;
    for (const e of edges) {
      for (let y = 8; y < H - 8; y++) {
        const stepTiled = tiled[y * W + e] - tiled[y * W + e - 1];
        const stepWhole = whole[y * W + e] - whole[y * W + e - 1];
        worst = Math.max(worst, Math.abs(stepTiled - stepWhole));
      }
    }
    expect(edges.size).toBeGreaterThanOrEqual(2);
    expect(worst).toBeLessThan(1e-3);
  });
});
