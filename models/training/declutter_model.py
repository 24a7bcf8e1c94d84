"""LandWatch interference-removal network (lw-declutter-v1), METHODS.md M4 step 1.

Runs on the coarse level of a Laplacian pyramid (M4 step 2): the app feeds it each date's tile
reduced to about 64 px a side, so the network is small and sees large smooth interference (haze,
thin cloud, cloud shadow) as it looks at that scale.

* one encoder; its stride-2 stages are ResNeXt-style blocks with **grouped** 3x3 convolutions
  (1x1 expand, grouped 3x3 with 4 groups, 1x1 project, residual): widths 16 (1/1), 32 (1/2),
  48 (1/4), 64 (1/8);
* a **pyramid-pooling module** (PSP) on the deepest features: average pooling to 1x1, 2x2, 4x4,
  1x1 conv each, upsampled back, concatenated with the input and fused by a 1x1 conv;
* **multi-scale feature selection** on the skips: for each decoder level every encoder scale is
  resized to that level and projected by a 1x1 conv; a softmax over the scales (weights from the
  global average of their sum, SK-style, so the mix is learned and adapts to the image) weighs
  them; the weighted sum is the skip that both decoders concatenate;
* **two decoders** with the same shape: decoder 1 -> the clean background image, decoder 2 -> the
  interference layer. Decoder 1 predicts a correction added to the input (clean = input + d1, so
  a clean input passes through untouched - the "no damage to the background" goal of M4), decoder
  2 predicts the signed layer (input - clean: positive under haze and cloud, negative under
  shadow). Both see the same encoder and skips, so what one explains the other need not.
* **gated convolutions** (out = ELU(conv_f x) * sigmoid(conv_g x)) only in decoder 2, at 1/4 and
  1/2: the layer is zero over most of the image, and a gate lets the decoder switch itself off
  there. Decoder 1 and decoder 2's full-resolution block use plain convs: a gate doubles a conv's
  cost, and at full resolution that conv is the most expensive one. (A design choice, not
  ablated: there was no time for a second training run.)

Every resampling uses explicit target sizes, so any H, W works; the app pads to a multiple of 8.
Input `image` [N,3,H,W] RGB in 0..1; outputs `clean` [N,3,H,W] (clamped to 0..1) and `layer`.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTHS = (16, 32, 48, 64)


def cbr(cin, cout, k=3, s=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class GroupedStage(nn.Module):
    """Stride-2 ResNeXt block: 1x1 -> grouped 3x3 (stride 2) -> 1x1, plus a strided 1x1 shortcut."""

    def __init__(self, cin, cout, groups=4):
        super().__init__()
        mid = cout
        self.body = nn.Sequential(
            cbr(cin, mid, 1),
            cbr(mid, mid, 3, 2, groups=groups),
            nn.Conv2d(mid, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        )
        self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, 2, bias=False), nn.BatchNorm2d(cout))
        self.refine = cbr(cout, cout, 3, groups=groups)

    def forward(self, x):
        y = F.relu(self.body(x) + self.short(x))
        return y + self.refine(y)


class PyramidPooling(nn.Module):
    """PSP module: context pooled over the whole map and over 4x4 and 2x2 cells, each 1x1-projected,
    upsampled back and fused with the input. Cells are fixed-size average pools (not adaptive
    pooling), so the ONNX graph keeps dynamic H, W; at the app's ~64 px input the deepest map is
    ~8x8, so the cells give 2x2 and 4x4 grids, as PSP's bins would."""

    def __init__(self, c, cells=(0, 4, 2)):
        super().__init__()
        self.cells = cells  # 0 = global mean
        self.proj = nn.ModuleList([nn.Sequential(nn.Conv2d(c, c // 4, 1), nn.ReLU()) for _ in cells])
        self.fuse = cbr(c + len(cells) * (c // 4), c, 1)

    def forward(self, x):
        h, w = x.shape[-2:]
        outs = [x]
        for k, p in zip(self.cells, self.proj):
            if k == 0:
                pooled = x.mean(dim=(2, 3), keepdim=True)
            else:
                pooled = F.avg_pool2d(x, k, k, ceil_mode=True, count_include_pad=False)
            outs.append(F.interpolate(p(pooled), size=(h, w), mode="bilinear", align_corners=False))
        return self.fuse(torch.cat(outs, 1))


class FeatureSelect(nn.Module):
    """Multi-scale feature selection: softmax-weighted sum of all encoder scales at one level."""

    def __init__(self, widths, cout):
        super().__init__()
        self.proj = nn.ModuleList([nn.Conv2d(c, cout, 1, bias=False) for c in widths])
        self.fc = nn.Sequential(nn.Linear(cout, max(8, cout // 4)), nn.ReLU(),
                                nn.Linear(max(8, cout // 4), len(widths)))
        self.norm = nn.BatchNorm2d(cout)

    def forward(self, feats, ref):
        size = ref.shape[-2:]
        xs = [F.interpolate(p(f), size=size, mode="bilinear", align_corners=False)
              for p, f in zip(self.proj, feats)]
        stack = torch.stack(xs, 1)  # N,S,C,H,W
        w = torch.softmax(self.fc(stack.sum(1).mean(dim=(2, 3))), dim=1)  # N,S
        return F.relu(self.norm((stack * w[:, :, None, None, None]).sum(1)))


class GatedConv(nn.Module):
    """Gated convolution: ELU(features) * sigmoid(gate)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.f = nn.Conv2d(cin, cout, 3, 1, 1)
        self.g = nn.Conv2d(cin, cout, 3, 1, 1)

    def forward(self, x):
        return F.elu(self.f(x)) * torch.sigmoid(self.g(x))


class Decoder(nn.Module):
    """Upsample, concatenate the selected skip, conv; at 1/4, 1/2 and 1/1 (where the input image is
    concatenated too). `gated`: gated convs at 1/4 and 1/2 only - there the gate decides where the
    layer exists; at full resolution it would double the most expensive conv for a mask the coarse
    gates already drew."""

    def __init__(self, deep_c, skip_c, dec_c, gated):
        super().__init__()
        cins = [deep_c + skip_c[0], dec_c[0] + skip_c[1], dec_c[1] + skip_c[2] + 3]
        self.blocks = nn.ModuleList([
            GatedConv(cin, cout) if gated and i < 2 else cbr(cin, cout)
            for i, (cin, cout) in enumerate(zip(cins, dec_c))
        ])
        self.out = nn.Conv2d(dec_c[-1], 3, 3, 1, 1)

    def forward(self, deep, skips, image):
        x = deep
        for i, (blk, s) in enumerate(zip(self.blocks, skips)):
            x = F.interpolate(x, size=s.shape[-2:], mode="bilinear", align_corners=False)
            parts = [x, s] + ([image] if i == len(self.blocks) - 1 else [])
            x = blk(torch.cat(parts, 1))
        return self.out(x)


class DeclutterNet(nn.Module):
    def __init__(self, widths=WIDTHS, skip=(24, 16, 12), dec=(32, 24, 16)):
        super().__init__()
        w = widths
        self.stem = nn.Sequential(cbr(3, w[0]), cbr(w[0], w[0]))  # 1/1
        self.e1 = GroupedStage(w[0], w[1])  # 1/2
        self.e2 = GroupedStage(w[1], w[2])  # 1/4
        self.e3 = GroupedStage(w[2], w[3])  # 1/8
        self.ppm = PyramidPooling(w[3])
        self.select = nn.ModuleList([FeatureSelect(w, c) for c in skip])
        self.dec_clean = Decoder(w[3], skip, dec, gated=False)
        self.dec_layer = Decoder(w[3], skip, dec, gated=True)
        # Decoder 1 starts as the identity (clean = input): training moves away from leaving the
        # image alone only where the losses ask for it.
        nn.init.zeros_(self.dec_clean.out.weight)
        nn.init.zeros_(self.dec_clean.out.bias)

    def forward(self, image):
        f0 = self.stem(image)
        f1 = self.e1(f0)
        f2 = self.e2(f1)
        f3 = self.ppm(self.e3(f2))
        feats = [f0, f1, f2, f3]
        skips = [sel(feats, ref) for sel, ref in zip(self.select, (f2, f1, f0))]
        clean = torch.clamp(image + self.dec_clean(f3, skips, image), 0, 1)
        layer = torch.tanh(self.dec_layer(f3, skips, image))
        return clean, layer


def count_parameters(m):
    return sum(p.numel() for p in m.parameters())


def count_gflops(m, h=256, w=256):
    """2 x multiply-accumulates of every conv and linear layer for one h x w image."""
    macs = [0]

    def conv_hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1] * (mod.in_channels // mod.groups)
        macs[0] += out.numel() * k

    def lin_hook(mod, inp, out):
        macs[0] += out.numel() * mod.in_features

    hs = [x.register_forward_hook(conv_hook) for x in m.modules() if isinstance(x, nn.Conv2d)]
    hs += [x.register_forward_hook(lin_hook) for x in m.modules() if isinstance(x, nn.Linear)]
    was = m.training
    m.eval()
    with torch.no_grad():
        m(torch.zeros(1, 3, h, w))
    m.train(was)
    for x in hs:
        x.remove()
    return 2 * macs[0] / 1e9
