/**
 * Which graph a run uses when a quantised variant is installed: the variant stands in for its
 * float model only on a provider its card prefers, only when its card says the accuracy bar held,
 * only for the very model (id and version) it was quantised from, and only when the user named no
 * model. It is never the default model itself.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModel, scanModels } from '../../../electron/engine/inference/model-registry.js';
import { findRunModel, plannedProvider } from '../../../electron/engine/inference/model-variant.js';
import { bundledModelsDir } from '../../../electron/engine/paths.js';

const v1Card = JSON.parse(
  readFileSync(join(bundledModelsDir(), 'lw-siamese-v1', 'card.json'), 'utf8'),
) as Record<string, unknown>;

interface VariantOptions {
  held?: boolean;
  preferredOn?: string[];
  version?: string;
  experimental?: boolean;
}

/** lw-siamese-v1 (card as shipped) and one int8 variant of it; ONNX files are placeholders. */
function scanWith(variant: VariantOptions = {}) {
  const root = mkdtempSync(join(tmpdir(), 'lw-variant-'));
  const write = (id: string, card: Record<string, unknown>) => {
    mkdirSync(join(root, id));
    writeFileSync(join(root, id, 'card.json'), JSON.stringify({ ...card, id }));
    writeFileSync(join(root, id, 'model.onnx'), 'not read by the scan');
  };
  write('lw-siamese-v1', v1Card);
  write('lw-siamese-v1-int8', {
    ...v1Card,
    version: '1.0.0-int8',
    quantizedFrom: {
      model: 'lw-siamese-v1',
      version: variant.version ?? v1Card.version,
      accuracyBar: { held: variant.held ?? true, tolerance: 0.01 },
    },
    preferredOn: variant.preferredOn ?? ['cpu'],
    ...(variant.experimental ? { experimental: true } : {}),
  });
  return scanModels([root]);
}

/** The model a run uses on `provider` (known in advance) when the user names `id`. */
const picked = (scan: ReturnType<typeof scanWith>, id: string | undefined, provider: string) =>
  findRunModel(id, 'auto', scan, provider).model.card.id;

describe('the int8 variant rule', () => {
  it('runs the variant on CPU when no model is named, and says so in the run notes', () => {
    const scan = scanWith();
    const run = findRunModel(undefined, 'cpu', scan, 'cpu');
    expect(run.model.card.id).toBe('lw-siamese-v1-int8');
    expect(run.note).toMatch(/lw-siamese-v1-int8 runs in place of lw-siamese-v1 on cpu/);
  });

  it('keeps the float model on other providers and when the provider is not known', () => {
    const scan = scanWith();
    expect(picked(scan, undefined, 'webgpu')).toBe('lw-siamese-v1');
    expect(picked(scan, undefined, 'cuda')).toBe('lw-siamese-v1');
    expect(findRunModel(undefined, 'auto', scan, null).model.card.id).toBe('lw-siamese-v1');
  });

  it('keeps the float model when the bar was missed, speed was not shown, or versions differ', () => {
    expect(picked(scanWith({ held: false }), undefined, 'cpu')).toBe('lw-siamese-v1');
    expect(picked(scanWith({ preferredOn: [] }), undefined, 'cpu')).toBe('lw-siamese-v1');
    expect(picked(scanWith({ version: '0.9.0' }), undefined, 'cpu')).toBe('lw-siamese-v1');
    expect(picked(scanWith({ experimental: true }), undefined, 'cpu')).toBe('lw-siamese-v1');
  });

  it('runs a named model as named, the variant included', () => {
    const scan = scanWith();
    expect(picked(scan, 'lw-siamese-v1', 'cpu')).toBe('lw-siamese-v1');
    expect(picked(scan, 'lw-siamese-v1-int8', 'webgpu')).toBe('lw-siamese-v1-int8');
  });

  it('never makes the variant the default model itself', () => {
    expect(defaultModel(scanWith())?.card.id).toBe('lw-siamese-v1');
  });
});

describe('plannedProvider', () => {
  it('is the named device, or CPU for auto when no GPU provider can start here', () => {
    expect(plannedProvider('cpu', ['cpu', 'webgpu'], true, 'linux')).toBe('cpu');
    expect(plannedProvider('webgpu', ['cpu', 'webgpu'], true, 'linux')).toBe('webgpu');
    // Linux: WebGPU needs a Vulkan loader, CUDA its libraries
    expect(plannedProvider('auto', ['cpu', 'webgpu'], false, 'linux')).toBe('cpu');
    expect(plannedProvider('auto', ['cpu', 'webgpu'], true, 'linux')).toBeNull();
    expect(plannedProvider('auto', ['cpu', 'webgpu', 'cuda'], false, 'linux')).toBeNull();
    // elsewhere a bundled GPU provider may start (or fail and fall back): not known in advance
    expect(plannedProvider('auto', ['cpu', 'webgpu', 'coreml'], false, 'darwin')).toBeNull();
    expect(plannedProvider('auto', ['cpu'], false, 'darwin')).toBe('cpu');
  });
});
