"""Data for lw-siamese-v1: real labelled pairs, synthetic pairs, augmentation.

Everything is read from the shared data folder (`../shared/data` relative to the repository root,
or `--data`); nothing is copied into the repository.

Real pairs (A = before, B = after, label 255 = changed, 0 = unchanged):
  cd-pairs/levir-samples     11 pairs 256x256 (Google Earth 0.5 m, new buildings)
  cd-pairs/airchange-szada    7 pairs (aerial 1.5 m, new built-up areas / groundwork / tree removal)
  cd-pairs/ombria-s2-flood  624 pairs (Sentinel-2 RGB 10 m, flood) - generic two-date pre-training

Fixed validation split (never trained on): every LEVIR `test_*` pair and AirChange `test_1`.

Synthetic pairs (METHODS.md M4 step 3 applied to change): a clean single-date crop is the `before`;
`after` gets objects pasted with feathered masks (real LEVIR building instances cut from the
training labels, procedural roofs with shadows, bare-earth / groundwork blobs, transplanted
texture), label = feathered alpha > 0.5.  Nuisance changes that are NOT labelled change are then
applied: per-date brightness / contrast / gamma / colour shifts, haze (feathered mask x blurred
reference, added linearly), cloud-shadow darkening, 1-2 px misregistration, noise and blur.
"""
import glob
import os
import sys

import numpy as np
from PIL import Image
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_DATA = os.path.abspath(os.path.join(REPO, "..", "shared", "data"))

# Normalisation applied by the app BEFORE the model: (v/255 - MEAN[c]) / STD[c], RGB order.
# Per-image RGB mean/std over both dates of the real training pairs (LEVIR train/val + AirChange
# train_1..6), rounded to 3 decimals.
MEAN = (0.390, 0.445, 0.376)
STD = (0.200, 0.169, 0.160)

LEVIR = "cd-pairs/levir-samples"
AIRCHANGE = "cd-pairs/airchange-szada"
OMBRIA = "cd-pairs/ombria-s2-flood"

# Single-date rasters used as backgrounds for synthetic pairs (RGB; alpha dropped).
SINGLE_DATE = [
    "geotiff/vhr/dop-rgb.tif",
    "geotiff/vhr/cogeo.tif",
    "geotiff/vhr/dummy_fotomap_small.tif",
    "geotiff/misc/RGB.byte.tif",
]


def resolve_data(path=None):
    root = os.path.abspath(path or DEFAULT_DATA)
    if not os.path.isdir(os.path.join(root, LEVIR)):
        sys.exit(
            f"LandWatch training data not found at {root} (expected {LEVIR} inside it).\n"
            f"Put the shared data folder at ../shared/data relative to the repository root "
            f"or pass --data /path/to/shared/data."
        )
    return root


def is_validation(source, name):
    if source == LEVIR:
        return name.startswith("test_")
    if source == AIRCHANGE:
        return name == "test_1.png"
    return False


def rgb(path):
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.uint8)


def load_pairs(root, source, split):
    """split: 'train' or 'val'. Returns list of dicts {name, a, b, label(bool)}."""
    out = []
    for f in sorted(glob.glob(os.path.join(root, source, "label", "*.png"))):
        n = os.path.basename(f)
        if is_validation(source, n) != (split == "val"):
            continue
        lab = np.asarray(Image.open(f).convert("L"))
        vals = set(np.unique(lab).tolist())
        if not vals <= {0, 255}:
            raise ValueError(f"{f}: unexpected label values {sorted(vals)} (expected 0/255)")
        a = rgb(os.path.join(root, source, "A", n))
        b = rgb(os.path.join(root, source, "B", n))
        assert a.shape == b.shape and a.shape[:2] == lab.shape, f
        out.append({"source": source, "name": n, "a": a, "b": b, "label": lab > 127})
    return out


def validation_files():
    return [f"{LEVIR}/{{A,B,label}}/test_*.png (7 pairs)", f"{AIRCHANGE}/{{A,B,label}}/test_1.png"]


def normalise(x):
    """uint8/float HxWx3 (0..255) -> float32 3xHxW normalised the way the app does it."""
    x = np.asarray(x, np.float32) / 255.0
    x = (x - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


# ----------------------------------------------------------------------------- augmentation


def resize(img, size, nearest=False):
    """img HxW or HxWxC float32/uint8 -> size (h, w)."""
    h, w = size
    if img.dtype == bool:
        im = Image.fromarray(img.astype(np.uint8) * 255)
        return np.asarray(im.resize((w, h), Image.NEAREST)) > 127
    if img.ndim == 3:
        chans = [resize(img[..., c], size, nearest) for c in range(img.shape[2])]
        return np.stack(chans, -1)
    im = Image.fromarray(img.astype(np.float32), mode="F")
    return np.asarray(im.resize((w, h), Image.NEAREST if nearest else Image.BILINEAR), np.float32)


def geo_aug(rng, *arrs):
    k = int(rng.integers(4))
    flip = rng.random() < 0.5
    out = []
    for x in arrs:
        x = np.rot90(x, k, axes=(0, 1))
        if flip:
            x = x[:, ::-1]
        out.append(np.ascontiguousarray(x))
    return out


def photometric(rng, img, strength=1.0):
    """Global brightness / contrast / gamma / per-channel colour shift. img float 0..255."""
    x = img / 255.0
    gain = 1 + strength * rng.uniform(-0.25, 0.25)
    cgain = 1 + strength * rng.uniform(-0.08, 0.08, 3)
    bias = strength * rng.uniform(-0.08, 0.08) + strength * rng.uniform(-0.03, 0.03, 3)
    mean = x.mean()
    contrast = 1 + strength * rng.uniform(-0.25, 0.25)
    x = (x - mean) * contrast + mean
    x = x * gain * cgain + bias
    x = np.clip(x, 0, 1)
    gamma = np.exp(strength * rng.uniform(-0.25, 0.25))
    x = x**gamma
    # saturation
    g = x.mean(-1, keepdims=True)
    x = g + (x - g) * (1 + strength * rng.uniform(-0.3, 0.3))
    return np.clip(x * 255.0, 0, 255)


def smooth_blob(rng, h, w, sigma, thresh):
    n = ndimage.gaussian_filter(rng.standard_normal((h, w)).astype(np.float32), sigma)
    n = (n - n.mean()) / (n.std() + 1e-6)
    return n > thresh


def feather(mask, sigma):
    return np.clip(ndimage.gaussian_filter(mask.astype(np.float32), sigma), 0, 1)


def haze(rng, img):
    """M4 step 3: feathered mask x blurred reference added linearly (unlabelled nuisance)."""
    h, w = img.shape[:2]
    m = feather(smooth_blob(rng, h, w, rng.uniform(8, 20), rng.uniform(-0.5, 1.0)), rng.uniform(6, 16))
    ref = ndimage.gaussian_filter(rng.uniform(0, 1, (h, w)).astype(np.float32), 4)
    ref = (ref - ref.min()) / (ref.max() - ref.min() + 1e-6)
    colour = rng.uniform(190, 250) + rng.uniform(-8, 8, 3)
    a = (m * rng.uniform(0.15, 0.5) * (0.7 + 0.3 * ref))[..., None]
    return img * (1 - a) + colour * a


def cloud_shadow(rng, img):
    h, w = img.shape[:2]
    m = feather(smooth_blob(rng, h, w, rng.uniform(10, 20), rng.uniform(0.0, 1.0)), rng.uniform(5, 12))
    return img * (1 - m[..., None] * rng.uniform(0.15, 0.4))


def shift(img, dy, dx):
    return ndimage.shift(img, (dy, dx, 0), order=1, mode="nearest")


def nuisance(rng, before, after, strength=1.0):
    """Changes that must NOT be labelled: applied per date, independently."""
    before = photometric(rng, before, 0.6 * strength)
    after = photometric(rng, after, strength)
    if rng.random() < 0.25 * strength:
        after = haze(rng, after)
    if rng.random() < 0.1 * strength:
        before = haze(rng, before)
    if rng.random() < 0.15 * strength:
        after = cloud_shadow(rng, after)
    if rng.random() < 0.35 * strength:  # 1-2 px misregistration of the before image
        d = rng.uniform(-2, 2, 2)
        before = shift(before, d[0], d[1])
    if rng.random() < 0.2:
        s = rng.uniform(0.4, 1.0)
        after = ndimage.gaussian_filter(after, (s, s, 0))
    if rng.random() < 0.3:
        after = after + rng.normal(0, rng.uniform(1, 5), after.shape)
    return np.clip(before, 0, 255), np.clip(after, 0, 255)


# ----------------------------------------------------------------------------- synthetic pairs


def extract_buildings(pairs):
    """Building instances (patch of the after image + mask) from labelled LEVIR training pairs."""
    objs = []
    for p in pairs:
        lab, n = ndimage.label(p["label"])
        for i, sl in enumerate(ndimage.find_objects(lab), 1):
            h, w = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
            if h * w < 60 or h > 120 or w > 120:
                continue
            m = lab[sl] == i
            if m.sum() < 50:
                continue
            objs.append((p["b"][sl].astype(np.float32), m))
    return objs


ROOF_COLOURS = np.array(
    [[90, 90, 95], [120, 118, 115], [150, 150, 150], [200, 200, 200], [235, 235, 232],
     [70, 72, 80], [140, 85, 70], [170, 110, 80], [110, 100, 90], [100, 120, 140], [60, 60, 60]],
    np.float32,
)
SOIL_COLOURS = np.array(
    [[180, 160, 130], [160, 140, 110], [200, 185, 160], [140, 120, 95], [205, 200, 190],
     [120, 110, 100], [170, 170, 165]],
    np.float32,
)


def procedural_building(rng):
    """A rotated rectangle or L-shaped roof with a ridge line and texture; returns patch, mask."""
    hh, ww = int(rng.integers(8, 34)), int(rng.integers(10, 44))
    s = int(np.ceil(np.hypot(hh, ww))) + 4
    m = np.zeros((s, s), bool)
    y0, x0 = (s - hh) // 2, (s - ww) // 2
    m[y0 : y0 + hh, x0 : x0 + ww] = True
    if rng.random() < 0.35:  # L shape
        eh, ew = int(rng.integers(4, max(5, hh // 2 + 2))), int(rng.integers(4, max(5, ww // 2 + 2)))
        m[y0 + hh - 1 : min(s, y0 + hh - 1 + eh), x0 : x0 + ew] = True
    col = ROOF_COLOURS[rng.integers(len(ROOF_COLOURS))] * rng.uniform(0.85, 1.15) + rng.uniform(-10, 10, 3)
    patch = np.ones((s, s, 3), np.float32) * col
    # ridge: two roof planes lit differently
    yy, xx = np.mgrid[0:s, 0:s]
    if rng.random() < 0.7:
        side = (yy - (y0 + hh / 2)) > 0 if rng.random() < 0.5 else (xx - (x0 + ww / 2)) > 0
        patch = patch * np.where(side, rng.uniform(0.7, 0.95), 1.0)[..., None]
    patch = patch + ndimage.gaussian_filter(rng.normal(0, rng.uniform(3, 10), (s, s, 3)), (0.7, 0.7, 0))
    # darker outline
    edge = m & ~ndimage.binary_erosion(m)
    patch[edge] *= rng.uniform(0.6, 0.95)
    m = ndimage.rotate(m.astype(np.float32), rng.uniform(0, 180), order=1, reshape=False) > 0.5
    patch = ndimage.rotate(patch, rng.uniform(-2, 2) + 0, axes=(0, 1), order=1, reshape=False, mode="nearest")
    return np.clip(patch, 0, 255), m


def bare_earth(rng, h, w):
    col = SOIL_COLOURS[rng.integers(len(SOIL_COLOURS))] * rng.uniform(0.85, 1.1)
    tex = ndimage.gaussian_filter(rng.normal(0, 1, (h, w)), rng.uniform(0.8, 3)) * rng.uniform(5, 25)
    tracks = ndimage.gaussian_filter(rng.normal(0, 1, (h, w)), (1, 8)) * rng.uniform(0, 20)
    return np.clip(col + (tex + tracks)[..., None], 0, 255).astype(np.float32)


class Synthesiser:
    def __init__(self, backgrounds, buildings):
        self.bgs = backgrounds
        self.buildings = buildings

    def crop_bg(self, rng, size):
        img = self.bgs[rng.integers(len(self.bgs))]
        scale = rng.uniform(0.75, 1.5)
        c = int(min(size / scale, img.shape[0], img.shape[1]))
        y, x = rng.integers(0, img.shape[0] - c + 1), rng.integers(0, img.shape[1] - c + 1)
        crop = img[y : y + c, x : x + c].astype(np.float32)
        if c != size:
            crop = resize(crop, (size, size))
        return geo_aug(rng, crop)[0]

    def paste(self, rng, after, label, patch, mask, shadow=True):
        size = after.shape[0]
        ph, pw = mask.shape
        if ph >= size - 2 or pw >= size - 2:
            return
        y = int(rng.integers(-ph // 3, size - 2 * ph // 3))
        x = int(rng.integers(-pw // 3, size - 2 * pw // 3))
        alpha = np.zeros((size, size), np.float32)
        big = np.zeros((size, size, 3), np.float32)
        ys, xs = slice(max(0, y), min(size, y + ph)), slice(max(0, x), min(size, x + pw))
        pys, pxs = slice(ys.start - y, ys.stop - y), slice(xs.start - x, xs.stop - x)
        alpha[ys, xs] = mask[pys, pxs]
        big[ys, xs] = patch[pys, pxs]
        if alpha.sum() < 20:
            return
        if shadow and rng.random() < 0.8:  # cast shadow, outside the object: not labelled
            d = rng.integers(2, 7, 2) * rng.choice([-1, 1], 2)
            sh = np.roll(alpha > 0.5, tuple(d), (0, 1)) & (alpha < 0.5)
            sh = feather(sh, 0.7) * rng.uniform(0.35, 0.65)
            after *= (1 - sh)[..., None]
        a = feather(alpha > 0.5, rng.uniform(0.4, 1.2))
        after[:] = after * (1 - a[..., None]) + big * a[..., None]
        label |= a > 0.5

    def sample(self, rng, size):
        before = self.crop_bg(rng, size)
        after = before.copy()
        label = np.zeros((size, size), bool)
        kind = rng.random()
        n = 0 if rng.random() < 0.12 else int(rng.integers(1, 9))
        for _ in range(n):
            t = rng.random()
            if t < 0.5 and self.buildings:
                patch, m = self.buildings[rng.integers(len(self.buildings))]
                k = int(rng.integers(4))
                patch, m = np.rot90(patch, k), np.rot90(m, k)
                if rng.random() < 0.5:
                    patch, m = patch[:, ::-1], m[:, ::-1]
                sc = rng.uniform(0.75, 1.3)
                hw = (max(4, int(m.shape[0] * sc)), max(4, int(m.shape[1] * sc)))
                patch, m = resize(np.ascontiguousarray(patch), hw), resize(np.ascontiguousarray(m), hw)
                patch = photometric(rng, patch, 0.5)
                self.paste(rng, after, label, patch, m)
            elif t < 0.85:
                patch, m = procedural_building(rng)
                self.paste(rng, after, label, patch, m)
            else:  # bare earth / groundwork / transplanted texture blob
                s = int(rng.integers(16, size // 2))
                m = smooth_blob(rng, s, s, s / 6, 0.3)
                m &= ndimage.binary_erosion(np.ones_like(m), iterations=2)
                patch = bare_earth(rng, s, s) if rng.random() < 0.6 else self.crop_bg(rng, s)
                self.paste(rng, after, label, patch, m, shadow=False)
        if kind < 0.3:  # demolition / removal: the objects exist only before
            before, after = after, before
        return before, after, label


# ----------------------------------------------------------------------------- sampler


class TrainSampler:
    """Draws augmented training crops; deterministic for a given seed."""

    def __init__(self, root, seed=0, size=128, mix=(0.30, 0.15, 0.50, 0.05), log=print):
        self.rng = np.random.default_rng(seed)
        self.size = size
        self.mix = np.array(mix) / np.sum(mix)
        self.root = root
        self.levir = load_pairs(root, LEVIR, "train")
        self.air = load_pairs(root, AIRCHANGE, "train")
        bgs, used, skipped = [], [], []
        for rel in SINGLE_DATE:
            try:
                img = rgb(os.path.join(root, rel))
                bgs.append(img)
                used.append(rel)
            except Exception as e:  # noqa: BLE001
                skipped.append(f"{rel} ({e})")
        for p in self.levir + self.air:  # each date of a training pair is also single-date imagery
            bgs += [p["a"], p["b"]]
        self.synth = Synthesiser(bgs, extract_buildings(self.levir))
        self.ombria = sorted(glob.glob(os.path.join(root, OMBRIA, "MASK", "*.png")))
        if not self.ombria:
            self.mix[3] = 0
            self.mix /= self.mix.sum()
        self.single_date_used, self.single_date_skipped = used, skipped
        log(
            f"train pairs: LEVIR {[p['name'] for p in self.levir]}, AirChange {[p['name'] for p in self.air]}; "
            f"building instances {len(self.synth.buildings)}; synthetic backgrounds {used} "
            f"(+ both dates of every training pair); skipped {skipped}; OMBRIA pairs {len(self.ombria)}"
        )
        allp = self.levir + self.air
        self.changed_fraction = float(
            sum(p["label"].sum() for p in allp) / sum(p["label"].size for p in allp)
        )

    def real(self, pairs, scale_range, focus=0.7):
        rng, size = self.rng, self.size
        p = pairs[rng.integers(len(pairs))]
        h, w = p["label"].shape
        scale = rng.uniform(*scale_range)
        c = int(min(round(size / scale), h, w))
        if rng.random() < focus and p["label"].any():
            ys, xs = np.nonzero(p["label"])
            i = rng.integers(len(ys))
            y = int(np.clip(ys[i] - rng.integers(c), 0, h - c))
            x = int(np.clip(xs[i] - rng.integers(c), 0, w - c))
        else:
            y, x = int(rng.integers(0, h - c + 1)), int(rng.integers(0, w - c + 1))
        a = p["a"][y : y + c, x : x + c].astype(np.float32)
        b = p["b"][y : y + c, x : x + c].astype(np.float32)
        lab = p["label"][y : y + c, x : x + c]
        if c != size:
            a, b, lab = resize(a, (size, size)), resize(b, (size, size)), resize(lab, (size, size))
        return a, b, lab

    def ombria_pair(self):
        rng, size = self.rng, self.size
        f = self.ombria[rng.integers(len(self.ombria))]
        n = os.path.basename(f).replace("S2_mask_", "")
        a = rgb(os.path.join(self.root, OMBRIA, "BEFORE", "S2_before_" + n)).astype(np.float32)
        b = rgb(os.path.join(self.root, OMBRIA, "AFTER", "S2_after_" + n)).astype(np.float32)
        lab = np.asarray(Image.open(f).convert("L")) > 127
        h, w = lab.shape
        y, x = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
        return a[y : y + size, x : x + size], b[y : y + size, x : x + size], lab[y : y + size, x : x + size]

    def one(self):
        rng = self.rng
        k = rng.choice(4, p=self.mix)
        if k == 0:
            a, b, lab = self.real(self.levir, (0.75, 1.35))
            strength = 0.6
        elif k == 1:
            a, b, lab = self.real(self.air, (1.2, 2.2))  # 1.5 m -> closer to LEVIR's 0.5 m
            strength = 0.4
        elif k == 2:
            a, b, lab = self.synth.sample(rng, self.size)
            strength = 1.0
        else:
            a, b, lab = self.ombria_pair()
            strength = 0.3
        a, b, lab = geo_aug(rng, a, b, lab)
        if k != 2 and rng.random() < 0.2:  # date swap: new building <-> demolition, still change
            a, b = b, a
        a, b = nuisance(rng, a, b, strength)
        return normalise(a), normalise(b), lab.astype(np.int64)

    def batch(self, n):
        items = [self.one() for _ in range(n)]
        return tuple(np.stack(x) for x in zip(*items))
