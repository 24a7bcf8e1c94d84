/**
 * Adapts a change model to a county: runs the base model over labelled pairs, fits the adapter
 * head on its features (fit-head.ts) and writes a new model folder — the base ONNX with the head
 * appended (adapter-graph.ts), a card that says where it came from and what was measured, and the
 * head's weights. The base model is read, never changed. Everything is checked before the slow
 * part: the base model has a features output, the output folder can be written.
 *
 * @example
 * const result = await adaptModel({ pairs: [{ beforePath, afterPath, labels: (b) => openLabelRaster(l, b) }], outDir });
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Device } from '../../common/contract.js';
import { LandWatchError, throwIfAborted } from '../errors.js';
import { openInputs, type DetectInputs } from '../inference/detect-inputs.js';
import { readCardJson, type InstalledModel } from '../inference/model-card.js';
import { findModel } from '../inference/model-registry.js';
import { createModelSession } from '../inference/session.js';
import { appendAdapter } from './adapter-graph.js';
import { DEFAULT_CONTEXT, checkContext } from './context.js';
import { samplePair, type PairSampleReport } from './feature-samples.js';
import { fitHead, type FitResult } from './fit-head.js';
import { headToJson } from './head.js';
import type { LabelSource } from './label-sources.js';
import { SampleReservoir } from './samples.js';
import type { RasterInfo } from '../raster/raster-source.js';

/** Name of the adapted probability output in the written model. */
export const ADAPTED_OUTPUT = 'prob_adapted';

export interface AdaptPair {
  beforePath: string;
  afterPath: string;
  /** Opens the pair's labels once the before image is open (labels are on its grid). */
  labels: (before: RasterInfo, signal?: AbortSignal) => Promise<LabelSource>;
}

export interface AdaptProgress {
  phase: 'features' | 'fit' | 'write';
  done: number;
  total: number;
  message: string;
}

export interface AdaptOptions {
  /** Base model id (default: the app's default model; an adapted model's own base). */
  baseModelId?: string;
  pairs: AdaptPair[];
  /** The model folder to write (must not exist unless `overwrite`). */
  outDir: string;
  overwrite?: boolean;
  /** The new model's id and name (default from the base model, the project and the date). */
  id?: string;
  name?: string;
  /** The project the decisions came from (recorded in the card). */
  project?: { path: string; name: string } | null;
  device?: Device;
  /** Tiles run per pair at most (default 256). */
  maxTilesPerPair?: number;
  /** Samples kept per class for training (default 60,000; held back: a quarter of it). */
  samplesPerClass?: number;
  hidden?: number;
  /** Box sizes of the head's spatial context, in feature pixels (default DEFAULT_CONTEXT). */
  context?: number[];
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (p: AdaptProgress) => void;
  log?: (line: string) => void;
}

export interface AdaptResult {
  modelId: string;
  dir: string;
  base: { id: string; version: string };
  pairs: number;
  tilesRun: number;
  /** Labelled pixels used, per class [no change, change]. */
  pixels: [number, number];
  /** Samples kept (a uniform sample of the labelled feature pixels), per class [no change, change]. */
  samples: [number, number];
  fit: FitResult;
  seconds: number;
}

/** The root base model of `id` (an adapted model's own base), which must have a features output. */
export function adaptableBase(id: string | undefined): InstalledModel {
  let model = findModel(id);
  if (model.card.adaptedFrom) model = findModel(model.card.adaptedFrom.model);
  // Adapters are fitted on the float model's features, not on a quantised variant's.
  if (model.card.quantizedFrom) model = findModel(model.card.quantizedFrom.model);
  const { card } = model;
  if (!card.outputs.features || !card.features) {
    throw new LandWatchError(
      'E_MODEL',
      `Model "${card.id}" has no features output, so it cannot be adapted: its card must name outputs.features and features { channels, stride, baseLogitChannel } (see models/training/add_features_output.py).`,
    );
  }
  return model;
}

/** Refuses an output folder that exists (unless overwrite) or whose parent cannot hold it. */
export function checkOutDir(outDir: string, overwrite = false): void {
  const dir = resolve(outDir);
  if (existsSync(dir) && !overwrite && readdirSync(dir).length > 0) {
    throw new LandWatchError(
      'E_OUTPUT',
      `${outDir}: the folder exists and is not empty; choose another or pass --overwrite.`,
    );
  }
  const parent = dirname(dir);
  if (!existsSync(parent)) {
    throw new LandWatchError('E_OUTPUT', `${outDir}: its parent folder ${parent} does not exist.`);
  }
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'labels'
  );
}

/** Adapts the base model to the labelled pairs; see the file comment. */
export async function adaptModel(options: AdaptOptions): Promise<AdaptResult> {
  const t0 = performance.now();
  const { signal } = options;
  const progress = options.onProgress ?? (() => {});
  if (options.pairs.length === 0)
    throw new LandWatchError('E_BAD_REQUEST', 'Adaptation needs at least one labelled pair.');
  const base = adaptableBase(options.baseModelId);
  checkOutDir(options.outDir, options.overwrite);
  const features = base.card.features!;
  const perClass = options.samplesPerClass ?? 60_000;
  const seed = options.seed ?? 1;
  const context = [...(options.context ?? DEFAULT_CONTEXT)];
  checkContext(context);
  const samples = new SampleReservoir(features.channels * (1 + context.length), perClass, seed);
  const session = await createModelSession(base.onnxPath, options.device ?? 'auto', options.log);
  const reports: PairSampleReport[] = [];
  try {
    for (const [i, pair] of options.pairs.entries()) {
      throwIfAborted(signal);
      let inputs: DetectInputs | null = null;
      let labels: LabelSource | null = null;
      try {
        inputs = await openInputs(
          { beforePath: pair.beforePath, afterPath: pair.afterPath, modelId: base.card.id },
          signal,
        );
        labels = await pair.labels(inputs.before.info, signal);
        const report = await samplePair({
          inputs,
          session: session.session,
          labels,
          pairIndex: i,
          holdOut: options.pairs.length > 1 ? 'pair' : 'block',
          samples,
          context,
          maxTiles: options.maxTilesPerPair ?? 256,
          signal,
          onTile: (done, total) =>
            progress({
              phase: 'features',
              done,
              total,
              message: `pair ${i + 1} of ${options.pairs.length}: tile ${done} of ${total}`,
            }),
        });
        reports.push(report);
      } finally {
        labels?.close();
        inputs?.close();
      }
    }
  } finally {
    await session.dispose();
  }
  const set = samples.toSet();
  const pixels: [number, number] = [0, 0];
  for (const r of reports) {
    pixels[0] += r.pixels[0];
    pixels[1] += r.pixels[1];
  }
  checkClasses(pixels, options);
  const kept = samples.counts().kept;
  const fit = fitHead(set, features.baseLogitChannel, {
    hidden: options.hidden,
    context,
    seed,
    signal,
    onEpoch: (done, total, f1) =>
      progress({
        phase: 'fit',
        done,
        total,
        message: `fitting: ${done} of ${total} passes${f1 >= 0 ? `, held-back F1 ${f1.toFixed(3)}` : ''}`,
      }),
  });
  throwIfAborted(signal);
  progress({ phase: 'write', done: 0, total: 1, message: 'writing the adapted model' });
  const result: AdaptResult = {
    modelId: '',
    dir: resolve(options.outDir),
    base: { id: base.card.id, version: base.card.version },
    pairs: options.pairs.length,
    tilesRun: reports.reduce((a, r) => a + r.tilesRun, 0),
    pixels,
    samples: kept,
    fit,
    seconds: 0,
  };
  result.modelId = await writeAdaptedFolder(base, result, options);
  result.seconds = (performance.now() - t0) / 1000;
  progress({
    phase: 'write',
    done: 1,
    total: 1,
    message: `adapted model ${result.modelId} written`,
  });
  return result;
}

function checkClasses(pixels: [number, number], options: AdaptOptions): void {
  const from = options.project ? `the decisions of ${options.project.name}` : 'the labels';
  if (pixels[0] + pixels[1] === 0) {
    throw new LandWatchError(
      'E_ADAPT',
      options.project
        ? `${options.project.name}: no decisions to learn from yet. Confirm or reject patches (or mark reviewed areas) first.`
        : 'The labels mark no pixel (all of them are outside the reviewed mask or the overlap).',
    );
  }
  if (pixels[1] === 0 || pixels[0] === 0) {
    const has = pixels[1] === 0 ? 'no change' : 'change';
    const lacks =
      pixels[1] === 0
        ? 'change (confirmed or drawn patches, or 255 in a label raster)'
        : 'no change (rejected patches, a reviewed area, or 0 in a label raster)';
    throw new LandWatchError(
      'E_ADAPT',
      `${from} hold only ${has}: adaptation needs examples of ${lacks} too.`,
    );
  }
}

/** Writes the folder atomically (a temporary sibling renamed into place); returns the model id. */
async function writeAdaptedFolder(
  base: InstalledModel,
  result: AdaptResult,
  options: AdaptOptions,
): Promise<string> {
  const date = new Date().toISOString();
  const projectName = options.project?.name ?? null;
  const id =
    options.id ??
    `${base.card.id}-${slug(projectName ?? basename(options.outDir))}-${date.slice(0, 10).replace(/-/g, '')}`;
  const card = readCardJson(base.dir) as Record<string, unknown>;
  const outputs = { ...(card.outputs as Record<string, string>), probability: ADAPTED_OUTPUT };
  const { fit } = result;
  const adaptedCard = {
    ...card,
    id,
    name:
      options.name ??
      `Adapted to ${projectName ?? basename(resolve(options.outDir))} (from ${base.card.id})`,
    version: '1.0.0',
    description: `${base.card.id} adapted to ${projectName ?? 'labelled pairs'} on ${date.slice(0, 10)}: a per-pixel head on the base model's features${fit.head.context.length ? ` and their ${fit.head.context.map((k) => `${k}×${k}`).join(' and ')} box means` : ''}, fitted on ${result.pixels[1]} changed and ${result.pixels[0]} unchanged labelled pixels of ${result.pairs} pair(s). Held-back pixel F1 ${fit.heldBack[fit.chosen].f1.toFixed(3)} (base model ${fit.heldBack.base.f1.toFixed(3)}); chosen: ${fit.chosen}.`,
    file: 'model.onnx',
    outputs,
    threshold: 0.5,
    experimental: false,
    adaptedFrom: {
      model: base.card.id,
      version: base.card.version,
      project: options.project?.path ?? null,
      projectName,
      pairs: options.pairs.map((p) => ({
        before: basename(p.beforePath),
        after: basename(p.afterPath),
      })),
      date,
      samples: {
        pixels: { change: result.pixels[1], noChange: result.pixels[0] },
        kept: { change: result.samples[1], noChange: result.samples[0] },
        folds:
          options.pairs.length > 1
            ? 'cross-validation by pair (each pair scored by a head fitted on the others)'
            : 'cross-validation over 5 folds of 128-px blocks',
      },
      tilesRun: result.tilesRun,
      chosen: fit.chosen,
      wins: fit.wins,
      threshold: fit.threshold,
      epochs: fit.epochs,
      heldBack: fit.heldBack,
      head: { hidden: options.hidden ?? 16, context: fit.head.context, file: 'head.json' },
    },
    metrics: {
      validation: {
        pixelPrecision: round(fit.heldBack[fit.chosen].precision),
        pixelRecall: round(fit.heldBack[fit.chosen].recall),
        pixelF1: round(fit.heldBack[fit.chosen].f1),
      },
      baseOnHeldBack: { pixelF1: round(fit.heldBack.base.f1) },
      note:
        options.pairs.length > 1
          ? 'held-back labels: cross-validation by pair (each pixel scored by a head fitted on the other pairs), pixels weighted to stand for all labelled pixels'
          : 'held-back labels: 5-fold cross-validation over 128-px blocks (each pixel scored by a head that did not see its block), pixels weighted to stand for all labelled pixels',
    },
  };
  delete (adaptedCard as Record<string, unknown>).training;
  const outDir = resolve(options.outDir);
  const tmp = join(dirname(outDir), `.${basename(outDir)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const bytes = appendAdapter(new Uint8Array(readFileSync(base.onnxPath)), fit.head, {
      features: base.card.outputs.features!,
      stride: base.card.features!.stride,
      output: ADAPTED_OUTPUT,
      what: base.onnxPath,
    });
    writeFileSync(join(tmp, 'model.onnx'), bytes);
    // The written graph must open and name its new output before the folder is put in place.
    const check = await ort.InferenceSession.create(join(tmp, 'model.onnx'));
    const ok = check.outputNames.includes(ADAPTED_OUTPUT);
    await check.release();
    if (!ok)
      throw new LandWatchError(
        'E_INTERNAL',
        `the adapted graph lacks its ${ADAPTED_OUTPUT} output`,
      );
    writeFileSync(join(tmp, 'card.json'), `${JSON.stringify(adaptedCard, null, 2)}\n`);
    writeFileSync(join(tmp, 'head.json'), `${JSON.stringify(headToJson(fit.head))}\n`);
    if (existsSync(outDir)) rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return id;
}

const round = (v: number) => Math.round(v * 10000) / 10000;
