/**
 * `npm run eval`: evaluates a change model exactly as the app runs it (onnxruntime-node, the engine's
 * tile runner with seam-free blending) on the model's fixed validation split, next to the classic
 * baseline, and prints pixel- and object-level tables.
 *   npm run eval [-- --model lw-siamese-v1] [--data ../shared/data] [--json out.json]
 *                [--radiometry match|none]
 * As the app does by default, the after date is matched radiometrically to the before date
 * (raster/radiometry.ts) before the model and the baseline see it; `--radiometry none` feeds the
 * raw pairs. The demo-scene check runs the engine's whole detection with its defaults (matched),
 * whatever `--radiometry` says.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { findModel } from '../../electron/engine/inference/model-registry.js';
import { createModelSession } from '../../electron/engine/inference/session.js';
import { predictWindow } from '../../electron/engine/inference/tile-runner.js';
import { MemoryRaster } from '../../electron/engine/raster/memory-raster.js';
import { prepareDates } from '../../electron/engine/raster/radiometry.js';
import {
  absDiffOtsu,
  addCounts,
  objectCounts,
  pixelCounts,
  scores,
  type ObjectCounts,
  type PixelCounts,
} from './metrics.js';
import { demoCheck } from './demo-check.js';
import { demoPhotoCheck } from './demo-photo-check.js';
import { interferenceCheck, validationPairs } from './interference.js';
import { nanjingCheck } from './nanjing-check.js';
import { patchCodeCheck } from './patchcode-check.js';
import { VALIDATION_SETS } from './validation-split.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    data: {
      type: 'string',
      default: process.env.LANDWATCH_DATA ?? join(process.cwd(), '..', 'shared', 'data'),
    },
    json: { type: 'string' },
    device: { type: 'string', default: 'cpu' },
    radiometry: { type: 'string', default: 'match' },
  },
});
if (values.radiometry !== 'match' && values.radiometry !== 'none') {
  console.error(`eval: --radiometry must be match or none, not ${values.radiometry}`);
  process.exit(2);
}
const match = values.radiometry === 'match';

function readPng(path: string): { width: number; height: number; data: Uint8Array } {
  const png = PNG.sync.read(readFileSync(path));
  return { width: png.width, height: png.height, data: png.data };
}

const root = join(values.data as string, 'cd-pairs');
if (!existsSync(root)) {
  console.error(
    `eval: the shared data is not at ${values.data}; pass --data or set LANDWATCH_DATA.`,
  );
  process.exit(2);
}
const model = findModel(values.model);
const { session, executionProvider } = await createModelSession(
  model.onnxPath,
  values.device as 'cpu',
);
const zero = (): PixelCounts => ({ tp: 0, fp: 0, fn: 0, tn: 0 });
const zeroObj = (): ObjectCounts => ({ matchedTruth: 0, truth: 0, matchedPred: 0, pred: 0 });
const totals = { model: zero(), baseline: zero(), modelObj: zeroObj(), baseObj: zeroObj() };
const rows: string[][] = [];
let seconds = 0;
let megapixels = 0;

for (const set of VALIDATION_SETS) {
  const files = readdirSync(join(root, set.folder, 'label'))
    .filter(set.isValidation)
    .sort();
  for (const file of files) {
    const a = readPng(join(root, set.folder, 'A', file));
    const b = readPng(join(root, set.folder, 'B', file));
    const l = readPng(join(root, set.folder, 'label', file));
    const { width, height } = a;
    const before = MemoryRaster.fromInterleaved(`A/${file}`, width, height, a.data, 4);
    const after = MemoryRaster.fromInterleaved(`B/${file}`, width, height, b.data, 4);
    const truth = new Uint8Array(width * height);
    for (let i = 0; i < truth.length; i++) truth[i] = l.data[i * 4] > 127 ? 1 : 0;
    const bands = [0, 1, 2];
    // PNG pairs are 8-bit: the app would not stretch them, only match the after date.
    const { dates } = await prepareDates(before, after, [bands, bands], {
      stretch: 'auto',
      match,
    });
    const t0 = performance.now();
    const prob = await predictWindow({
      session,
      card: model.card,
      dates: [
        { source: before, bands, ...dates[0], dx: 0, dy: 0 },
        { source: after, bands, ...dates[1], dx: 0, dy: 0 },
      ],
      window: { x: 0, y: 0, width, height },
    });
    seconds += (performance.now() - t0) / 1000;
    megapixels += (width * height) / 1e6;
    const pred = new Uint8Array(prob.length);
    for (let i = 0; i < prob.length; i++) pred[i] = prob[i] >= model.card.threshold ? 1 : 0;
    const afterBands = await after.readWindow({ x: 0, y: 0, width, height }, bands);
    afterBands.forEach((values, b) => {
      const l = dates[1].linear[b];
      if (l) for (let i = 0; i < values.length; i++) values[i] = values[i] * l.gain + l.offset;
    });
    const baseline = absDiffOtsu(
      await before.readWindow({ x: 0, y: 0, width, height }, bands),
      afterBands,
    );
    const minPixels = Math.ceil(100 / set.metresPerPixel ** 2);
    const pm = pixelCounts(pred, truth);
    const pb = pixelCounts(baseline, truth);
    totals.model = addCounts(totals.model, pm);
    totals.baseline = addCounts(totals.baseline, pb);
    const om = objectCounts(pred, truth, width, height, minPixels);
    const ob = objectCounts(baseline, truth, width, height, minPixels);
    for (const k of Object.keys(om) as (keyof ObjectCounts)[]) {
      totals.modelObj[k] += om[k];
      totals.baseObj[k] += ob[k];
    }
    rows.push([
      `${set.folder}/${file}`,
      `${width}×${height}`,
      scores(pm).f1.toFixed(3),
      scores(pb).f1.toFixed(3),
    ]);
  }
}
await session.release();

const fmt = (v: number) => v.toFixed(3);
const objRow = (o: ObjectCounts) => [
  fmt(o.matchedPred / Math.max(1, o.pred)),
  fmt(o.matchedTruth / Math.max(1, o.truth)),
  `${o.matchedTruth}/${o.truth}`,
];
console.log(
  `\nmodel ${model.card.id} ${model.card.version} on ${executionProvider}, threshold ${model.card.threshold}; ${rows.length} validation pairs; ${match ? 'after date matched to before (as the app runs)' : 'raw pairs (no radiometric matching)'}\n`,
);
console.log('| pair | size | model F1 | baseline F1 |\n| --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(
  '\n| method | pixel P | pixel R | pixel F1 | pixel IoU | object P | object R (≥100 m²) | matched |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [name, c, o] of [
  [model.card.id, totals.model, totals.modelObj],
  ['abs-diff + Otsu baseline', totals.baseline, totals.baseObj],
] as const) {
  const s = scores(c);
  console.log(
    `| ${name} | ${fmt(s.precision)} | ${fmt(s.recall)} | ${fmt(s.f1)} | ${fmt(s.iou)} | ${objRow(o).join(' | ')} |`,
  );
}
console.log(
  `\ninference: ${megapixels.toFixed(2)} MP in ${seconds.toFixed(1)} s (${(megapixels / seconds).toFixed(2)} MP/s per date pair)`,
);
console.log(`\n${await demoCheck(model.card.id)}`);
console.log(
  `\nshipped demo pair (real aerial photograph):\n${await demoPhotoCheck(model.card.id)}`,
);
console.log(`\n${await nanjingCheck(values.data as string, model.card.id)}`);
console.log(`\n${await patchCodeCheck()}`);
const interference = await interferenceCheck(validationPairs(root, readPng), model);
console.log(`\n${interference.table}`);
if (values.json) {
  const out = {
    model: model.card.id,
    executionProvider,
    radiometry: values.radiometry,
    validation: { ...scores(totals.model), objects: totals.modelObj },
    baselineAbsDiffOtsu: { ...scores(totals.baseline), objects: totals.baseObj },
    megapixelsPerSecond: megapixels / seconds,
    interference: interference.figures,
  };
  writeFileSync(values.json, JSON.stringify(out, null, 2));
}
