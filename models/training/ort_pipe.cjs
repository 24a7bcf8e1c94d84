// Runs ONNX models in onnxruntime-node (CPU, graphOptimizationLevel 'all', as the engine creates
// its sessions) for the Python scripts: calibration of the int8 variant (quantize_int8.py) and its
// evaluation (evaluate_int8.py) go through the same runtime the app uses.
//   node models/training/ort_pipe.cjs          (spoken to over stdin/stdout by ort_client.py)
// Request:  uint32 LE header length, JSON {model, inputs: {name: dims}, outputs: [names] | null},
//           then each input's float32 data in the header's order.
// Response: uint32 LE header length, JSON {outputs: [{name, dims}]} or {error}, then each
//           output's float32 data in that order.
const ort = require('onnxruntime-node');

const sessions = new Map();
async function sessionFor(model) {
  if (!sessions.has(model)) {
    sessions.set(
      model,
      await ort.InferenceSession.create(model, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
      }),
    );
  }
  return sessions.get(model);
}

function reply(header, buffers = []) {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  process.stdout.write(Buffer.concat([len, json, ...buffers]));
}

async function handle(header, payload) {
  const session = await sessionFor(header.model);
  const feeds = {};
  let offset = 0;
  for (const [name, dims] of Object.entries(header.inputs)) {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    Buffer.from(data.buffer).set(payload.subarray(offset, offset + n * 4));
    offset += n * 4;
    feeds[name] = new ort.Tensor('float32', data, dims);
  }
  const names = header.outputs ?? session.outputNames;
  const out = await session.run(feeds, names);
  const meta = names.map((name) => ({ name, dims: out[name].dims }));
  const bufs = names.map((name) => {
    const d = out[name].data;
    return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  });
  reply({ outputs: meta }, bufs);
}

let pending = Buffer.alloc(0);
let busy = Promise.resolve();
process.stdin.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  for (;;) {
    if (pending.length < 4) return;
    const hlen = pending.readUInt32LE(0);
    if (pending.length < 4 + hlen) return;
    const header = JSON.parse(pending.subarray(4, 4 + hlen).toString('utf8'));
    const bytes = Object.values(header.inputs).reduce(
      (s, dims) => s + 4 * dims.reduce((a, b) => a * b, 1),
      0,
    );
    if (pending.length < 4 + hlen + bytes) return;
    const payload = Buffer.from(pending.subarray(4 + hlen, 4 + hlen + bytes));
    pending = pending.subarray(4 + hlen + bytes);
    busy = busy.then(() =>
      handle(header, payload).catch((e) =>
        reply({ error: String(e && e.message ? e.message : e) }),
      ),
    );
  }
});
