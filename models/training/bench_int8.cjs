// Float vs int8 speed of a change model in onnxruntime-node, the way the engine runs it (CPU EP,
// graphOptimizationLevel 'all', default threads): one before/after pair of 512x512 tiles (the
// cards' tile size) per run, both sessions in one process, runs interleaved (the order alternates
// every round) since the machine is shared and noisy; best and median of the rounds. Also dumps
// each optimised graph (optimizedModelFilePath) to runs/quant/ so evaluate_int8.py can count the
// ops ONNX Runtime really runs (QLinearConv, ...).
//   node models/training/bench_int8.cjs [floatDir] [int8Dir] [rounds] [intraOpThreads]
//   (defaults models/lw-siamese-v1, models/lw-siamese-v1-int8, 15, ORT's default)
// Writes runs/quant/<int8 folder>-speed.json.
const fs = require('fs');
const os = require('os');
const path = require('path');
const ort = require('onnxruntime-node');

const MODELS = path.join(__dirname, '..');
const RUNS = path.join(__dirname, 'runs', 'quant');

async function open(dir, threads) {
  const name = path.basename(dir);
  const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(threads ? { intraOpNumThreads: threads } : {}),
    optimizedModelFilePath: path.join(RUNS, `${name}.optimized.onnx`),
  });
  return { name, session };
}

function pair(size) {
  const n = 3 * size * size;
  const a = new Float32Array(n).map((_, i) => Math.sin(i * 0.37) * 1.5);
  const b = new Float32Array(n).map((_, i) => Math.cos(i * 0.11) * 1.5);
  return {
    before: new ort.Tensor('float32', a, [1, 3, size, size]),
    after: new ort.Tensor('float32', b, [1, 3, size, size]),
  };
}

async function main() {
  fs.mkdirSync(RUNS, { recursive: true });
  const floatDir = path.resolve(process.argv[2] || path.join(MODELS, 'lw-siamese-v1'));
  const int8Dir = path.resolve(process.argv[3] || path.join(MODELS, 'lw-siamese-v1-int8'));
  const rounds = Number(process.argv[4] || 15);
  const threads = Number(process.argv[5] || 0);
  const models = [await open(floatDir, threads), await open(int8Dir, threads)];
  const feeds = pair(512);
  for (const m of models) await m.session.run(feeds); // warm-up
  const times = models.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) {
      const t0 = process.hrtime.bigint();
      await models[k].session.run(feeds);
      times[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  const stat = (t) => {
    const s = [...t].sort((x, y) => x - y);
    return { bestMs: +s[0].toFixed(1), medianMs: +s[Math.floor(s.length / 2)].toFixed(1) };
  };
  const [f, q] = times.map(stat);
  const result = {
    tile: '1x3x512x512 before + after',
    rounds,
    float: { model: models[0].name, ...f },
    int8: { model: models[1].name, ...q },
    speedupBest: +(f.bestMs / q.bestMs).toFixed(2),
    speedupMedian: +(f.medianMs / q.medianMs).toFixed(2),
    note:
      `onnxruntime-node ${require('onnxruntime-node/package.json').version} CPU EP, graphOptimizationLevel all, ` +
      `${threads ? `${threads} intra-op thread(s)` : 'default threads'}, ${os.cpus().length} shared cores (${os.cpus()[0].model}), 1-min load average ` +
      `${os.loadavg()[0].toFixed(1)} at the end; runs interleaved, order alternating`,
  };
  console.log(
    `512² pair, ${threads || 'default'} threads, ${rounds} interleaved rounds: float best ${f.bestMs} ms median ${f.medianMs} ms | ` +
      `int8 best ${q.bestMs} ms median ${q.medianMs} ms | speed-up ${result.speedupBest}× best, ` +
      `${result.speedupMedian}× median (load ${os.loadavg()[0].toFixed(1)})`,
  );
  fs.writeFileSync(
    path.join(RUNS, `${models[1].name}-speed.json`),
    JSON.stringify(result, null, 1),
  );
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
