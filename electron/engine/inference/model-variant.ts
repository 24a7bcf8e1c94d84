/**
 * Faster variants of a change model. An installed model whose card says it was quantised from
 * another (`quantizedFrom`: that model's id and version), kept its accuracy (`accuracyBar.held`)
 * and was measured faster on an execution provider (`preferredOn`) runs in that model's place on
 * that provider when the user named no model. The run is keyed and recorded under the variant's
 * own id, so its results say which graph produced them. A model named by the user runs as named.
 */
import type { Device } from '../../common/contract.js';
import type { InstalledModel } from './model-card.js';
import { findModel, scanModels, type RegistryScan } from './model-registry.js';
import { autoOrder, availableProviders, hasVulkanLoader } from './session.js';

/** The model a run uses, and a note for the run when a variant stands in for the default. */
export interface RunModel {
  model: InstalledModel;
  note: string | null;
}

/**
 * The installed variant that runs in place of `model` on `provider`: quantised from this very
 * model (same id and version), its accuracy bar held, `provider` among its `preferredOn`, not
 * experimental; the last by id when several qualify, null when none does.
 */
export function fasterVariant(
  model: InstalledModel,
  provider: string,
  scan: RegistryScan,
): InstalledModel | null {
  const fits = scan.models.filter(({ card }) => {
    const from = card.quantizedFrom;
    return (
      from !== undefined &&
      from.model === model.card.id &&
      from.version === model.card.version &&
      from.accuracyBar.held &&
      card.preferredOn.includes(provider) &&
      !card.experimental
    );
  });
  return fits.at(-1) ?? null;
}

/**
 * The provider a run on `device` will use, where it can be told before a session starts: the
 * device itself when named; for "auto", "cpu" when no provider before CPU in the auto order can
 * start here (the same prerequisites session.ts checks: CUDA libraries installed, a Vulkan loader
 * for WebGPU on Linux). Null when a GPU provider may start (it may also fail and fall back, so the
 * default model is kept: it is right on every provider).
 */
export function plannedProvider(
  device: Device,
  installed: string[] = availableProviders(),
  vulkanLoader: boolean = hasVulkanLoader(),
  platform: NodeJS.Platform = process.platform,
): string | null {
  if (device !== 'auto') return device;
  for (const provider of autoOrder(platform)) {
    if (provider === 'cpu') return 'cpu';
    if (!installed.includes(provider)) continue;
    if (provider === 'webgpu' && platform === 'linux' && !vulkanLoader) continue;
    return null;
  }
  return null;
}

/**
 * The model a detection runs: the one named by `id` as is; with no id the default model
 * ({@link findModel}), or its {@link fasterVariant} for the provider the run will use.
 */
export function findRunModel(
  id: string | undefined,
  device: Device,
  scan: RegistryScan = scanModels(),
  provider: string | null = id === undefined ? plannedProvider(device) : null,
): RunModel {
  const model = findModel(id, scan);
  if (id !== undefined || provider === null) return { model, note: null };
  const variant = fasterVariant(model, provider, scan);
  if (!variant) return { model, note: null };
  const bar = variant.card.quantizedFrom!.accuracyBar;
  return {
    model: variant,
    note:
      `model ${variant.card.id} runs in place of ${model.card.id} on ${provider}: quantised from it, ` +
      `measured faster there, validation pixel F1 and object recall within ${bar.tolerance} of it ` +
      `(name a model to choose another)`,
  };
}
