/**
 * Which change model a run uses when none is picked: the last by id whose card is not
 * `experimental`. Experimental models stay listed and pickable by id.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultModel,
  findModel,
  modelInfo,
  scanModels,
} from '../../../electron/engine/inference/model-registry.js';
import { bundledModelsDir } from '../../../electron/engine/paths.js';

const v1Card = JSON.parse(
  readFileSync(join(bundledModelsDir(), 'lw-siamese-v1', 'card.json'), 'utf8'),
) as Record<string, unknown>;

/** A folder of model folders: one per [id, experimental]; the ONNX file is a placeholder. */
function modelsDir(models: [string, boolean | undefined][]): string {
  const root = mkdtempSync(join(tmpdir(), 'lw-default-'));
  for (const [id, experimental] of models) {
    const dir = join(root, id);
    mkdirSync(dir);
    const card = { ...v1Card, id, ...(experimental === undefined ? {} : { experimental }) };
    writeFileSync(join(dir, 'card.json'), JSON.stringify(card));
    writeFileSync(join(dir, 'model.onnx'), 'not read by the scan');
  }
  return root;
}

describe('default change model', () => {
  it('passes over experimental models, which stay listed and pickable', () => {
    const scan = scanModels([
      modelsDir([
        ['a-model', undefined],
        ['b-model', false],
        ['c-model', true],
      ]),
    ]);
    expect(scan.models.map((m) => m.card.id)).toEqual(['a-model', 'b-model', 'c-model']);
    expect(defaultModel(scan)?.card.id).toBe('b-model');
    expect(findModel(undefined, scan).card.id).toBe('b-model');
    expect(findModel('c-model', scan).card.id).toBe('c-model');
    expect(scan.models.map((m) => modelInfo(m).experimental)).toEqual([false, false, true]);
  });

  it('takes the last model when every one is experimental, and none when none is installed', () => {
    const scan = scanModels([
      modelsDir([
        ['a-model', true],
        ['b-model', true],
      ]),
    ]);
    expect(defaultModel(scan)?.card.id).toBe('b-model');
    expect(defaultModel({ models: [], problems: [] })).toBeNull();
  });
});
