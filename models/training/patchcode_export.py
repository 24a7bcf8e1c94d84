"""Export lw-patchcode-v1 to ONNX and write the PyTorch parity fixture.

models/lw-patchcode-v1/model.onnx : inputs `before`, `after` float32 [N,3,64,64] (normalised like
    the change model), outputs `code` float32 [N,72] (integers 0..15, iReLU) and `continuous`
    float32 [N,72] (the values before rounding); N dynamic; opset 13.
models/lw-patchcode-v1/parity.json : a fixed-seed 2x3x64x64 pair and PyTorch's outputs for it;
    test/unit/codes/patchcode-parity.test.ts compares onnxruntime-node: `continuous` to 1e-4, `code`
    exactly except where `continuous` lies within 1e-4 of a rounding boundary.
"""
import json
import os
import shutil

import numpy as np
import onnx
import torch

import data
import patchcode_data as pd
from patchcode_model import ExportWrapper, PatchCodeNet

HERE = os.path.dirname(os.path.abspath(__file__))
OUTDIR = os.path.abspath(os.path.join(HERE, "..", "lw-patchcode-v1"))
OPSET = 13


def load_net(ckpt):
    if not os.path.exists(ckpt):
        raise SystemExit(f"no checkpoint at {ckpt}: run models/training/train_patchcode.py train first")
    ck = torch.load(ckpt, map_location="cpu")
    net = PatchCodeNet(len(pd.LABELS))
    net.load_state_dict(ck["state_dict"])
    return net.eval()


def parity_pair(seed=0, n=2):
    """Chip-like test pair on the 0..255 scale (a bright block appears), normalised like the app and
    rounded to 1e-3 (the rounded values ARE the test inputs)."""
    rng = np.random.default_rng(seed)
    shape = (n, 3, pd.CHIP, pd.CHIP)
    before = rng.integers(40, 200, (n, 3, 1, 1)) + rng.normal(0, 20, shape)
    after = before + rng.normal(0, 5, shape)
    after[:, :, 20:44, 16:48] = rng.integers(150, 255, (n, 3, 1, 1)) + rng.normal(0, 8, (n, 3, 24, 32))
    mean = np.array(data.MEAN).reshape(1, 3, 1, 1)
    std = np.array(data.STD).reshape(1, 3, 1, 1)

    def norm(x):
        return np.round((np.clip(x, 0, 255).round() / 255 - mean) / std, 3).astype(np.float32)

    return norm(before), norm(after)


def export(ckpt, out=OUTDIR):
    os.makedirs(out, exist_ok=True)
    wrapper = ExportWrapper(load_net(ckpt)).eval()
    path = os.path.join(out, "model.onnx")
    dummy = (torch.zeros(1, 3, pd.CHIP, pd.CHIP), torch.zeros(1, 3, pd.CHIP, pd.CHIP))
    torch.onnx.export(
        wrapper, dummy, path, opset_version=OPSET, input_names=["before", "after"],
        output_names=["code", "continuous"], dynamic_axes={k: {0: "N"} for k in ("before", "after", "code", "continuous")},
        do_constant_folding=True,
    )
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    m.producer_name = "landwatch lw-patchcode-v1"
    onnx.save(m, path)
    ops = sorted({n.op_type for n in m.graph.node})
    print(f"{path}: {os.path.getsize(path)} bytes, opset {m.opset_import[0].version}, ops {ops}")
    nb, na = parity_pair()
    with torch.no_grad():
        code, cont = (t.numpy() for t in wrapper(torch.from_numpy(nb), torch.from_numpy(na)))
    parity = {
        "description": "lw-patchcode-v1 PyTorch reference: feed before/after (already normalised, "
                       "row-major NCHW) to model.onnx; continuous to 1e-4, code exactly (except "
                       "within 1e-4 of a rounding boundary)",
        "tolerance": 1e-4,
        "before": {"shape": list(nb.shape), "data": [round(float(x), 3) for x in nb.ravel()]},
        "after": {"shape": list(na.shape), "data": [round(float(x), 3) for x in na.ravel()]},
        "code": {"shape": list(code.shape), "data": [int(x) for x in code.ravel()]},
        "continuous": {"shape": list(cont.shape), "data": [round(float(x), 6) for x in cont.ravel()]},
    }
    ppath = os.path.join(out, "parity.json")
    with open(ppath, "w") as f:
        json.dump(parity, f, separators=(",", ":"))
    print(f"{ppath}: {os.path.getsize(ppath)} bytes; code values {sorted(set(parity['code']['data']))}")
    tj = os.path.splitext(ckpt)[0] + ".json"
    if os.path.exists(tj):
        shutil.copyfile(tj, os.path.join(out, "training.json"))
