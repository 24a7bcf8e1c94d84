/**
 * What interference removal (M4, models/lw-declutter-v1) buys in change detection, measured on the
 * real validation pairs (validation-split.ts) exactly as the app runs it (the engine's tile runner
 * with the per-date clean-up step):
 *  - each pair gets synthetic interference of each type (interference-synth.ts, seeded) on ONE
 *    date (the after date on even pairs, the before date on odd ones); false-positive rate (changed
 *    predictions on pixels labelled unchanged / unchanged pixels) and false patches (predicted
 *    components ≥ 100 m² with less than half their pixels on labelled change), without and with
 *    clean-up of the interfered date, and the time both take;
 *  - on the clean pairs, pixel F1 without and with clean-up of both dates (it must not drop).
 * Called from `npm run eval` (evaluate.ts); returns markdown tables and the figures.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Declutterer, findDeclutterModel } from '../../electron/engine/inference/declutter.js';
import type { InstalledModel } from '../../electron/engine/inference/model-card.js';
import { createModelSession } from '../../electron/engine/inference/session.js';
import { predictWindow, type DateInput } from '../../electron/engine/inference/tile-runner.js';
import { MemoryRaster } from '../../electron/engine/raster/memory-raster.js';
import { labelComponents } from '../../electron/engine/vector/components.js';
import { addInterference, INTERFERENCE_TYPES } from './interference-synth.js';
import { addCounts, pixelCounts, scores, type PixelCounts } from './metrics.js';
import { VALIDATION_SETS } from './validation-split.js';

interface Pair {
  name: string;
  width: number;
  height: number;
  a: Float32Array; // planar RGB 0..255
  b: Float32Array;
  truth: Uint8Array;
  minPixels: number;
  pixelScale: number;
}

interface Tally {
  fp: number;
  unchanged: number;
  falsePatches: number;
  seconds: number;
  mae: number;
  pairs: number;
}

const tally = (): Tally => ({ fp: 0, unchanged: 0, falsePatches: 0, seconds: 0, mae: 0, pairs: 0 });

/** Components of `pred` of at least `minPixels` with under half their pixels on labelled change. */
export function falsePatches(
  pred: Uint8Array,
  truth: Uint8Array,
  w: number,
  h: number,
  min: number,
) {
  const { labels, count } = labelComponents(pred, w, h, { connectivity: 8 });
  const size = new Float64Array(count + 1);
  const onTruth = new Float64Array(count + 1);
  for (let i = 0; i < labels.length; i++) {
    size[labels[i]]++;
    if (truth[i]) onTruth[labels[i]]++;
  }
  let n = 0;
  for (let c = 1; c <= count; c++) if (size[c] >= min && onTruth[c] < size[c] / 2) n++;
  return n;
}

function planar(rgba: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let b = 0; b < 3; b++) out[b * n + i] = rgba[i * 4 + b];
  return out;
}

/** Interleaved RGBA bytes for MemoryRaster from planar RGB. */
function rgba(planes: Float32Array, n: number): Uint8Array {
  const out = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < 3; b++) out[i * 4 + b] = Math.round(planes[b * n + i]);
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** The validation pairs, read with `readPng` (evaluate.ts's PNG reader). */
export function validationPairs(
  cdPairs: string,
  readPng: (p: string) => { width: number; height: number; data: Uint8Array },
): Pair[] {
  const pairs: Pair[] = [];
  for (const set of VALIDATION_SETS) {
    for (const file of readdirSync(join(cdPairs, set.folder, 'label'))
      .filter(set.isValidation)
      .sort()) {
      const a = readPng(join(cdPairs, set.folder, 'A', file));
      const b = readPng(join(cdPairs, set.folder, 'B', file));
      const l = readPng(join(cdPairs, set.folder, 'label', file));
      const n = a.width * a.height;
      const truth = new Uint8Array(n);
      for (let i = 0; i < n; i++) truth[i] = l.data[i * 4] > 127 ? 1 : 0;
      pairs.push({
        name: `${set.folder}/${file}`,
        width: a.width,
        height: a.height,
        a: planar(a.data, n),
        b: planar(b.data, n),
        truth,
        minPixels: Math.ceil(100 / set.metresPerPixel ** 2),
        pixelScale: 0.5 / set.metresPerPixel,
      });
    }
  }
  return pairs;
}

/** Per-type figures without and with clean-up (see the file comment), for the model card. */
export interface InterferenceFigures {
  byType: Record<string, Record<'noCleanup' | 'cleanup', ReturnType<typeof summary>>>;
  cleanPairs: {
    noCleanup: ReturnType<typeof summary>;
    f1NoCleanup: number;
    f1Cleanup: number;
    secondsNoCleanup: number;
    secondsCleanup: number;
  };
}

function summary(t: Tally) {
  return {
    falsePositiveRate: +(t.fp / t.unchanged).toFixed(5),
    falsePatches: t.falsePatches,
    maeToClean: +(t.mae / t.pairs).toFixed(2),
    seconds: +t.seconds.toFixed(2),
  };
}

/** Runs the comparison; `model` is the change model to evaluate. */
export async function interferenceCheck(
  pairs: Pair[],
  model: InstalledModel,
): Promise<{ table: string; figures: InterferenceFigures }> {
  const declutterModel = findDeclutterModel();
  const { session } = await createModelSession(model.onnxPath, 'cpu');
  const declutter = await Declutterer.open(declutterModel, 'cpu');
  const step = declutter.preprocessFor(model.card.normalization);
  const run = async (p: Pair, a: Float32Array, b: Float32Array, clean: [boolean, boolean]) => {
    const n = p.width * p.height;
    const date = (planes: Float32Array, name: string, on: boolean): DateInput => ({
      source: MemoryRaster.fromInterleaved(name, p.width, p.height, rgba(planes, n), 4),
      bands: [0, 1, 2],
      stretch: [null, null, null],
      dx: 0,
      dy: 0,
      ...(on ? { preprocess: step } : {}),
    });
    const t0 = performance.now();
    const prob = await predictWindow({
      session,
      card: model.card,
      dates: [date(a, `A/${p.name}`, clean[0]), date(b, `B/${p.name}`, clean[1])],
      window: { x: 0, y: 0, width: p.width, height: p.height },
    });
    const pred = prob.map((v) => (v >= model.card.threshold ? 1 : 0)) as unknown as Uint8Array;
    return { pred: Uint8Array.from(pred), seconds: (performance.now() - t0) / 1000 };
  };
  const add = (t: Tally, p: Pair, pred: Uint8Array, seconds: number, mae: number) => {
    for (let i = 0; i < pred.length; i++) {
      if (p.truth[i]) continue;
      t.unchanged++;
      t.fp += pred[i];
    }
    t.falsePatches += falsePatches(pred, p.truth, p.width, p.height, p.minPixels);
    t.seconds += seconds;
    t.mae += mae;
    t.pairs++;
  };
  const mae = (x: Float32Array, y: Float32Array) =>
    x.reduce((s, v, i) => s + Math.abs(v - y[i]), 0) / x.length;

  const rows: string[] = [];
  const byType: InterferenceFigures['byType'] = {};
  const cleanTally = tally();
  for (const [k, type] of INTERFERENCE_TYPES.entries()) {
    const off = tally();
    const on = tally();
    for (const [j, p] of pairs.entries()) {
      const afterSide = j % 2 === 0;
      const clean = afterSide ? p.b : p.a;
      const dirty = addInterference(clean, p.width, p.height, type, 1000 * k + j + 1, p.pixelScale);
      // The whole image cleaned once, to report how close the restored date gets to the clean one.
      const restored = Float32Array.from(dirty, (v) => v / 255);
      await declutter.cleanImage(restored, p.width, p.height);
      const [a, b] = afterSide ? [p.a, dirty] : [dirty, p.b];
      const r0 = await run(p, a, b, [false, false]);
      add(off, p, r0.pred, r0.seconds, mae(dirty, clean));
      const r1 = await run(p, a, b, [!afterSide, afterSide]);
      add(
        on,
        p,
        r1.pred,
        r1.seconds,
        mae(
          restored.map((v) => v * 255),
          clean,
        ),
      );
      if (k === 0) {
        const c = await run(p, p.a, p.b, [false, false]);
        add(cleanTally, p, c.pred, c.seconds, 0);
      }
    }
    const row = (label: string, t: Tally) =>
      `| ${type} | ${label} | ${(t.fp / t.unchanged).toFixed(4)} | ${t.falsePatches} | ${(t.mae / t.pairs).toFixed(2)} | ${t.seconds.toFixed(2)} |`;
    rows.push(row('no clean-up', off), row('clean-up', on));
    byType[type] = { noCleanup: summary(off), cleanup: summary(on) };
  }
  const base = `| none (clean pairs) | — | ${(cleanTally.fp / cleanTally.unchanged).toFixed(4)} | ${cleanTally.falsePatches} | 0.00 | ${cleanTally.seconds.toFixed(2)} |`;

  // Clean pairs: F1 without and with clean-up of both dates.
  let f1Off: PixelCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  let f1On: PixelCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  let tOff = 0;
  let tOn = 0;
  for (const p of pairs) {
    const r0 = await run(p, p.a, p.b, [false, false]);
    const r1 = await run(p, p.a, p.b, [true, true]);
    f1Off = addCounts(f1Off, pixelCounts(r0.pred, p.truth));
    f1On = addCounts(f1On, pixelCounts(r1.pred, p.truth));
    tOff += r0.seconds;
    tOn += r1.seconds;
  }
  await declutter.dispose();
  await session.release();
  const s0 = scores(f1Off);
  const s1 = scores(f1On);
  const table = [
    `interference removal (${declutterModel.card.id} ${declutterModel.card.version}) with change model ${model.card.id}; ${pairs.length} validation pairs, synthetic interference on one date`,
    '',
    '| interference | | false-positive rate | false patches (≥100 m²) | MAE to clean date (0..255) | seconds |',
    '| --- | --- | --- | --- | --- | --- |',
    base,
    ...rows,
    '',
    '| clean pairs | pixel P | pixel R | pixel F1 | seconds |',
    '| --- | --- | --- | --- | --- |',
    `| no clean-up | ${s0.precision.toFixed(4)} | ${s0.recall.toFixed(4)} | ${s0.f1.toFixed(4)} | ${tOff.toFixed(2)} |`,
    `| clean-up of both dates | ${s1.precision.toFixed(4)} | ${s1.recall.toFixed(4)} | ${s1.f1.toFixed(4)} | ${tOn.toFixed(2)} |`,
  ].join('\n');
  const cleanPairs = {
    noCleanup: summary(cleanTally),
    f1NoCleanup: +s0.f1.toFixed(4),
    f1Cleanup: +s1.f1.toFixed(4),
    secondsNoCleanup: +tOff.toFixed(2),
    secondsCleanup: +tOn.toFixed(2),
  };
  return { table, figures: { byType, cleanPairs } };
}
