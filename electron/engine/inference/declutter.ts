/**
 * Interference removal before change detection (METHODS.md M4): haze, thin cloud, cloud shadow
 * and building shadow are taken out of a date's tile so the change model does not see them as
 * change. The network (models/lw-declutter-v1, task `interference-removal`) runs only on the
 * smallest level of the tile's Laplacian pyramid (about 64 px a side, at most 1/8); full resolution
 * is rebuilt from that cleaned level by adding the tile's own Laplacian bands back (M4 step 2), so
 * the network sees 1/16–1/64 of the pixels and every fine detail of the original survives.
 */
import * as ort from 'onnxruntime-node';
import type { Device } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import { buildLaplacian, levelsFor, rebuildLaplacian } from '../raster/laplacian.js';
import type { InstalledModel, TaskModelCard } from './model-card.js';
import { findTaskModel } from './model-registry.js';
import { createModelSession, type ModelSession } from './session.js';
import type { DateInput } from './tile-predict.js';
import { roundUp } from './tiling.js';

/** The card `task` of interference-removal models. */
export const DECLUTTER_TASK = 'interference-removal';

/** Which dates to clean up before comparing them. */
export interface DeclutterChoice {
  before?: boolean;
  after?: boolean;
}

/** True when the choice cleans at least one date. */
export function wantsDeclutter(choice: DeclutterChoice | undefined): boolean {
  return Boolean(choice?.before || choice?.after);
}

/** The installed interference-removal model (E_MODEL naming the folders when there is none). */
export function findDeclutterModel(): InstalledModel<TaskModelCard> {
  return findTaskModel(DECLUTTER_TASK);
}

/** The change model's input normalisation: x = (v / scale − mean) / std per band. */
interface Normalisation {
  scale: number;
  mean: number[];
  std: number[];
}

/**
 * An interference-removal model in an ONNX Runtime session. Owns the session: `dispose()` it.
 *
 * @example
 * const d = await Declutterer.open(findDeclutterModel(), 'cpu');
 * await d.cleanImage(rgb, 512, 512); // planar RGB in 0..1, cleaned in place
 * await d.dispose();
 */
export class Declutterer {
  private constructor(
    readonly model: InstalledModel<TaskModelCard>,
    private readonly session: ModelSession,
  ) {}

  static async open(
    model: InstalledModel<TaskModelCard>,
    device: Device,
    log?: (line: string) => void,
  ): Promise<Declutterer> {
    const { inputs, outputs } = model.card;
    if (!inputs.image || !outputs.clean || model.card.bands !== 3) {
      throw new LandWatchError(
        'E_MODEL',
        `${model.dir}/card.json: an interference-removal model needs inputs.image, outputs.clean and 3 bands.`,
      );
    }
    return new Declutterer(model, await createModelSession(model.onnxPath, device, log));
  }

  get executionProvider(): string {
    return this.session.executionProvider;
  }

  /**
   * Cleans a planar RGB image (3 × width × height, values 0..1) in place: Laplacian pyramid down
   * to about 64 px, the network on that level only, rebuilt with the stored bands.
   */
  async cleanImage(rgb: Float32Array, width: number, height: number): Promise<void> {
    const pyramid = buildLaplacian(rgb, 3, width, height, levelsFor(width, height));
    const base = pyramid.base;
    const clean = await this.runNetwork(Float32Array.from(base.data), base.width, base.height);
    base.data.set(clean);
    const full = rebuildLaplacian(pyramid).data;
    for (let i = 0; i < rgb.length; i++) {
      const v = full[i];
      rgb[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }

  /**
   * The per-date preprocessing step of the tile runner: takes one date's tile as the change model
   * will see it (normalised planes), maps it back to RGB 0..1, cleans it and normalises it again.
   */
  preprocessFor(norm: Normalisation): NonNullable<DateInput['preprocess']> {
    return async (planes, width, height) => {
      const n = width * height;
      const rgb = new Float32Array(3 * n);
      for (let b = 0; b < 3; b++) {
        const mul = (norm.std[b] * norm.scale) / 255;
        const add = (norm.mean[b] * norm.scale) / 255;
        for (let i = 0; i < n; i++) rgb[b * n + i] = planes[b * n + i] * mul + add;
      }
      await this.cleanImage(rgb, width, height);
      for (let b = 0; b < 3; b++) {
        const mul = 255 / (norm.scale * norm.std[b]);
        const add = -norm.mean[b] / norm.std[b];
        for (let i = 0; i < n; i++) planes[b * n + i] = rgb[b * n + i] * mul + add;
      }
    };
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }

  /** The network on a small planar RGB image, padded (edges replicated) to the card's multiple. */
  private async runNetwork(rgb: Float32Array, width: number, height: number) {
    const m = this.model.card.tile.multipleOf;
    const pw = roundUp(width, m);
    const ph = roundUp(height, m);
    const input = new Float32Array(3 * pw * ph);
    for (let b = 0; b < 3; b++) {
      for (let y = 0; y < ph; y++) {
        const sy = Math.min(y, height - 1);
        for (let x = 0; x < pw; x++) {
          input[b * pw * ph + y * pw + x] =
            rgb[b * width * height + sy * width + Math.min(x, width - 1)];
        }
      }
    }
    const { inputs, outputs } = this.model.card;
    const tensor = new ort.Tensor('float32', input, [1, 3, ph, pw]);
    const result = await this.session.session.run({ [inputs.image]: tensor });
    const clean = result[outputs.clean].data as Float32Array;
    const out = new Float32Array(3 * width * height);
    for (let b = 0; b < 3; b++) {
      for (let y = 0; y < height; y++) {
        const src = b * pw * ph + y * pw;
        out.set(clean.subarray(src, src + width), b * width * height + y * width);
      }
    }
    tensor.dispose?.();
    for (const t of Object.values(result)) t.dispose?.();
    return out;
  }
}

/**
 * Opens the interference-removal model and sets the preprocessing step of the chosen dates
 * (`dates` as the tile runner reads them; the change model's normalisation). Null when the choice
 * cleans no date. The caller disposes the returned Declutterer.
 */
export async function attachDeclutter(
  dates: DateInput[],
  choice: DeclutterChoice | undefined,
  model: InstalledModel<TaskModelCard> | null,
  norm: Normalisation,
  device: Device,
  log?: (line: string) => void,
): Promise<Declutterer | null> {
  if (!wantsDeclutter(choice) || !model) return null;
  const declutterer = await Declutterer.open(model, device, log);
  const step = declutterer.preprocessFor(norm);
  if (choice?.before) dates[0].preprocess = step;
  if (choice?.after) dates[1].preprocess = step;
  return declutterer;
}

/** One line for the run's notes: what was cleaned and by which model. */
export function declutterNote(choice: DeclutterChoice, model: InstalledModel<TaskModelCard>) {
  const which = [choice.before ? 'before' : null, choice.after ? 'after' : null].filter(Boolean);
  return `haze/shadow clean-up on the ${which.join(' and ')} date${which.length > 1 ? 's' : ''} (${model.card.id} ${model.card.version}, on the 1/8–1/4 pyramid level of each tile)`;
}
