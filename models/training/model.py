"""LandWatch Siamese change model (lw-siamese-v1).

Follows METHODS.md M1/M2, scaled down to run on a CPU:

* one shared-weight (Siamese) encoder gives a feature pyramid for each date at 1/2, 1/4, 1/8, 1/16
  and 1/32 of the input resolution;
* temporal fusion (M2 "MTF") at 1/4 .. 1/32:
      appear    = conv3x3(ReLU(f1 - f0))      (present only after: new construction)
      disappear = conv3x3(ReLU(f0 - f1))      (present only before: demolition)
      exchange  = conv3x3(|f0 - f1|)
      fused     = f0 + f1 + appear + disappear + exchange
  (appear and disappear do NOT share weights: with shared weights their sum would equal exchange);
* spatial fusion (M2 "MSF", FPN style): 1x1 conv to `fpn` channels at every scale, top-down
  bilinear upsampling + add, 3x3 conv on each level, upsample all to 1/4, concatenate, 1x1 conv;
* FCN head (M2 step 4): 3x3 conv reducing channels, then, as in M1 step 4, one extra refinement at
  1/2 resolution that adds |f0 - f1| of the stem (sharper building outlines), 1x1 conv to 2 classes,
  bilinear x2 upsampling.  `forward` returns logits; `ExportWrapper` applies softmax in the graph
  and returns P(changed) as [N,1,H,W].

Every resampling uses explicit target sizes, so any H, W that is a multiple of 16 works (odd sizes
at 1/32 included).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn_relu(cin, cout, k=3, s=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, s, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class Stage(nn.Module):
    """Stride-2 conv, then a residual 3x3 conv."""

    def __init__(self, cin, cout):
        super().__init__()
        self.down = conv_bn_relu(cin, cout, 3, 2)
        self.conv = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        x = self.down(x)
        return F.relu(x + self.conv(x))


class Encoder(nn.Module):
    def __init__(self, widths=(16, 24, 40, 64, 96)):
        super().__init__()
        w = widths
        self.stem = nn.Sequential(conv_bn_relu(3, w[0], 3, 2), conv_bn_relu(w[0], w[0]))  # 1/2
        self.s1 = Stage(w[0], w[1])  # 1/4
        self.s2 = Stage(w[1], w[2])  # 1/8
        self.s3 = Stage(w[2], w[3])  # 1/16
        self.s4 = Stage(w[3], w[4])  # 1/32

    def forward(self, x):
        c0 = self.stem(x)
        c1 = self.s1(c0)
        c2 = self.s2(c1)
        c3 = self.s3(c2)
        c4 = self.s4(c3)
        return [c0, c1, c2, c3, c4]


class TemporalFusion(nn.Module):
    """M2 MTF: fused = f0 + f1 + appear + disappear + exchange."""

    def __init__(self, c):
        super().__init__()
        self.appear = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))
        self.disappear = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))
        self.exchange = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, f0, f1):
        d = f1 - f0
        a = self.appear(F.relu(d))
        g = self.disappear(F.relu(-d))
        e = self.exchange(torch.abs(d))
        return f0 + f1 + a + g + e


def up_to(x, ref):
    return F.interpolate(x, size=ref.shape[-2:], mode="bilinear", align_corners=False)


class SiameseChangeNet(nn.Module):
    def __init__(self, widths=(16, 24, 40, 64, 96), fpn=48, fuse=96, head=24):
        super().__init__()
        self.widths = widths
        self.encoder = Encoder(widths)
        self.mtf = nn.ModuleList([TemporalFusion(c) for c in widths[1:]])
        self.lateral = nn.ModuleList([nn.Conv2d(c, fpn, 1) for c in widths[1:]])
        self.smooth = nn.ModuleList([conv_bn_relu(fpn, fpn) for _ in widths[1:]])
        self.fuse = conv_bn_relu(fpn * len(widths[1:]), fuse, 1)
        self.head = conv_bn_relu(fuse, head)  # 3x3, channels reduced 4x
        self.stem_diff = nn.Conv2d(widths[0], head, 1)
        self.refine = conv_bn_relu(head, 16)
        self.classifier = nn.Conv2d(16, 2, 1)

    def forward(self, before, after):
        p0 = self.encoder(before)
        p1 = self.encoder(after)
        fused = [m(a, b) for m, a, b in zip(self.mtf, p0[1:], p1[1:])]
        lat = [l(f) for l, f in zip(self.lateral, fused)]
        # top-down: coarse to fine
        for i in range(len(lat) - 2, -1, -1):
            lat[i] = lat[i] + up_to(lat[i + 1], lat[i])
        outs = [s(x) for s, x in zip(self.smooth, lat)]
        outs = [outs[0]] + [up_to(o, outs[0]) for o in outs[1:]]
        x = self.fuse(torch.cat(outs, 1))
        x = self.head(x)  # 1/4
        x = up_to(x, p0[0])  # 1/2
        x = x + self.stem_diff(torch.abs(p1[0] - p0[0]))
        x = self.refine(x)
        x = self.classifier(x)
        return F.interpolate(x, size=before.shape[-2:], mode="bilinear", align_corners=False)


class ExportWrapper(nn.Module):
    """What goes into the ONNX file: normalised before/after -> prob [N,1,H,W]."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, before, after):
        logits = self.net(before, after)
        return torch.softmax(logits, dim=1)[:, 1:2]


def count_parameters(m):
    return sum(p.numel() for p in m.parameters())


def count_gflops(m, h=256, w=256):
    """2 x multiply-accumulates of every conv for one before/after pair of h x w."""
    macs = [0]

    def hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1] * (mod.in_channels // mod.groups)
        macs[0] += out.numel() * k

    hs = [x.register_forward_hook(hook) for x in m.modules() if isinstance(x, nn.Conv2d)]
    was = m.training
    m.eval()
    with torch.no_grad():
        m(torch.zeros(1, 3, h, w), torch.zeros(1, 3, h, w))
    m.train(was)
    for x in hs:
        x.remove()
    return 2 * macs[0] / 1e9



# ============================================================================ lw-siamese-v2
#
# v2 = v1's shared encoder, MTF and FPN (same shapes: v1 weights load into it) plus
#  * a balanced feature pyramid (METHODS.md M3 step 1) on the FPN outputs: every level is rescaled
#    to 1/8 (average pooling down, bilinear up), the levels are averaged, the average is refined by
#    a 3x3 conv (BN gamma initialised to 0, so a warm-started v2 starts out exactly as v1), rescaled
#    back to every level and added to it;
#  * a change-kind head fed by the appear and disappear branches of every scale (1x1 projections,
#    upsampled to 1/4 and summed) together with the decoder's 1/4 features: 3 classes
#    (0 new construction, 1 demolition, 2 other change).


class TemporalFusionV2(TemporalFusion):
    """Same weights as v1's TemporalFusion; also returns the appear / disappear maps."""

    def forward(self, f0, f1):
        d = f1 - f0
        a = self.appear(F.relu(d))
        g = self.disappear(F.relu(-d))
        e = self.exchange(torch.abs(d))
        return f0 + f1 + a + g + e, a, g


class BalancedPyramid(nn.Module):
    """M3 step 1: rescale all levels to one resolution, average, refine, rescale back, add."""

    def __init__(self, c, gather=1):
        super().__init__()
        self.gather = gather  # index of the level whose resolution is used (1 -> 1/8)
        self.refine = nn.Sequential(
            nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True),
            nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c),
        )
        nn.init.zeros_(self.refine[4].weight)  # residual starts at 0: warm start == v1

    def forward(self, feats):
        """feats: FPN levels, each half the resolution of the previous one (H, W multiples of 32
        make every factor exact). Down: average pooling by the static factor; up: bilinear."""
        g = self.gather
        ref = feats[g]

        def to_gather(i, f):
            if i < g:
                return F.avg_pool2d(f, 2 ** (g - i))
            return f if i == g else up_to(f, ref)

        avg = sum(to_gather(i, f) for i, f in enumerate(feats)) / len(feats)
        r = self.refine(avg)
        out = []
        for i, f in enumerate(feats):
            if i < g:
                out.append(f + up_to(r, f))
            elif i == g:
                out.append(f + r)
            else:
                out.append(f + F.avg_pool2d(r, 2 ** (i - g)))
        return out


class ChangeNetV2(nn.Module):
    KINDS = ("new construction", "demolition", "other change")

    def __init__(self, widths=(16, 24, 40, 64, 96), fpn=48, fuse=96, head=24, kind_ch=8):
        super().__init__()
        self.widths = widths
        self.encoder = Encoder(widths)
        self.mtf = nn.ModuleList([TemporalFusionV2(c) for c in widths[1:]])
        self.lateral = nn.ModuleList([nn.Conv2d(c, fpn, 1) for c in widths[1:]])
        self.smooth = nn.ModuleList([conv_bn_relu(fpn, fpn) for _ in widths[1:]])
        self.bfp = BalancedPyramid(fpn)
        self.fuse = conv_bn_relu(fpn * len(widths[1:]), fuse, 1)
        self.head = conv_bn_relu(fuse, head)
        self.stem_diff = nn.Conv2d(widths[0], head, 1)
        self.refine = conv_bn_relu(head, 16)
        self.classifier = nn.Conv2d(16, 2, 1)
        # change kind from the appear / disappear branches
        self.kind_appear = nn.ModuleList([nn.Conv2d(c, kind_ch, 1) for c in widths[1:]])
        self.kind_disappear = nn.ModuleList([nn.Conv2d(c, kind_ch, 1) for c in widths[1:]])
        self.kind_head = nn.Sequential(conv_bn_relu(2 * kind_ch + head, 16), nn.Conv2d(16, 3, 1))

    def forward(self, before, after):
        """Returns (change logits [N,2,H,W], kind logits [N,3,H,W])."""
        p0 = self.encoder(before)
        p1 = self.encoder(after)
        fused, appear, disappear = zip(*[m(a, b) for m, a, b in zip(self.mtf, p0[1:], p1[1:])])
        lat = [l(f) for l, f in zip(self.lateral, fused)]
        for i in range(len(lat) - 2, -1, -1):
            lat[i] = lat[i] + up_to(lat[i + 1], lat[i])
        outs = [s(x) for s, x in zip(self.smooth, lat)]
        outs = self.bfp(outs)
        q = outs[0]
        outs = [q] + [up_to(o, q) for o in outs[1:]]
        x = self.fuse(torch.cat(outs, 1))
        h4 = self.head(x)  # 1/4
        # kind: appear / disappear evidence of every scale, summed at 1/4
        ka = sum(up_to(c(a), q) for c, a in zip(self.kind_appear, appear))
        kd = sum(up_to(c(g), q) for c, g in zip(self.kind_disappear, disappear))
        kind = self.kind_head(torch.cat([ka, kd, h4], 1))
        x = up_to(h4, p0[0])  # 1/2
        x = x + self.stem_diff(torch.abs(p1[0] - p0[0]))
        x = self.refine(x)
        x = self.classifier(x)
        size = before.shape[-2:]
        return (F.interpolate(x, size=size, mode="bilinear", align_corners=False),
                F.interpolate(kind, size=size, mode="bilinear", align_corners=False))

    def load_v1(self, state_dict):
        """Copies every v1 tensor whose name and shape match; returns (copied, total v2 tensors)."""
        own = self.state_dict()
        n = 0
        for k, v in state_dict.items():
            if k in own and own[k].shape == v.shape:
                own[k].copy_(v)
                n += 1
        return n, len(own)


class ExportWrapperV2(nn.Module):
    """ONNX graph: normalised before/after -> prob [N,1,H,W] = P(changed), kind [N,3,H,W] softmax
    over (new construction, demolition, other change)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, before, after):
        logits, kind = self.net(before, after)
        return torch.softmax(logits, dim=1)[:, 1:2], torch.softmax(kind, dim=1)


count_gflops_v2 = count_gflops  # counts every Conv2d of whatever net it is given


if __name__ == "__main__":
    net = SiameseChangeNet()
    print("v1 parameters", count_parameters(net), "GFLOPs/256 pair", round(count_gflops(net), 3))
    net2 = ChangeNetV2()
    print("v2 parameters", count_parameters(net2), "GFLOPs/256 pair", round(count_gflops_v2(net2), 3))
