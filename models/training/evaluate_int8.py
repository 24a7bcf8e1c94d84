"""Measure an int8 variant (quantize_int8.py) against its float model, both in onnxruntime-node,
with the cards' own evaluation (evaluate.measure: the fixed validation split, whole images
edge-replicated to a multiple of 32, after date matched to before, threshold 0.5, pixel counts
summed over all validation pixels, objects = 8-connected components >= 100 m2 matched at IoU >= 0.5),
and write <int8>/metrics.json and <int8>/card.json.

    node models/training/bench_int8.cjs                      # speed -> runs/quant/<int8>-speed.json
    /usr/bin/python3 models/training/evaluate_int8.py        # lw-siamese-v1 vs lw-siamese-v1-int8

Shipping rule (fixed before measuring, issue 15): the variant keeps accuracy when its validation
pixel F1 and object recall are each at most 0.01 below the float model's, measured here the same
way. Its card then says `quantizedFrom.accuracyBar.held: true`, and `preferredOn: ["cpu"]` when
bench_int8.cjs measured it faster than the float model on the CPU provider (best and median), so
the engine runs it instead of the float model on CPU when the user named no model
(electron/engine/inference/model-variant.ts). Otherwise the card says why it is not preferred.
"""
import argparse
import collections
import json
import os

import numpy as np
import onnx

import data
from evaluate import THRESHOLD, measure, predict, scores
from ort_client import OrtPipe, OrtWrapper

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.abspath(os.path.join(HERE, ".."))
RUNS = os.path.join(HERE, "runs", "quant")
TOLERANCE = 0.01


def op_counts(name):
    path = os.path.join(RUNS, f"{name}.optimized.onnx")
    if not os.path.exists(path):
        return None
    ops = collections.Counter(n.op_type for n in onnx.load(path).graph.node)
    return {k: ops[k] for k in ("QLinearConv", "QLinearAdd", "ConvInteger", "Conv", "QuantizeLinear",
                                "DequantizeLinear") if ops[k]}


def prob_agreement(wrappers, pairs):
    """|p_int8 - p_float| over every validation pixel, and the share whose 0.5 decision flips."""
    diffs, flips, n = [], 0, 0
    for p in pairs:
        after = data.match_after(p["a"], p["b"])
        pf, _ = predict(wrappers["float"], p["a"], after)
        pq, _ = predict(wrappers["int8"], p["a"], after)
        d = np.abs(pq - pf)
        diffs.append(d.ravel())
        flips += int(((pq > THRESHOLD) != (pf > THRESHOLD)).sum())
        n += d.size
    d = np.concatenate(diffs)
    return {"maxAbs": round(float(d.max()), 4), "meanAbs": round(float(d.mean()), 5),
            "p99Abs": round(float(np.percentile(d, 99)), 4), "decisionFlips": round(flips / n, 5)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None)
    ap.add_argument("--model", default="lw-siamese-v1")
    ap.add_argument("--int8", default=None, help="variant folder (default models/<model>-int8)")
    args = ap.parse_args()
    root = data.resolve_data(args.data)
    fdir = os.path.join(MODELS, args.model)
    qdir = os.path.abspath(args.int8 or os.path.join(MODELS, f"{args.model}-int8"))
    qname = os.path.basename(qdir)
    pipe = OrtPipe()
    wrappers = {"float": OrtWrapper(pipe, os.path.join(fdir, "model.onnx")),
                "int8": OrtWrapper(pipe, os.path.join(qdir, "model.onnx"))}
    val = data.load_pairs(root, data.LEVIR, "val") + data.load_pairs(root, data.AIRCHANGE, "val")
    try:
        tot, per_src, per_file, _ = measure(wrappers, val, True)
        otot, _, _, _ = measure(wrappers, val, False)
        agreement = prob_agreement(wrappers, val)
    finally:
        pipe.close()
    res = {n: scores(*tot[n]) for n in tot}
    other = {n: scores(*otot[n]) for n in otot}
    by_src = {src: {n: scores(*v) for n, v in d.items()} for src, d in per_src.items()}
    f, q = res["float"], res["int8"]
    for name, s in [("float", f), ("int8", q), ("baseline", res["baseline"])]:
        print(f"validation {name:8s} P {s['pixelPrecision']:.4f} R {s['pixelRecall']:.4f} F1 {s['pixelF1']:.4f} "
              f"IoU {s['pixelIoU']:.4f} objP {s['objectPrecision']:.4f} objR {s['objectRecall']:.4f} "
              f"({s['objectsMatched']})")
    for name in ("float", "int8"):
        s = other[name]
        print(f"raw pairs  {name:8s} F1 {s['pixelF1']:.4f} objR {s['objectRecall']:.4f}")
    print("probability agreement int8 vs float:", json.dumps(agreement))

    fcard = json.load(open(os.path.join(fdir, "card.json")))
    card_val = fcard["metrics"]["validation"]
    reproduced = (card_val["pixelF1"] == f["pixelF1"] and card_val["objectRecall"] == f["objectRecall"])
    print(f"float card validation F1 {card_val['pixelF1']} objR {card_val['objectRecall']}: "
          + ("reproduced by the ONNX graph" if reproduced else "NOT reproduced by the ONNX graph"))
    bar = {"tolerance": TOLERANCE, "pixelF1": q["pixelF1"], "floatPixelF1": f["pixelF1"],
           "objectRecall": q["objectRecall"], "floatObjectRecall": f["objectRecall"]}
    bar["held"] = bool(q["pixelF1"] >= f["pixelF1"] - TOLERANCE - 1e-9
                       and q["objectRecall"] >= f["objectRecall"] - TOLERANCE - 1e-9)
    speed_path = os.path.join(RUNS, f"{qname}-speed.json")
    speed = json.load(open(speed_path)) if os.path.exists(speed_path) else None
    faster = bool(speed and speed["speedupBest"] > 1 and speed["speedupMedian"] > 1)
    preferred = ["cpu"] if bar["held"] and faster else []
    ops = {"float": op_counts(args.model), "int8": op_counts(qname)}
    verdict = (f"validation pixel F1 {q['pixelF1']} vs float {f['pixelF1']}, object recall {q['objectRecall']} "
               f"vs float {f['objectRecall']} (bar: each at most {TOLERANCE} below float): "
               + ("held" if bar["held"] else "MISSED"))
    print(verdict + (f"; CPU speed-up {speed['speedupBest']}x best, {speed['speedupMedian']}x median"
                     if speed else "; no speed measured (run bench_int8.cjs)"))

    quant = json.load(open(os.path.join(qdir, "quantization.json")))
    measurement = {"threshold": THRESHOLD, "radiometry": "match", "validation": res, "bySource": by_src,
                   "byFile": per_file, "otherRadiometry": {"radiometry": "none", "validation": other},
                   "probabilityAgreement": agreement, "floatCardReproduced": reproduced,
                   "accuracyBar": bar, "speed": speed, "optimisedGraphOps": ops}
    with open(os.path.join(qdir, "metrics.json"), "w") as fh:
        json.dump(measurement, fh, indent=1)
        fh.write("\n")
    card = {k: v for k, v in fcard.items() if k not in ("training", "metrics", "experimental")}
    # 7-bit weights keep ONNX Runtime's u8s8 products from saturating on AVX2 CPUs without VNNI.
    weight_bits = ("7-bit int8 (exact on AVX2 CPUs without VNNI too)"
                   if "7-bit" in quant["method"]["weights"] else "int8")
    why = ("" if preferred else " Not preferred anywhere: " + (
        "it missed the accuracy bar." if not bar["held"] else "it was not measured faster on CPU."))
    card.update({
        "id": qname,
        "name": fcard["name"] + " (int8)",
        "version": fcard["version"] + "-int8",
        "description": (
            f"{fcard['id']} quantised to int8 (QDQ: per-channel {weight_bits} weights, uint8 activations calibrated in "
            f"onnxruntime-node on {len(quant['calibration']['files'])} real training pairs). {verdict}; "
            f"probability within {agreement['maxAbs']} of the float model (mean {agreement['meanAbs']}) on the "
            f"validation pixels. " + (f"{speed['speedupMedian']}x faster than float on CPU (median of "
                                      f"{speed['rounds']} 512^2 pairs). " if speed else "")
            + ("The engine runs it instead of the float model on CPU when no model is named." if preferred else why)),
        "file": "model.onnx",
        "quantizedFrom": {"model": fcard["id"], "version": fcard["version"], **quant["method"],
                          "calibration": quant["calibration"], "accuracyBar": bar,
                          "caveat": ("accuracy and speed measured on an AVX-512 VNNI CPU; on x86 CPUs with "
                                     "AVX2 but no VNNI, ONNX Runtime's u8s8 kernels can saturate: "
                                     "quantize_int8.py --reduce-range (7-bit weights) avoids it")},
        "preferredOn": preferred,
        "metrics": {"validation": q, "float": f, "baselineAbsDiffOtsu": res["baseline"], "bySource": by_src,
                    "radiometry": "match",
                    "validationOtherRadiometry": {"radiometry": "none", "int8": other["int8"],
                                                  "float": other["float"]},
                    "probabilityAgreement": agreement,
                    "note": ("same protocol as the float card (models/training/evaluate.py measure(): threshold "
                             "0.5, whole images edge-replicated to a multiple of 32, after date matched to before, "
                             "pixel counts summed, objects >= 100 m2 matched at IoU >= 0.5), both graphs run in "
                             "onnxruntime-node; measured by models/training/evaluate_int8.py")},
    })
    card["architecture"] = {**fcard.get("architecture", {}), "onnxBytes": quant["onnxBytes"],
                            "cpuSpeed": speed, "optimisedGraphOps": ops["int8"]}
    card["training"] = {"command": (quant["command"] + " && node models/training/bench_int8.cjs && "
                                    "/usr/bin/python3 models/training/evaluate_int8.py"),
                        "validation": fcard.get("training", {}).get("validation")}
    with open(os.path.join(qdir, "card.json"), "w") as fh:
        json.dump(card, fh, indent=2)
        fh.write("\n")
    print(f"card -> {os.path.join(qdir, 'card.json')} (preferredOn {preferred})")


if __name__ == "__main__":
    main()
