/**
 * Execution providers (issue 3, deliverable 6): "auto" tries the GPU providers of the platform
 * best first and falls back with a recorded reason; a forced provider that cannot start fails with
 * one message naming it; the provider that ran is reported. On this CPU-only machine CUDA is not
 * installed, so "auto" must end on a provider that starts and say why CUDA did not.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  autoOrder,
  availableProviders,
  createModelSession,
} from '../../../electron/engine/inference/session.js';
import { REPO } from '../../helpers/data.js';

const MODEL = join(REPO, 'test', 'fixtures', 'seam-model', 'model.onnx');
const cudaInstalled = availableProviders().includes('cuda');

describe('execution providers', () => {
  it('orders the GPU providers of each platform before the CPU', () => {
    expect(autoOrder('win32')).toEqual(['cuda', 'dml', 'webgpu', 'cpu']);
    expect(autoOrder('darwin')).toEqual(['coreml', 'webgpu', 'cpu']);
    expect(autoOrder('linux')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(availableProviders()).toContain('cpu');
  });

  it('a forced CPU session starts on the CPU with nothing skipped', async () => {
    const s = await createModelSession(MODEL, 'cpu');
    try {
      expect(s.executionProvider).toBe('cpu');
      expect(s.fallbacks).toEqual([]);
    } finally {
      await s.dispose();
    }
  });

  it.skipIf(cudaInstalled)('"auto" skips CUDA with its reason and logs the choice', async () => {
    const lines: string[] = [];
    const s = await createModelSession(MODEL, 'auto', (l) => lines.push(l));
    try {
      expect(autoOrder()).toContain(s.executionProvider);
      const cuda = s.fallbacks.find((f) => f.provider === 'cuda');
      expect(cuda?.reason).toMatch(/CUDA libraries not installed/);
      // Every provider before the one that ran is accounted for, in order.
      const order = autoOrder();
      expect(s.fallbacks.map((f) => f.provider)).toEqual(
        order.slice(0, order.indexOf(s.executionProvider)),
      );
      expect(lines.join('\n')).toMatch(
        new RegExp(`execution provider: ${s.executionProvider} \\(skipped cuda: `),
      );
    } finally {
      await s.dispose();
    }
  });

  it.skipIf(cudaInstalled)('a forced provider that cannot start fails naming it', async () => {
    await expect(createModelSession(MODEL, 'cuda')).rejects.toThrow(
      /Execution provider "cuda" could not start: /,
    );
  });
});
