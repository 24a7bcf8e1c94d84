/**
 * `npm run bench:tiles`: which tile size a change model should run at. Tiles overlap (the card's
 * overlap, for seam-free blending), so a tile of s px delivers only (s − overlap)² new pixels;
 * larger tiles waste less but need more memory. For each size, the model's time per tile and per
 * delivered pixel (ORT run alone, best of several runs, since other work on the machine only ever
 * slows a run down), the CPU time it took (steadier than wall time on a shared machine) and the
 * process's resident memory after it. Not a test: figures depend on the
 * machine and on what else runs on it.
 *
 *   npm run bench:tiles [-- --model lw-siamese-v2] [--sizes 512,640,768,896,1024] [--repeat 3]
 */
import * as ort from 'onnxruntime-node';
import { parseArgs } from 'node:util';
import { findModel } from '../electron/engine/inference/model-registry.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    sizes: { type: 'string', default: '512,640,768,896,1024' },
    repeat: { type: 'string', default: '3' },
    threads: { type: 'string', default: '0' },
  },
});
const model = findModel(values.model);
const card = model.card;
const overlap = card.tile.overlap;
const sizes = (values.sizes as string).split(',').map(Number);
const repeat = Math.max(1, Number(values.repeat));
const threads = Number(values.threads);
const session = await ort.InferenceSession.create(model.onnxPath, {
  graphOptimizationLevel: 'all',
  // Idle threads sleep, so CPU time counts work done, not spinning (the CPU columns).
  extra: { session: { intra_op: { allow_spinning: '0' } } },
  ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
});
// What detection fetches: probability, and kind when the model has it (not the features output).
const fetches = [card.outputs.probability, ...(card.outputs.kind ? [card.outputs.kind] : [])];
const rows: string[] = [];
for (const size of sizes) {
  if (size % card.tile.multipleOf !== 0 || size <= overlap) {
    rows.push(`| ${size} | – | – | – | – | – | – | not a multiple of ${card.tile.multipleOf} |`);
    continue;
  }
  const plane = () => {
    const data = new Float32Array(card.bands * size * size);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * 1.5;
    return new ort.Tensor('float32', data, [1, card.bands, size, size]);
  };
  const feeds = { [card.inputs.before]: plane(), [card.inputs.after]: plane() };
  await session.run(feeds, fetches);
  let best = Infinity;
  let bestCpu = Infinity;
  for (let i = 0; i < repeat; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await session.run(feeds, fetches);
    best = Math.min(best, performance.now() - start);
    const used = process.cpuUsage(cpu);
    bestCpu = Math.min(bestCpu, (used.user + used.system) / 1000);
  }
  const delivered = (size - overlap) ** 2;
  rows.push(
    `| ${size} | ${best.toFixed(0)} | ${bestCpu.toFixed(0)} | ${((1000 * best) / (size * size)).toFixed(3)} | ${((1000 * best) / delivered).toFixed(3)} | ${((1000 * bestCpu) / delivered).toFixed(3)} | ${((size * size) / delivered).toFixed(2)}× | ${(process.memoryUsage().rss / 1e6).toFixed(0)} |`,
  );
}
await session.release();
console.log(
  `\nTile size for ${card.id} (overlap ${overlap} px; card now runs ${card.tile.size}), ORT ${ort.env.versions?.common ?? ''} cpu, intra-op threads ${threads || 'ORT default'}, best of ${repeat}\n`,
);
console.log(
  '| tile px | ms per tile | CPU ms per tile | µs per model px | µs per delivered px | CPU µs per delivered px | model px per delivered px | RSS MB after |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
