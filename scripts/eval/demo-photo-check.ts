/**
 * How the bundled models do on the shipped demo pair (resources/demo, a real aerial photograph
 * with synthetic changes, scripts/make-demo.ts): for each true change, the detected patches that
 * overlap it and their intersection over union with it; then the patches that overlap no true
 * change (false alarms, e.g. on the synthetic haze or cloud shadow).
 *
 *   npx tsx scripts/eval/demo-photo-check.ts [model id …]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEMO_FILES } from '../../electron/engine/api/demo-project.js';
import { detectChanges } from '../../electron/engine/inference/detect.js';
import { bundledDemoDir } from '../../electron/engine/paths.js';
import {
  intersectionOverUnion,
  polygonsOverlap,
} from '../../electron/engine/store/geometry/polygon-ops.js';

interface Truth {
  properties: { id: number; kind: string };
  geometry: { coordinates: number[][][] };
}

export async function demoPhotoCheck(modelId?: string): Promise<string> {
  const dir = bundledDemoDir();
  const truth = (
    JSON.parse(readFileSync(join(dir, DEMO_FILES.truth), 'utf8')) as { features: Truth[] }
  ).features;
  const r = await detectChanges({
    beforePath: join(dir, DEMO_FILES.before),
    afterPath: join(dir, DEMO_FILES.after),
    modelId,
    device: 'cpu',
  });
  const hit = new Set<number>();
  const lines = [
    `model ${r.model.id}, threshold ${r.threshold}: ${r.polygons.length} patches`,
    '| # | true change | m² | patches over it (IoU, mean probability) |',
    '| --- | --- | --- | --- |',
  ];
  let found = 0;
  for (const t of truth) {
    const rings = t.geometry.coordinates;
    const over = r.polygons
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => polygonsOverlap(p.rings, rings));
    over.forEach(({ i }) => hit.add(i));
    if (over.length > 0) found++;
    const area = Math.abs(ringArea(rings[0]));
    const cells = over.map(
      ({ p }) =>
        `${intersectionOverUnion([p.rings], [rings]).toFixed(2)} (${p.meanProb.toFixed(2)})`,
    );
    lines.push(
      `| ${t.properties.id} | ${t.properties.kind} | ${area.toFixed(0)} | ${cells.join(', ') || 'MISSED'} |`,
    );
  }
  const alarms = r.polygons.filter((_, i) => !hit.has(i));
  lines.push(
    '',
    `${found}/${truth.length} true changes found; ${alarms.length} false alarms` +
      (alarms.length ? ` (${alarms.map((p) => `${p.areaM2.toFixed(0)} m²`).join(', ')})` : ''),
  );
  return lines.join('\n');
}

function ringArea(ring: number[][]): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++)
    s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s / 2;
}

// Run directly: one table per model named on the command line (default: the default model).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const models = process.argv.slice(2);
  for (const id of models.length ? models : [undefined])
    console.log(`${await demoPhotoCheck(id)}\n`);
}
