/**
 * A session thread runs lent inputs (moved to its thread, not copied) exactly as copied ones, and
 * hands the input buffers back intact for reuse; the caller's arrays are detached meanwhile.
 * Output buffers handed back (recycle) are filled again, with the same values as fresh ones.
 */
import * as ort from 'onnxruntime-node';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startSessionThread } from '../../../electron/engine/inference/session-thread.js';

/** The bytes of a view (outputs are views of larger, reused buffers). */
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const ONNX = fileURLToPath(new URL('../../../models/lw-siamese-v1/model.onnx', import.meta.url));

function inputs(seed: number) {
  const n = 3 * 64 * 64;
  const make = (k: number) =>
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed + k) * 1.5);
  return [make(0), make(1)];
}

describe('session thread lending', () => {
  it('gives the same outputs as a copied run and returns the inputs', async () => {
    const model = await startSessionThread(ONNX, 'cpu', { spin: false });
    try {
      const feeds = (arrays: Float32Array[]) => ({
        before: new ort.Tensor('float32', arrays[0], [1, 3, 64, 64]),
        after: new ort.Tensor('float32', arrays[1], [1, 3, 64, 64]),
      });
      const copied = await model.runner.run(feeds(inputs(1)), ['prob']);
      const lent = inputs(1);
      expect(model.runner.runLending).toBeDefined();
      const run = model.runner.runLending!(feeds(lent), ['prob']);
      expect(lent[0].length).toBe(0);
      const back = await run;
      const a = copied.prob.data as Float32Array;
      const b = back.outputs.prob.data as Float32Array;
      expect(b.length).toBe(64 * 64);
      expect(Buffer.compare(bytes(a), bytes(b))).toBe(0);
      const want = inputs(1);
      expect(back.inputs).toHaveLength(2);
      back.inputs.forEach((buf, i) => {
        expect(Buffer.compare(Buffer.from(buf), Buffer.from(want[i].buffer))).toBe(0);
      });
    } finally {
      await model.dispose();
    }
  });

  it('fills recycled output buffers with the same values as fresh ones', async () => {
    const model = await startSessionThread(ONNX, 'cpu', { spin: false });
    try {
      const feeds = (seed: number) => {
        const [a, b] = inputs(seed);
        return {
          before: new ort.Tensor('float32', a, [1, 3, 64, 64]),
          after: new ort.Tensor('float32', b, [1, 3, 64, 64]),
        };
      };
      const fresh = (await model.runner.run(feeds(2), ['prob'])).prob.data as Float32Array;
      const first = (await model.runner.run(feeds(3), ['prob'])).prob.data as Float32Array;
      const want = first.slice();
      expect(model.runner.recycle).toBeDefined();
      model.runner.recycle!([first.buffer as ArrayBuffer]);
      // Moved to the model's thread: the caller's view is detached.
      expect(first.length).toBe(0);
      // The next output of that size is written into it.
      const again = (await model.runner.run(feeds(2), ['prob'])).prob.data as Float32Array;
      expect(Buffer.compare(bytes(again), bytes(fresh))).toBe(0);
      const third = (await model.runner.run(feeds(3), ['prob'])).prob.data as Float32Array;
      expect(Buffer.compare(bytes(third), bytes(want))).toBe(0);
      // Nothing to hand back, or an empty buffer: ignored.
      model.runner.recycle!([new ArrayBuffer(0)]);
      model.runner.recycle!([]);
    } finally {
      await model.dispose();
    }
  });
});
