// Dumps the coarse screening probability of a pair (diagnostics).
import { writeFileSync } from 'node:fs';
import { openInputs } from './electron/engine/inference/detect-inputs.js';
import { openModelRunner } from './electron/engine/inference/session-thread.js';
import { alignedOverview } from './electron/engine/raster/overview-reader.js';
import { buildCoarseLevel, coarseSize } from './electron/engine/raster/pyramid.js';
import { runTileRows } from './electron/engine/inference/tile-rows.js';
const [before, after, out] = process.argv.slice(2);
const inputs = await openInputs({ beforePath: before, afterPath: after, device: 'cpu' } as never);
const { card, dates, alignment } = inputs;
const f = 4;
const coarse = coarseSize(alignment.width, alignment.height, f);
const levels = [];
for (const [i, date] of dates.entries()) {
  const ov = await alignedOverview(date.source as never, f, 0, 0);
  const g = ov?.factor ?? 1;
  const t = performance.now();
  levels.push(await buildCoarseLevel({ source: (ov ?? date.source) as never, bands: date.bands, window: { x: 0, y: 0, width: Math.ceil(alignment.width / g), height: Math.ceil(alignment.height / g) }, factor: f / g, path: `/tmp/prof/coarse-${i}.f32` }));
  console.log('level', i, 'g', g, ((performance.now() - t) / 1000).toFixed(2), 's');
}
const session = await openModelRunner(inputs.model.onnxPath, 'cpu', () => {});
const prob = new Float32Array(coarse.width * coarse.height);
const t = performance.now();
await runTileRows({ session: session.runner, card, dates: dates.map((d, i) => ({ source: levels[i], bands: d.bands.map((_, b) => b), stretch: d.stretch, linear: d.linear, dx: 0, dy: 0 })) as never, window: { x: 0, y: 0, ...coarse }, onRows: (y, rows) => prob.set(rows, y * coarse.width) });
console.log('coarse model', ((performance.now() - t) / 1000).toFixed(2), 's');
writeFileSync(out, prob);
await session.dispose();
for (const l of levels) l.dispose();
inputs.close();
