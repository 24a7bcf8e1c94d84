"""Train lw-declutter-v1 (METHODS.md M4): CPU, fixed seed, wall-time budget.

    nice -n 10 /usr/bin/python3 models/training/train_declutter.py --threads 1 --max-minutes 18

Data: declutter_data.py (M4 step 3 synthesis over the training imagery; never the validation split).
Losses (M4 step 4), all on the 0..1 scale:
    truncated pixel loss  mean(relu(|clean' - clean| - tau)) + 0.5 x the same on the layer
                          (differences under tau = 2/255 are ignored: sensor noise and JPEG
                          residue are not worth fitting)
    SSIM loss             0.2 x (1 - SSIM(clean', clean)), 7x7 Gaussian window, per channel
    feature loss          0.1 x L1 between features of clean' and clean from the frozen stem and
                          first stage (1/2, 1/4) of LandWatch's own change model v1
                          (runs/lw-siamese-v1.pt; no pretrained VGG can be fetched offline). It
                          asks for clean images the change model itself finds alike.
    consistency           0.2 x |clean' + layer' - input|: the two decoders must explain the input.
No adversarial loss (M4 lists it as optional; a GAN would not converge in a 20-minute CPU budget).

Writes runs/lw-declutter-v1.pt and runs/lw-declutter-v1.json (git-ignored; export copies the
JSON into the model folder as training.json). The held-out check at the end adds synthetic
interference to the validation images (never trained on) and reports the mean absolute error to
the clean image before and after, per type.
"""
import argparse
import json
import math
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # shared cores: no spinning threads
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

import data
import declutter_data as dd
from declutter_model import DeclutterNet, count_gflops, count_parameters
from model import SiameseChangeNet

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")
TAU = 2 / 255


def gaussian_window(size=7, sigma=1.5):
    g = torch.exp(-((torch.arange(size) - size // 2) ** 2).float() / (2 * sigma**2))
    g = g / g.sum()
    return (g[:, None] * g[None, :]).expand(3, 1, size, size).contiguous()


def ssim(x, y, win):
    pad = win.shape[-1] // 2
    mu_x = F.conv2d(x, win, padding=pad, groups=3)
    mu_y = F.conv2d(y, win, padding=pad, groups=3)
    sxx = F.conv2d(x * x, win, padding=pad, groups=3) - mu_x**2
    syy = F.conv2d(y * y, win, padding=pad, groups=3) - mu_y**2
    sxy = F.conv2d(x * y, win, padding=pad, groups=3) - mu_x * mu_y
    c1, c2 = 0.01**2, 0.03**2
    s = ((2 * mu_x * mu_y + c1) * (2 * sxy + c2)) / ((mu_x**2 + mu_y**2 + c1) * (sxx + syy + c2))
    return s.mean()


def truncated_l1(a, b, tau=TAU):
    return F.relu((a - b).abs() - tau).mean()


class FeatureLoss(torch.nn.Module):
    """Frozen stem + first stage of the change model v1 encoder, fed as the app feeds it."""

    def __init__(self, ckpt):
        super().__init__()
        ck = torch.load(ckpt, map_location="cpu")
        net = SiameseChangeNet(widths=tuple(ck["widths"]))
        net.load_state_dict(ck["state_dict"])
        self.stem, self.s1 = net.encoder.stem.eval(), net.encoder.s1.eval()
        for p in self.parameters():
            p.requires_grad_(False)
        self.register_buffer("mean", torch.tensor(data.MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(data.STD).view(1, 3, 1, 1))

    def forward(self, x, y):
        fx = self.stem((x - self.mean) / self.std)
        fy = self.stem((y - self.mean) / self.std)
        return F.l1_loss(fx, fy) + F.l1_loss(self.s1(fx), self.s1(fy))

    def train(self, mode=True):  # BN statistics stay frozen
        return super().train(False)


def held_out(root, seed=123, size=64, per_type=24):
    """Synthetic interference on the validation images (both dates), per type; fixed seed."""
    imgs = []
    for source in (data.LEVIR, data.AIRCHANGE):
        for p in data.load_pairs(root, source, "val"):
            imgs += [p["a"], p["b"]]
    rng = np.random.default_rng(seed)
    sets = {}
    for kind in dd.TYPES + ("none",):
        xs, ys = [], []
        for _ in range(per_type):
            clean = dd.crop(rng, imgs[rng.integers(len(imgs))], size, rng.uniform(1, 4))
            dirty = clean if kind == "none" else dd.add_interference(rng, clean, [kind])
            xs.append(dirty.transpose(2, 0, 1) / 255.0)
            ys.append(clean.transpose(2, 0, 1) / 255.0)
        sets[kind] = (torch.tensor(np.stack(xs), dtype=torch.float32),
                      torch.tensor(np.stack(ys), dtype=torch.float32))
    return sets


def check(net, sets):
    net.eval()
    out = {}
    with torch.no_grad():
        for kind, (x, y) in sets.items():
            clean, _ = net(x)
            out[kind] = {"maeBefore": round(float((x - y).abs().mean() * 255), 3),
                         "maeAfter": round(float((clean - y).abs().mean() * 255), 3)}
    net.train()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None, help="shared data folder (default ../shared/data)")
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--steps", type=int, default=20000, help="step budget (the time budget ends first)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-minutes", type=float, default=18.0)
    ap.add_argument("--feature-ckpt", default=os.path.join(RUNS, "lw-siamese-v1.pt"))
    ap.add_argument("--tag", default="lw-declutter-v1")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    random.seed(args.seed), np.random.seed(args.seed), torch.manual_seed(args.seed)
    root = data.resolve_data(args.data)
    t0 = time.time()
    budget = args.max_minutes * 60
    imgs, used = dd.backgrounds(root)
    sampler = dd.DeclutterSampler(imgs, seed=args.seed, size=args.size)
    sets = held_out(root)
    net = DeclutterNet()
    feat = FeatureLoss(args.feature_ckpt) if os.path.exists(args.feature_ckpt) else None
    if feat is None:
        print(f"no {args.feature_ckpt}: training without the feature loss", flush=True)
    win = gaussian_window()
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    print(f"params {count_parameters(net)}, GFLOPs/256^2 {count_gflops(net):.3f}; "
          f"before training: {check(net, sets)}", flush=True)
    step, log, stopped = 0, [], "steps"
    t_train = time.time()
    while step < args.steps:
        elapsed = time.time() - t0
        if elapsed > budget:
            stopped = "time"
            break
        frac = min(1.0, (time.time() - t_train) / max(1.0, budget - (t_train - t0)))
        lr = args.lr * min(1.0, (step + 1) / 50) * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = (torch.from_numpy(a) for a in sampler.batch(args.batch))
        clean, layer = net(x)
        l_pix = truncated_l1(clean, y) + 0.5 * truncated_l1(layer, x - y)
        l_ssim = 1 - ssim(clean, y, win)
        l_feat = feat(clean, y) if feat is not None else clean.sum() * 0
        l_cons = (clean + layer - x).abs().mean()
        loss = l_pix + 0.2 * l_ssim + 0.1 * l_feat + 0.2 * l_cons
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            rec = {"step": step, "s": round(time.time() - t0), "loss": round(loss.item(), 5),
                   "pix": round(l_pix.item(), 5), "ssim": round(l_ssim.item(), 4),
                   "feat": round(l_feat.item(), 4), "cons": round(l_cons.item(), 5), "lr": round(lr, 6)}
            log.append(rec)
            print(json.dumps(rec), flush=True)
        if step % 400 == 0:
            print(f"held-out MAE (0..255): {check(net, sets)}", flush=True)
    final = check(net, sets)
    print(f"final held-out MAE (0..255): {final}", flush=True)
    os.makedirs(RUNS, exist_ok=True)
    torch.save({"state_dict": net.state_dict()}, os.path.join(RUNS, f"{args.tag}.pt"))
    summary = {
        "command": "nice -n 10 /usr/bin/python3 models/training/train_declutter.py --threads 1 "
                   f"--max-minutes {args.max_minutes:g}",
        "seed": args.seed, "steps": step, "batch": args.batch, "crop": args.size, "lr": args.lr,
        "seconds": round(time.time() - t0, 1), "stoppedBy": stopped, "threads": args.threads,
        "featureLoss": os.path.relpath(args.feature_ckpt, HERE) if feat is not None else None,
        "cleanImages": used, "heldOutMae": final, "log": log,
    }
    with open(os.path.join(RUNS, f"{args.tag}.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"saved runs/{args.tag}.pt ({step} steps, {summary['seconds']} s, stopped by {stopped})")


if __name__ == "__main__":
    main()
