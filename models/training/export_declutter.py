"""Export lw-declutter-v1 to ONNX and write its card, parity fixture and metrics.

    /usr/bin/python3 models/training/export_declutter.py [--ckpt runs/lw-declutter-v1.pt]
        [--eval-json runs/eval-declutter.json]   # npm run eval -- --json ...: the change-detection figures

models/lw-declutter-v1/model.onnx   input `image` float32 [N,3,H,W] RGB 0..1 (H, W dynamic; the app
                                    pads to a multiple of 8), outputs `clean` (decoder 1, 0..1) and
                                    `layer` (decoder 2, signed: interfered - clean); opset 13
models/lw-declutter-v1/parity.json  a fixed-seed 1x3x40x56 image and PyTorch's clean/layer for it;
                                    test/unit/declutter/parity.test.ts compares onnxruntime-node, 1e-4
models/lw-declutter-v1/training.json, metrics.json, card.json (task "interference-removal")
"""
import argparse
import json
import os
import shutil

import numpy as np
import onnx
import torch

from declutter_model import DeclutterNet, count_gflops, count_parameters

HERE = os.path.dirname(os.path.abspath(__file__))
OUTDIR = os.path.abspath(os.path.join(HERE, "..", "lw-declutter-v1"))
CKPT = os.path.join(HERE, "runs", "lw-declutter-v1.pt")
OPSET = 13


def parity_image(seed=0, shape=(1, 3, 40, 56)):
    """A hazy-looking test image: texture plus a bright smooth veil, rounded to 1e-4."""
    rng = np.random.default_rng(seed)
    n, c, h, w = shape
    base = rng.uniform(0.2, 0.6, (n, c, 1, 1)) + rng.normal(0, 0.08, shape)
    yy, xx = np.mgrid[0:h, 0:w]
    veil = 0.4 * np.exp(-(((yy - h / 2) / (h / 3)) ** 2 + ((xx - w / 3) / (w / 3)) ** 2))
    img = base + veil[None, None] * (0.9 - base)
    return np.round(np.clip(img, 0, 1), 4).astype(np.float32)


def summary(metrics):
    """One sentence of what npm run eval measured, for the card's description."""
    cd = metrics.get("changeDetection")
    if not cd:
        return " Not yet measured in change detection (npm run eval)."
    fpr = "; ".join(
        f"{k} {v['noCleanup']['falsePositiveRate']:.4f} -> {v['cleanup']['falsePositiveRate']:.4f}"
        for k, v in cd["byType"].items())
    c = cd["cleanPairs"]
    return (f" Measured with lw-siamese-v1 on the 8 validation pairs with synthetic interference on one "
            f"date, false-positive rate without -> with clean-up: {fpr} (clean pairs "
            f"{c['noCleanup']['falsePositiveRate']:.4f}); pixel F1 on the clean pairs "
            f"{c['f1NoCleanup']:.4f} -> {c['f1Cleanup']:.4f} with both dates cleaned, at "
            f"{c['secondsCleanup'] / max(c['secondsNoCleanup'], 1e-6):.1f}x the detection time. A modest "
            f"help against haze, thin cloud and cloud shadow; none against building shadows.")


def card(net, onnx_bytes, training, metrics):
    return {
        "id": "lw-declutter-v1",
        "name": "LandWatch interference removal v1",
        "version": "1.0.0",
        "task": "interference-removal",
        "description": (
            "Removes haze, thin cloud, cloud shadow and building shadow from one date before change "
            "detection (METHODS M4). Runs only on the coarse level (1/4-1/8, about 64 px) of each "
            "tile's Laplacian pyramid; full resolution is rebuilt with the tile's own Laplacian "
            "bands. Trained from scratch on a CPU for about 18 minutes on synthetic interference "
            "over real imagery. Building shadows are not removed (the error to the clean image grows): "
            "their sharp edges live in the Laplacian bands the network never sees." + summary(metrics)
        ),
        "file": "model.onnx",
        "inputs": {"image": "image"},
        "outputs": {"clean": "clean", "layer": "layer"},
        "bands": 3,
        "bandOrder": ["red", "green", "blue"],
        "normalization": {"scale": 255, "mean": [0, 0, 0], "std": [1, 1, 1]},
        "tile": {"size": 64, "overlap": 0, "multipleOf": 8},
        "architecture": {
            "summary": (
                "One encoder: stem 2x conv3x3 (16), then three stride-2 ResNeXt blocks with grouped "
                "3x3 convs (4 groups) to 32/48/64 channels at 1/2, 1/4, 1/8; pyramid pooling on the "
                "deepest map (global mean + 4x4 and 2x2 average cells, 1x1 convs, upsampled, fused); "
                "multi-scale feature selection on the skips (all four encoder scales resized to the "
                "decoder level, 1x1 projected, softmax weights per scale from their global average); "
                "two decoders (upsample, concat selected skip, conv; input image concatenated at "
                "full resolution): decoder 1 -> clean = clamp(input + residual, 0, 1) (its last conv "
                "starts at zero: the identity), decoder 2 -> layer = tanh(.) with gated convs "
                "(ELU(f) * sigmoid(g)) at 1/4 and 1/2."
            ),
            "parameters": count_parameters(net),
            "gflopsPer256": round(count_gflops(net), 3),
            "onnxBytes": onnx_bytes,
            "opset": OPSET,
            "gatedConvolutions": "decoder 2 at 1/4 and 1/2 only (not ablated)",
        },
        "training": training,
        "metrics": metrics,
        "license": (
            "Weights are derived from the training imagery and carry its terms: LEVIR-CD research/"
            "non-commercial use only; SZTAKI AirChange free for scientific use (cite Benedek & "
            "Sziranyi, IEEE TGRS 2009); the single-date rasters' own terms (geotiff/ in the shared "
            "data). The feature loss used LandWatch's change model v1 (same terms). Not for "
            "commercial use."
        ),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=CKPT)
    ap.add_argument("--out", default=OUTDIR)
    ap.add_argument("--eval-json", default=None, help="npm run eval -- --json output to record")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if not os.path.exists(args.ckpt):
        raise SystemExit(f"no checkpoint at {args.ckpt}: run models/training/train_declutter.py first")
    os.makedirs(args.out, exist_ok=True)
    net = DeclutterNet()
    net.load_state_dict(torch.load(args.ckpt, map_location="cpu")["state_dict"])
    net.eval()
    path = os.path.join(args.out, "model.onnx")
    torch.onnx.export(
        net, (torch.zeros(1, 3, 64, 64),), path, opset_version=OPSET, input_names=["image"],
        output_names=["clean", "layer"], do_constant_folding=True,
        dynamic_axes={k: {0: "N", 2: "H", 3: "W"} for k in ("image", "clean", "layer")},
    )
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    m.producer_name = "landwatch lw-declutter-v1"
    onnx.save(m, path)
    size = os.path.getsize(path)
    print(f"{path}: {size} bytes, opset {m.opset_import[0].version}")
    assert size < 3 * 1024 * 1024, "the interference model must stay under 3 MB"

    x = parity_image()
    with torch.no_grad():
        clean, layer = (t.numpy() for t in net(torch.from_numpy(x)))
        for h, w in [(64, 64), (80, 48), (96, 160)]:
            c, l = net(torch.rand(2, 3, h, w))
            assert tuple(c.shape) == (2, 3, h, w) and tuple(l.shape) == (2, 3, h, w)
    parity = {
        "description": "lw-declutter-v1 PyTorch reference: feed image (row-major NCHW, RGB 0..1) to "
                       "model.onnx and compare clean and layer to 1e-4",
        "tolerance": 1e-4,
        "image": {"shape": list(x.shape), "data": [round(float(v), 4) for v in x.ravel()]},
        "clean": {"shape": list(clean.shape), "data": [round(float(v), 7) for v in clean.ravel()]},
        "layer": {"shape": list(layer.shape), "data": [round(float(v), 7) for v in layer.ravel()]},
    }
    with open(os.path.join(args.out, "parity.json"), "w") as f:
        json.dump(parity, f, separators=(",", ":"))

    tj = os.path.splitext(args.ckpt)[0] + ".json"
    training = {}
    if os.path.exists(tj):
        shutil.copyfile(tj, os.path.join(args.out, "training.json"))
        with open(tj) as f:
            full = json.load(f)
        training = {k: v for k, v in full.items() if k not in ("log", "heldOutMae")}
        training["loss"] = ("truncated L1 (tau 2/255) on clean + 0.5 x on layer, 0.2 x (1 - SSIM), "
                            "0.1 x feature L1 (frozen stem + stage 1 of change model v1), "
                            "0.2 x |clean + layer - input|")
        training["data"] = ("M4 step 3 synthesis (models/training/declutter_data.py) over the "
                            "training pairs' dates and the single-date rasters; never the validation split")
    metrics = {"heldOutImageMae": full.get("heldOutMae", {}) if training else {},
               "note": "heldOutImageMae: mean |image - clean| (0..255) of 64 px crops of the "
                       "validation images with synthetic interference, before and after the network "
                       "(no pyramid); changeDetection: npm run eval (scripts/eval/interference.ts)"}
    if args.eval_json:
        with open(args.eval_json) as f:
            metrics["changeDetection"] = json.load(f)["interference"]
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    with open(os.path.join(args.out, "card.json"), "w") as f:
        json.dump(card(net, size, training, metrics), f, indent=2)
    print(f"wrote parity.json, metrics.json, card.json to {args.out}")


if __name__ == "__main__":
    main()
