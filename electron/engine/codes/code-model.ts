/**
 * The patch-code model (METHODS M5, `task: "patch-code"` in its card): how to cut a patch's chip
 * pair, how to normalise it, and what its code looks like. Change-model cards are read by
 * inference/model-card.ts; this reads only the fields a code model needs, and finds the installed
 * one the same way the registry finds change models (shipped models/ first, then the user's).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LandWatchError } from '../errors.js';
import { bundledModelsDir, userModelsDir } from '../paths.js';

/** The card task of patch-code models. */
export const PATCH_CODE_TASK = 'patch-code';

const codeCardSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i),
  version: z.string(),
  task: z.literal(PATCH_CODE_TASK),
  file: z.string(),
  inputs: z.object({ before: z.string(), after: z.string() }),
  outputs: z.object({ code: z.string() }).passthrough(),
  bands: z.literal(3),
  normalization: z.object({
    scale: z.number().positive(),
    mean: z.array(z.number()).length(3),
    std: z.array(z.number().positive()).length(3),
  }),
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

export type CodeCard = z.infer<typeof codeCardSchema>;

export interface CodeModel {
  card: CodeCard;
  dir: string;
  onnxPath: string;
}

/** Reads `<dir>/card.json` as a patch-code card; the error names the file and the bad field. */
export function loadCodeModel(dir: string): CodeModel {
  const cardPath = join(dir, 'card.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(cardPath, 'utf8'));
  } catch (error) {
    throw new LandWatchError(
      'E_MODEL',
      `${cardPath}: cannot read the model card (${(error as Error).message}).`,
    );
  }
  const parsed = codeCardSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LandWatchError(
      'E_MODEL',
      `${cardPath}: invalid patch-code card at "${issue.path.join('.')}": ${issue.message}.`,
    );
  }
  const onnxPath = join(dir, parsed.data.file);
  if (!existsSync(onnxPath)) throw new LandWatchError('E_MODEL', `${onnxPath}: ONNX file missing.`);
  return { card: parsed.data, dir, onnxPath };
}

/** True when the folder's card declares the patch-code task (read without validating the rest). */
function isCodeFolder(dir: string): boolean {
  try {
    const raw = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as { task?: unknown };
    return raw.task === PATCH_CODE_TASK;
  } catch {
    return false;
  }
}

/**
 * The installed patch-code model: a user-installed one wins over the shipped one, and among
 * several in one place the last by id. Throws E_MODEL naming the folders when there is none.
 */
export function findCodeModel(dirs: string[] = [bundledModelsDir(), userModelsDir()]): CodeModel {
  let found: string | null = null;
  for (const root of dirs) {
    if (!existsSync(root)) continue;
    const names = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && isCodeFolder(join(root, e.name)))
      .map((e) => e.name)
      .sort();
    if (names.length > 0) found = join(root, names[names.length - 1]);
  }
  if (found === null) {
    throw new LandWatchError(
      'E_MODEL',
      `No patch-code model is installed (looked for a card with task "${PATCH_CODE_TASK}" in ${dirs.join(' and ')}).`,
    );
  }
  return loadCodeModel(found);
}
