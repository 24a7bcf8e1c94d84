/**
 * Adding a model folder: a good folder is checked (card + ONNX graph names) and copied into the
 * user models folder, where the registry lists it as a user model; bad folders are refused with a
 * message naming the folder and the problem; user models can be removed, bundled ones cannot.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInfo, ModelInfo } from '../../../electron/common/contract.js';
import { Backend } from '../../../electron/engine/api/backend.js';
import {
  installModelFolder,
  removeUserModel,
} from '../../../electron/engine/inference/model-install.js';
import { modelInfo, scanModels } from '../../../electron/engine/inference/model-registry.js';
import { bundledModelsDir } from '../../../electron/engine/paths.js';
import { testHost } from '../../helpers/host.js';

const shipped = join(bundledModelsDir(), 'lw-siamese-v1');
const work = mkdtempSync(join(tmpdir(), 'lw-models-'));
const userDir = join(work, 'user-models');
const bundledDir = bundledModelsDir();

/** A copy of the shipped v1 folder with its card edited by `edit`. */
function modelFolder(name: string, edit: (card: Record<string, unknown>) => void): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const card = JSON.parse(readFileSync(join(shipped, 'card.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  edit(card);
  writeFileSync(join(dir, 'card.json'), JSON.stringify(card));
  copyFileSync(join(shipped, 'model.onnx'), join(dir, 'model.onnx'));
  copyFileSync(join(shipped, 'metrics.json'), join(dir, 'metrics.json'));
  return dir;
}

describe('installModelFolder', () => {
  it('copies a checked folder into the user models folder, listed as a user model', async () => {
    const src = modelFolder('mine', (c) => (c.id = 'my-county-model'));
    const model = await installModelFolder(src, { userDir, bundledDir });
    expect(model.dir).toBe(join(userDir, 'my-county-model'));
    const scan = scanModels([bundledDir, userDir]);
    const found = scan.models.find((m) => m.card.id === 'my-county-model');
    expect(found).toBeDefined();
    expect(modelInfo(found!).source).toBe('user');
    expect(modelInfo(scan.models.find((m) => m.card.id === 'lw-siamese-v1')!).source).toBe(
      'bundled',
    );
    // Again without replace: refused; with replace: fine.
    await expect(installModelFolder(src, { userDir, bundledDir })).rejects.toThrow(
      /already installed/,
    );
    await expect(
      installModelFolder(src, { userDir, bundledDir, replace: true }),
    ).resolves.toBeDefined();
    expect(removeUserModel('my-county-model', { userDir, bundledDir })).toBe(true);
    expect(removeUserModel('my-county-model', { userDir, bundledDir })).toBe(false);
  });

  it('refuses the id of a bundled model and will not remove a bundled one', async () => {
    const src = modelFolder('clash', () => {});
    await expect(installModelFolder(src, { userDir, bundledDir })).rejects.toThrow(
      /"lw-siamese-v1" is a bundled model/,
    );
    expect(() => removeUserModel('lw-siamese-v1', { userDir, bundledDir })).toThrow(/bundled/);
  });

  it('names the folder and the problem for bad folders', async () => {
    const wrongInput = modelFolder('wrong-input', (c) => {
      c.id = 'wrong-input';
      c.inputs = { before: 'image_a', after: 'after' };
    });
    await expect(installModelFolder(wrongInput, { userDir, bundledDir })).rejects.toThrow(
      /model\.onnx: card\.json names input\(s\) image_a not in the graph \(it has before, after\)/,
    );
    const badCard = modelFolder('bad-card', (c) => {
      c.id = 'bad-card';
      c.bands = 'three';
    });
    await expect(installModelFolder(badCard, { userDir, bundledDir })).rejects.toThrow(
      /bad-card[/\\]card\.json: invalid model card at "bands"/,
    );
    const notOnnx = modelFolder('not-onnx', (c) => (c.id = 'not-onnx'));
    writeFileSync(join(notOnnx, 'model.onnx'), 'this is not a protobuf');
    await expect(installModelFolder(notOnnx, { userDir, bundledDir })).rejects.toThrow(
      /not-onnx[/\\]model\.onnx: not a loadable ONNX model/,
    );
    await expect(installModelFolder(join(work, 'nowhere'), { userDir })).rejects.toThrow(
      /nowhere: folder not found/,
    );
    const empty = join(work, 'empty');
    mkdirSync(empty);
    await expect(installModelFolder(empty, { userDir })).rejects.toThrow(/no card\.json/);
  });
});

describe('models.add / models.remove through the backend', () => {
  const home = mkdtempSync(join(tmpdir(), 'lw-models-home-'));
  const host = testHost();
  let backend: Backend;
  beforeAll(() => {
    process.env.LANDWATCH_HOME = home;
    backend = new Backend(host);
  });
  afterAll(async () => backend.dispose());

  it('adds a folder, lists it in app.info and removes it', async () => {
    const src = modelFolder('via-api', (c) => (c.id = 'via-api-model'));
    const added = (await backend.handle('models.add', { path: src })) as ModelInfo;
    expect(added).toMatchObject({ id: 'via-api-model', source: 'user' });
    const info = (await backend.handle('app.info', {})) as AppInfo;
    expect(info.models.map((m) => m.id)).toContain('via-api-model');
    expect(await backend.handle('models.add', {})).toBeNull();
    expect(await backend.handle('models.remove', { modelId: 'via-api-model' })).toEqual({
      removed: true,
    });
    const after = (await backend.handle('app.info', {})) as AppInfo;
    expect(after.models.map((m) => m.id)).not.toContain('via-api-model');
  });
});
