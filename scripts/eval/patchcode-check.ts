/**
 * `npm run eval`, patch codes (METHODS M5): lw-patchcode-v1's held-out retrieval figures from its
 * metrics.json (measured by models/training/train_patchcode.py evaluate), and the app's own path on
 * the generated demo scene: its true changes stored as patches, chips cut by the engine from the
 * GeoTIFFs, coded with onnxruntime-node, then each change's nearest other change by code distance.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCodeModel } from '../../electron/engine/codes/code-model.js';
import { l1 } from '../../electron/engine/codes/code-packing.js';
import { ProjectCodes } from '../../electron/engine/codes/project-codes.js';
import { RasterSource } from '../../electron/engine/raster/raster-source.js';
import { ProjectStore } from '../../electron/engine/store/project-store.js';
import { DEMO_ORIGIN, DEMO_PIXEL_M, generateDemoScene } from '../../resources/demo/demo-scene.js';
import { writeDemoScene } from '../../resources/demo/write-demo.js';

interface Retrieval {
  precisionAt10: number;
  mAP: number;
}

function heldOutTable(metricsPath: string): string[] {
  const m = JSON.parse(readFileSync(metricsPath, 'utf8')) as {
    heldOut: { patches: number; real: number; synthetic: number };
    retrieval: Record<string, Retrieval>;
    chancePrecision: number;
    code: { bytes: number; histogramBaselineBytes: number };
  };
  const lines = [
    `held-out patches: ${m.heldOut.patches} (${m.heldOut.real} real LEVIR, ${m.heldOut.synthetic} synthetic); chance P@10 ${m.chancePrecision}`,
    '| codes | P@10 | mAP | bytes per patch |',
    '| --- | --- | --- | --- |',
  ];
  const bytes: Record<string, number> = {
    trained: m.code.bytes,
    untrained: m.code.bytes,
    histogram: m.code.histogramBaselineBytes,
  };
  for (const [name, r] of Object.entries(m.retrieval)) {
    lines.push(`| ${name} | ${r.precisionAt10} | ${r.mAP} | ${bytes[name] ?? '(float)'} |`);
  }
  return lines;
}

/** The demo's true changes as patches of one run, coded through the engine. */
async function demoRetrieval(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lw-eval-codes-'));
  const files = await writeDemoScene(dir);
  const sources = await Promise.all([
    RasterSource.open(files.before),
    RasterSource.open(files.after),
  ]);
  const path = join(dir, 'codes.landwatch');
  const store = ProjectStore.create(path, 'codes', sources[0].info, sources[1].info);
  sources.forEach((s) => s.close());
  const truth = generateDemoScene().changes;
  const [ox, oy] = DEMO_ORIGIN;
  store.addRun(
    {
      id: 'truth',
      modelId: 'truth',
      modelVersion: '-',
      threshold: 0.5,
      minArea: 0,
      params: {},
      executionProvider: 'none',
      startedAt: new Date().toISOString(),
      seconds: 0,
    },
    truth.map((c) => {
      const [x, y, w, h] = c.rect;
      const [x0, y0, x1, y1] = [
        ox + x * DEMO_PIXEL_M,
        oy - (y + h) * DEMO_PIXEL_M,
        ox + (x + w) * DEMO_PIXEL_M,
        oy - y * DEMO_PIXEL_M,
      ];
      const area = (x1 - x0) * (y1 - y0);
      return {
        rings: [
          [
            [x0, y0],
            [x1, y0],
            [x1, y1],
            [x0, y1],
            [x0, y0],
          ],
        ],
        areaM2: area,
        areaMu: area / (10000 / 15),
        perimeter: 2 * (x1 - x0 + y1 - y0),
        meanProb: 1,
        maxProb: 1,
        pixelCount: w * h,
        bbox: [x0, y0, x1, y1],
      };
    }),
  );
  const codes = new ProjectCodes(store, findCodeModel());
  const t0 = performance.now();
  const { coded } = await codes.ensure();
  const seconds = (performance.now() - t0) / 1000;
  const ids = store.patches().map((p) => Number(p.id));
  const code = ids.map((id) => codes.codeOf(id)!);
  const lines = [
    `demo scene through the engine: ${coded} true changes coded in ${seconds.toFixed(2)} s`,
    '| change | kind | nearest other change | its kind | distance | same kind |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  let same = 0;
  let withPeers = 0;
  ids.forEach((_, i) => {
    let best = -1;
    for (let j = 0; j < ids.length; j++)
      if (j !== i && (best < 0 || l1(code[j], code[i]) < l1(code[best], code[i]))) best = j;
    const hasPeer = truth.some((t, j) => j !== i && t.kind === truth[i].kind);
    const hit = truth[best].kind === truth[i].kind;
    if (hasPeer) {
      withPeers++;
      if (hit) same++;
    }
    lines.push(
      `| ${i + 1} | ${truth[i].kind} | ${best + 1} | ${truth[best].kind} | ${l1(code[best], code[i])} | ${hasPeer ? (hit ? 'yes' : 'no') : '(only one)'} |`,
    );
  });
  lines.push(
    `nearest change of the same kind: ${same}/${withPeers} (changes whose kind occurs more than once)`,
  );
  store.close();
  return lines;
}

export async function patchCodeCheck(): Promise<string> {
  let model;
  try {
    model = findCodeModel();
  } catch (error) {
    return `patch codes: ${(error as Error).message}`;
  }
  const metricsPath = join(model.dir, 'metrics.json');
  const lines = [
    `## Patch codes (${model.card.id}, ${model.card.code.length} values × 4 bits)`,
    '',
  ];
  if (existsSync(metricsPath)) lines.push(...heldOutTable(metricsPath), '');
  lines.push(...(await demoRetrieval()));
  return lines.join('\n');
}

// Run on its own: `npx tsx scripts/eval/patchcode-check.ts`.
if (process.argv[1]?.endsWith('patchcode-check.ts')) console.log(await patchCodeCheck());
