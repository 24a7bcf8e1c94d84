/**
 * A registry lookup reads each model folder's card.json once: the change-model scan, the helper
 * lookup by task, and the patch-code lookup (which also needs fields only code cards have). An
 * unreadable card is still reported, with the same message, from that one read.
 */
import type * as Fs from 'node:fs';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { findCodeModel } from '../../../electron/engine/codes/code-model.js';
import { findTaskModel, scanModels } from '../../../electron/engine/inference/model-registry.js';
import { bundledModelsDir } from '../../../electron/engine/paths.js';

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof Fs>();
  return { ...actual, readFileSync: vi.fn(actual.readFileSync) };
});

const root = mkdtempSync(join(tmpdir(), 'lw-registry-'));
const broken = join(root, 'broken');
mkdirSync(broken);
writeFileSync(join(broken, 'card.json'), '{"id": "broken",');
const dirs = [bundledModelsDir(), root];

/** How often each card.json was read since the last reset, by path. */
function cardReads(): Map<string, number> {
  const reads = new Map<string, number>();
  for (const [path] of vi.mocked(readFileSync).mock.calls) {
    if (String(path).endsWith('card.json'))
      reads.set(String(path), (reads.get(String(path)) ?? 0) + 1);
  }
  return reads;
}

/** The cards read more than once, with their counts. */
const readTwice = (reads: Map<string, number>) => [...reads].filter(([, n]) => n > 1);

describe('model registry card reads', () => {
  beforeEach(() => {
    vi.mocked(readFileSync).mockClear(); // returns the mock, which beforeEach would run as teardown
  });

  it('scans change models reading each card once, unreadable ones included', () => {
    const scan = scanModels(dirs);
    expect(scan.models.map((m) => m.card.id)).toContain('lw-siamese-v1');
    expect(scan.problems).toContainEqual(
      expect.stringMatching(/broken.card\.json: cannot read the model card \(/),
    );
    const reads = cardReads();
    expect(reads.get(join(bundledModelsDir(), 'lw-siamese-v1', 'card.json'))).toBe(1);
    expect(reads.get(join(broken, 'card.json'))).toBe(1);
    expect(readTwice(reads)).toEqual([]);
  });

  it('finds helper and patch-code models reading each card once', () => {
    expect(findTaskModel('interference-removal', dirs).card.id).toBe('lw-declutter-v1');
    expect(readTwice(cardReads())).toEqual([]);
    vi.mocked(readFileSync).mockClear();
    const code = findCodeModel(dirs);
    expect(code.card.id).toBe('lw-patchcode-v1');
    expect(code.card.chip.size).toBeGreaterThan(0);
    const reads = cardReads();
    expect(reads.get(join(bundledModelsDir(), 'lw-patchcode-v1', 'card.json'))).toBe(1);
    expect(readTwice(reads)).toEqual([]);
  });
});
