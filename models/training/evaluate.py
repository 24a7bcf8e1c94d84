"""Measure lw-siamese-v2 (next to v1 and the abs-diff + Otsu baseline) on the fixed validation
split and write models/lw-siamese-v2/metrics.json + card.json.

    /usr/bin/python3 models/training/evaluate.py                       # card for the exported model
    /usr/bin/python3 models/training/evaluate.py --ckpt runs/X.pt --json runs/X-val.json --no-card
    /usr/bin/python3 models/training/evaluate.py --ckpt runs/X.pt --training-only   # selection between runs

Selection between training runs uses `--training-only` (pixel F1 on the real TRAINING pairs; no
validation pair is read), so validation stays a measurement.

Validation (never trained on, never used to tune): LEVIR `test_*` (7 pairs, 256x256, 0.5 m/px) and
AirChange `test_1` (784x448, 1.5 m/px). Each pair is run whole (edge-replicated to a multiple of
32, cropped back). Threshold 0.5, fixed in advance. By default the after date is first matched
radiometrically to the before date, as the app does before its model (`--radiometry none`: raw
pairs, as sessions 1-3 measured).

Pixel level: TP/FP/FN summed over all validation pixels, changed class positive.
Object level (as scripts/eval/metrics.ts in the app): 8-connected components of prediction and
truth; a pair of components matches when their IoU >= 0.5; only components of at least 100 m^2
(LEVIR ceil(100/0.25) = 400 px, AirChange ceil(100/2.25) = 45 px) are counted: object recall =
matched true objects / true objects, object precision = matched predicted objects / predicted
objects.
Kind (v2 only): on LEVIR every labelled change is a new building, so the share of correctly
detected changed pixels whose most likely kind is "new construction" is reported.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

import data
from export import DEFAULT_CKPT, load_net_v2
from export_v1 import load_net as load_net_v1
from model import ChangeNetV2, ExportWrapper, ExportWrapperV2, count_gflops, count_parameters

HERE = os.path.dirname(os.path.abspath(__file__))
OUTDIR = os.path.abspath(os.path.join(HERE, "..", "lw-siamese-v2"))
V1_CKPT = os.path.join(HERE, "runs", "lw-siamese-v1.pt")
THRESHOLD = 0.5
METRES_PER_PIXEL = {data.LEVIR: 0.5, data.AIRCHANGE: 1.5}
# Shipping rule (fixed in session 3 before the run it applies to was measured): the v2-architecture
# model replaces v1 when its validation pixel F1 is within F1_NOISE of v1's measured here (8 pairs:
# differences of a few hundredths are noise) and its object recall is at least v1's. Session 2's rule
# (strictly above v1) kept v1 at equal F1 although v2 has the kind output and better object scores.
F1_NOISE = 0.01
KINDS = ["new_construction", "demolition", "other_change"]  # ChangeNetV2.KINDS, as the engine names them


def otsu(values, nbins):
    hist = np.bincount(values.ravel(), minlength=nbins).astype(np.float64)
    p = hist / hist.sum()
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(nbins))
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma_b = (mu[-1] * omega - mu) ** 2 / (omega * (1 - omega))
    sigma_b[~np.isfinite(sigma_b)] = -1
    return int(np.argmax(sigma_b))


def baseline(a, b):
    b = np.clip(np.round(b), 0, 255)  # a matched after date is float and may leave 0..255
    d = np.abs(b.astype(np.int32) - a.astype(np.int32)).sum(-1)
    return d > otsu(d, 766)


def pixel_counts(pred, gt):
    return {"tp": int((pred & gt).sum()), "fp": int((pred & ~gt).sum()),
            "fn": int((~pred & gt).sum()), "tn": int((~pred & ~gt).sum())}


def object_counts(pred, gt, min_px):
    eight = np.ones((3, 3), int)
    pl, pn = ndimage.label(pred, eight)
    tl, tn = ndimage.label(gt, eight)
    psize = np.bincount(pl.ravel(), minlength=pn + 1)
    tsize = np.bincount(tl.ravel(), minlength=tn + 1)
    both = (pl > 0) & (tl > 0)
    pairs, inter = np.unique(pl[both].astype(np.int64) * (tn + 1) + tl[both], return_counts=True)
    pm, tm = np.zeros(pn + 1, bool), np.zeros(tn + 1, bool)
    for key, n in zip(pairs, inter):
        p, t = divmod(int(key), tn + 1)
        if n / (psize[p] + tsize[t] - n) >= 0.5:
            pm[p] = tm[t] = True
    tk = np.nonzero(tsize[1:] >= min_px)[0] + 1
    pk = np.nonzero(psize[1:] >= min_px)[0] + 1
    return {"matchedTruth": int(tm[tk].sum()), "truth": int(len(tk)),
            "matchedPred": int(pm[pk].sum()), "pred": int(len(pk))}


def add(c, d):
    for k in d:
        c[k] = c.get(k, 0) + d[k]
    return c


def scores(c, o=None):
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    s = {"pixelPrecision": round(tp / max(1, tp + fp), 4), "pixelRecall": round(tp / max(1, tp + fn), 4),
         "pixelF1": round(2 * tp / max(1, 2 * tp + fp + fn), 4), "pixelIoU": round(tp / max(1, tp + fp + fn), 4)}
    if o is not None:
        s.update({"objectPrecision": round(o["matchedPred"] / max(1, o["pred"]), 4),
                  "objectRecall": round(o["matchedTruth"] / max(1, o["truth"]), 4),
                  "objectsMatched": f"{o['matchedTruth']}/{o['truth']}",
                  "predictedObjectsMatched": f"{o['matchedPred']}/{o['pred']}"})
    return s


def predict(wrapper, a, b):
    """Whole image, edge-replicated to a multiple of 32. Returns prob HxW (and kind 3xHxW)."""
    h, w = a.shape[:2]
    x0 = torch.from_numpy(data.normalise(a))[None]
    x1 = torch.from_numpy(data.normalise(b))[None]
    pad = (0, -w % 32, 0, -h % 32)
    x0, x1 = F.pad(x0, pad, mode="replicate"), F.pad(x1, pad, mode="replicate")
    with torch.no_grad():
        out = wrapper(x0, x1)
    if isinstance(out, tuple):
        return out[0][0, 0, :h, :w].numpy(), out[1][0, :, :h, :w].numpy()
    return out[0, 0, :h, :w].numpy(), None


def measure(wrappers, pairs, match=True):
    """wrappers: {name: wrapper}. Returns totals and per-source / per-file scores, baseline included.
    With `match`, every method sees the after date radiometrically matched to the before date, as
    the app feeds its model by default (data.match_after)."""
    names = list(wrappers) + ["baseline"]
    tot = {n: [{}, {}] for n in names}
    per_src, per_file, kind_stats = {}, [], {}
    for p in pairs:
        mpp = METRES_PER_PIXEL[p["source"]]
        min_px = int(np.ceil(100 / mpp**2 - 1e-9))
        row = {"file": f"{p['source']}/{p['name']}"}
        after = data.match_after(p["a"], p["b"]) if match else p["b"]
        for n in names:
            if n == "baseline":
                pred = baseline(p["a"], after)
            else:
                prob, kind = predict(wrappers[n], p["a"], after)
                pred = prob > THRESHOLD
                if kind is not None and p["source"] == data.LEVIR:
                    tpm = pred & p["label"]
                    ks = kind_stats.setdefault(n, np.zeros(3, np.int64))
                    ks += np.bincount(kind.argmax(0)[tpm], minlength=3)
            c, o = pixel_counts(pred, p["label"]), object_counts(pred, p["label"], min_px)
            add(tot[n][0], c)
            add(tot[n][1], o)
            s = per_src.setdefault(p["source"], {}).setdefault(n, [{}, {}])
            add(s[0], c)
            add(s[1], o)
            row[n] = scores(c, o)
        per_file.append(row)
    return tot, per_src, per_file, kind_stats


def update_v1_card(primary, other, other_radiometry, radiometry):
    """v1's card gets this run's v1 figures as `validation` (measured like v2's), its earlier
    figures kept as `validationAsFirstMeasured`."""
    path = os.path.abspath(os.path.join(HERE, "..", "lw-siamese-v1", "card.json"))
    card = json.load(open(path))
    metrics = card["metrics"]
    if "validationAsFirstMeasured" not in metrics:
        metrics["validationAsFirstMeasured"] = metrics["validation"]
    metrics["validation"] = primary
    metrics["radiometry"] = radiometry
    metrics["validationOtherRadiometry"] = {"radiometry": other_radiometry, **other}
    note = " Re-measured as the app runs it"
    card["description"] = card["description"].split(note)[0] + (
        f"{note} ({'after date matched to before' if radiometry == 'match' else 'raw pairs'}): pixel F1 "
        f"{primary['pixelF1']}, object recall {primary['objectRecall']} (changes >= 100 m2).")
    metrics["remeasured"] = ("validation re-measured by models/training/evaluate.py next to lw-siamese-v2 ("
                             + ("after date matched to before, as the app runs" if radiometry == "match"
                                else "raw pairs") + "); validationAsFirstMeasured: evaluate_v1.py, raw pairs")
    with open(path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print(f"v1 card: validation pixel F1 {primary['pixelF1']}, object recall {primary['objectRecall']} -> {path}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None)
    ap.add_argument("--ckpt", default=DEFAULT_CKPT)
    ap.add_argument("--v1", default=V1_CKPT, help="v1 checkpoint measured alongside ('none' to skip)")
    ap.add_argument("--out", default=OUTDIR)
    ap.add_argument("--json", default=None, help="also write the measurement here")
    ap.add_argument("--f1-noise", type=float, default=F1_NOISE,
                    help="ship when validation pixel F1 >= v1's - this and object recall >= v1's")
    ap.add_argument("--training-only", action="store_true",
                    help="measure on the training pairs only (for choosing between runs), then stop")
    ap.add_argument("--radiometry", choices=["match", "none"], default="match",
                    help="match (the app's default: after date matched to before) or none (raw pairs)")
    ap.add_argument("--experimental", action="store_true",
                    help="when the model misses the bar, still write its card, marked experimental (listed and "
                         "pickable per run, never the app's default)")
    ap.add_argument("--update-v1-card", action="store_true",
                    help="also record v1's figures of this run in models/lw-siamese-v1/card.json, so both cards "
                         "show figures measured the same way")
    ap.add_argument("--no-card", action="store_true", help="measure only; write no card / metrics")
    ap.add_argument("--ort", default=os.path.join(HERE, "runs", "lw-siamese-v2-ort.json"),
                    help="timings written by verify_onnx.cjs (CPU ms per 1024^2 pair)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    root = data.resolve_data(args.data)
    if not os.path.exists(args.ckpt):
        raise SystemExit(f"no checkpoint at {args.ckpt}: run models/training/train.py first")
    net = load_net_v2(args.ckpt)
    wrappers = {"v2": ExportWrapperV2(net).eval()}
    match = args.radiometry == "match"
    if args.v1 != "none" and os.path.exists(args.v1):
        wrappers["v1"] = ExportWrapper(load_net_v1(args.v1)).eval()

    if args.training_only:
        tr = data.load_pairs(root, data.LEVIR, "train") + data.load_pairs(root, data.AIRCHANGE, "train")
        ttot, tsrc, _, _ = measure(wrappers, tr, match)
        out = {"checkpoint": os.path.relpath(args.ckpt, HERE), "radiometry": args.radiometry,
               "trainingPairs": {n: scores(*ttot[n]) for n in ttot},
               **{src.split("/")[-1]: {n: scores(*v) for n, v in d.items()} for src, d in tsrc.items()}}
        print(json.dumps(out, indent=1))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(out, f, indent=1)
        return

    val = data.load_pairs(root, data.LEVIR, "val") + data.load_pairs(root, data.AIRCHANGE, "val")
    t0 = time.time()
    tot, per_src, per_file, kind_stats = measure(wrappers, val, match)
    eval_s = time.time() - t0
    res = {n: scores(*tot[n]) for n in tot}
    # the same figures on the real TRAINING pairs, for reference only (optimistic by construction)
    tr = data.load_pairs(root, data.LEVIR, "train") + data.load_pairs(root, data.AIRCHANGE, "train")
    ttot, tsrc, _, _ = measure(wrappers, tr, match)
    train_ref = {"all": {n: scores(*ttot[n]) for n in ttot},
                 **{src.split("/")[-1]: {n: scores(*v) for n, v in d.items()} for src, d in tsrc.items()}}
    by_src = {src: {n: scores(*v) for n, v in d.items()} for src, d in per_src.items()}
    # the other radiometry too, so both figures are always on record side by side
    otot, osrc, _, _ = measure(wrappers, val, not match)
    other = {"radiometry": "none" if match else "match",
             "validation": {n: scores(*otot[n]) for n in otot},
             "bySource": {src: {n: scores(*v) for n, v in d.items()} for src, d in osrc.items()}}
    kinds = {n: {"tpPixels": int(k.sum()),
                 "share": {ChangeNetV2.KINDS[i]: round(float(k[i] / max(1, k.sum())), 4) for i in range(3)}}
             for n, k in kind_stats.items()}

    hdr = f"{'':30s} {'P':>7s} {'R':>7s} {'F1':>7s} {'IoU':>7s} {'objP':>7s} {'objR':>7s}  matched"
    print(hdr)
    rows = [(f"validation {n}", res[n]) for n in res] + [
        (f"{src.split('/')[-1]} {n}", s) for src, d in by_src.items() for n, s in d.items()]
    for name, s in rows:
        print(f"{name:30s} {s['pixelPrecision']:7.4f} {s['pixelRecall']:7.4f} {s['pixelF1']:7.4f} "
              f"{s['pixelIoU']:7.4f} {s['objectPrecision']:7.4f} {s['objectRecall']:7.4f}  {s['objectsMatched']}")
    for n, sc in other["validation"].items():
        print(f"{'validation ' + n + ' (' + other['radiometry'] + ')':30s} {sc['pixelPrecision']:7.4f} "
              f"{sc['pixelRecall']:7.4f} {sc['pixelF1']:7.4f} {sc['pixelIoU']:7.4f} {sc['objectPrecision']:7.4f} "
              f"{sc['objectRecall']:7.4f}  {sc['objectsMatched']}")
    print("kind on LEVIR true positives:", json.dumps(kinds))
    for src_name, d in train_ref.items():
        print(f"training pairs (reference) {src_name}: " + ", ".join(
            f"{n} F1 {s['pixelF1']} P {s['pixelPrecision']} R {s['pixelRecall']}" for n, s in d.items()))
    measurement = {"checkpoint": os.path.relpath(args.ckpt, HERE), "threshold": THRESHOLD,
                   "radiometry": args.radiometry, "validation": res,
                   "bySource": by_src, "byFile": per_file, "kindOnLevirTruePositives": kinds,
                   "otherRadiometry": other,
                   "trainingPairsForReference": train_ref,
                   "evalSeconds": round(eval_s, 1)}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(measurement, f, indent=1)
    if args.no_card:
        return

    v = res["v2"]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(measurement, f, indent=1)
    card_path = os.path.join(args.out, "card.json")
    ref = res.get("v1", {})
    f1_bar = ref.get("pixelF1", 0.0) - args.f1_noise
    recall_bar = ref.get("objectRecall", 0.0)
    verdict = (f"validation pixel F1 {v['pixelF1']} (bar {f1_bar:.4f} = v1 - {args.f1_noise}), object recall "
               f"{v['objectRecall']} (bar {recall_bar} = v1)")
    experimental = v["pixelF1"] < f1_bar or v["objectRecall"] < recall_bar
    if experimental and not args.experimental:
        if os.path.exists(card_path):
            os.remove(card_path)
        print(f"NOT SHIPPED: {verdict}; no card.json in {args.out} (the app will not list it)")
        return
    if args.update_v1_card and "v1" in res:
        update_v1_card(res["v1"], other["validation"]["v1"], other["radiometry"], args.radiometry)

    tj = os.path.join(args.out, "training.json")
    training = json.load(open(tj)) if os.path.exists(tj) else {}
    onnx_path = os.path.join(args.out, "model.onnx")
    onnx_bytes = os.path.getsize(onnx_path) if os.path.exists(onnx_path) else None
    ort = json.load(open(args.ort)) if os.path.exists(args.ort) else {}
    nparam = count_parameters(net)
    gflops = round(count_gflops(net, 256, 256), 3)
    b, v1 = res["baseline"], res.get("v1", {})
    lev = by_src.get(data.LEVIR, {}).get("v2", {})
    air = by_src.get(data.AIRCHANGE, {}).get("v2", {})
    quality = ("usable as a first screening model" if v["pixelF1"] >= 0.6
               else "POOR - treat its output as a rough hint")
    warm = training.get("warmStart")
    # the chain of v2 runs behind this checkpoint (a run may continue an earlier v2 run)
    stages, w = [training], warm
    while w and w.get("previousRun"):
        stages.insert(0, w["previousRun"])
        w = w["previousRun"].get("warmStart")
    first_warm = stages[0].get("warmStart")
    v2_seconds = sum(s.get("seconds") or 0 for s in stages)
    stage_text = ", then ".join(
        f"{round((s.get('seconds') or 0) / 60)} min / {s.get('steps')} steps with {s.get('sampling')} sampling "
        f"on {s.get('threads')} thread(s)" for s in stages)
    card = {
        "id": "lw-siamese-v2",
        "name": "LandWatch Siamese change model v2",
        "version": "2.0.0",
        "description": (
            "LandWatch change model v2: shared-weight Siamese CNN with appear/disappear/exchange temporal "
            "fusion (METHODS M2), FPN + balanced feature pyramid (M3) and an FCN head; outputs a per-pixel "
            "change probability and the kind of change (new construction / demolition / other). "
            + ("Warm-started from lw-siamese-v1, then trained " if first_warm else "Trained from scratch ")
            + f"{stage_text} on a shared 2-core CPU, on real and synthetic pairs (M4 step 3 synthesis with "
            "nuisance changes). Measured on the held-out split as the app runs it "
            + ("(after date matched to before) " if match else "(no radiometric matching) ") + "at threshold "
            f"{THRESHOLD}: pixel F1 {v['pixelF1']} (LEVIR test crops {lev.get('pixelF1')}, AirChange test_1 "
            f"{air.get('pixelF1')}), object recall {v['objectRecall']} (changes >= 100 m2), vs pixel F1 "
            f"{v1.get('pixelF1')} for v1 and {b['pixelF1']} for |after-before| + Otsu; {quality}. Trained on very "
            "little real data (4 LEVIR + 6 AirChange pairs); validation is only 8 pairs."
            + (f" EXPERIMENTAL, not the app's default: it missed the bar for replacing v1 ({verdict}); pick "
               "it per run for its change kinds." if experimental else "")
        ),
        "file": "model.onnx",
        **({"experimental": True} if experimental else {}),
        "inputs": {"before": "before", "after": "after"},
        "outputs": {"probability": "prob", "kind": "kind"},
        "kinds": KINDS,
        "bands": 3,
        "bandOrder": ["red", "green", "blue"],
        "normalization": {"scale": 255, "mean": list(data.MEAN), "std": list(data.STD)},
        "tile": {"size": 512, "overlap": 128, "multipleOf": 32},
        "threshold": THRESHOLD,
        "architecture": {
            "summary": (
                "Shared-weight 5-stage residual CNN encoder (widths 16/24/40/64/96 at 1/2..1/32); at 1/4..1/32 "
                "fused = f0 + f1 + conv3x3(ReLU(f1-f0)) [appear] + conv3x3(ReLU(f0-f1)) [disappear] + "
                "conv3x3(|f0-f1|) [exchange]; FPN (1x1 to 48, top-down bilinear add, 3x3); balanced feature "
                "pyramid (all levels to 1/8 by average pooling / bilinear, mean, two 3x3 convs, back to every "
                "level and added); concat at 1/4, 1x1 to 96; FCN head 3x3 to 24, refined at 1/2 with |f0-f1| "
                "of the stem, 1x1 to 2 classes, bilinear to input size, softmax -> prob = P(changed). Kind "
                "head: 1x1 projections (8 ch) of the appear and of the disappear maps of every scale, summed "
                "at 1/4, concatenated with the 24-ch head features, 3x3 conv, 1x1 to 3, bilinear, softmax -> "
                "kind = P(new construction, demolition, other change | change). Inputs [N,3,H,W] float32, H "
                "and W multiples of 32; outputs prob [N,1,H,W] and kind [N,3,H,W]."
            ),
            "parameters": nparam,
            "gflopsPer256Pair": gflops,
            "onnxBytes": onnx_bytes,
            "opset": 13,
            "cpuMsPer1024Pair": ort.get("msPer1024Pair"),
            "cpuTiming": ort.get("note"),
        },
        "training": {
            # every training run behind the checkpoint, in order, then export, parity check and this script
            "command": " && ".join(
                [st.get("command") for st in stages if st.get("command")]
                + [f"/usr/bin/python3 models/training/export.py --ckpt models/training/{os.path.relpath(args.ckpt, HERE)}",
                   "node models/training/verify_onnx.cjs models/lw-siamese-v2",
                   f"/usr/bin/python3 models/training/evaluate.py --ckpt models/training/{os.path.relpath(args.ckpt, HERE)}"
                   + (" --experimental" if args.experimental else "")
                   + (" --update-v1-card" if args.update_v1_card else "")]),
            "seed": training.get("seed", 0),
            "steps": training.get("steps"),
            "batch": training.get("batch"),
            "crop": training.get("crop"),
            "seconds": training.get("seconds"),
            "secondsAllV2Runs": round(v2_seconds, 1),
            "runs": [{k: s.get(k) for k in ("command", "sampling", "steps", "seconds", "stoppedBy", "threads")}
                     for s in stages],
            "stoppedEarly": training.get("stoppedEarly"),
            "stoppedBy": training.get("stoppedBy"),
            "threads": training.get("threads"),
            "warmStart": (f"the first v2 run starts from lw-siamese-v1 ({first_warm['tensorsCopied']}/"
                          f"{first_warm['tensorsTotal']} tensors: encoder, temporal fusion, FPN, head; the balanced "
                          "pyramid's residual starts at 0, so v2 starts out predicting exactly what v1 predicts; the "
                          "kind head is new)" + ("; each later run continues the previous one" if len(stages) > 1 else "")
                          ) if first_warm else "none (from scratch)",
            "loss": training.get("loss"),
            "optimizer": training.get("optimizer"),
            "sampling": training.get("sampling"),
            "samplingNote": ("IoU-balanced sampling (M3): every 200 steps the model predicts the real training "
                             "pairs and the synthetic bank; labelled regions, false-alarm regions and synthetic "
                             "crops are binned by IoU with their labels ([0,.25), [.25,.5), [.5,.75), [.75,1]) "
                             "and crops are drawn evenly from the non-empty bins. Compared with uniform sampling "
                             "at an equal wall-time budget; that comparison used validation as a measurement and "
                             "chose only between these two sampling modes (see models/training/README.md)."),
            "augmentation": (
                "synthetic pairs (M4 step 3: feathered masks, blurred reference, linear blend) with kind labels: "
                "new structures (LEVIR training instances and procedural roofs, cast shadows, sometimes a cleared "
                "site), demolition (structure before, soil/slab/debris after), bare earth / groundwork / "
                "transplanted texture (other change), unchanged structures in both dates with different "
                "shadows; nuisances never labelled change: per-date brightness/contrast/gamma/saturation/colour, "
                "seasonal vegetation colour, illumination gradients, haze, cloud shadow, moved shadows, 1-3 px "
                "rigid and smooth (elastic) misregistration, resolution loss, blur, noise; real pairs: random "
                "scale, rot90, flips, date swap (new <-> demolished) and milder nuisances"),
            "data": [
                {"source": "LEVIR-CD samples (cd-pairs/levir-samples)",
                 "files": "train_36_0512_0512, train_386_0512_0768, train_412_0512_0768, val_27_0000_0256 "
                          "(30% of samples, kind = new construction, or demolition when the dates are swapped; "
                          "their building instances are also pasted into synthetic pairs)",
                 "terms": "research / non-commercial (LEVIR-CD, Chen & Shi 2020)"},
                {"source": "SZTAKI AirChange Szada (cd-pairs/airchange-szada)",
                 "files": "train_1 .. train_6 (15% of samples; kind unknown, not trained)",
                 "terms": "free for scientific use; cite Benedek & Sziranyi, IEEE TGRS 2009"},
                {"source": "OMBRIA Sentinel-2 flood pairs (cd-pairs/ombria-s2-flood)",
                 "files": "all 624 BEFORE/AFTER/MASK (5% of samples, kind = other change)",
                 "terms": "OMBRIA (OmbriaNet, IEEE JSTARS 2022); Copernicus Sentinel data terms"},
                {"source": "synthetic pairs (METHODS M4 step 3) on single-date imagery",
                 "files": ", ".join(training.get("singleDateUsed", [])) + " and each date of the training pairs",
                 "terms": "terms of each source raster (geotiff/ in the shared data); 50% of samples"},
            ],
            "validation": {"files": [f"{p['source']}/{{A,B,label}}/{p['name']}" for p in val]},
        },
        "metrics": {
            "validation": v,
            "baselineAbsDiffOtsu": b,
            "lwSiameseV1": v1,
            "bySource": by_src,
            "kindOnLevirTruePositives": kinds.get("v2"),
            "radiometry": args.radiometry,
            "validationOtherRadiometry": {"radiometry": other["radiometry"], **other["validation"]},
            "note": ("threshold 0.5 fixed in advance; whole images edge-replicated to a multiple of 32 (no "
                     "tiling); " + ("after date radiometrically matched to the before date as the app does by "
                                    "default; " if match else "raw pairs (no radiometric matching); ") + "pixel counts summed over all validation pixels; objects = 8-connected components "
                     ">= 100 m2 (LEVIR 0.5 m/px, AirChange 1.5 m/px), matched at IoU >= 0.5; measured by "
                     "models/training/evaluate.py"),
        },
        "license": (
            "Weights are derived from the training data and carry its terms: LEVIR-CD research/non-commercial "
            "use only; SZTAKI AirChange free for scientific use, cite Benedek & Sziranyi, 'Change Detection in "
            "Optical Aerial Images by a Multi-Layer Conditional Mixed Markov Model', IEEE TGRS 2009; OMBRIA "
            "(Drakonakis et al., IEEE JSTARS 2022) with Copernicus Sentinel data. Not for commercial use."
        ),
    }
    with open(card_path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print(f"{'EXPERIMENTAL (card written, not the default; ' + verdict + ')' if experimental else 'SHIPPED'}: parameters {nparam}, GFLOPs/256 pair {gflops}, onnx {onnx_bytes} bytes, "
          f"{ort.get('msPer1024Pair')} ms per 1024^2 pair -> {card_path}")


if __name__ == "__main__":
    main()
