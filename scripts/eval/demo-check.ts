/**
 * How the model does on the generated demo scene, whose true changes are known exactly: which true
 * changes are hit by a detected patch, and how many patches hit no true change (false alarms).
 * Where the model reports kinds, the kind of the patches over each true change is listed, and how
 * often it matches for the two kinds with an unambiguous answer (new building → new_construction,
 * demolition → demolition).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectChanges } from '../../electron/engine/inference/detect.js';
import { labelComponents } from '../../electron/engine/vector/components.js';
import { applyGeoTransform } from '../../electron/engine/vector/geo.js';
import { generateDemoScene } from '../../resources/demo/demo-scene.js';
import { writeDemoScene } from '../../resources/demo/write-demo.js';

export async function demoCheck(modelId?: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lw-eval-demo-'));
  const files = await writeDemoScene(dir);
  const truth = generateDemoScene().changes;
  const r = await detectChanges({
    beforePath: files.before,
    afterPath: files.after,
    modelId,
    minArea: 50,
    device: 'cpu',
  });
  const { width, height } = r.alignment;
  const labels = labelComponents(r.mask, width, height);
  const hitByPatch = new Uint8Array(labels.count + 1);
  const lines = ['| true change | kind | hit | model kind |', '| --- | --- | --- | --- |'];
  const expected: Record<string, string> = {
    new_building: 'new_construction',
    demolition: 'demolition',
  };
  let hits = 0;
  let kindChecked = 0;
  let kindRight = 0;
  truth.forEach((c, i) => {
    const [x, y, w, h] = c.rect;
    let hit = false;
    for (let row = y; row < y + h; row++) {
      for (let col = x; col < x + w; col++) {
        const label = labels.labels[row * width + col];
        if (label) {
          hit = true;
          hitByPatch[label] = 1;
        }
      }
    }
    hits += hit ? 1 : 0;
    // The patches whose bounding box meets the true change's rectangle, and their kinds.
    const [ax, ay] = applyGeoTransform(r.windowTransform, x, y);
    const [bx, by] = applyGeoTransform(r.windowTransform, x + w, y + h);
    const [minX, maxX, minY, maxY] = [
      Math.min(ax, bx),
      Math.max(ax, bx),
      Math.min(ay, by),
      Math.max(ay, by),
    ];
    const kinds = r.polygons
      .filter((p) => p.bbox[0] < maxX && p.bbox[2] > minX && p.bbox[1] < maxY && p.bbox[3] > minY)
      .map((p) => p.changeKind)
      .filter((k): k is string => typeof k === 'string');
    const want = expected[c.kind];
    if (want && kinds.length > 0) {
      kindChecked++;
      if (kinds.every((k) => k === want)) kindRight++;
    }
    lines.push(
      `| ${i + 1} | ${c.kind} | ${hit ? 'yes' : 'MISSED'} | ${kinds.length ? [...new Set(kinds)].join(', ') : '–'} |`,
    );
  });
  const falseAlarms = labels.count - hitByPatch.reduce((s, v) => s + v, 0);
  lines.push(
    '',
    `demo scene: ${hits}/${truth.length} true changes found; ${r.polygons.length} patches, ${falseAlarms} of them on no true change (threshold ${r.threshold}, min area 50 m²)`,
  );
  if (r.kindPath) {
    lines.push(
      `model kinds: right for ${kindRight} of ${kindChecked} found new buildings and demolitions (${r.model.id})`,
    );
  }
  return lines.join('\n');
}
