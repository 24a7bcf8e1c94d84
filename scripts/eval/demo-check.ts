/**
 * How the model does on the generated demo scene, whose true changes are known exactly: which true
 * changes are hit by a detected patch, and how many patches hit no true change (false alarms).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectChanges } from '../../electron/engine/inference/detect.js';
import { labelComponents } from '../../electron/engine/vector/components.js';
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
  const lines = ['| true change | kind | hit |', '| --- | --- | --- |'];
  let hits = 0;
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
    lines.push(`| ${i + 1} | ${c.kind} | ${hit ? 'yes' : 'MISSED'} |`);
  });
  const falseAlarms = labels.count - hitByPatch.reduce((s, v) => s + v, 0);
  lines.push(
    '',
    `demo scene: ${hits}/${truth.length} true changes found; ${r.polygons.length} patches, ${falseAlarms} of them on no true change (threshold ${r.threshold}, min area 50 m²)`,
  );
  return lines.join('\n');
}
