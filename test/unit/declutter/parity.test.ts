/**
 * The shipped interference-removal model as the engine loads it: a valid card found by its task,
 * onnxruntime-node equal to PyTorch on the committed parity image (1e-4), dynamic sizes, and the
 * card's recorded size and measurements.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDeclutterModel } from '../../../electron/engine/inference/declutter.js';
import {
  createModelSession,
  type ModelSession,
} from '../../../electron/engine/inference/session.js';

type T = { shape: number[]; data: number[] };
const model = findDeclutterModel();

describe(model.card.id, () => {
  let s: ModelSession;
  beforeAll(async () => {
    s = await createModelSession(model.onnxPath, 'cpu');
  });
  afterAll(async () => s.dispose());

  it('matches PyTorch on the parity image to 1e-4 (clean and layer)', async () => {
    const p = JSON.parse(readFileSync(join(model.dir, 'parity.json'), 'utf8')) as {
      image: T;
      clean: T;
      layer: T;
      tolerance: number;
    };
    expect(p.tolerance).toBeLessThanOrEqual(1e-4);
    const out = await s.session.run({
      [model.card.inputs.image]: new ort.Tensor(
        'float32',
        Float32Array.from(p.image.data),
        p.image.shape,
      ),
    });
    for (const name of ['clean', 'layer'] as const) {
      const got = out[model.card.outputs[name]];
      expect(got.dims).toEqual(p[name].shape);
      let worst = 0;
      const data = got.data as Float32Array;
      for (let i = 0; i < data.length; i++)
        worst = Math.max(worst, Math.abs(data[i] - p[name].data[i]));
      expect(worst, name).toBeLessThanOrEqual(p.tolerance);
    }
  });

  it('runs at the sizes the pyramid gives (dynamic H, W)', async () => {
    for (const [h, w] of [
      [64, 64],
      [80, 56],
      [32, 96],
    ]) {
      const image = new ort.Tensor('float32', new Float32Array(3 * h * w).fill(0.4), [1, 3, h, w]);
      const out = await s.session.run({ [model.card.inputs.image]: image });
      expect(out[model.card.outputs.clean].dims).toEqual([1, 3, h, w]);
    }
  });

  it('is small, has a task and records what it was measured to do', () => {
    expect(model.card.task).toBe('interference-removal');
    expect(statSync(model.onnxPath).size).toBeLessThan(3 * 1024 * 1024);
    expect(model.card.metrics).toHaveProperty('heldOutImageMae');
    expect(model.card.metrics).toHaveProperty('changeDetection');
  });
});
