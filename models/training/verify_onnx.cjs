// Checks models/lw-siamese-v1/model.onnx with ONNX Runtime (onnxruntime-node from the app's
// node_modules): parity with PyTorch (parity.json, tolerance 1e-4) and the dynamic shapes.
//   node models/training/verify_onnx.cjs [modelDir]
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const dir = path.resolve(process.argv[2] || path.join(__dirname, '..', 'lw-siamese-v1'));
  const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
  console.log('inputs', session.inputNames, 'outputs', session.outputNames);
  const parity = JSON.parse(fs.readFileSync(path.join(dir, 'parity.json'), 'utf8'));
  const t = (o) => new ort.Tensor('float32', Float32Array.from(o.data), o.shape);
  const out = await session.run({ before: t(parity.before), after: t(parity.after) });
  const prob = out.prob;
  let maxDiff = 0;
  for (let i = 0; i < prob.data.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(prob.data[i] - parity.prob.data[i]));
  }
  const shapeOk = JSON.stringify(prob.dims) === JSON.stringify(parity.prob.shape);
  console.log(
    `parity ${JSON.stringify(prob.dims)} max |ort - torch| = ${maxDiff.toExponential(2)}`,
  );
  let ok = shapeOk && maxDiff <= parity.tolerance;
  for (const [n, h, w] of [
    [1, 256, 256],
    [2, 512, 512],
    [1, 320, 480],
    [3, 272, 336],
    [1, 16, 48],
  ]) {
    const size = n * 3 * h * w;
    const a = new Float32Array(size).map((_, i) => Math.sin(i * 0.37));
    const b = new Float32Array(size).map((_, i) => Math.cos(i * 0.11));
    const t0 = Date.now();
    const r = (
      await session.run({
        before: new ort.Tensor('float32', a, [n, 3, h, w]),
        after: new ort.Tensor('float32', b, [n, 3, h, w]),
      })
    ).prob;
    const dimsOk = JSON.stringify(r.dims) === JSON.stringify([n, 1, h, w]);
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
  console.log(ok ? 'ONNX check passed' : 'ONNX check FAILED');
  process.exit(ok ? 0 : 1);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
