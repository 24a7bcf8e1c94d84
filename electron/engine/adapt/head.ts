/**
 * The adapter head: a per-pixel function of the base model's features that replaces its change
 * logit. A linear term (initialised to pass the base logit through unchanged) plus a small ReLU
 * MLP (initialised to output 0), so an untrained head is exactly the base model, and training
 * moves away from it only as far as the analyst's labels pull it (weights are penalised by their
 * distance from that start). Weights are kept in the features' own units, ready for the ONNX
 * writer (adapter-graph.ts); training works on standardised features and folds the
 * standardisation back in (fit-head.ts).
 */

/** Weights of the head, in the units of the raw features. */
export interface HeadWeights {
  /** Input channels: the features' own, then their box means for each context size (context.ts). */
  channels: number;
  /** Box sizes of the context channels, in feature pixels ([] = the features alone). */
  context: number[];
  hidden: number;
  /** Linear term: channels weights and a bias. */
  linW: Float32Array;
  linB: number;
  /** Hidden layer: hidden × channels (row-major) and hidden biases. */
  w1: Float32Array;
  b1: Float32Array;
  /** Output of the hidden layer: hidden weights and a bias. */
  w2: Float32Array;
  b2: number;
}

/**
 * The head that reproduces the base model: weight 1 on the base logit channel, 0 elsewhere.
 * `channels` counts every input channel (with context: features × (1 + context.length)).
 */
export function identityHead(
  channels: number,
  hidden: number,
  baseChannel: number,
  context: number[] = [],
): HeadWeights {
  const linW = new Float32Array(channels);
  linW[baseChannel] = 1;
  return {
    channels,
    context,
    hidden,
    linW,
    linB: 0,
    w1: new Float32Array(hidden * channels),
    b1: new Float32Array(hidden),
    w2: new Float32Array(hidden),
    b2: 0,
  };
}

/** The head's logit for one feature vector `f` (length = channels) starting at `offset`. */
export function headLogit(head: HeadWeights, f: Float32Array, offset = 0): number {
  const c = head.channels;
  let z = head.linB + head.b2;
  for (let k = 0; k < c; k++) z += head.linW[k] * f[offset + k];
  for (let j = 0; j < head.hidden; j++) {
    let a = head.b1[j];
    const row = j * c;
    for (let k = 0; k < c; k++) a += head.w1[row + k] * f[offset + k];
    if (a > 0) z += head.w2[j] * a;
  }
  return z;
}

/** Logistic function, safe for large |z|. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** The head with its output logit shifted by `delta` (e.g. to move a threshold to 0.5). */
export function shiftHead(head: HeadWeights, delta: number): HeadWeights {
  return { ...head, linB: head.linB + delta };
}

/** JSON form for the model folder (head.json), so an adapter can be inspected or refitted. */
export function headToJson(head: HeadWeights): Record<string, unknown> {
  return {
    channels: head.channels,
    context: head.context,
    hidden: head.hidden,
    linW: Array.from(head.linW),
    linB: head.linB,
    w1: Array.from(head.w1),
    b1: Array.from(head.b1),
    w2: Array.from(head.w2),
    b2: head.b2,
  };
}
