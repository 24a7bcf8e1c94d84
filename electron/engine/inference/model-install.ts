/**
 * Adding and removing user models: a model folder (card.json + its ONNX file) is checked — the card
 * parses, the ONNX graph opens in ONNX Runtime and has the inputs and outputs the card names — and
 * then copied into the data home's models/ folder, where the registry lists it next to the bundled
 * ones. Copying (not linking) keeps a project's model available when the source folder goes away.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { LandWatchError } from '../errors.js';
import { bundledModelsDir, userModelsDir } from '../paths.js';
import { loadModelFolder, type InstalledModel } from './model-card.js';

/** Largest ONNX file accepted (the app runs models on CPU too; shipped ones are a few MB). */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;

/** Files of a model folder worth keeping next to the card and the ONNX file. */
const SIDE_FILES = /^(metrics|parity|training|head|README)\b.*\.(json|md|txt)$/i;

export interface InstallOptions {
  /** Replace a user model with the same id (bundled models are never replaced). */
  replace?: boolean;
  /** Where user models live; default the data home's models/ folder. */
  userDir?: string;
  /** Where bundled models live; default the app's models/ folder. */
  bundledDir?: string;
}

/**
 * Checks a model folder and copies it into the user models folder.
 * @returns the installed model (as loaded from its new place)
 * @throws LandWatchError `E_MODEL` naming the folder and what is wrong with it
 * @example await installModelFolder('/data/models/my-model', { replace: true })
 */
export async function installModelFolder(
  folder: string,
  options: InstallOptions = {},
): Promise<InstalledModel> {
  const src = resolve(folder);
  const st = statSync(src, { throwIfNoEntry: false });
  if (!st) throw new LandWatchError('E_FILE_NOT_FOUND', `${folder}: folder not found.`);
  if (!st.isDirectory()) {
    throw new LandWatchError(
      'E_MODEL',
      `${folder}: not a folder; choose the folder holding card.json and the ONNX file.`,
    );
  }
  if (!existsSync(join(src, 'card.json'))) {
    throw new LandWatchError('E_MODEL', `${folder}: no card.json in this folder.`);
  }
  const model = loadModelFolder(src);
  await checkOnnx(model);
  const id = model.card.id;
  const bundled = options.bundledDir ?? bundledModelsDir();
  if (existsSync(join(bundled, id, 'card.json'))) {
    throw new LandWatchError(
      'E_MODEL',
      `${folder}: model id "${id}" is a bundled model; give the card another id.`,
    );
  }
  const userDir = options.userDir ?? userModelsDir();
  const target = join(userDir, id);
  if (resolve(target) === src) return model;
  if (existsSync(target)) {
    if (!options.replace) {
      throw new LandWatchError(
        'E_MODEL',
        `${folder}: a model "${id}" is already installed; replace it or change the card's id.`,
      );
    }
    rmSync(target, { recursive: true, force: true });
  }
  mkdirSync(target, { recursive: true });
  const keep = new Set(['card.json', basename(model.onnxPath)]);
  for (const name of readdirSync(src)) {
    if (keep.has(name) || SIDE_FILES.test(name)) copyFileSync(join(src, name), join(target, name));
  }
  return loadModelFolder(target);
}

/**
 * Removes a user-installed model; bundled models cannot be removed.
 * @returns whether a folder was removed
 */
export function removeUserModel(id: string, options: InstallOptions = {}): boolean {
  const bundled = options.bundledDir ?? bundledModelsDir();
  if (existsSync(join(bundled, id, 'card.json'))) {
    throw new LandWatchError('E_MODEL', `Model "${id}" is bundled with LandWatch and stays.`);
  }
  const target = join(options.userDir ?? userModelsDir(), id);
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(id) || !existsSync(join(target, 'card.json'))) return false;
  rmSync(target, { recursive: true, force: true });
  return true;
}

/** Opens the ONNX graph on CPU and compares its input and output names with the card. */
async function checkOnnx(model: InstalledModel): Promise<void> {
  const { card, onnxPath, dir } = model;
  const st = statSync(onnxPath, { throwIfNoEntry: false });
  if (!st?.isFile()) {
    throw new LandWatchError('E_MODEL', `${dir}: the card names "${card.file}", which is missing.`);
  }
  if (st.size > MAX_MODEL_BYTES) {
    throw new LandWatchError(
      'E_MODEL',
      `${onnxPath}: ${Math.round(st.size / 2 ** 20)} MB is over the ${MAX_MODEL_BYTES / 2 ** 20} MB limit.`,
    );
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnxPath, { executionProviders: ['cpu'] });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0].slice(0, 200);
    throw new LandWatchError('E_MODEL', `${onnxPath}: not a loadable ONNX model (${reason}).`);
  }
  try {
    const wantIn = [card.inputs.before, card.inputs.after];
    const wantOut = Object.values(card.outputs).filter((v): v is string => typeof v === 'string');
    const missingIn = wantIn.filter((n) => !session.inputNames.includes(n));
    const missingOut = wantOut.filter((n) => !session.outputNames.includes(n));
    if (missingIn.length > 0 || missingOut.length > 0) {
      const parts = [
        missingIn.length > 0
          ? `input(s) ${missingIn.join(', ')} not in the graph (it has ${session.inputNames.join(', ')})`
          : '',
        missingOut.length > 0
          ? `output(s) ${missingOut.join(', ')} not in the graph (it has ${session.outputNames.join(', ')})`
          : '',
      ].filter(Boolean);
      throw new LandWatchError('E_MODEL', `${onnxPath}: card.json names ${parts.join('; ')}.`);
    }
  } finally {
    await session.release();
  }
}
