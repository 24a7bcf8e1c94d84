/**
 * Writes an adapted change model: the base model's ONNX graph, byte for byte, plus a per-pixel
 * head on its `features` output and a new probability output. The head is
 *
 *   x     = [f, box means of f for each context size]       (AveragePool, edge-cut; context.ts)
 *   logit = lin · x + linB + w2 · ReLU(W1 x + b1) + b2      (1×1 convolutions)
 *   prob  = sigmoid(bilinear ×stride upsampling of logit)    (as the base model upsamples its own)
 *
 * so the result is one ONNX file the engine runs like any change model (tiling, screening, kind
 * output and all). Node and tensor names are prefixed `adapter/` so they never meet the base's.
 */
import { LEN, ProtoWriter, topLevelFields } from './onnx-proto.js';
import type { HeadWeights } from './head.js';
import { LandWatchError } from '../errors.js';

/** ModelProto.graph; GraphProto.node / initializer / output (onnx.proto). */
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_OUTPUT = 12;
const TENSOR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

export interface AdapterGraphOptions {
  /** Name of the base graph's features output. */
  features: string;
  /** Features grid step in input pixels (2: features at 1/2 resolution). */
  stride: number;
  /** Name of the adapted probability output. */
  output: string;
  /** For messages: the base model file. */
  what: string;
}

function tensor(w: ProtoWriter, name: string, dims: number[], data: Float32Array): void {
  w.message(GRAPH_INITIALIZER, (t) => {
    for (const d of dims) t.varint(1, d);
    t.varint(2, TENSOR_FLOAT);
    t.string(8, name);
    t.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  });
}

type Attr = { name: string; s?: string; ints?: number[]; i?: number };

function node(w: ProtoWriter, op: string, inputs: string[], outputs: string[], attrs: Attr[] = []) {
  w.message(GRAPH_NODE, (n) => {
    for (const i of inputs) n.string(1, i);
    for (const o of outputs) n.string(2, o);
    n.string(3, outputs[0]);
    n.string(4, op);
    for (const a of attrs) {
      n.message(5, (m) => {
        m.string(1, a.name);
        if (a.s !== undefined) m.string(4, a.s).varint(20, ATTR_STRING);
        else if (a.ints) {
          for (const v of a.ints) m.varint(8, v);
          m.varint(20, ATTR_INTS);
        } else m.varint(3, a.i ?? 0).varint(20, ATTR_INT);
      });
    }
  });
}

function floatOutput(w: ProtoWriter, name: string): void {
  w.message(GRAPH_OUTPUT, (v) => {
    v.string(1, name);
    v.message(2, (type) =>
      type.message(1, (t) => {
        t.varint(1, TENSOR_FLOAT);
        t.message(2, (shape) => {
          for (const dim of ['N', '1', 'H', 'W']) shape.message(1, (d) => d.string(2, dim));
        });
      }),
    );
  });
}

/** The adapter's nodes, initialisers and output, as GraphProto field bytes. */
export function adapterGraphBytes(head: HeadWeights, options: AdapterGraphOptions): Uint8Array {
  const { channels: c, hidden: h } = head;
  const w = new ProtoWriter();
  let f = options.features;
  if (head.context.length > 0) {
    const pooled = head.context.map((k) => {
      const r = (k - 1) / 2;
      node(
        w,
        'AveragePool',
        [options.features],
        [`adapter/context${k}`],
        [
          { name: 'kernel_shape', ints: [k, k] },
          { name: 'pads', ints: [r, r, r, r] },
          { name: 'strides', ints: [1, 1] },
          { name: 'count_include_pad', i: 0 },
        ],
      );
      return `adapter/context${k}`;
    });
    node(w, 'Concat', [options.features, ...pooled], ['adapter/input'], [{ name: 'axis', i: 1 }]);
    f = 'adapter/input';
  }
  tensor(w, 'adapter/lin.weight', [1, c, 1, 1], head.linW);
  tensor(w, 'adapter/lin.bias', [1], Float32Array.of(head.linB));
  tensor(w, 'adapter/h1.weight', [h, c, 1, 1], head.w1);
  tensor(w, 'adapter/h1.bias', [h], head.b1);
  tensor(w, 'adapter/h2.weight', [1, h, 1, 1], head.w2);
  tensor(w, 'adapter/h2.bias', [1], Float32Array.of(head.b2));
  tensor(w, 'adapter/scales', [4], Float32Array.of(1, 1, options.stride, options.stride));
  node(w, 'Conv', [f, 'adapter/lin.weight', 'adapter/lin.bias'], ['adapter/lin']);
  node(w, 'Conv', [f, 'adapter/h1.weight', 'adapter/h1.bias'], ['adapter/h1']);
  node(w, 'Relu', ['adapter/h1'], ['adapter/h1.relu']);
  node(w, 'Conv', ['adapter/h1.relu', 'adapter/h2.weight', 'adapter/h2.bias'], ['adapter/h2']);
  node(w, 'Add', ['adapter/lin', 'adapter/h2'], ['adapter/logit']);
  node(
    w,
    'Resize',
    ['adapter/logit', '', 'adapter/scales'],
    ['adapter/logit.up'],
    [
      { name: 'mode', s: 'linear' },
      { name: 'coordinate_transformation_mode', s: 'half_pixel' },
    ],
  );
  node(w, 'Sigmoid', ['adapter/logit.up'], [options.output]);
  floatOutput(w, options.output);
  return w.finish();
}

/**
 * The base model's bytes with the adapter appended to its graph. Throws E_MODEL naming the base
 * file when it is not an ONNX model with a graph.
 */
export function appendAdapter(
  base: Uint8Array,
  head: HeadWeights,
  options: AdapterGraphOptions,
): Uint8Array {
  const fields = topLevelFields(base, options.what);
  const graph = fields.find((x) => x.field === MODEL_GRAPH && x.wire === LEN);
  if (!graph) throw new LandWatchError('E_MODEL', `${options.what}: the ONNX file has no graph.`);
  const extra = adapterGraphBytes(head, options);
  const out = new ProtoWriter();
  for (const x of fields) {
    if (x !== graph) {
      out.raw(base.subarray(x.start, x.end));
      continue;
    }
    const payload = base.subarray(x.payloadStart, x.end);
    const merged = new Uint8Array(payload.length + extra.length);
    merged.set(payload, 0);
    merged.set(extra, payload.length);
    out.bytes(MODEL_GRAPH, merged);
  }
  return out.finish();
}
