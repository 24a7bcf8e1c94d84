"""Train lw-siamese-v1 (kept to reproduce v1; v2 is train.py) (CPU, fixed seed, fixed number of steps).

    /usr/bin/python3 models/training/train_v1.py            # defaults = the shipped model

Writes models/training/runs/lw-siamese-v1.pt (weights, git-ignored) and
models/lw-siamese-v1/training.json (what the card reports about training).
"""
import argparse
import json
import math
import os

# other work shares the 2 cores: do not let idle OpenMP threads spin (does not change results)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

import data
from model import SiameseChangeNet, count_parameters

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")
OUTDIR = os.path.abspath(os.path.join(HERE, "..", "lw-siamese-v1"))


def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def loss_fn(logits, target, weights, dice_weight):
    """Class-balanced cross-entropy (M2 step 5) + soft Dice on the changed class."""
    ce = F.cross_entropy(logits, target, weight=weights)
    p = torch.softmax(logits, 1)[:, 1]
    t = target.float()
    inter = (p * t).sum()
    dice = 1 - (2 * inter + 1) / (p.sum() + t.sum() + 1)
    return ce + dice_weight * dice, ce.item(), dice.item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None, help="shared data folder (default ../shared/data)")
    ap.add_argument("--steps", type=int, default=1800)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--dice", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float, default=24.0,
                    help="safety stop (the run is then shorter and NOT reproducible; recorded)")
    ap.add_argument("--out", default=os.path.join(RUNS, "lw-siamese-v1.pt"))
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    seed_all(args.seed)
    root = data.resolve_data(args.data)
    t0 = time.time()

    sampler = data.TrainSampler(root, seed=args.seed, size=args.size)
    # Class weights from the sizes of changed vs unchanged area in what training actually sees
    # (estimated on 20 batches of an independent sampler), damped with a square root.
    est = data.TrainSampler(root, seed=args.seed + 1000, size=args.size, log=lambda *_: None)
    p = float(np.mean([est.batch(args.batch)[2].mean() for _ in range(20)]))
    w_changed = math.sqrt((1 - p) / p)
    weights = torch.tensor([1.0, w_changed], dtype=torch.float32)
    print(f"changed fraction in training batches ~{p:.3f}; class weights [1, {w_changed:.2f}]", flush=True)

    net = SiameseChangeNet()
    nparam = count_parameters(net)
    print(f"parameters {nparam}", flush=True)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.08, div_factor=20, final_div_factor=200
    )

    log, hist = [], []
    tp = fp = fn = 0
    stopped_early = False
    step = 0
    for step in range(1, args.steps + 1):
        a, b, y = sampler.batch(args.batch)
        a, b, y = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(y)
        net.train()
        logits = net(a, b)
        loss, ce, dice = loss_fn(logits, y, weights, args.dice)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            pred = logits.argmax(1).bool()
            yt = y.bool()
            tp += (pred & yt).sum().item()
            fp += (pred & ~yt).sum().item()
            fn += (~pred & yt).sum().item()
        hist.append(loss.item())
        if step % 50 == 0 or step == args.steps:
            f1 = 2 * tp / max(1, 2 * tp + fp + fn)
            el = time.time() - t0
            rec = {"step": step, "loss": round(float(np.mean(hist)), 4), "trainF1": round(f1, 4),
                   "lr": round(sched.get_last_lr()[0], 6), "seconds": round(el, 1)}
            log.append(rec)
            print(json.dumps(rec), flush=True)
            hist, tp, fp, fn = [], 0, 0, 0
            if el > args.max_minutes * 60 and step < args.steps:
                print(f"safety stop at step {step}: over {args.max_minutes} min", flush=True)
                stopped_early = True
                break

    seconds = time.time() - t0
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    torch.save({"state_dict": net.state_dict(), "widths": net.widths}, args.out)
    summary = {
        "command": "/usr/bin/python3 models/training/train_v1.py",
        "args": {k: v for k, v in vars(args).items() if k not in ("data", "out")},
        "seed": args.seed,
        "steps": step,
        "stoppedEarly": stopped_early,
        "batch": args.batch,
        "crop": args.size,
        "seconds": round(seconds, 1),
        "parameters": nparam,
        "changedFractionSeen": round(p, 4),
        "classWeights": [1.0, round(w_changed, 3)],
        "loss": f"class-balanced cross-entropy (weights [1, sqrt((1-p)/p)]) + {args.dice} x soft Dice",
        "optimizer": f"AdamW lr {args.lr} one-cycle, weight decay 1e-4",
        "trainPairs": {
            "levir": [x["name"] for x in sampler.levir],
            "airchange": [x["name"] for x in sampler.air],
        },
        "singleDateUsed": sampler.single_date_used,
        "singleDateSkipped": sampler.single_date_skipped,
        "buildingInstances": len(sampler.synth.buildings),
        "mix": {"levir": 0.30, "airchange": 0.15, "synthetic": 0.50, "ombria": 0.05},
        "torch": torch.__version__,
        "threads": args.threads,
        "log": log,
    }
    os.makedirs(OUTDIR, exist_ok=True)
    with open(os.path.join(OUTDIR, "training.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"done: {step} steps in {seconds:.0f} s -> {args.out}", flush=True)


if __name__ == "__main__":
    main()
