"""Measure lw-patchcode-v1 on held-out patches and write metrics.json and card.json.

Retrieval: every held-out chip pair of known kind queries all the others by L1 distance on the
integer codes; a hit is a patch with the same label set. Ties in distance are broken by a fixed
random order of the held-out set (so no method profits from the order items were made in).
Precision at 10 and mean average precision, overall, per source and per category, for:
  trained  - lw-patchcode-v1's integer codes (72 values x 4 bits = 36 bytes);
  untrained - the same network at its initialisation (same seed), integer codes;
  histogram - 4-bin RGB histograms of each date + an 8-bin |after - before| histogram, each bin
              scaled to 0..15 (32 values x 4 bits = 16 bytes);
  chance   - the expected precision of a random ranking.
"""
import json
import os

import numpy as np
import torch

import patchcode_data as pd
from patchcode_export import OUTDIR, load_net
from patchcode_model import CAP, DIM, PatchCodeNet, irelu

HELD_OUT_SEED = 1000
PER_CATEGORY = 60


def held_out(root, seed=HELD_OUT_SEED):
    rng = np.random.default_rng(seed)
    items = pd.real_items(rng, root, "val")
    items += pd.synthetic_items(rng, pd.make_synth(root, "val"), PER_CATEGORY * len(pd.CATEGORIES))
    return items


def redetections(root, n=180, seed=HELD_OUT_SEED + 1):
    """Pairs of chip pairs of the SAME held-out change cut with two independent outline jitters,
    as two runs (models, thresholds) outline one change differently: synthetic scenes of every
    category and LEVIR test components."""
    rng = np.random.default_rng(seed)
    synth = pd.make_synth(root, "val")
    names = list(pd.CATEGORIES)
    first, second = [], []
    i = 0
    while len(first) < n:
        res = synth.category(rng, names[i % len(names)])
        i += 1
        if res is None:
            continue
        before, after, mask, _ = res
        first.append(pd.chips_of(rng, before, after, mask))
        second.append(pd.chips_of(rng, before, after, mask))
    for p, box in pd.components(pd.data.load_pairs(root, pd.LEVIR, "val"), 60):
        a, b, box = pd.local(p, box)
        for out in (first, second):
            j = pd.jitter_box(rng, box)
            out.append((pd.chip(a, j), pd.chip(b, j)))
    return first, second


def duplicate_distance(net, root):
    """95th percentile of the code distance between two outlines of the same change."""
    first, second = redetections(root)
    codes = []
    for chips in (first, second):
        a = np.stack([pd.data.normalise(x[0]) for x in chips])
        b = np.stack([pd.data.normalise(x[1]) for x in chips])
        codes.append(net_codes(net, a, b))
    d = np.abs(codes[0] - codes[1]).sum(1)
    return {"pairs": len(d), "median": float(np.median(d)), "p95": float(np.percentile(d, 95)),
            "distance": float(np.ceil(np.percentile(d, 95)))}


def net_codes(net, a, b, quantise=True):
    out = []
    with torch.no_grad():
        for i in range(0, len(a), 128):
            c = net.continuous(torch.from_numpy(a[i : i + 128]), torch.from_numpy(b[i : i + 128]))
            out.append((irelu(c) if quantise else c).numpy())
    return np.concatenate(out)


def histogram_codes(items):
    codes = []
    edges = [0, 8, 16, 32, 64, 96, 128, 192, 256]
    for a, b, *_ in items:
        parts = []
        for img in (a, b):
            for ch in range(3):
                h, _ = np.histogram(img[..., ch], bins=4, range=(0, 256))
                parts.append(h / h.sum())
        d = np.abs(b.astype(np.int16) - a.astype(np.int16)).mean(-1)
        h, _ = np.histogram(d, bins=edges)
        parts.append(h / h.sum())
        codes.append(np.round(np.concatenate(parts) * 15))
    return np.array(codes, np.float32)


def retrieval(codes, keys, k=10):
    """Per-query precision at k and average precision; keys[i] = label-set key of item i."""
    n = len(codes)
    p_at_k, ap = np.zeros(n), np.zeros(n)
    for q in range(n):
        d = np.abs(codes - codes[q]).sum(1)
        d[q] = np.inf
        order = np.argsort(d, kind="stable")[: n - 1]
        rel = np.array([keys[i] == keys[q] for i in order], np.float64)
        p_at_k[q] = rel[:k].mean()
        hits = np.cumsum(rel)
        ap[q] = (hits / np.arange(1, n))[rel > 0].mean() if rel.sum() else 0.0
    return p_at_k, ap


def summarise(p, ap, keys, groups):
    out = {"precisionAt10": round(float(p.mean()), 4), "mAP": round(float(ap.mean()), 4)}
    by = {}
    for g in sorted(set(groups)):
        sel = np.array([x == g for x in groups])
        by[g] = {"n": int(sel.sum()), "precisionAt10": round(float(p[sel].mean()), 4), "mAP": round(float(ap[sel].mean()), 4)}
    out["byCategory"] = by
    return out


def close_distance(codes, keys, min_precision=0.9):
    """The largest L1 distance at which nearest-neighbour pairs are still the same kind for at
    least `min_precision` of queries; the app uses it for "close code" (duplicates, carry-over)."""
    n = len(codes)
    nn_d, nn_same = np.zeros(n), np.zeros(n, bool)
    for q in range(n):
        d = np.abs(codes - codes[q]).sum(1)
        d[q] = np.inf
        j = int(np.argmin(d))
        nn_d[q], nn_same[q] = d[j], keys[j] == keys[q]
    best = 0.0
    for t in sorted(set(nn_d.tolist())):
        sel = nn_d <= t
        if nn_same[sel].mean() >= min_precision:
            best = t
    sel = nn_d <= best
    return {"distance": best, "precision": round(float(nn_same[sel].mean()), 4), "shareOfQueries": round(float(sel.mean()), 4)}


def perm_pairs(n, seed=3):
    """Fixed random pairs of distinct held-out items (a reference scale for code distances)."""
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, 2000)
    j = (i + rng.integers(1, n, 2000)) % n
    return i, j


def evaluate(ckpt, root, seed=0):
    items = held_out(root)
    perm = np.random.default_rng(7).permutation(len(items))  # tie-break order, fixed
    items = [items[i] for i in perm]
    a, b, t, _, groups = pd.stack(items)
    keys = [tuple(x.astype(int)) for x in t]
    trained = load_net(ckpt)
    torch.manual_seed(seed)
    untrained = PatchCodeNet(len(pd.LABELS)).eval()
    with torch.no_grad():
        untrained.fc.weight.mul_(4.0)  # exactly the training run's initial state
    codes = net_codes(trained, a, b)
    results = {
        "trained": summarise(*retrieval(codes, keys), keys, groups),
        "trainedContinuous": summarise(*retrieval(net_codes(trained, a, b, False), keys), keys, groups),
        "untrained": summarise(*retrieval(net_codes(untrained, a, b), keys), keys, groups),
        "histogram": summarise(*retrieval(histogram_codes(items), keys), keys, groups),
    }
    counts = {k: keys.count(k) for k in set(keys)}
    chance = np.mean([(counts[k] - 1) / (len(keys) - 1) for k in keys])
    values, freq = np.unique(codes, return_counts=True)
    pi, pj = perm_pairs(len(codes))
    metrics = {
        "heldOut": {
            "patches": len(items),
            "real": int(sum(g.startswith("levir") for g in groups)),
            "synthetic": int(sum(not g.startswith("levir") for g in groups)),
            "relevance": "same label set (change kind + class)",
            "queries": "every held-out patch against all the others, L1 on the integer codes",
        },
        "retrieval": results,
        "chancePrecision": round(float(chance), 4),
        "closeCode": close_distance(codes, keys),
        "duplicateCode": duplicate_distance(trained, root),
        "otherPairsMedianDistance": float(np.median(np.abs(codes[pi] - codes[pj]).sum(1))),
        "code": {"length": int(codes.shape[1]), "bits": 4, "bytes": int(codes.shape[1]) * 4 // 8,
                 "histogramBaselineBytes": 16,
                 "valueHistogram": {str(int(v)): int(f) for v, f in zip(values, freq)},
                 "zeroShare": round(float((codes == 0).mean()), 4)},
    }
    os.makedirs(OUTDIR, exist_ok=True)
    with open(os.path.join(OUTDIR, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    for name, r in results.items():
        print(f"{name:18s} P@10 {r['precisionAt10']:.4f}  mAP {r['mAP']:.4f}")
    print(f"chance P@10 {chance:.4f}; close code {metrics['closeCode']}; duplicate {metrics['duplicateCode']}; "
          f"other pairs median {metrics['otherPairsMedianDistance']}; zero share {metrics['code']['zeroShare']}")
    write_card(metrics)
    return metrics


def write_card(metrics):
    training = {}
    tj = os.path.join(OUTDIR, "training.json")
    if os.path.exists(tj):
        with open(tj) as f:
            training = json.load(f)
    onnx_bytes = os.path.getsize(os.path.join(OUTDIR, "model.onnx"))
    r = metrics["retrieval"]
    card = {
        "id": "lw-patchcode-v1",
        "task": "patch-code",
        "name": "LandWatch patch code v1",
        "version": "1.0.0",
        "description": (
            "Sliding-window quantised code (METHODS M5) of a patch's before/after chip pair: 9 overlapping "
            f"windows x {DIM} values, each an integer 0..{CAP} (4 bits), {metrics['code']['bytes']} bytes per "
            "patch; L1 distance finds similar changes. Held-out precision at 10 "
            f"{r['trained']['precisionAt10']} (mAP {r['trained']['mAP']}) vs {r['histogram']['precisionAt10']} for "
            f"colour/difference histograms and {r['untrained']['precisionAt10']} for the untrained network "
            f"(chance {metrics['chancePrecision']}). Most held-out patches are synthetic: expect less on real imagery."
        ),
        "file": "model.onnx",
        "inputs": {"before": "before", "after": "after"},
        "outputs": {"code": "code", "continuous": "continuous"},
        "bands": 3,
        "bandOrder": ["red", "green", "blue"],
        "normalization": {"scale": 255, "mean": list(pd.data.MEAN), "std": list(pd.data.STD)},
        # the model's input: one chip pair of CHIP x CHIP (no tiling; the common card field)
        "tile": {"size": pd.CHIP, "overlap": 0, "multipleOf": pd.CHIP},
        "chip": {"size": pd.CHIP, "margin": pd.MARGIN, "minSidePixels": pd.MIN_SIDE_PX, "noData": pd.NO_DATA,
                 "sampling": "nearest", "note": "square around the patch bbox, side = max(w, h) x (1 + 2 x margin)"},
        "code": {"length": metrics["code"]["length"], "bits": 4, "max": CAP, "windows": 9, "valuesPerWindow": DIM,
                 "distance": "L1",
                 # a duplicate (the same change outlined again) must always count as close
                 "closeDistance": max(metrics["closeCode"]["distance"], metrics["duplicateCode"]["distance"]),
                 "duplicateDistance": metrics["duplicateCode"]["distance"]},
        "labels": list(pd.LABELS),
        "architecture": {
            "summary": "Shared-weight 4-stage CNN per date (16/32/48/64, 64x64 -> 4x4); fusion cat(f1, ReLU(f1-f0), "
                       "ReLU(f0-f1)) -> 1x1 + 3x3 conv (64); 2x2 windows at stride 1 (3x3 positions), GAP per window; "
                       f"shared FC to {DIM} + ReLU; iReLU round + cap {CAP}; window-major concatenation.",
            "parameters": sum(p.numel() for p in PatchCodeNet(len(pd.LABELS)).parameters()),
            "onnxBytes": onnx_bytes,
            "opset": 13,
        },
        "training": {
            "command": "nice -n 10 /usr/bin/python3 models/training/train_patchcode.py all",
            "loss": "masked multi-label binary cross-entropy of a linear classifier on the continuous code + "
                    "alpha(t) x mean (continuous - iReLU(continuous))^2; alpha 0 before epoch t1, linear to alpha_f at t2",
            **{k: training.get(k) for k in ("seed", "epochs", "steps", "batch", "seconds", "stoppedBy", "alphaSchedule")},
            "data": [
                {"source": "LEVIR-CD samples (cd-pairs/levir-samples)",
                 "files": "components of train_36, train_386, train_412, val_27 (new building; date-swapped as demolition)",
                 "terms": "research / non-commercial (LEVIR-CD, Chen & Shi 2020)"},
                {"source": "SZTAKI AirChange Szada (cd-pairs/airchange-szada)",
                 "files": "components of train_1 .. train_6 (changed, kind unknown: only 'no change' and 'demolition' known false)",
                 "terms": "free for scientific use; cite Benedek & Sziranyi, IEEE TGRS 2009"},
                {"source": "synthetic chip pairs (METHODS M4 step 3 synthesis) on single-date imagery",
                 "files": "top 3/4 of geotiff/vhr/dop-rgb.tif, cogeo.tif, dummy_fotomap_small.tif, geotiff/misc/RGB.byte.tif "
                          "and both dates of the training pairs; categories " + ", ".join(pd.CATEGORIES),
                 "terms": "terms of each source raster (geotiff/ in the shared data)"},
            ],
            "heldOut": "LEVIR test_* components (real) + synthetic pairs on the bottom 1/4 of the single-date rasters "
                       "and the validation pairs' dates, with building instances from the LEVIR test labels",
        },
        "metrics": metrics,
        "license": "Weights are derived from the training data and carry its terms: LEVIR-CD research/non-commercial "
                   "use only; SZTAKI AirChange free for scientific use (cite Benedek & Sziranyi, IEEE TGRS 2009). "
                   "Not for commercial use.",
    }
    with open(os.path.join(OUTDIR, "card.json"), "w") as f:
        json.dump(card, f, indent=2)
    print(f"{OUTDIR}/card.json written")
