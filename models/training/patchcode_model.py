"""lw-patchcode-v1: sliding-window quantised codes for a patch's before/after chip pair (M5).

    backbone   shared-weight 4-stage CNN per date (16/32/48/64 channels, 64x64 -> 4x4), then
               temporal fusion cat(f_after, ReLU(f_after - f_before), ReLU(f_before - f_after))
               -> 1x1 + 3x3 conv to 64 channels: a 4x4 feature map of the change;
    windows    overlapping 2x2 windows at stride 1 on the 4x4 map (3x3 = 9 positions, not a fixed
               split), global average pooling inside each window (= avg_pool2d(2, stride 1));
    code       per window a fully connected layer (shared by the windows, a 1x1 conv) to DIM
               values and a ReLU -> continuous code; iReLU = round and cap at CAP -> integers that
               fit in 4 bits; the patch code is the concatenation, window-major (9 x DIM values).

Training puts a linear multi-label classifier on the concatenated CONTINUOUS code; the app only
uses the integer code.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from model import Stage, conv_bn_relu

DIM = 8
CAP = 15
WINDOW, STRIDE = 2, 1


class PatchCodeNet(nn.Module):
    def __init__(self, n_labels, dim=DIM, widths=(16, 32, 48, 64)):
        super().__init__()
        w = widths
        self.widths, self.dim = widths, dim
        self.stem = nn.Sequential(conv_bn_relu(3, w[0], 3, 2), conv_bn_relu(w[0], w[0]))  # 32
        self.stages = nn.Sequential(Stage(w[0], w[1]), Stage(w[1], w[2]), Stage(w[2], w[3]))  # 4
        self.fuse = nn.Sequential(conv_bn_relu(3 * w[3], w[3], 1), conv_bn_relu(w[3], w[3]))
        self.fc = nn.Conv2d(w[3], dim, 1)
        self.windows = (4 - WINDOW) // STRIDE + 1
        self.classifier = nn.Linear(dim * self.windows**2, n_labels)

    def encode(self, x):
        return self.stages(self.stem(x))

    def continuous(self, before, after):
        f0, f1 = self.encode(before), self.encode(after)
        d = f1 - f0
        fmap = self.fuse(torch.cat([f1, F.relu(d), F.relu(-d)], 1))
        pooled = F.avg_pool2d(fmap, WINDOW, STRIDE)  # GAP of every sliding window
        c = F.relu(self.fc(pooled))  # [N, DIM, 3, 3]
        return c.permute(0, 2, 3, 1).reshape(c.shape[0], -1)  # window-major concatenation

    def forward(self, before, after):
        c = self.continuous(before, after)
        return c, self.classifier(c)


def irelu(c, cap=CAP):
    """Rounding ReLU: negative -> 0, positive -> nearest integer, capped."""
    return torch.clamp(torch.round(c), 0, cap)


class ExportWrapper(nn.Module):
    """What goes into the ONNX file: normalised before/after [N,3,64,64] -> code (integers as
    float32) and the continuous code it was rounded from (for parity checks)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, before, after):
        c = self.net.continuous(before, after)
        return irelu(c), c


def alpha_at(epoch, t1, t2, alpha_f):
    """Scheduled weight of the L2 term: 0 before t1, linear ramp to alpha_f at t2, then constant."""
    if epoch < t1:
        return 0.0
    if epoch >= t2:
        return alpha_f
    return alpha_f * (epoch - t1) / (t2 - t1)
