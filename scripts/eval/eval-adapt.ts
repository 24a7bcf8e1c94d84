/**
 * `npm run eval:adapt`: measures adaptation as an analyst would meet it — adapt the default model
 * on k labelled scenes of a site through the same code as `landwatch adapt --pair` (the scenes are
 * written as GeoTIFFs first), then score the base and the adapted model on that site's other
 * scenes as the app runs them (engine tile runner, after date matched to before). The protocol,
 * splits and bar are fixed in adapt-sites.ts.
 *   npm run eval:adapt [-- --data ../shared/data] [--sites airchange,levir,ombria] [--k 1,2,4]
 *                      [--json out.json] [--context 3,9|none] [--validation-only]
 * `--validation-only` scores nothing on the test scenes: it prints the held-back figures each
 * adaptation measured on its own adaptation scenes (what a design may be chosen on); `--context`
 * sets the head's context box sizes (default: the app's).
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adaptModel } from '../../electron/engine/adapt/adapt-model.js';
import { openLabelRaster } from '../../electron/engine/adapt/label-sources.js';
import {
  loadModelFolder,
  type InstalledModel,
} from '../../electron/engine/inference/model-card.js';
import { findModel } from '../../electron/engine/inference/model-registry.js';
import { createModelSession } from '../../electron/engine/inference/session.js';
import { predictWindow } from '../../electron/engine/inference/tile-runner.js';
import { MemoryRaster } from '../../electron/engine/raster/memory-raster.js';
import { prepareDates } from '../../electron/engine/raster/radiometry.js';
import { adaptSites, type Site } from './adapt-sites.js';
import { pngToTiff, readPng } from './png-tiff.js';
import {
  addCounts,
  objectCounts,
  pixelCounts,
  scores,
  type ObjectCounts,
  type PixelCounts,
} from './metrics.js';

const { values } = parseArgs({
  options: {
    data: {
      type: 'string',
      default: process.env.LANDWATCH_DATA ?? join(process.cwd(), '..', 'shared', 'data'),
    },
    sites: { type: 'string', default: 'airchange,levir,ombria' },
    k: { type: 'string', default: '1,2,4' },
    json: { type: 'string' },
    context: { type: 'string' },
    'validation-only': { type: 'boolean', default: false },
  },
});
const context =
  values.context === undefined
    ? undefined
    : values.context === 'none'
      ? []
      : (values.context as string).split(',').map(Number);
const validationOnly = values['validation-only'] as boolean;
const root = join(values.data as string, 'cd-pairs');
if (!existsSync(root)) {
  console.error(
    `eval:adapt: the shared data is not at ${values.data}; pass --data or set LANDWATCH_DATA.`,
  );
  process.exit(2);
}
const ks = (values.k as string).split(',').map(Number);
const wanted = (values.sites as string).split(',');

const changedShare = (path: string) => {
  const l = readPng(path);
  let n = 0;
  for (let i = 0; i < l.width * l.height; i++) if (l.data[i * 4] > 127) n++;
  return n / (l.width * l.height);
};

const work = mkdtempSync(join(tmpdir(), 'lw-eval-adapt-'));

async function sceneTiffs(site: Site, scene: string): Promise<[string, string, string]> {
  const paths = site.scene(scene);
  const outs = ['A', 'B', 'label'].map((d) =>
    join(work, `${site.metresPerPixel}-${scene}-${d}.tif`),
  );
  for (let i = 0; i < 3; i++) {
    if (!existsSync(outs[i])) await pngToTiff(paths[i], outs[i], site.metresPerPixel, i === 2);
  }
  return outs as [string, string, string];
}

interface Score {
  pixels: PixelCounts;
  objects: ObjectCounts;
}

/** A model's counts over test scenes, as the app runs it (matched radiometry, tiled). */
async function scoreModel(model: InstalledModel, site: Site, scenes: string[]): Promise<Score> {
  const { session } = await createModelSession(model.onnxPath, 'cpu');
  let pixels: PixelCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const objects: ObjectCounts = { matchedTruth: 0, truth: 0, matchedPred: 0, pred: 0 };
  for (const scene of scenes) {
    const [pa, pb, pl] = site.scene(scene);
    const a = readPng(pa);
    const b = readPng(pb);
    const l = readPng(pl);
    const { width, height } = a;
    const before = MemoryRaster.fromInterleaved(`A/${scene}`, width, height, a.data, 4);
    const after = MemoryRaster.fromInterleaved(`B/${scene}`, width, height, b.data, 4);
    const bands = [0, 1, 2];
    const { dates } = await prepareDates(before, after, [bands, bands], {
      stretch: 'auto',
      match: true,
    });
    const prob = await predictWindow({
      session,
      card: model.card,
      dates: [
        { source: before, bands, ...dates[0], dx: 0, dy: 0 },
        { source: after, bands, ...dates[1], dx: 0, dy: 0 },
      ],
      window: { x: 0, y: 0, width, height },
    });
    const pred = new Uint8Array(prob.length);
    const truth = new Uint8Array(prob.length);
    for (let i = 0; i < prob.length; i++) {
      pred[i] = prob[i] >= model.card.threshold ? 1 : 0;
      truth[i] = l.data[i * 4] > 127 ? 1 : 0;
    }
    pixels = addCounts(pixels, pixelCounts(pred, truth));
    const o = objectCounts(pred, truth, width, height, Math.ceil(100 / site.metresPerPixel ** 2));
    for (const key of Object.keys(o) as (keyof ObjectCounts)[]) objects[key] += o[key];
  }
  await session.release();
  return { pixels, objects };
}

const heldRows: string[] = [];

/** Adapts on the pool's first k scenes and records only what it held back of them. */
async function heldBackRows(site: Site, si: number, pool: string[]): Promise<void> {
  for (const k of ks) {
    if (pool.length < k) continue;
    const pairs = [];
    for (const scene of pool.slice(0, k)) {
      const [before, after, labels] = await sceneTiffs(site, scene);
      pairs.push({
        beforePath: before,
        afterPath: after,
        labels: (info: Parameters<typeof openLabelRaster>[1]) => openLabelRaster(labels, info),
      });
    }
    const t0 = performance.now();
    const { fit } = await adaptModel({
      baseModelId: base.card.id,
      pairs,
      outDir: join(work, `held-${site.metresPerPixel}-${si}-${k}`),
      overwrite: true,
      device: 'cpu',
      id: `held-${si}-${k}`,
      context,
    });
    const h = fit.heldBack;
    heldRows.push(
      `| ${site.name} | ${si + 1} | ${k} | ${fmt(h.base.f1)} | ${fmt(h.calibrated.f1)} | ${fmt(h.adapted.f1)} | ${fit.chosen} | ${fmt(h[fit.chosen].f1 - h.base.f1)} | ${((performance.now() - t0) / 1000).toFixed(1)} |`,
    );
    console.error(`eval:adapt: ${heldRows[heldRows.length - 1]}`);
  }
}

const base = findModel(undefined);
const sites = adaptSites(root, changedShare).filter((s) =>
  wanted.some((w) => s.name.toLowerCase().startsWith(w)),
);
const fmt = (v: number) => v.toFixed(3);
const rows: string[] = [];
const json: Record<string, unknown>[] = [];
const gains: Record<string, number[]> = {};
for (const site of sites) {
  for (const [si, split] of site.splits.entries()) {
    if (validationOnly) {
      await heldBackRows(site, si, split.pool);
      continue;
    }
    const baseScore = await scoreModel(base, site, split.test);
    const b = scores(baseScore.pixels);
    const bo = baseScore.objects;
    rows.push(
      `| ${site.name} | ${si + 1} | 0 (base) | ${fmt(b.precision)} | ${fmt(b.recall)} | ${fmt(b.f1)} | ${fmt(bo.matchedTruth / Math.max(1, bo.truth))} (${bo.matchedTruth}/${bo.truth}) | — | — |`,
    );
    for (const k of ks) {
      const pool = split.pool.slice(0, k);
      if (pool.length < k) continue;
      const pairs = [];
      for (const scene of pool) {
        const [before, after, labels] = await sceneTiffs(site, scene);
        pairs.push({
          beforePath: before,
          afterPath: after,
          labels: (info: Parameters<typeof openLabelRaster>[1]) => openLabelRaster(labels, info),
        });
      }
      const outDir = join(work, `model-${site.metresPerPixel}-${si}-${k}`);
      const t0 = performance.now();
      const result = await adaptModel({
        baseModelId: base.card.id,
        pairs,
        outDir,
        overwrite: true,
        device: 'cpu',
        id: `eval-${si}-${k}`,
        context,
      });
      const seconds = (performance.now() - t0) / 1000;
      const adapted = loadModelFolder(outDir);
      const s = await scoreModel(adapted, site, split.test);
      const a = scores(s.pixels);
      const o = s.objects;
      (gains[`${site.name}|${k}`] ??= []).push(a.f1 - b.f1);
      rows.push(
        `| ${site.name} | ${si + 1} | ${k} | ${fmt(a.precision)} | ${fmt(a.recall)} | ${fmt(a.f1)} | ${fmt(o.matchedTruth / Math.max(1, o.truth))} (${o.matchedTruth}/${o.truth}) | ${seconds.toFixed(1)} | ${result.fit.chosen} |`,
      );
      json.push({
        site: site.name,
        split: si + 1,
        k,
        base: b,
        adapted: a,
        objects: o,
        baseObjects: bo,
        seconds,
        chosen: result.fit.chosen,
        heldBack: result.fit.heldBack,
      });
      console.error(
        `eval:adapt: ${site.name} split ${si + 1} k=${k}: F1 ${fmt(b.f1)} -> ${fmt(a.f1)} (${seconds.toFixed(1)} s)`,
      );
    }
  }
}
rmSync(work, { recursive: true, force: true });
if (validationOnly) {
  console.log(
    `\nHeld-back figures of adapting ${base.card.id} (context ${context ? context.join(',') || 'none' : 'default'}): measured on the adaptation scenes only (pair cross-validation for k ≥ 2, block cross-validation for k = 1)\n`,
  );
  console.log(
    '| site | split | k | base F1 | calibrated F1 | adapted F1 | chosen | chosen − base | adapt s |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of heldRows) console.log(r);
  process.exit(0);
}

console.log(
  `\nAdaptation of ${base.card.id} ${base.card.version}: adapt on k scenes of a site, score on its test scenes (protocol: scripts/eval/adapt-sites.ts)\n`,
);
console.log(
  '| site | split | k | pixel P | pixel R | pixel F1 | object R (≥100 m², IoU ≥ 0.5) | adapt s | chosen |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
console.log('\n| site | k | mean F1 gain over base (splits) |\n| --- | --- | --- |');
let met = false;
let harmed = false;
for (const [key, g] of Object.entries(gains)) {
  const [site, k] = key.split('|');
  const mean = g.reduce((x, y) => x + y, 0) / g.length;
  if (k === '2' && mean >= 0.1) met = true;
  if (k === '2' && mean < -0.01) harmed = true;
  console.log(
    `| ${site} | ${k} | ${mean >= 0 ? '+' : ''}${fmt(mean)} (${g.map(fmt).join(', ')}) |`,
  );
}
console.log(
  `\nbar (k = 2: ≥ +0.10 on a site, no site below −0.01): ${met && !harmed ? 'met' : 'NOT met'}`,
);
if (values.json) writeFileSync(values.json as string, JSON.stringify(json, null, 2));
