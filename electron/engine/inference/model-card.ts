/**
 * The model card: how the engine feeds a model (inputs, bands, normalisation, tiling) and what was
 * measured about it. Every model folder holds `card.json` next to its ONNX file. A card's `task`
 * says what the model is for: `change` (the default, so cards without the field are change models)
 * or a helper the engine runs around change detection, such as `interference-removal` (M4). Only
 * change models are offered as change models; helpers are found by task.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SEAM_TRIM } from './tiling.js';
import { LandWatchError } from '../errors.js';

/** The task of change models; cards without `task` are change models. */
export const CHANGE_TASK = 'change';

const cardFields = {
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  task: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/)
    .default(CHANGE_TASK),
  file: z.string(),
  bands: z.number().int().min(1).max(16),
  bandOrder: z.array(z.string()).optional(),
  normalization: z.object({
    scale: z.number().positive(),
    mean: z.array(z.number()),
    std: z.array(z.number().positive()),
  }),
  tile: z.object({
    size: z.number().int().min(32).max(4096),
    overlap: z.number().int().min(0),
    multipleOf: z.number().int().min(1).default(16),
    /**
     * Share of each shared overlap, from a tile's edge inwards, that gets (almost) no weight in
     * the blend: the model sees least context there (tiling.ts `ramp`, `npm run bench:seams`).
     */
    trim: z.number().min(0).max(0.45).default(SEAM_TRIM),
  }),
  threshold: z.number().gt(0).lt(1).default(0.5),
  metrics: z.record(z.string(), z.unknown()).default({}),
  license: z.string().optional(),
};

/** The share of each shared overlap a card's blend leaves out (tiling.ts `ramp`). */
export function blendTrim(card: ModelCard): number {
  return card.tile.trim ?? SEAM_TRIM;
}

/** Classes of a `kind` output when the card names none, in output order. */
export const DEFAULT_KINDS = ['new_construction', 'demolition', 'other_change'] as const;

/**
 * A change model's card: two dates in, a change probability out, and optionally the kind of each
 * change: `outputs.kind` names a [N, K, H, W] softmax over the `kinds` (default
 * {@link DEFAULT_KINDS}), on the probability's grid.
 */
export const modelCardSchema = z.object({
  ...cardFields,
  inputs: z.object({ before: z.string(), after: z.string() }),
  outputs: z
    .object({
      probability: z.string(),
      kind: z.string().optional(),
      features: z.string().optional(),
    })
    .passthrough(),
  /**
   * Offered for a run when picked, but never the default: a model whose measurements did not meet
   * the bar for replacing the default (its card says why).
   */
  experimental: z.boolean().default(false),
  /**
   * Where `outputs.features` is: a [N, channels, H/stride, W/stride] output whose channel
   * `baseLogitChannel` is the model's own change logit, so an adapter (engine/adapt/) can be fitted
   * on it (models/training/add_features_output.py).
   */
  features: z
    .object({
      channels: z.number().int().min(1).max(1024),
      stride: z.number().int().min(1).max(16),
      baseLogitChannel: z.number().int().min(0),
    })
    .passthrough()
    .optional(),
  /**
   * A reduced-precision export of another model (models/training/quantize_int8.py): that model's id
   * and version, and whether the variant kept its accuracy (`accuracyBar.held`: validation pixel F1
   * and object recall each at most `tolerance` below the float model's, measured the same way).
   */
  quantizedFrom: z
    .object({
      model: z.string(),
      version: z.string(),
      accuracyBar: z.object({ held: z.boolean(), tolerance: z.number() }).passthrough(),
    })
    .passthrough()
    .optional(),
  /**
   * Execution providers on which this variant was measured faster than the model it was quantised
   * from; there the engine runs it in that model's place when the user named no model
   * (model-variant.ts).
   */
  preferredOn: z.array(z.string()).default([]),
  /** An adapted model: the base model it was fitted on, and from what (engine/adapt/). */
  adaptedFrom: z
    .object({
      model: z.string(),
      version: z.string(),
      project: z.string().nullable().optional(),
    })
    .passthrough()
    .optional(),
  // Names, at most 32 characters: a kind is stored as a patch's change_kind (common/contract.ts).
  kinds: z
    .array(
      z
        .string()
        .max(32)
        .regex(/^[a-z0-9][a-z0-9_-]*$/i),
    )
    .min(2)
    .max(8)
    .refine((k) => new Set(k).size === k.length, 'kinds must be unique')
    .optional(),
});

/** A helper model's card (any task but `change`): named inputs and outputs of its own. */
export const taskModelCardSchema = z.object({
  ...cardFields,
  inputs: z.record(z.string(), z.string()),
  outputs: z.record(z.string(), z.string()),
});

export type ModelCard = z.infer<typeof modelCardSchema>;
export type TaskModelCard = z.infer<typeof taskModelCardSchema>;

export interface InstalledModel<Card = ModelCard> {
  card: Card;
  dir: string;
  onnxPath: string;
}

/**
 * `<dir>/card.json` parsed but not yet checked, for the loaders below; throws E_MODEL naming the
 * file when it cannot be read or is not JSON.
 */
export function readCardJson(dir: string): unknown {
  const cardPath = join(dir, 'card.json');
  try {
    return JSON.parse(readFileSync(cardPath, 'utf8'));
  } catch (error) {
    throw new LandWatchError(
      'E_MODEL',
      `${cardPath}: cannot read the model card (${(error as Error).message}).`,
    );
  }
}

/** The `task` a parsed card declares (`change` when absent), or null when it is JSON null. */
export function taskOfCard(json: unknown): string | null {
  if (json === null) return null;
  const { task } = json as { task?: unknown };
  return typeof task === 'string' ? task : CHANGE_TASK;
}

/**
 * Checks the card of a change model in `dir` (`json`: its card.json, read here unless the caller
 * has read it); the message names the folder and the bad field (or says the folder holds a model
 * for another task).
 */
export function loadModelFolder(dir: string, json: unknown = readCardJson(dir)): InstalledModel {
  const task = taskOfCard(json);
  if (task !== null && task !== CHANGE_TASK) {
    throw new LandWatchError(
      'E_MODEL',
      `${join(dir, 'card.json')}: this is a "${task}" model, not a change model.`,
    );
  }
  return checkCard(dir, json, modelCardSchema);
}

/** Checks the card of a helper model that must be for `task` (`json` as in loadModelFolder). */
export function loadTaskModelFolder(
  dir: string,
  task: string,
  json: unknown = readCardJson(dir),
): InstalledModel<TaskModelCard> {
  const model = checkCard(dir, json, taskModelCardSchema);
  if (model.card.task !== task) {
    throw new LandWatchError(
      'E_MODEL',
      `${join(dir, 'card.json')}: this is a "${model.card.task}" model, not "${task}".`,
    );
  }
  return model;
}

function checkCard<S extends typeof modelCardSchema | typeof taskModelCardSchema>(
  dir: string,
  json: unknown,
  schema: S,
): InstalledModel<z.infer<S>> {
  const cardPath = join(dir, 'card.json');
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LandWatchError(
      'E_MODEL',
      `${cardPath}: invalid model card at "${issue.path.join('.')}": ${issue.message}.`,
    );
  }
  const card = parsed.data as z.infer<S>;
  if (
    card.normalization.mean.length !== card.bands ||
    card.normalization.std.length !== card.bands
  ) {
    throw new LandWatchError(
      'E_MODEL',
      `${cardPath}: normalization.mean/std need ${card.bands} values, one per band.`,
    );
  }
  return { card, dir, onnxPath: join(dir, card.file) };
}

/** The kind classes of a change model in output order, or null when it has no kind output. */
export function cardKinds(card: ModelCard): string[] | null {
  if (!card.outputs.kind) return null;
  return card.kinds ?? [...DEFAULT_KINDS];
}

/** Flattens measured metrics for display: { "validation.pixelF1": 0.8, ... }. */
export function flatMetrics(metrics: Record<string, unknown>, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number') out[key] = v;
    else if (v && typeof v === 'object')
      Object.assign(out, flatMetrics(v as Record<string, unknown>, key));
  }
  return out;
}
