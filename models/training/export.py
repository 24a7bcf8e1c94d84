"""Export lw-siamese-v2 to ONNX and write the PyTorch parity fixture.

    /usr/bin/python3 models/training/export.py [--ckpt runs/lw-siamese-v2-iou.pt]

models/lw-siamese-v2/model.onnx : inputs `before`, `after` float32 [N,3,H,W] (normalised as in
    card.json; H, W multiples of 32), outputs `prob` float32 [N,1,H,W] = P(changed) (the same
    contract as v1) and `kind` float32 [N,3,H,W] = softmax over (new construction, demolition,
    other change); N, H, W dynamic; opset 13.
models/lw-siamese-v2/parity.json : a fixed-seed 2x3x32x64 pair and PyTorch's `prob` (and `kind`)
    for it; the app's test/unit/inference/model-parity.test.ts compares onnxruntime-node to 1e-4.
models/lw-siamese-v2/training.json : the training summary of the exported checkpoint.
"""
import argparse
import json
import os
import shutil

import numpy as np
import onnx
import torch

import data
from model import ChangeNetV2, ExportWrapperV2

HERE = os.path.dirname(os.path.abspath(__file__))
OUTDIR = os.path.abspath(os.path.join(HERE, "..", "lw-siamese-v2"))
DEFAULT_CKPT = os.path.join(HERE, "runs", "lw-siamese-v2-contA.pt")  # the exported run, see README
OPSET = 13


def load_net_v2(path):
    ck = torch.load(path, map_location="cpu")
    net = ChangeNetV2(widths=tuple(ck["widths"]))
    net.load_state_dict(ck["state_dict"])
    return net.eval()


def parity_pair(seed=0, shape=(2, 3, 32, 64)):
    """Deterministic test pair on the 0..255 scale with a changed block, normalised like the app,
    rounded to 1e-4 (the rounded values ARE the test inputs)."""
    rng = np.random.default_rng(seed)
    n, c, h, w = shape
    base = rng.integers(40, 200, (n, c, 1, 1)) + rng.normal(0, 25, shape)
    before = base
    after = base + rng.normal(0, 6, shape)
    after[:, :, 8:24, 12:30] = rng.integers(150, 255, (n, c, 1, 1)) + rng.normal(0, 10, (n, c, 16, 18))
    before, after = np.clip(before, 0, 255).round(), np.clip(after, 0, 255).round()
    mean = np.array(data.MEAN).reshape(1, 3, 1, 1)
    std = np.array(data.STD).reshape(1, 3, 1, 1)
    nb = np.round((before / 255 - mean) / std, 4).astype(np.float32)
    na = np.round((after / 255 - mean) / std, 4).astype(np.float32)
    return nb, na


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=DEFAULT_CKPT)
    ap.add_argument("--out", default=OUTDIR)
    args = ap.parse_args()
    torch.set_num_threads(2)
    if not os.path.exists(args.ckpt):
        raise SystemExit(f"no checkpoint at {args.ckpt}: run models/training/train.py first")
    os.makedirs(args.out, exist_ok=True)
    wrapper = ExportWrapperV2(load_net_v2(args.ckpt)).eval()

    onnx_path = os.path.join(args.out, "model.onnx")
    dummy = (torch.zeros(1, 3, 64, 64), torch.zeros(1, 3, 64, 64))
    dyn = {k: {0: "N", 2: "H", 3: "W"} for k in ("before", "after", "prob", "kind")}
    torch.onnx.export(
        wrapper, dummy, onnx_path, opset_version=OPSET, input_names=["before", "after"],
        output_names=["prob", "kind"], dynamic_axes=dyn, do_constant_folding=True,
    )
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m, full_check=True)
    m.producer_name = "landwatch lw-siamese-v2"
    onnx.save(m, onnx_path)
    ops = sorted({n.op_type for n in m.graph.node})
    print(f"{onnx_path}: {os.path.getsize(onnx_path)} bytes, opset {m.opset_import[0].version}, ops {ops}")

    with torch.no_grad():  # the sizes the app uses (ONNX Runtime is checked by verify_onnx.cjs)
        for n, h, w in [(1, 256, 256), (2, 512, 512), (1, 320, 480), (1, 288, 352)]:
            p, k = wrapper(torch.randn(n, 3, h, w), torch.randn(n, 3, h, w))
            assert tuple(p.shape) == (n, 1, h, w) and tuple(k.shape) == (n, 3, h, w)
            assert float(p.min()) >= 0 and float(p.max()) <= 1

    nb, na = parity_pair()
    with torch.no_grad():
        prob, kind = (t.numpy() for t in wrapper(torch.from_numpy(nb), torch.from_numpy(na)))
    parity = {
        "description": "lw-siamese-v2 PyTorch reference: feed before/after (already normalised, "
                       "row-major NCHW) to model.onnx and compare prob (and kind) to 1e-4",
        "tolerance": 1e-4,
        "before": {"shape": list(nb.shape), "data": [round(float(x), 4) for x in nb.ravel()]},
        "after": {"shape": list(na.shape), "data": [round(float(x), 4) for x in na.ravel()]},
        "prob": {"shape": list(prob.shape), "data": [round(float(x), 7) for x in prob.ravel()]},
        "kind": {"shape": list(kind.shape), "data": [round(float(x), 7) for x in kind.ravel()]},
    }
    ppath = os.path.join(args.out, "parity.json")
    with open(ppath, "w") as f:
        json.dump(parity, f, separators=(",", ":"))
    print(f"{ppath}: {os.path.getsize(ppath)} bytes; prob range {prob.min():.4f}..{prob.max():.4f}")
    tj = os.path.splitext(args.ckpt)[0] + ".json"
    if os.path.exists(tj):
        shutil.copyfile(tj, os.path.join(args.out, "training.json"))
        print(f"{tj} -> {args.out}/training.json")


if __name__ == "__main__":
    main()
