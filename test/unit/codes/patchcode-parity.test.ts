/**
 * The shipped patch-code model as the engine loads it: a valid patch-code card that the change
 * model registry does not offer, ONNX Runtime's output equal to PyTorch's on the committed parity
 * pair (continuous code to 1e-4, integer code exactly away from rounding boundaries), and
 * measured figures in the card.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { findCodeModel, loadCodeModel } from '../../../electron/engine/codes/code-model.js';
import { scanModels } from '../../../electron/engine/inference/model-registry.js';

const DIR = join(__dirname, '../../../models/lw-patchcode-v1');

describe('lw-patchcode-v1', () => {
  it('is found as the patch-code model and never offered as a change model', () => {
    expect(findCodeModel().card.id).toBe('lw-patchcode-v1');
    const scan = scanModels();
    expect(scan.models.map((m) => m.card.id)).not.toContain('lw-patchcode-v1');
    expect(scan.problems.join('\n')).not.toMatch(/lw-patchcode-v1/);
  });

  it('carries its measured retrieval figures and code size', () => {
    const card = JSON.parse(readFileSync(join(DIR, 'card.json'), 'utf8')) as {
      metrics: { retrieval: Record<string, { precisionAt10: number }>; code: { bytes: number } };
    };
    expect(card.metrics.code.bytes).toBe(36);
    for (const k of ['trained', 'untrained', 'histogram'])
      expect(card.metrics.retrieval[k].precisionAt10).toBeGreaterThan(0);
  });

  it('matches PyTorch on the parity pair', async () => {
    const model = loadCodeModel(DIR);
    type T = { shape: number[]; data: number[] };
    const p = JSON.parse(readFileSync(join(DIR, 'parity.json'), 'utf8')) as Record<
      'before' | 'after' | 'code' | 'continuous',
      T
    > & { tolerance: number };
    const session = await ort.InferenceSession.create(model.onnxPath, {
      executionProviders: ['cpu'],
    });
    try {
      const t = (x: T) => new ort.Tensor('float32', Float32Array.from(x.data), x.shape);
      const out = await session.run({ before: t(p.before), after: t(p.after) });
      expect(out.code.dims).toEqual(p.code.shape);
      const cont = out.continuous.data as Float32Array;
      const code = out.code.data as Float32Array;
      let maxDiff = 0;
      for (let i = 0; i < cont.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(cont[i] - p.continuous.data[i]));
        const nearBoundary = Math.abs((p.continuous.data[i] % 1) - 0.5) < p.tolerance;
        if (!nearBoundary) expect(code[i]).toBe(p.code.data[i]);
      }
      expect(maxDiff).toBeLessThanOrEqual(p.tolerance);
      expect(new Set(p.code.data).size).toBeGreaterThan(1); // the pair exercises more than one value
    } finally {
      await session.release();
    }
  });
});
