/**
 * The installed change models: the ones shipped in models/ and any folder the user added under the
 * data home's models/. A folder is a model when it holds a valid card.json and its ONNX file.
 * Folders whose card declares another `task` (helpers such as interference removal) are not change
 * models: `scanModels` passes over them and `findTaskModel` finds them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { LandWatchError } from '../errors.js';
import { bundledModelsDir, userModelsDir } from '../paths.js';
import type { ModelInfo } from '../../common/contract.js';
import {
  CHANGE_TASK,
  flatMetrics,
  loadModelFolder,
  loadTaskModelFolder,
  readCardJson,
  taskOfCard,
  type InstalledModel,
  type TaskModelCard,
} from './model-card.js';

export interface RegistryScan {
  models: InstalledModel[];
  /** Folders that look like models but could not be loaded, with the reason. */
  problems: string[];
}

/** A folder holding a card.json, read once: its JSON, or null and the error when unreadable. */
interface CardFolder {
  dir: string;
  json: unknown;
  readError: Error | null;
}

/** Every sub-folder of `dirs` that holds a card.json, with the card read and parsed (once). */
function cardFolders(dirs: string[]): CardFolder[] {
  const folders: CardFolder[] = [];
  for (const root of dirs) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      const dir = join(root, entry.name);
      if (!entry.isDirectory() || !existsSync(join(dir, 'card.json'))) continue;
      try {
        folders.push({ dir, json: readCardJson(dir), readError: null });
      } catch (error) {
        folders.push({ dir, json: null, readError: error as Error });
      }
    }
  }
  return folders;
}

export function scanModels(dirs: string[] = [bundledModelsDir(), userModelsDir()]): RegistryScan {
  const models: InstalledModel[] = [];
  const problems: string[] = [];
  for (const { dir, json, readError } of cardFolders(dirs)) {
    const task = taskOfCard(json);
    if (task !== null && task !== CHANGE_TASK) continue; // a helper model, see findTaskModel
    try {
      if (readError) throw readError;
      const model = loadModelFolder(dir, json);
      if (!existsSync(model.onnxPath))
        throw new LandWatchError('E_MODEL', `${model.onnxPath}: ONNX file missing.`);
      if (!models.some((m) => m.card.id === model.card.id)) models.push(model);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  models.sort((a, b) => a.card.id.localeCompare(b.card.id));
  return { models, problems };
}

/**
 * The model a run uses when none is picked: the last by id that is neither experimental, adapted
 * to a project nor a quantised variant (the last of all when every one is), or null when none is
 * installed.
 */
export function defaultModel(scan: RegistryScan): InstalledModel | null {
  // An adapted model belongs to the county (project) it learnt from: it is picked per run or by
  // its project, never the default of every project. A quantised variant stands in for its float
  // model only where it was measured faster (model-variant.ts), never as the default itself.
  const general = scan.models.filter((m) => !m.card.adaptedFrom && !m.card.quantizedFrom);
  const settled = general.filter((m) => !m.card.experimental);
  return settled.at(-1) ?? general.at(-1) ?? scan.models.at(-1) ?? null;
}

/** The model with this id, or {@link defaultModel} when id is undefined. */
export function findModel(
  id: string | undefined,
  scan: RegistryScan = scanModels(),
): InstalledModel {
  if (scan.models.length === 0) {
    throw new LandWatchError(
      'E_MODEL',
      `No change model is installed (looked in ${bundledModelsDir()} and ${userModelsDir()}).`,
    );
  }
  if (id === undefined) return defaultModel(scan)!;
  const found = scan.models.find((m) => m.card.id === id);
  if (!found) {
    const known = scan.models.map((m) => m.card.id).join(', ');
    throw new LandWatchError('E_MODEL', `Unknown model "${id}"; installed: ${known}.`);
  }
  return found;
}

/**
 * The installed helper model for `task` (e.g. `interference-removal`): the last by id when several
 * are installed. Throws E_MODEL naming the folders looked in when there is none.
 */
export function findTaskModel(
  task: string,
  dirs: string[] = [bundledModelsDir(), userModelsDir()],
): InstalledModel<TaskModelCard> {
  return findTaskModelJson(task, dirs).model;
}

/**
 * {@link findTaskModel}'s choice together with its card.json as read, for the fields only models
 * of that task have (a card is read once per call).
 */
export function findTaskModelJson(
  task: string,
  dirs: string[] = [bundledModelsDir(), userModelsDir()],
): { model: InstalledModel<TaskModelCard>; json: unknown } {
  const found: { model: InstalledModel<TaskModelCard>; json: unknown }[] = [];
  for (const { dir, json } of cardFolders(dirs)) {
    if (taskOfCard(json) !== task) continue;
    const model = loadTaskModelFolder(dir, task, json);
    if (!existsSync(model.onnxPath))
      throw new LandWatchError('E_MODEL', `${model.onnxPath}: ONNX file missing.`);
    found.push({ model, json });
  }
  if (found.length === 0) {
    throw new LandWatchError(
      'E_MODEL',
      `No "${task}" model is installed (looked in ${dirs.join(' and ')}).`,
    );
  }
  found.sort((a, b) => a.model.card.id.localeCompare(b.model.card.id));
  return found[found.length - 1];
}

/** What the UI is told about an installed model. */
export function modelInfo(model: InstalledModel): ModelInfo {
  const { card } = model;
  return {
    id: card.id,
    name: card.name,
    version: card.version,
    description: card.description,
    bands: card.bands,
    metrics: flatMetrics(card.metrics),
    threshold: card.threshold,
    experimental: card.experimental,
    source: isUnder(model.dir, bundledModelsDir()) ? 'bundled' : 'user',
    ...(card.adaptedFrom
      ? {
          adaptedFrom: {
            model: card.adaptedFrom.model,
            projectName:
              typeof card.adaptedFrom.projectName === 'string'
                ? card.adaptedFrom.projectName
                : null,
          },
        }
      : {}),
  };
}

function isUnder(dir: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(dir));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
