/**
 * A session thread's warm-up run (session.ts WarmUp): made once the session starts, it changes no
 * output; one that fails is logged and the session still runs; disposing while it runs waits for
 * it instead of terminating the thread under ONNX Runtime (which would abort the process).
 */
import * as ort from 'onnxruntime-node';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startSessionThread } from '../../../electron/engine/inference/session-thread.js';
import type { WarmUp } from '../../../electron/engine/inference/session.js';

const ONNX = fileURLToPath(new URL('../../../models/lw-siamese-v1/model.onnx', import.meta.url));

const feeds = () => {
  const n = 3 * 64 * 96;
  const make = (k: number) => Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.11 + k));
  return {
    before: new ort.Tensor('float32', make(0), [1, 3, 64, 96]),
    after: new ort.Tensor('float32', make(1), [1, 3, 64, 96]),
  };
};

const warmUp = (name: string, dims: number[]): WarmUp => ({
  inputs: [
    { name, dims },
    { name: 'after', dims },
  ],
  fetches: ['prob'],
});

describe('session thread warm-up', () => {
  it('leaves the outputs as they are without it', async () => {
    const plain = await startSessionThread(ONNX, 'cpu', { spin: false });
    const warmed = await startSessionThread(
      ONNX,
      'cpu',
      { spin: false },
      () => {},
      warmUp('before', [1, 3, 64, 96]),
    );
    try {
      const a = (await plain.runner.run(feeds(), ['prob'])).prob.data as Float32Array;
      const b = (await warmed.runner.run(feeds(), ['prob'])).prob.data as Float32Array;
      expect(b.length).toBe(64 * 96);
      expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toEqual(
        Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      );
    } finally {
      await plain.dispose();
      await warmed.dispose();
    }
  });

  it('logs a warm-up that fails and runs on', async () => {
    const lines: string[] = [];
    const model = await startSessionThread(
      ONNX,
      'cpu',
      { spin: false },
      (line) => lines.push(line),
      warmUp('no-such-input', [1, 3, 64, 64]),
    );
    try {
      const out = await model.runner.run(feeds(), ['prob']);
      expect((out.prob.data as Float32Array).length).toBe(64 * 96);
      expect(lines.some((l) => /model warm-up failed/.test(l))).toBe(true);
    } finally {
      await model.dispose();
    }
  });

  it('can be disposed while the warm-up runs', async () => {
    const model = await startSessionThread(
      ONNX,
      'cpu',
      { spin: false },
      () => {},
      warmUp('before', [1, 3, 768, 768]),
    );
    // Well inside the warm-up run (~1 s for 768² on 2 cores): disposing waits for it to end.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await model.dispose();
    await expect(model.runner.run(feeds(), ['prob'])).rejects.toThrow(/released/);
  });
});
