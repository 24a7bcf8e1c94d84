/**
 * The shipped change models, as the engine loads them: every card is valid, onnxruntime-node's output
 * equals PyTorch's on the committed parity pair, and the tile runner's blended result matches a
 * single whole-image pass away from the border (no seams).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanModels } from '../../../electron/engine/inference/model-registry.js';
import {
  createModelSession,
  type ModelSession,
} from '../../../electron/engine/inference/session.js';
import { predictWindow } from '../../../electron/engine/inference/tile-runner.js';
import { tileGrid } from '../../../electron/engine/inference/tiling.js';
import { MemoryRaster } from '../../../electron/engine/raster/memory-raster.js';

const { models, problems } = scanModels();

it('every installed model has a valid card and its ONNX file', () => {
  expect(problems).toEqual([]);
  expect(models.length).toBeGreaterThan(0);
  for (const m of models) {
    expect(m.card.metrics).toHaveProperty('validation');
    expect(existsSync(m.onnxPath)).toBe(true);
  }
});

describe.each(models.map((m) => [m.card.id, m] as const))('%s', (_id, model) => {
  let s: ModelSession;
  beforeAll(async () => {
    s = await createModelSession(model.onnxPath, 'cpu');
  });
  afterAll(async () => s.dispose());

  const parityPath = join(model.dir, 'parity.json');
  it.skipIf(!existsSync(parityPath))('matches PyTorch on the parity pair to 1e-4', async () => {
    type T = { shape: number[]; data: number[] };
    const p = JSON.parse(readFileSync(parityPath, 'utf8')) as {
      before: T;
      after: T;
      prob: T;
      tolerance: number;
    };
    const out = await s.session.run({
      [model.card.inputs.before]: new ort.Tensor(
        'float32',
        Float32Array.from(p.before.data),
        p.before.shape,
      ),
      [model.card.inputs.after]: new ort.Tensor(
        'float32',
        Float32Array.from(p.after.data),
        p.after.shape,
      ),
    });
    const got = out[model.card.outputs.probability];
    expect(got.dims).toEqual(p.prob.shape);
    let worst = 0;
    (got.data as Float32Array).forEach(
      (v, i) => (worst = Math.max(worst, Math.abs(v - p.prob.data[i]))),
    );
    expect(worst).toBeLessThan(1e-4);
  });

  it('blends tiles without seams: matches one whole-image pass away from the border', async () => {
    // A textured pair with changed blocks, large enough for several tiles in each direction.
    const w = 1088;
    const h = 992;
    const planes = (changed: boolean) =>
      [0, 1, 2].map((b) => {
        const a = new Float32Array(w * h);
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            let v =
              110 + 60 * Math.sin(x / 9 + b) * Math.cos(y / 13) + ((x * 7 + y * 13 + b * 5) % 17);
            if (changed && (x + 40) % 300 < 90 && (y + 20) % 260 < 70) v = 200 - b * 30;
            a[y * w + x] = v;
          }
        }
        return a;
      });
    const before = new MemoryRaster('before', w, h, planes(false));
    const after = new MemoryRaster('after', w, h, planes(true));
    const run = (tile: number, overlap: number) =>
      predictWindow({
        session: s.session,
        card: {
          ...model.card,
          tile: { ...model.card.tile, size: tile, overlap },
        },
        dates: [
          { source: before, bands: [0, 1, 2], stretch: [null, null, null], dx: 0, dy: 0 },
          { source: after, bands: [0, 1, 2], stretch: [null, null, null], dx: 0, dy: 0 },
        ],
        window: { x: 0, y: 0, width: w, height: h },
      });
    const whole = await run(1088, 0);
    const tiled = await run(model.card.tile.size, model.card.tile.overlap);
    const margin = 16;
    expect(
      tileGrid(w, h, model.card.tile.size, model.card.tile.overlap).length,
    ).toBeGreaterThanOrEqual(4);
    let worst = 0;
    let sum = 0;
    let n = 0;
    for (let y = margin; y < h - margin; y++) {
      for (let x = margin; x < w - margin; x++) {
        const d = Math.abs(whole[y * w + x] - tiled[y * w + x]);
        worst = Math.max(worst, d);
        sum += d;
        n++;
      }
    }
    // A tile sees less context than the whole image (this model's receptive field is wider than
    // the overlap), so a few pixels differ by up to a few hundredths; on average the blended
    // result matches the whole-image pass to 1e-4.
    expect(worst).toBeLessThan(0.05);
    expect(sum / n).toBeLessThan(1e-3);
  }, 120_000);
});
