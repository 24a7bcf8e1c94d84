/**
 * The adapted ONNX graph: an identity head reproduces the base model's probability, and a random
 * head computes in ONNX Runtime exactly what head.ts computes in TypeScript (then ×2 bilinear,
 * half-pixel, and sigmoid). The base file's bytes are kept as they are.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { appendAdapter } from '../../../electron/engine/adapt/adapter-graph.js';
import {
  headLogit,
  identityHead,
  sigmoid,
  type HeadWeights,
} from '../../../electron/engine/adapt/head.js';
import { withContext } from '../../../electron/engine/adapt/context.js';
import { topLevelFields } from '../../../electron/engine/adapt/onnx-proto.js';
import { bundledModelsDir } from '../../../electron/engine/paths.js';
import { seededRandom } from '../../../electron/engine/random.js';

const V1 = join(bundledModelsDir(), 'lw-siamese-v1', 'model.onnx');
const H = 64;
const W = 96;

function inputs(): Record<string, ort.Tensor> {
  const rand = seededRandom(3);
  const a = new Float32Array(3 * H * W).map(() => rand() * 2 - 1);
  const b = a.map((v, i) => (i % W > 30 && i % W < 60 && Math.floor(i / W) % H > 20 ? v + 1.5 : v));
  return {
    before: new ort.Tensor('float32', a, [1, 3, H, W]),
    after: new ort.Tensor('float32', b, [1, 3, H, W]),
  };
}

async function run(bytes: Uint8Array, fetch: string[]) {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run(inputs(), fetch);
  await session.release();
  return out;
}

const options = { features: 'features', stride: 2, output: 'prob_adapted', what: V1 };

describe('adapter graph', () => {
  const base = new Uint8Array(readFileSync(V1));

  it('with an identity head gives the base probability', async () => {
    const adapted = appendAdapter(base, identityHead(47, 4, 0), options);
    // The base model's fields come first, unchanged, and the result still parses.
    expect(topLevelFields(adapted, 'adapted').length).toBe(topLevelFields(base, 'base').length);
    const out = await run(adapted, ['prob', 'prob_adapted']);
    const p = out.prob.data as Float32Array;
    const q = out.prob_adapted.data as Float32Array;
    expect(out.prob_adapted.dims).toEqual([1, 1, H, W]);
    let max = 0;
    for (let i = 0; i < p.length; i++) max = Math.max(max, Math.abs(p[i] - q[i]));
    expect(max).toBeLessThan(1e-5);
  });

  it.each([[[]], [[3, 9]]])(
    'computes what head.ts computes (context %j), upsampled half-pixel and squashed',
    async (context: number[]) => {
      const rand = seededRandom(9);
      const fc = 47;
      const c = fc * (1 + context.length);
      const h = 5;
      const r = () => (rand() * 2 - 1) * 0.2;
      const head: HeadWeights = {
        channels: c,
        context,
        hidden: h,
        linW: new Float32Array(c).map(r),
        linB: 0.3,
        w1: new Float32Array(h * c).map(r),
        b1: new Float32Array(h).map(r),
        w2: new Float32Array(h).map(r),
        b2: -0.1,
      };
      const out = await run(appendAdapter(base, head, options), ['features', 'prob_adapted']);
      const [, , fh, fw] = out.features.dims as number[];
      const f = withContext(out.features.data as Float32Array, fc, fw, fh, context);
      const plane = fh * fw;
      const z = new Float32Array(plane);
      const v = new Float32Array(c);
      for (let i = 0; i < plane; i++) {
        for (let k = 0; k < c; k++) v[k] = f[k * plane + i];
        z[i] = headLogit(head, v);
      }
      const q = out.prob_adapted.data as Float32Array;
      const src = (o: number, n: number) => Math.min(n - 1, Math.max(0, (o + 0.5) / 2 - 0.5));
      let max = 0;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const sy = src(y, fh);
          const sx = src(x, fw);
          const y0 = Math.floor(sy);
          const x0 = Math.floor(sx);
          const y1 = Math.min(fh - 1, y0 + 1);
          const x1 = Math.min(fw - 1, x0 + 1);
          const ty = sy - y0;
          const tx = sx - x0;
          const top = z[y0 * fw + x0] * (1 - tx) + z[y0 * fw + x1] * tx;
          const bottom = z[y1 * fw + x0] * (1 - tx) + z[y1 * fw + x1] * tx;
          max = Math.max(max, Math.abs(sigmoid(top * (1 - ty) + bottom * ty) - q[y * W + x]));
        }
      }
      expect(max).toBeLessThan(1e-4);
    },
  );

  it('refuses bytes that are not an ONNX model, naming them', () => {
    expect(() =>
      appendAdapter(Uint8Array.of(0xff, 0xff, 0xff), identityHead(4, 1, 0), options),
    ).toThrow(/not a valid ONNX file/);
  });
});
