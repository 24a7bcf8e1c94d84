/**
 * The patch-code model (METHODS M5, `task: "patch-code"` in its card): how to cut a patch's chip
 * pair, how to normalise it, and what its code looks like. The card's common fields (id, file,
 * bands, normalisation, …) are checked by inference/model-card.ts like every helper model's; this
 * adds the fields only a code model has.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { LandWatchError } from '../errors.js';
import {
  loadTaskModelFolder,
  readCardJson,
  type InstalledModel,
  type TaskModelCard,
} from '../inference/model-card.js';
import { findTaskModelJson } from '../inference/model-registry.js';
import { bundledModelsDir, userModelsDir } from '../paths.js';

/** The card task of patch-code models. */
export const PATCH_CODE_TASK = 'patch-code';

const codeFieldsSchema = z.object({
  inputs: z.object({ before: z.string(), after: z.string() }),
  outputs: z.object({ code: z.string() }).passthrough(),
  bands: z.literal(3),
  normalization: z.object({ mean: z.array(z.number()).length(3) }).passthrough(),
  chip: z.object({
    size: z.number().int().min(8).max(512),
    margin: z.number().min(0).max(2),
    minSidePixels: z.number().min(1),
    noData: z.number().int().min(0).max(255),
  }),
  code: z.object({
    length: z.number().int().min(1).max(4096),
    bits: z.literal(4),
    max: z.number().int().min(1).max(15),
    closeDistance: z.number().min(0),
    duplicateDistance: z.number().min(0).optional(),
  }),
});

export type CodeCard = Pick<TaskModelCard, 'id' | 'version' | 'file' | 'normalization'> &
  Pick<z.infer<typeof codeFieldsSchema>, 'inputs' | 'outputs' | 'chip' | 'code'>;

export interface CodeModel {
  card: CodeCard;
  dir: string;
  onnxPath: string;
}

/** Reads `<dir>/card.json` as a patch-code card; the error names the file and the bad field. */
export function loadCodeModel(dir: string): CodeModel {
  const json = readCardJson(dir);
  return codeModelOf(loadTaskModelFolder(dir, PATCH_CODE_TASK, json), json);
}

/**
 * The installed patch-code model (the registry's choice among helper models of this task).
 * Throws E_MODEL naming the folders looked in when there is none.
 */
export function findCodeModel(dirs: string[] = [bundledModelsDir(), userModelsDir()]): CodeModel {
  const { model, json } = findTaskModelJson(PATCH_CODE_TASK, dirs);
  return codeModelOf(model, json);
}

/** Adds the fields only a code model has to a checked helper-model card (`json`: its card.json). */
function codeModelOf(base: InstalledModel<TaskModelCard>, json: unknown): CodeModel {
  const parsed = codeFieldsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LandWatchError(
      'E_MODEL',
      `${join(base.dir, 'card.json')}: invalid patch-code card at "${issue.path.join('.')}": ${issue.message}.`,
    );
  }
  const { inputs, outputs, chip, code } = parsed.data;
  const { id, version, file, normalization } = base.card;
  return {
    card: { id, version, file, normalization, inputs, outputs, chip, code },
    dir: base.dir,
    onnxPath: base.onnxPath,
  };
}
