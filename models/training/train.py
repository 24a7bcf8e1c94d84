"""Train lw-siamese-v2 (CPU; fixed seed; step budget with a recorded wall-time stop).

    nice -n 10 /usr/bin/python3 models/training/train.py --sampling iou     # the shipped recipe
    nice -n 10 /usr/bin/python3 models/training/train.py --sampling uniform # the comparison arm

Warm start: every tensor of lw-siamese-v1 (runs/lw-siamese-v1.pt, made by train_v1.py) whose name
and shape match is copied into v2 (encoder, temporal fusion, FPN, head); the balanced pyramid's
residual starts at zero, so step 0 of v2 predicts exactly what v1 predicts. `--init none` trains
from scratch.

Loss: class-balanced cross-entropy (M2 step 5; weights [1, sqrt((1-p)/p)] with p the changed
fraction of what training sees) + 0.5 x soft Dice on P(changed) + 0.3 x cross-entropy of the
change kind on changed pixels whose kind is known.

Writes the weights (`--out`, default runs/lw-siamese-v2-<sampling>.pt, git-ignored) and a JSON
summary (`--json`, default runs/lw-siamese-v2-<sampling>.json) that export/evaluate copy into the
model folder as training.json.
"""
import argparse
import copy
import json
import math
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # the 2 cores are shared: no spinning threads
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

import data
from model import ChangeNetV2, count_parameters

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")


def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def loss_fn(logits, kind_logits, target, kind, weights, dice_w, kind_w):
    ce = F.cross_entropy(logits, target, weight=weights)
    p = torch.softmax(logits, 1)[:, 1]
    t = target.float()
    dice = 1 - (2 * (p * t).sum() + 1) / (p.sum() + t.sum() + 1)
    if (kind != data.IGNORE_KIND).any():
        kce = F.cross_entropy(kind_logits, kind, ignore_index=data.IGNORE_KIND)
    else:
        kce = logits.sum() * 0
    return ce + dice_w * dice + kind_w * kce, ce.item(), dice.item(), kce.item()


def update_ema(ema, net, decay):
    """ema <- decay * ema + (1 - decay) * net, for weights and BN running statistics alike."""
    with torch.no_grad():
        for e, v in zip(ema.state_dict().values(), net.state_dict().values()):
            if e.dtype.is_floating_point:
                e.mul_(decay).add_(v, alpha=1 - decay)
            else:
                e.copy_(v)


def make_predictor(net, threshold=0.5, batch=24, match=False):
    """Whole-image / bank prediction for IoU-balanced sampling (eval mode, padded to 32); with
    `match`, the after date is radiometrically matched first, as the app does."""

    def predict(pairs):
        was = net.training
        net.eval()
        out = []
        with torch.no_grad():
            groups = {}
            for i, (a, b) in enumerate(pairs):
                groups.setdefault(a.shape, []).append(i)
            res = [None] * len(pairs)
            for shape, idx in groups.items():
                h, w = shape[:2]
                ph, pw = -h % 32, -w % 32
                for s in range(0, len(idx), batch):
                    chunk = idx[s : s + batch]
                    x0 = np.stack([data.normalise(pairs[i][0]) for i in chunk])
                    x1 = np.stack([data.normalise(data.match_after(*pairs[i]) if match else pairs[i][1])
                                   for i in chunk])
                    x0 = F.pad(torch.from_numpy(x0), (0, pw, 0, ph), mode="replicate")
                    x1 = F.pad(torch.from_numpy(x1), (0, pw, 0, ph), mode="replicate")
                    logits, _ = net(x0, x1)
                    prob = torch.softmax(logits, 1)[:, 1, :h, :w].numpy()
                    for j, i in enumerate(chunk):
                        res[i] = prob[j] > threshold
            out = res
        net.train(was)
        return out

    return predict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None, help="shared data folder (default ../shared/data)")
    ap.add_argument("--sampling", choices=["uniform", "iou"], default="iou")
    ap.add_argument("--steps", type=int, default=6000, help="step budget (the time budget usually ends first)")
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--dice", type=float, default=0.5)
    ap.add_argument("--kind-weight", type=float, default=0.3)
    ap.add_argument("--refresh", type=int, default=200, help="steps between bank rebuilds / IoU scoring")
    ap.add_argument("--bank", type=int, default=320, help="synthetic pairs in the bank")
    ap.add_argument("--init", default=os.path.join(RUNS, "lw-siamese-v1.pt"),
                    help="v1 checkpoint to warm-start from, or 'none'")
    ap.add_argument("--air-scale", default="1.2,2.2",
                    help="zoom range of AirChange crops (v1: 1.2,2.2; 0.8,2.2 also trains near native scale)")
    ap.add_argument("--mix", default="0.30,0.15,0.50,0.05",
                    help="share of training crops from LEVIR, AirChange, synthetic pairs, OMBRIA")
    ap.add_argument("--match", type=float, default=0.0,
                    help="share of crops whose after date gets the app's radiometric matching (v2 runs: 0)")
    ap.add_argument("--ema", type=float, default=0.0,
                    help="exponential moving average of the weights with this decay (0 = off); the saved "
                         "checkpoint is then the average, the raw weights go to <tag>-raw.pt")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float, default=33.0,
                    help="wall-time budget incl. start-up; the LR schedule follows it and the run stops at "
                         "its end (recorded as stoppedEarly; the run is then not bit-reproducible)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--tag", default=None, help="run name (default lw-siamese-v2-<sampling>)")
    args = ap.parse_args()
    if not 0 <= args.match <= 1:
        raise SystemExit(f"--match is a share of crops, from 0 to 1; got {args.match}")
    if not 0 <= args.ema < 1:
        raise SystemExit(f"--ema is a decay from 0 (off) up to but not including 1; got {args.ema}")
    tag = args.tag or f"lw-siamese-v2-{args.sampling}"
    out = args.out or os.path.join(RUNS, f"{tag}.pt")
    js = args.json or os.path.join(RUNS, f"{tag}.json")

    torch.set_num_threads(args.threads)
    seed_all(args.seed)
    root = data.resolve_data(args.data)
    t0 = time.time()

    # class weights from the changed fraction of what (uniform) training sees, independent seed
    est = data.TrainSamplerV2(root, seed=args.seed + 1000, size=args.size, bank=64, log=lambda *_: None)
    p = float(np.mean([est.batch(args.batch)[2].mean() for _ in range(20)]))
    w_changed = math.sqrt((1 - p) / p)
    weights = torch.tensor([1.0, w_changed], dtype=torch.float32)
    print(f"changed fraction in training batches ~{p:.3f}; class weights [1, {w_changed:.2f}]", flush=True)

    air_scale = tuple(float(x) for x in args.air_scale.split(","))
    mix = tuple(float(x) for x in args.mix.split(","))
    if len(mix) != 4 or abs(sum(mix) - 1) > 1e-6:
        raise SystemExit(f"--mix needs four shares that sum to 1, got {args.mix}")
    sampler = data.TrainSamplerV2(root, seed=args.seed, size=args.size, sampling=args.sampling, bank=args.bank,
                                  air_scale=air_scale, mix=mix, match=args.match)
    net = ChangeNetV2()
    warm = None
    if args.init and args.init != "none":
        if not os.path.exists(args.init):
            raise SystemExit(f"no v1 checkpoint at {args.init}: run models/training/train_v1.py first or pass --init none")
        ck = torch.load(args.init, map_location="cpu")
        n, total = net.load_v1(ck["state_dict"])
        warm = {"from": os.path.relpath(args.init, HERE), "arch": ck.get("arch", "v1"),
                "tensorsCopied": n, "tensorsTotal": total}
        prev = os.path.splitext(args.init)[0] + ".json"
        if ck.get("arch") == "v2" and os.path.exists(prev):  # continuing a v2 run: keep its record
            pj = json.load(open(prev))
            warm["previousRun"] = {k: pj.get(k) for k in (
                "command", "sampling", "steps", "seconds", "stoppedBy", "threads", "warmStart", "log", "refreshes")}
        print(f"warm start: {n}/{total} tensors from {args.init}", flush=True)
    nparam = count_parameters(net)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    warmup = 50

    budget = args.max_minutes * 60

    def progress(step):
        """Training progress in [0, 1]: by steps or by wall time, whichever is further along. The
        cosine schedule follows it, so a run cut by the time budget still anneals completely."""
        return min(1.0, max(step / args.steps, (time.time() - t0) / budget))

    def lr_at(step, q):
        if step < warmup:
            return args.lr * (0.1 + 0.9 * step / warmup)
        return args.lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * q)))

    predict = make_predictor(net, match=args.match > 0)
    ema = copy.deepcopy(net) if args.ema > 0 else None
    log, hist, refreshes = [], [], []
    tp = fp = fn = 0
    refresh_seconds = 0.0
    stopped_early = False
    step = 0
    for step in range(1, args.steps + 1):
        if step % args.refresh == 1 and step > 1:
            tr = time.time()
            sampler.rebuild_bank()
            if args.sampling == "iou":
                stats = sampler.score(predict)
            else:
                stats = {}
            refresh_seconds += time.time() - tr
            refreshes.append({"step": step - 1, "seconds": round(time.time() - tr, 1), **stats})
            print(json.dumps(refreshes[-1]), flush=True)
        elif step == 1 and args.sampling == "iou":
            tr = time.time()
            refreshes.append({"step": 0, **sampler.score(predict), "seconds": round(time.time() - tr, 1)})
            refresh_seconds += time.time() - tr
            print(json.dumps(refreshes[-1]), flush=True)
        q = progress(step)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, q)
        a, b, y, k = sampler.batch(args.batch)
        a, b, y, k = (torch.from_numpy(x) for x in (a, b, y, k))
        net.train()
        logits, kind_logits = net(a, b)
        loss, ce, dice, kce = loss_fn(logits, kind_logits, y, k, weights, args.dice, args.kind_weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if ema is not None:
            update_ema(ema, net, min(args.ema, (1 + step) / (10 + step)))
        with torch.no_grad():
            pred = logits.argmax(1).bool()
            yt = y.bool()
            tp += (pred & yt).sum().item()
            fp += (pred & ~yt).sum().item()
            fn += (~pred & yt).sum().item()
        hist.append((loss.item(), kce))
        if step % 50 == 0 or step == args.steps:
            el = time.time() - t0
            h = np.array(hist)
            rec = {"step": step, "loss": round(float(h[:, 0].mean()), 4), "kindCE": round(float(h[:, 1].mean()), 4),
                   "trainF1": round(2 * tp / max(1, 2 * tp + fp + fn), 4), "lr": round(lr_at(step, q), 6),
                   "seconds": round(el, 1)}
            log.append(rec)
            print(json.dumps(rec), flush=True)
            hist, tp, fp, fn = [], 0, 0, 0
        if q >= 1.0 and step < args.steps:
            print(f"wall-time stop at step {step}: {args.max_minutes} min budget used", flush=True)
            stopped_early = True
            if step % 50:
                log.append({"step": step, "seconds": round(time.time() - t0, 1)})
            break

    seconds = time.time() - t0
    os.makedirs(os.path.dirname(out), exist_ok=True)
    if ema is not None:
        torch.save({"state_dict": net.state_dict(), "widths": net.widths, "arch": "v2"},
                   os.path.splitext(out)[0] + "-raw.pt")
    final = ema if ema is not None else net
    torch.save({"state_dict": final.state_dict(), "widths": net.widths, "arch": "v2"}, out)
    cmd = " ".join(["nice -n 10 /usr/bin/python3 models/training/train.py", f"--sampling {args.sampling}",
                    f"--threads {args.threads}", f"--max-minutes {args.max_minutes:g}"]
                   + ([f"--seed {args.seed}"] if args.seed else [])
                   + ([f"--air-scale {args.air_scale}"] if args.air_scale != "1.2,2.2" else [])
                   + ([f"--mix {args.mix}"] if args.mix != "0.30,0.15,0.50,0.05" else [])
                   + ([f"--match {args.match:g}"] if args.match else [])
                   + ([f"--ema {args.ema:g}"] if args.ema else [])
                   + ([f"--tag {args.tag}"] if args.tag else [])
                   + ([f"--init {os.path.relpath(args.init, os.path.join(HERE, '..', '..'))}"]
                      if args.init != os.path.join(RUNS, "lw-siamese-v1.pt") else []))
    summary = {
        "command": cmd,
        "args": {k: v for k, v in vars(args).items() if k not in ("data", "out", "json", "init")},
        "seed": args.seed,
        "steps": step,
        "plannedSteps": args.steps,
        "stoppedEarly": stopped_early,
        "stoppedBy": "wall-time budget" if stopped_early else "step budget",
        "maxMinutes": args.max_minutes,
        "batch": args.batch,
        "crop": args.size,
        "seconds": round(seconds, 1),
        "refreshSeconds": round(refresh_seconds, 1),
        "sampling": args.sampling,
        "radiometricMatchingShare": args.match,
        "weightAverage": (f"exponential moving average, decay {args.ema} (warm-up min(decay, (1+t)/(10+t))); "
                          "BN statistics averaged too; the checkpoint holds the average") if ema is not None else None,
        "warmStart": warm,
        "parameters": nparam,
        "changedFractionSeen": round(p, 4),
        "classWeights": [1.0, round(w_changed, 3)],
        "loss": (f"class-balanced cross-entropy (weights [1, sqrt((1-p)/p)]) + {args.dice} x soft Dice + "
                 f"{args.kind_weight} x kind cross-entropy on changed pixels of known kind"),
        "optimizer": f"AdamW lr {args.lr}, 50-step warm-up then cosine to 1%, weight decay 1e-4",
        "trainPairs": {"levir": [x["name"] for x in sampler.base.levir],
                       "airchange": [x["name"] for x in sampler.base.air]},
        "singleDateUsed": sampler.base.single_date_used,
        "singleDateSkipped": sampler.base.single_date_skipped,
        "buildingInstances": len(sampler.base.synth.buildings),
        "mix": dict(zip(("levir", "airchange", "synthetic", "ombria"), mix)),
        "syntheticBank": {"size": args.bank, "refreshEverySteps": args.refresh, "replacedPerRefresh": args.bank // 2},
        "torch": torch.__version__,
        "threads": args.threads,
        "refreshes": refreshes,
        "log": log,
    }
    with open(js, "w") as f:
        json.dump(summary, f, indent=1)
    print(f"done: {step} steps in {seconds:.0f} s -> {out}, {js}", flush=True)


if __name__ == "__main__":
    main()
