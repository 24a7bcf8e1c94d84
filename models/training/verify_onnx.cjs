// Checks a model folder's model.onnx with ONNX Runtime (onnxruntime-node from the app's
// node_modules, CPU, graphOptimizationLevel 'all' as the engine creates it): parity with PyTorch
// (parity.json, tolerance 1e-4, `prob` and, when present, `kind`), the dynamic shapes, and the CPU
// time of one 1024x1024 before/after pair (median of 5 runs after a warm-up).
//   node models/training/verify_onnx.cjs [modelDir]      (default models/lw-siamese-v1)
// Writes the timing to models/training/runs/<folder>-ort.json (read by evaluate.py for the card).
const fs = require('fs');
const os = require('os');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const dir = path.resolve(process.argv[2] || path.join(__dirname, '..', 'lw-siamese-v1'));
  const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
  console.log('inputs', session.inputNames, 'outputs', session.outputNames);
  const hasKind = session.outputNames.includes('kind');
  const multiple = hasKind ? 32 : 16;
  const parity = JSON.parse(fs.readFileSync(path.join(dir, 'parity.json'), 'utf8'));
  const t = (o) => new ort.Tensor('float32', Float32Array.from(o.data), o.shape);
  const out = await session.run({ before: t(parity.before), after: t(parity.after) });
  let ok = true;
  for (const name of ['prob', 'kind']) {
    if (!parity[name] || !out[name]) continue;
    let maxDiff = 0;
    for (let i = 0; i < out[name].data.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(out[name].data[i] - parity[name].data[i]));
    }
    const shapeOk = JSON.stringify(out[name].dims) === JSON.stringify(parity[name].shape);
    console.log(
      `parity ${name} ${JSON.stringify(out[name].dims)} max |ort - torch| = ${maxDiff.toExponential(2)}`,
    );
    ok = ok && shapeOk && maxDiff <= parity.tolerance;
  }
  const pair = (n, h, w) => {
    const size = n * 3 * h * w;
    const a = new Float32Array(size).map((_, i) => Math.sin(i * 0.37));
    const b = new Float32Array(size).map((_, i) => Math.cos(i * 0.11));
    return {
      before: new ort.Tensor('float32', a, [n, 3, h, w]),
      after: new ort.Tensor('float32', b, [n, 3, h, w]),
    };
  };
  for (const [n, h, w] of [
    [1, 256, 256],
    [2, 512, 512],
    [1, 320, 480],
    [3, 288, 352],
    [1, 32, 64],
  ]) {
    if (h % multiple || w % multiple) continue;
    const t0 = Date.now();
    const res = await session.run(pair(n, h, w));
    const r = res.prob;
    let dimsOk = JSON.stringify(r.dims) === JSON.stringify([n, 1, h, w]);
    if (hasKind) dimsOk = dimsOk && JSON.stringify(res.kind.dims) === JSON.stringify([n, 3, h, w]);
    let lo = Infinity,
      hi = -Infinity;
    for (const v of r.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const rangeOk = lo >= 0 && hi <= 1;
    ok = ok && dimsOk && rangeOk;
    console.log(
      `[${n},3,${h},${w}] -> ${JSON.stringify(r.dims)} range ${lo.toFixed(4)}..${hi.toFixed(4)} ${Date.now() - t0} ms ${dimsOk && rangeOk ? 'ok' : 'FAIL'}`,
    );
  }
  // CPU time per 1024x1024 pair (one whole-pair run; the app's 512/128 tiling costs more)
  const feeds = pair(1, 1024, 1024);
  await session.run(feeds);
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((x, y) => x - y);
  const median = times[2];
  const load = os.loadavg()[0];
  console.log(
    `1024x1024 pair: median ${median.toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[4].toFixed(0)}), ` +
      `${os.cpus().length} cores, load average ${load.toFixed(2)}`,
  );
  const runs = path.join(__dirname, 'runs');
  fs.mkdirSync(runs, { recursive: true });
  fs.writeFileSync(
    path.join(runs, `${path.basename(dir)}-ort.json`),
    JSON.stringify(
      {
        msPer1024Pair: Math.round(median),
        minMs: Math.round(times[0]),
        maxMs: Math.round(times[4]),
        note:
          `onnxruntime-node ${require('onnxruntime-node/package.json').version} CPU EP, ` +
          `graphOptimizationLevel all, one 1x3x1024x1024 pair, median of 5 after a warm-up, on ` +
          `${os.cpus().length} shared cores (1-min load average ${load.toFixed(1)} while measuring)`,
      },
      null,
      1,
    ),
  );
  console.log(ok ? 'ONNX check passed' : 'ONNX check FAILED');
  process.exit(ok ? 0 : 1);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
