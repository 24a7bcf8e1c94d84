"""Train lw-patchcode-v1 (METHODS.md M5): multi-label cross-entropy on the continuous codes plus
the scheduled L2 term alpha(t) between continuous and quantised codes.

    nice -n 10 /usr/bin/python3 models/training/train_patchcode.py all   # train, export, evaluate
    /usr/bin/python3 models/training/train_patchcode.py train [--max-minutes 18] [--epochs 16]
    /usr/bin/python3 models/training/train_patchcode.py export     # model.onnx + parity.json
    /usr/bin/python3 models/training/train_patchcode.py evaluate   # metrics.json + card.json

Seeded (0); training stops at its epoch count or its wall-time budget, whichever comes first (the
JSON records which), so on a loaded machine the step count can differ between runs.
Checkpoint and log: models/training/runs/lw-patchcode-v1.{pt,json}.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

import data
import patchcode_data as pd
from patchcode_model import CAP, PatchCodeNet, alpha_at, irelu

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")
CKPT = os.path.join(RUNS, "lw-patchcode-v1.pt")


def augment(a, b):
    """The same random rot90 / flip for both dates of the whole batch (cheap, in torch)."""
    k = int(torch.randint(4, (1,)))
    a, b = torch.rot90(a, k, (2, 3)), torch.rot90(b, k, (2, 3))
    if torch.rand(1) < 0.5:
        a, b = a.flip(3), b.flip(3)
    return a, b


def loss_terms(net, a, b, t, m, alpha):
    """Masked multi-label cross-entropy on the classifier over the continuous code, plus alpha x
    mean squared distance between the continuous code and its iReLU (quantised, no gradient)."""
    c, logits = net(a, b)
    ce = F.binary_cross_entropy_with_logits(logits, t, weight=m, reduction="sum") / m.sum().clamp(min=1)
    l2 = ((c - irelu(c).detach()) ** 2).mean()
    return ce + alpha * l2, ce, l2


def train(args):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    root = data.resolve_data(args.data)
    t0 = time.time()
    synth = pd.make_synth(root, "train")
    real = pd.real_items(rng, root, "train", variants=args.real_variants)
    bank = pd.synthetic_items(rng, synth, args.bank)
    print(f"bank: {len(bank)} synthetic + {len(real)} real chip pairs in {time.time() - t0:.0f} s", flush=True)
    net = PatchCodeNet(len(pd.LABELS))
    with torch.no_grad():  # start the codes spread over a few integers, not all in [0, 1)
        net.fc.weight.mul_(4.0)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    budget = args.max_minutes * 60
    steps_per_epoch = (len(bank) + len(real)) // args.batch
    total = steps_per_epoch * args.epochs
    log, step, stopped = [], 0, "epochs"
    for epoch in range(args.epochs):
        if epoch and epoch % args.refresh_every == 0:  # replace a third of the synthetic bank
            k = len(bank) // 3
            start = (epoch // args.refresh_every % 3) * k
            bank[start : start + k] = pd.synthetic_items(rng, synth, k)
        a, b, t, m, _ = pd.stack(bank + real)
        a, b, t, m = (torch.from_numpy(x) for x in (a, b, t, m))
        order = torch.randperm(len(a))
        alpha = alpha_at(epoch, args.t1, args.t2, args.alpha)
        net.train()
        sums = np.zeros(3)
        for i in range(steps_per_epoch):
            lr = args.lr * 0.5 * (1 + np.cos(np.pi * min(1.0, step / total)))
            for g in opt.param_groups:
                g["lr"] = lr
            idx = order[i * args.batch : (i + 1) * args.batch]
            xa, xb = augment(a[idx], b[idx])
            loss, ce, l2 = loss_terms(net, xa, xb, t[idx], m[idx], alpha)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sums += [float(loss), float(ce), float(l2)]
            step += 1
        sums /= steps_per_epoch
        elapsed = time.time() - t0
        row = {"epoch": epoch, "alpha": alpha, "loss": sums[0], "ce": sums[1], "l2": sums[2], "seconds": elapsed}
        log.append(row)
        print(" ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()), flush=True)
        if elapsed > budget:
            stopped = f"wall time ({args.max_minutes} min) after epoch {epoch}"
            break
    os.makedirs(RUNS, exist_ok=True)
    torch.save({"state_dict": net.state_dict(), "labels": pd.LABELS}, CKPT)
    summary = {
        "command": "nice -n 10 /usr/bin/python3 models/training/train_patchcode.py all",
        "seed": args.seed, "threads": args.threads, "epochs": len(log), "plannedEpochs": args.epochs,
        "steps": step, "batch": args.batch, "lr": args.lr, "seconds": round(time.time() - t0, 1),
        "stoppedBy": stopped, "maxMinutes": args.max_minutes,
        "alphaSchedule": {"t1": args.t1, "t2": args.t2, "alphaFinal": args.alpha},
        "bank": {"synthetic": len(bank), "real": len(real), "refreshEvery": args.refresh_every},
        "log": log,
    }
    with open(os.path.splitext(CKPT)[0] + ".json", "w") as f:
        json.dump(summary, f, indent=1)
    print(f"saved {CKPT} ({summary['seconds']} s, {step} steps, stopped by {stopped})", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["train", "export", "evaluate", "all"])
    ap.add_argument("--data", default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-minutes", type=float, default=18.0)
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--bank", type=int, default=3600)
    ap.add_argument("--real-variants", type=int, default=4)
    ap.add_argument("--refresh-every", type=int, default=5)
    ap.add_argument("--t1", type=int, default=4, help="epoch where the L2 term starts")
    ap.add_argument("--t2", type=int, default=10, help="epoch where it reaches --alpha")
    ap.add_argument("--alpha", type=float, default=1.0, help="final weight of the L2 term")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.command in ("train", "all"):
        train(args)
    if args.command in ("export", "all"):
        from patchcode_export import export

        export(CKPT)
    if args.command in ("evaluate", "all"):
        from patchcode_eval import evaluate

        evaluate(CKPT, data.resolve_data(args.data), seed=args.seed)


if __name__ == "__main__":
    main()
