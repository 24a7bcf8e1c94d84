/**
 * Model cards' `task`: change models (no task or `change`) are what the registry lists and picks;
 * helper models (here `interference-removal`) are skipped by the change-model scan and found by
 * task instead, and each loader refuses the other's folder with a message naming it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadModelFolder,
  loadTaskModelFolder,
} from '../../../electron/engine/inference/model-card.js';
import {
  findModel,
  findTaskModel,
  scanModels,
} from '../../../electron/engine/inference/model-registry.js';
import { bundledModelsDir } from '../../../electron/engine/paths.js';

const shipped = join(bundledModelsDir(), 'lw-siamese-v1');
const root = mkdtempSync(join(tmpdir(), 'lw-task-'));

function folder(name: string, edit: (card: Record<string, unknown>) => void): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const card = JSON.parse(readFileSync(join(shipped, 'card.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  edit(card);
  writeFileSync(join(dir, 'card.json'), JSON.stringify(card));
  copyFileSync(join(shipped, 'model.onnx'), join(dir, 'model.onnx'));
  return dir;
}

describe('model card task', () => {
  const change = folder('change', (c) => (c.id = 'a-change-model'));
  const helper = folder('helper', (c) => {
    c.id = 'z-helper';
    c.task = 'interference-removal';
    c.inputs = { image: 'image' };
    c.outputs = { clean: 'clean', layer: 'layer' };
  });

  it('lists only change models, whatever the helper folders hold', () => {
    const scan = scanModels([root]);
    expect(scan.models.map((m) => m.card.id)).toEqual(['a-change-model']);
    expect(scan.problems).toEqual([]);
    expect(scan.models[0].card.task).toBe('change'); // defaulted: v1's card has no task
    // The default change model is still the last change model, never a helper sorted after it.
    expect(findModel(undefined, scan).card.id).toBe('a-change-model');
  });

  it('finds a helper by task and says when none is installed', () => {
    expect(findTaskModel('interference-removal', [root]).card.id).toBe('z-helper');
    expect(findTaskModel('interference-removal', [root]).card.outputs.clean).toBe('clean');
    expect(() => findTaskModel('patch-code', [root])).toThrow(/No "patch-code" model is installed/);
  });

  it('refuses a folder of the wrong task with its path', () => {
    expect(() => loadModelFolder(helper)).toThrow(
      /helper.card\.json: this is a "interference-removal" model, not a change model/,
    );
    expect(() => loadTaskModelFolder(change, 'interference-removal')).toThrow(
      /this is a "change" model, not "interference-removal"/,
    );
  });

  it('ships the interference-removal model next to the change models', () => {
    const bundled = findTaskModel('interference-removal', [bundledModelsDir()]);
    expect(bundled.card.id).toBe('lw-declutter-v1');
    expect(scanModels([bundledModelsDir()]).models.map((m) => m.card.id)).not.toContain(
      'lw-declutter-v1',
    );
  });
});
