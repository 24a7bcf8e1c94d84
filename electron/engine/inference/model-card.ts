/**
 * The model card: how the engine feeds a change model (inputs, bands, normalisation, tiling) and what
 * was measured about it. Every model folder holds `card.json` next to its ONNX file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LandWatchError } from '../errors.js';

export const modelCardSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  file: z.string(),
  inputs: z.object({ before: z.string(), after: z.string() }),
  outputs: z.object({ probability: z.string() }).passthrough(),
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
  }),
  threshold: z.number().gt(0).lt(1).default(0.5),
  metrics: z.record(z.string(), z.unknown()).default({}),
  license: z.string().optional(),
});

export type ModelCard = z.infer<typeof modelCardSchema>;

export interface InstalledModel {
  card: ModelCard;
  dir: string;
  onnxPath: string;
}

/** Reads and validates `<dir>/card.json`; the message names the folder and the bad field. */
export function loadModelFolder(dir: string): InstalledModel {
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
  const parsed = modelCardSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LandWatchError(
      'E_MODEL',
      `${cardPath}: invalid model card at "${issue.path.join('.')}": ${issue.message}.`,
    );
  }
  const card = parsed.data;
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
