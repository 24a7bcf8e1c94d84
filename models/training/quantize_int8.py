"""Static int8 quantisation (QDQ) of a change model, calibrated in onnxruntime-node.

    /usr/bin/python3 models/training/quantize_int8.py                 # lw-siamese-v1 -> lw-siamese-v1-int8
    /usr/bin/python3 models/training/quantize_int8.py --calib minmax  # plain min/max activation ranges

1. Calibration: a copy of the float graph that also outputs every tensor to be quantised
   (runs/quant/<id>-calib.onnx) runs in onnxruntime-node (ort_pipe.cjs, the app's runtime) on the
   real TRAINING pairs only (LEVIR train_*/val_27, AirChange train_1..6; never a validation pair),
   whole images edge-replicated to a multiple of 32, after date matched to before as the app does.
   Per tensor: min/max and the 0.01 / 99.99 percentiles -> runs/quant/<id>-ranges.json.
2. QDQ rewrite with the onnx package (Debian's Python has no onnxruntime): every Conv gets
   DequantizeLinear on its input activation (uint8, per tensor, asymmetric), its weights (int8,
   per output channel, symmetric; 7-bit with --reduce-range) and its bias (int32, scale =
   input scale x weight scale); its output (after its ReLU when a ReLU is its only consumer) gets a
   QuantizeLinear -> DequantizeLinear pair, so ONNX Runtime fuses DQ -> Conv -> Q into QLinearConv
   (and DQ -> Add -> Q into QLinearAdd). All readers of a quantised tensor read its dequantised
   copy, except Shape nodes, which read the 8-bit one (a DequantizeLinear only for them is waste).
   The classifier (the Conv whose output reaches `prob` without another Conv between) keeps a
   float output, so the probability is not rounded to 256 logit steps.
Writes <out>/model.onnx and <out>/quantization.json; evaluate_int8.py measures it and writes the card.
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch.nn.functional as F
import torch
from onnx import helper, numpy_helper, TensorProto

import data
from ort_client import OrtPipe

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.abspath(os.path.join(HERE, ".."))
RUNS = os.path.join(HERE, "runs", "quant")
PERCENTILE = 99.99
SAMPLES_PER_IMAGE = 50_000


def consumers(graph):
    out = {}
    for n in graph.node:
        for i in n.input:
            out.setdefault(i, []).append(n)
    return out


def head_convs(graph, prob_name):
    """Conv nodes whose output reaches `prob_name` through non-Conv nodes only."""
    producer = {o: n for n in graph.node for o in n.output}
    heads, stack, seen = set(), [prob_name], set()
    while stack:
        t = stack.pop()
        n = producer.get(t)
        if n is None or n.name in seen:
            continue
        seen.add(n.name)
        if n.op_type == "Conv":
            heads.add(n.name)
            continue
        stack.extend(i for i in n.input if i)
    return heads


def plan(model, prob_name="prob", adds=True):
    """The activation tensors to quantise and the Convs whose output stays float. With `adds`, the
    outputs of Add nodes too (after their ReLU), so ONNX Runtime can run them as QLinearAdd."""
    g = model.graph
    users = consumers(g)
    outputs = {o.name for o in g.output}
    heads = head_convs(g, prob_name)
    tensors = []
    for n in g.node:
        if n.op_type == "Add" and adds:
            y = n.output[0]
            after = users.get(y, [])
            tensors.append(after[0].output[0] if len(after) == 1 and after[0].op_type == "Relu" else y)
        if n.op_type != "Conv":
            continue
        tensors.append(n.input[0])
        if n.name in heads:
            continue
        y = n.output[0]
        after = users.get(y, [])
        if len(after) == 1 and after[0].op_type == "Relu":
            y = after[0].output[0]
        tensors.append(y)
    seen, keep = set(), []
    for t in tensors:
        if t not in seen and t not in outputs:
            seen.add(t)
            keep.append(t)
    return keep, heads


def calibration_pairs(root):
    """Real training pairs only (never validation), as the model would be fed them."""
    pairs = data.load_pairs(root, data.LEVIR, "train") + data.load_pairs(root, data.AIRCHANGE, "train")
    for p in pairs:
        a, b = p["a"], data.match_after(p["a"], p["b"])
        h, w = a.shape[:2]
        pad = (0, -w % 32, 0, -h % 32)
        x0 = F.pad(torch.from_numpy(data.normalise(a))[None], pad, mode="replicate").numpy()
        x1 = F.pad(torch.from_numpy(data.normalise(b))[None], pad, mode="replicate").numpy()
        yield f"{p['source']}/{p['name']}", x0, x1


def collect_ranges(model_path, model, tensors, root):
    os.makedirs(RUNS, exist_ok=True)
    calib = onnx.load(model_path)
    inputs = {i.name for i in calib.graph.input}
    wanted = [t for t in tensors if t not in inputs]
    for t in wanted:
        calib.graph.output.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, None))
    base = os.path.splitext(os.path.basename(os.path.dirname(model_path)))[0]
    calib_path = os.path.join(RUNS, f"{base}-calib.onnx")
    onnx.save(calib, calib_path)
    rng = np.random.default_rng(0)
    stats = {t: {"min": np.inf, "max": -np.inf, "samples": []} for t in tensors}
    files = []
    pipe = OrtPipe()
    try:
        for name, x0, x1 in calibration_pairs(root):
            files.append(name)
            out = pipe.run(calib_path, {"before": x0, "after": x1}, wanted)
            out.update({"before": x0, "after": x1})
            for t in tensors:
                v = out[t].ravel()
                s = stats[t]
                s["min"], s["max"] = min(s["min"], float(v.min())), max(s["max"], float(v.max()))
                s["samples"].append(rng.choice(v, min(SAMPLES_PER_IMAGE, v.size), replace=False))
            print(f"calibrated on {name} {list(x0.shape)}", flush=True)
    finally:
        pipe.close()
    ranges = {}
    for t, s in stats.items():
        sample = np.concatenate(s["samples"])
        lo, hi = np.percentile(sample, [100 - PERCENTILE, PERCENTILE])
        ranges[t] = {"min": s["min"], "max": s["max"], "pLow": float(lo), "pHigh": float(hi)}
    return {"files": files, "percentile": PERCENTILE, "samplesPerImage": SAMPLES_PER_IMAGE,
            "ranges": ranges}


def activation_qparams(r, method):
    lo, hi = (r["min"], r["max"]) if method == "minmax" else (r["pLow"], r["pHigh"])
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = max(hi - lo, 1e-8) / 255.0
    zp = int(np.clip(round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zp)


def weight_source(graph, name):
    """The initializer behind a weight input, through Identity nodes (shared Siamese weights):
    (its name, its value), or (name, None) when it is not a constant."""
    inits = {i.name: i for i in graph.initializer}
    producer = {o: n for n in graph.node for o in n.output}
    while name not in inits and name in producer and producer[name].op_type == "Identity":
        name = producer[name].input[0]
    return name, (numpy_helper.to_array(inits[name]) if name in inits else None)


def quantize(model, ranges, method, reduce_range, adds=True):
    g = model.graph
    tensors, heads = plan(model, adds=adds)
    qmax = 63 if reduce_range else 127
    new_nodes, new_inits = [], []
    act = {}
    for t in tensors:
        scale, zp = activation_qparams(ranges[t], method)
        act[t] = scale
        s_name, z_name = f"{t}_scale", f"{t}_zp"
        new_inits += [numpy_helper.from_array(np.array(scale, np.float32), s_name),
                      numpy_helper.from_array(np.array(zp, np.uint8), z_name)]
        new_nodes += [helper.make_node("QuantizeLinear", [t, s_name, z_name], [f"{t}_q"], name=f"{t}_Q"),
                      helper.make_node("DequantizeLinear", [f"{t}_q", s_name, z_name], [f"{t}_dq"],
                                       name=f"{t}_DQ")]
    for n in g.node:  # every reader of a quantised tensor reads its dequantised copy ...
        for k, i in enumerate(n.input):
            if i in act:  # ... but Shape, which reads the 8-bit copy (no DequantizeLinear only for it)
                n.input[k] = f"{i}_q" if n.op_type == "Shape" else f"{i}_dq"
    weights_done = set()
    counts = {"convs": 0, "floatOutputConvs": sorted(heads), "activationTensors": len(tensors)}
    for n in g.node:
        if n.op_type != "Conv":
            continue
        w_name, w = weight_source(g, n.input[1])
        if w is None:
            raise SystemExit(f"{n.name}: weights are not a constant; cannot quantise")
        x_name = n.input[0][: -len("_dq")]
        amax = np.abs(w.reshape(w.shape[0], -1)).max(1)
        w_scale = np.where(amax > 0, amax / qmax, 1.0).astype(np.float32)
        if w_name not in weights_done:  # one int8 copy of weights shared by both dates' encoders
            weights_done.add(w_name)
            wq = np.clip(np.round(w / w_scale.reshape(-1, 1, 1, 1)), -qmax, qmax).astype(np.int8)
            new_inits += [numpy_helper.from_array(wq, f"{w_name}_q"),
                          numpy_helper.from_array(w_scale, f"{w_name}_q_scale"),
                          numpy_helper.from_array(np.zeros(len(w_scale), np.int8), f"{w_name}_q_zp")]
            new_nodes.append(helper.make_node(
                "DequantizeLinear", [f"{w_name}_q", f"{w_name}_q_scale", f"{w_name}_q_zp"], [f"{w_name}_dq"],
                name=f"{w_name}_DQ", axis=0))
        n.input[1] = f"{w_name}_dq"
        p = n.name.strip("/").replace("/", "_")
        if len(n.input) > 2 and n.input[2]:
            _, b = weight_source(g, n.input[2])
            b_scale = (act[x_name] * w_scale).astype(np.float32)
            bq = np.round(b / b_scale).astype(np.int32)
            new_inits += [numpy_helper.from_array(bq, f"{p}_b_q"),
                          numpy_helper.from_array(b_scale, f"{p}_b_scale"),
                          numpy_helper.from_array(np.zeros(len(b_scale), np.int32), f"{p}_b_zp")]
            new_nodes.append(helper.make_node("DequantizeLinear", [f"{p}_b_q", f"{p}_b_scale", f"{p}_b_zp"],
                                              [f"{p}_b_dq"], name=f"{p}_b_DQ", axis=0))
            n.input[2] = f"{p}_b_dq"
        counts["convs"] += 1
    g.node.extend(new_nodes)
    g.initializer.extend(new_inits)
    topo_sort(g)
    drop_unused_initializers(g)
    return counts


def topo_sort(g):
    ready = {i.name for i in g.input} | {i.name for i in g.initializer} | {""}
    nodes = [onnx.NodeProto.FromString(n.SerializeToString()) for n in g.node]
    order = []
    while nodes:
        rest = []
        for n in nodes:
            (order if all(i in ready for i in n.input) else rest).append(n)
            if order and order[-1] is n:
                ready.update(n.output)
        if len(rest) == len(nodes):
            raise SystemExit("QDQ graph has a cycle or a dangling input: " + rest[0].name)
        nodes = rest
    del g.node[:]
    g.node.extend(order)


def drop_unused_initializers(g):
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    unused_identity = [n for n in g.node if n.op_type == "Identity" and not any(
        o in used for o in n.output)]
    for n in unused_identity:
        g.node.remove(n)
    if unused_identity:
        drop_unused_initializers(g)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None)
    ap.add_argument("--model", default="lw-siamese-v1", help="float model folder under models/")
    ap.add_argument("--out", default=None, help="output folder (default models/<model>-int8)")
    ap.add_argument("--calib", choices=["percentile", "minmax"], default="percentile",
                    help=f"activation ranges: {PERCENTILE}th percentiles (default) or min/max")
    ap.add_argument("--reduce-range", action="store_true",
                    help="7-bit weights (for AVX2 CPUs without VNNI, where u8s8 products can saturate)")
    ap.add_argument("--no-adds", action="store_true",
                    help="quantise only Conv inputs and outputs, not the outputs of Add nodes")
    ap.add_argument("--reuse-ranges", action="store_true", help="reuse runs/quant/<model>-ranges.json")
    args = ap.parse_args()
    src = os.path.join(MODELS, args.model, "model.onnx")
    out = os.path.abspath(args.out or os.path.join(MODELS, f"{args.model}-int8"))
    model = onnx.load(src)
    tensors, _ = plan(model, adds=not args.no_adds)
    ranges_path = os.path.join(RUNS, f"{args.model}-ranges.json")
    if args.reuse_ranges and os.path.exists(ranges_path):
        calib = json.load(open(ranges_path))
    else:
        calib = collect_ranges(src, model, tensors, data.resolve_data(args.data))
        with open(ranges_path, "w") as f:
            json.dump(calib, f, indent=1)
    missing = [t for t in tensors if t not in calib["ranges"]]
    if missing:
        raise SystemExit(f"{ranges_path} has no range for {len(missing)} tensors ({missing[0]}, ...): "
                         "run without --reuse-ranges")
    counts = quantize(model, calib["ranges"], args.calib, args.reduce_range, not args.no_adds)
    onnx.checker.check_model(model)
    os.makedirs(out, exist_ok=True)
    onnx.save(model, os.path.join(out, "model.onnx"))
    info = {"quantizedFrom": args.model, "method": {
        "format": "QDQ (QuantizeLinear/DequantizeLinear), opset 13",
        "weights": f"int8 symmetric per output channel ({'7' if args.reduce_range else '8'}-bit range)",
        "bias": "int32, scale = input scale x weight scale",
        "activations": "uint8 asymmetric per tensor, " + (
            "min/max" if args.calib == "minmax" else f"{100 - PERCENTILE:g}/{PERCENTILE:g} percentiles")
        + " over the calibration set",
        **counts}, "calibration": {
        "files": calib["files"], "runtime": "onnxruntime-node (models/training/ort_pipe.cjs)",
        "note": "real training pairs only, whole images edge-replicated to a multiple of 32, after date "
                "matched to before"},
        "command": "/usr/bin/python3 models/training/quantize_int8.py"
                   + (f" --model {args.model}" if args.model != "lw-siamese-v1" else "")
                   + (" --calib minmax" if args.calib == "minmax" else "")
                   + (" --reduce-range" if args.reduce_range else "")
                   + (" --no-adds" if args.no_adds else ""),
        "onnxBytes": os.path.getsize(os.path.join(out, "model.onnx")),
        "floatOnnxBytes": os.path.getsize(src)}
    with open(os.path.join(out, "quantization.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    print(f"{counts['convs']} convs, {counts['activationTensors']} activation tensors quantised; "
          f"{info['onnxBytes']} bytes (float {info['floatOnnxBytes']}) -> {out}")


if __name__ == "__main__":
    main()
