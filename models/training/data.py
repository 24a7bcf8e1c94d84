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


def match_after(before, after):
    """The app's radiometric matching (electron/engine/raster/radiometry.ts `matchBand`, on by
    default): the after date mapped band by band, linearly, onto the before date's median and 10-90 %
    spread (nearest-rank percentiles, no clipping). Returns float32 HxWx3."""
    out = np.asarray(after, np.float32).copy()
    for c in range(out.shape[2]):
        f = np.quantile(out[..., c], (0.1, 0.5, 0.9), method="nearest")
        t = np.quantile(np.asarray(before[..., c], np.float32), (0.1, 0.5, 0.9), method="nearest")
        if f[2] - f[0] <= 0 or t[2] - t[0] <= 0:
            continue
        gain = (t[2] - t[0]) / (f[2] - f[0])
        out[..., c] = out[..., c] * gain + (t[1] - gain * f[1])
    return out


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


# ============================================================================ lw-siamese-v2 data
#
# Change kinds (the `kind` output): 0 new construction, 1 demolition, 2 other change;
# IGNORE_KIND where a labelled change has no known kind (AirChange mixes new built-up area,
# groundwork and tree removal) and everywhere outside the change mask.
NEW, DEMOLISHED, OTHER, IGNORE_KIND = 0, 1, 2, 255


def smooth_field(rng, h, w, sigma, amp):
    """A smooth random field in [-amp, amp] (low-frequency illumination / seasonal patterns)."""
    gh, gw = max(2, int(round(h / sigma)) + 1), max(2, int(round(w / sigma)) + 1)
    n = rng.standard_normal((gh, gw)).astype(np.float32)  # coarse grid, smoothly up-sampled
    n = ndimage.zoom(n, ((h + 0.5) / gh, (w + 0.5) / gw), order=3, mode="nearest")[:h, :w]
    n /= np.abs(n).max() + 1e-6
    return n * amp


def seasonal(rng, img):
    """Vegetation changes colour (green <-> yellow/brown), smoothly varying in space: NOT change."""
    h, w = img.shape[:2]
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    veg = np.clip((g - np.maximum(r, b)) / 25.0 + 0.3, 0, 1) * np.clip((200 - img.mean(-1)) / 60, 0, 1)
    amount = np.clip(0.5 + smooth_field(rng, h, w, rng.uniform(10, 30), 0.5), 0, 1) * rng.uniform(0.3, 1.0)
    target = np.array([rng.uniform(0.9, 1.25), rng.uniform(0.8, 1.0), rng.uniform(0.55, 0.85)], np.float32)
    if rng.random() < 0.4:  # greener instead (spring)
        target = np.array([rng.uniform(0.75, 0.95), rng.uniform(1.0, 1.15), rng.uniform(0.8, 1.0)], np.float32)
    a = (veg * amount)[..., None]
    return img * (1 - a) + img * target * a


def illumination(rng, img):
    """Low-frequency multiplicative illumination gradient (sun angle, vignetting, BRDF)."""
    h, w = img.shape[:2]
    f = 1 + smooth_field(rng, h, w, rng.uniform(20, 60), rng.uniform(0.05, 0.18))
    return img * f[..., None]


def small_shadows(rng, img, n=None):
    """Shadows of unchanged objects (trees, buildings) that lengthen / move: multiplicative
    darkening of a few feathered shapes, texture kept. NOT change."""
    h, w = img.shape[:2]
    m = np.zeros((h, w), np.float32)
    for _ in range(n if n is not None else int(rng.integers(1, 6))):
        sh, sw = int(rng.integers(3, 14)), int(rng.integers(6, 30))
        if rng.random() < 0.5:
            sh, sw = sw, sh
        y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
        m[y : y + sh, x : x + sw] = 1
    m = feather(m > 0, rng.uniform(0.6, 1.5))
    return img * (1 - m[..., None] * rng.uniform(0.3, 0.6))


def elastic(rng, img, amp):
    """Smooth sub-pixel to few-pixel warp (misregistration that varies across the image, relief)."""
    h, w = img.shape[:2]
    dy = smooth_field(rng, h, w, rng.uniform(12, 30), amp)
    dx = smooth_field(rng, h, w, rng.uniform(12, 30), amp)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    out = [ndimage.map_coordinates(img[..., c], [yy + dy, xx + dx], order=1, mode="nearest") for c in range(img.shape[2])]
    return np.stack(out, -1)


def resample_blur(rng, img):
    """A date imaged at lower resolution: down-sample and up-sample again."""
    h, w = img.shape[:2]
    f = rng.uniform(1.3, 2.0)
    small = resize(img, (max(8, int(h / f)), max(8, int(w / f))))
    return resize(small, (h, w))


def nuisance_v2(rng, before, after, strength=1.0):
    """Changes that must NOT be detected, applied to each date independently: radiometric /
    seasonal shifts, illumination gradients, haze, cloud shadow, moved shadows, 1-3 px rigid and
    smooth misregistration, resolution / blur / noise differences."""
    before = photometric(rng, before, 0.6 * strength)
    after = photometric(rng, after, strength)
    for img_is_after in (False, True):
        img = after if img_is_after else before
        s = strength * (1.0 if img_is_after else 0.6)
        if rng.random() < 0.35 * s:
            img = seasonal(rng, img)
        if rng.random() < 0.35 * s:
            img = illumination(rng, img)
        if rng.random() < 0.2 * s:
            img = haze(rng, img)
        if rng.random() < 0.12 * s:
            img = cloud_shadow(rng, img)
        if rng.random() < 0.3 * s:
            img = small_shadows(rng, img)
        if rng.random() < 0.12:
            img = resample_blur(rng, img)
        elif rng.random() < 0.15:
            sg = rng.uniform(0.4, 1.0)
            img = ndimage.gaussian_filter(img, (sg, sg, 0))
        if rng.random() < 0.3:
            img = img + rng.normal(0, rng.uniform(1, 5), img.shape)
        if img_is_after:
            after = img
        else:
            before = img
    if rng.random() < 0.45 * strength:  # 1-3 px rigid misregistration of the before image
        d = rng.uniform(-3, 3, 2) if rng.random() < 0.5 else rng.uniform(-1.5, 1.5, 2)
        before = shift(before, d[0], d[1])
    if rng.random() < 0.2 * strength:  # smooth, spatially varying misregistration
        before = elastic(rng, before, rng.uniform(0.7, 2.0))
    return np.clip(before, 0, 255), np.clip(after, 0, 255)


def rubble(rng, h, w):
    """What a demolished footprint looks like afterwards: soil / slab / debris texture."""
    base = bare_earth(rng, h, w)
    if rng.random() < 0.4:  # concrete slab
        base = base * 0.3 + rng.uniform(150, 210) * 0.7
    speck = (rng.random((h, w)) < rng.uniform(0, 0.08))[..., None] * rng.uniform(-60, 60)
    return np.clip(base + speck, 0, 255).astype(np.float32)


class SynthesiserV2(Synthesiser):
    """M4 step 3 synthesis (feathered mask, blurred reference, linear blend) for change pairs with
    kind labels: new structures (after only), demolition (before only; the footprint becomes
    soil / slab / debris), bare earth / groundwork / transplanted texture ("other change"), and
    unchanged structures present in BOTH dates with their own shadows (not change)."""

    def building(self, rng):
        if rng.random() < 0.55 and self.buildings:
            patch, m = self.buildings[rng.integers(len(self.buildings))]
            k = int(rng.integers(4))
            patch, m = np.rot90(patch, k), np.rot90(m, k)
            if rng.random() < 0.5:
                patch, m = patch[:, ::-1], m[:, ::-1]
            sc = rng.uniform(0.7, 1.35)
            hw = (max(4, int(m.shape[0] * sc)), max(4, int(m.shape[1] * sc)))
            patch, m = resize(np.ascontiguousarray(patch), hw), resize(np.ascontiguousarray(m), hw)
            return photometric(rng, patch, 0.5), m
        return procedural_building(rng)

    def place(self, rng, size, mask):
        ph, pw = mask.shape
        if ph >= size - 2 or pw >= size - 2:
            return None
        y = int(rng.integers(-ph // 4, size - 3 * ph // 4))
        x = int(rng.integers(-pw // 4, size - 3 * pw // 4))
        alpha = np.zeros((size, size), bool)
        ys, xs = slice(max(0, y), min(size, y + ph)), slice(max(0, x), min(size, x + pw))
        pys, pxs = slice(ys.start - y, ys.stop - y), slice(xs.start - x, xs.stop - x)
        alpha[ys, xs] = mask[pys, pxs]
        if alpha.sum() < 20:
            return None
        return (ys, xs, pys, pxs), alpha

    def blend(self, rng, img, patch, where, alpha, shadow=None):
        size = img.shape[0]
        big = np.zeros((size, size, 3), np.float32)
        ys, xs, pys, pxs = where
        big[ys, xs] = patch[pys, pxs]
        if shadow is not None:  # cast shadow outside the object (d, darkness)
            d, dark = shadow
            sh = np.roll(alpha, tuple(d), (0, 1)) & ~alpha
            img *= (1 - feather(sh, 0.7) * dark)[..., None]
        a = feather(alpha, rng.uniform(0.4, 1.2))
        img[:] = img * (1 - a[..., None]) + big * a[..., None]
        return a > 0.5

    def sample_v2(self, rng, size):
        before = self.crop_bg(rng, size)
        after = before.copy()
        label = np.zeros((size, size), bool)
        kind = np.full((size, size), IGNORE_KIND, np.uint8)
        sun = rng.integers(2, 7, 2) * rng.choice([-1, 1], 2)  # shadow offset of this scene
        # unchanged structures: in both dates, each date with its own shadow length / darkness
        for _ in range(int(rng.integers(0, 4)) if rng.random() < 0.5 else 0):
            patch, m = self.building(rng)
            pl = self.place(rng, size, m)
            if pl is None:
                continue
            sun_b = np.clip(sun + rng.integers(-2, 3, 2), -8, 8)
            p2 = photometric(rng, patch, 0.3)
            self.blend(rng, before, patch, pl[0], pl[1], (sun_b, rng.uniform(0.3, 0.6)))
            self.blend(rng, after, p2, pl[0], pl[1], (sun, rng.uniform(0.3, 0.6)))
        n = 0 if rng.random() < 0.12 else int(rng.integers(1, 9))
        for _ in range(n):
            t = rng.random()
            if t < 0.45:  # new construction, sometimes on a freshly cleared site
                patch, m = self.building(rng)
                pl = self.place(rng, size, m)
                if pl is None:
                    continue
                if rng.random() < 0.3:
                    site = ndimage.binary_dilation(pl[1], iterations=int(rng.integers(2, 6)))
                    soil = bare_earth(rng, size, size)
                    a = feather(site, 1.0)[..., None]
                    after[:] = after * (1 - a) + soil * a
                lab = self.blend(rng, after, patch, pl[0], pl[1], (sun, rng.uniform(0.35, 0.65)))
                label |= lab
                kind[lab] = NEW
            elif t < 0.7:  # demolition: the building exists before, soil / slab / debris after
                patch, m = self.building(rng)
                pl = self.place(rng, size, m)
                if pl is None:
                    continue
                lab = self.blend(rng, before, patch, pl[0], pl[1], (sun, rng.uniform(0.35, 0.65)))
                if rng.random() < 0.7:
                    site = ndimage.binary_dilation(pl[1], iterations=int(rng.integers(0, 3)) or 1)
                    a = feather(site, rng.uniform(0.6, 1.5))[..., None]
                    after[:] = after * (1 - a) + rubble(rng, size, size) * a
                label |= lab
                kind[lab] = DEMOLISHED
            else:  # other change: bare earth / groundwork / transplanted texture
                s = int(rng.integers(16, size // 2))
                m = smooth_blob(rng, s, s, s / 6, 0.3)
                m &= ndimage.binary_erosion(np.ones_like(m), iterations=2)
                patch = bare_earth(rng, s, s) if rng.random() < 0.6 else self.crop_bg(rng, s)
                pl = self.place(rng, size, m)
                if pl is None:
                    continue
                lab = self.blend(rng, after, patch, pl[0], pl[1])
                label |= lab
                kind[lab] = OTHER
        if rng.random() < 0.2:  # date swap: new <-> demolished, other stays other
            before, after = after, before
            k2 = kind.copy()
            k2[kind == NEW] = DEMOLISHED
            k2[kind == DEMOLISHED] = NEW
            kind = k2
        kind[~label] = IGNORE_KIND
        return before, after, label, kind


def crop_iou(pred, label, min_px=20):
    """IoU of a predicted mask with a label crop; crops with (almost) no change score 1 when the
    prediction is (almost) empty too and 0 when it has false alarms."""
    if label.sum() < min_px:
        return 1.0 if pred.sum() < min_px else 0.0
    return float((pred & label).sum() / max(1, (pred | label).sum()))


class TrainSamplerV2:
    """v2 training crops. Sources as in v1 (LEVIR 30 %, AirChange 15 %, synthetic 50 %, OMBRIA 5 %).

    sampling = "uniform": real crops centred on a random changed pixel (70 %) or anywhere (30 %);
        synthetic crops drawn uniformly from a bank of pre-made pairs.
    sampling = "iou" (METHODS.md M3 step 2): every `refresh` steps the current model predicts the
        whole real training pairs and the synthetic bank; each labelled region (connected
        component) and each false-alarm region of the real pairs, and each synthetic crop, gets the
        IoU of the prediction with its label; candidates are split into IoU bins
        [0, .25), [.25, .5), [.5, .75), [.75, 1] and a crop is drawn by picking a non-empty bin
        uniformly, then a candidate in it uniformly (30 % of real crops stay anywhere-random).
    In both modes the synthetic bank is rebuilt at every refresh, so the two differ only in how
    candidates are drawn.
    """

    BINS = (0.25, 0.5, 0.75)

    def __init__(self, root, seed=0, size=128, mix=(0.30, 0.15, 0.50, 0.05), sampling="uniform",
                 bank=384, air_scale=(1.2, 2.2), match=0.0, log=print):
        self.match = match  # share of crops whose after date gets the app's radiometric matching
        self.base = TrainSampler(root, seed=seed, size=size, mix=mix, log=log)
        self.base.synth.__class__ = SynthesiserV2
        self.rng = self.base.rng
        self.size = size
        self.sampling = sampling
        self.air_scale = tuple(air_scale)  # AirChange is 1.5 m/px: > 1 zooms towards LEVIR's 0.5 m
        self.bank_size = bank
        self.bank = []
        self.bank_bins = None
        self.regions = None  # per source: list of (pair, cy, cx, iou)
        self.stats = {}
        self.rebuild_bank()

    # ----------------------------------------------------------------- synthetic bank
    def rebuild_bank(self):
        """Fills the bank on the first call; afterwards replaces its older half with new pairs."""
        rng = self.rng
        if len(self.bank) < self.bank_size:
            idx = range(self.bank_size)
            self.bank = [None] * self.bank_size
        else:
            half = self.bank_size // 2
            self._half = 1 - getattr(self, "_half", 1)
            idx = range(self._half * half, (self._half + 1) * half)
        for i in idx:
            a, b, lab, kind = self.base.synth.sample_v2(rng, self.size)
            a, b = nuisance_v2(rng, a, b, 1.0)
            self.bank[i] = (np.round(a).astype(np.uint8), np.round(b).astype(np.uint8), lab, kind)
        self.bank_bins = None

    def score(self, predict):
        """predict(list of (a, b) uint8 HxWx3) -> list of bool masks. Updates the IoU bins."""
        preds = predict([(a, b) for a, b, _, _ in self.bank])
        ious = np.array([crop_iou(p, x[2]) for p, x in zip(preds, self.bank)])
        self.bank_bins = self.binned(ious)
        regions = {}
        for name, pairs in (("levir", self.base.levir), ("air", self.base.air)):
            preds = predict([(p["a"], p["b"]) for p in pairs])
            cand = []
            for pi, (p, pred) in enumerate(zip(pairs, preds)):
                gl, gn = ndimage.label(p["label"], np.ones((3, 3)))
                pl, pn = ndimage.label(pred, np.ones((3, 3)))
                for i, sl in enumerate(ndimage.find_objects(gl), 1):
                    g = gl[sl] == i
                    if g.sum() < 20:
                        continue
                    ids = np.unique(pl[sl][g])
                    ids = ids[ids > 0]
                    pm = np.isin(pl, ids) if len(ids) else np.zeros_like(pred)
                    gm = gl == i
                    iou = float((pm & gm).sum() / max(1, (pm | gm).sum()))
                    cy, cx = [int(np.mean(v)) for v in np.nonzero(gm)]
                    cand.append((pi, cy, cx, iou))
                for j, sl in enumerate(ndimage.find_objects(pl), 1):
                    m = pl[sl] == j
                    if m.sum() < 20 or (p["label"][sl] & m).any():
                        continue  # only pure false alarms here
                    ys, xs = np.nonzero(m)
                    cand.append((pi, sl[0].start + int(ys.mean()), sl[1].start + int(xs.mean()), 0.0))
            regions[name] = (cand, self.binned(np.array([c[3] for c in cand])))
        self.regions = regions
        self.stats = {
            "bankIoUBins": [len(b) for b in self.bank_bins],
            **{f"{k}RegionIoUBins": [len(b) for b in v[1]] for k, v in regions.items()},
        }
        return self.stats

    def binned(self, ious):
        idx = np.digitize(ious, self.BINS)
        return [np.nonzero(idx == k)[0] for k in range(len(self.BINS) + 1)]

    def pick(self, bins):
        nonempty = [b for b in bins if len(b)]
        b = nonempty[self.rng.integers(len(nonempty))]
        return int(b[self.rng.integers(len(b))])

    # ----------------------------------------------------------------- crops
    def real_at(self, p, cy, cx, scale_range):
        rng, size = self.rng, self.size
        h, w = p["label"].shape
        c = int(min(round(size / rng.uniform(*scale_range)), h, w))
        y = int(np.clip(cy - c // 2 + rng.integers(-c // 4, c // 4 + 1), 0, h - c))
        x = int(np.clip(cx - c // 2 + rng.integers(-c // 4, c // 4 + 1), 0, w - c))
        a = p["a"][y : y + c, x : x + c].astype(np.float32)
        b = p["b"][y : y + c, x : x + c].astype(np.float32)
        lab = p["label"][y : y + c, x : x + c]
        if c != size:
            a, b, lab = resize(a, (size, size)), resize(b, (size, size)), resize(lab, (size, size))
        return a, b, lab

    def real(self, name, scale_range):
        pairs = self.base.levir if name == "levir" else self.base.air
        if self.sampling == "iou" and self.regions is not None and self.rng.random() < 0.7:
            cand, bins = self.regions[name]
            if cand:
                pi, cy, cx, _ = cand[self.pick(bins)]
                return self.real_at(pairs[pi], cy, cx, scale_range)
        return self.base.real(pairs, scale_range)

    def one(self):
        rng = self.rng
        k = rng.choice(4, p=self.base.mix)
        if k == 2:
            if self.sampling == "iou" and self.bank_bins is not None:
                i = self.pick(self.bank_bins)
            else:
                i = int(rng.integers(len(self.bank)))
            a, b, lab, kind = self.bank[i]
            a, b, lab, kind = geo_aug(rng, a.astype(np.float32), b.astype(np.float32), lab, kind)
            b = self.matched(a, b)
            return normalise(a), normalise(b), lab.astype(np.int64), kind.astype(np.int64)
        if k == 0:
            a, b, lab = self.real("levir", (0.75, 1.35))
            strength, kval = 0.6, NEW
        elif k == 1:
            a, b, lab = self.real("air", self.air_scale)
            strength, kval = 0.4, IGNORE_KIND
        else:
            a, b, lab = self.base.ombria_pair()
            strength, kval = 0.3, OTHER
        a, b, lab = geo_aug(rng, a, b, lab)
        if rng.random() < 0.2:  # date swap: new building <-> demolition, still change
            a, b = b, a
            if kval == NEW:
                kval = DEMOLISHED
        a, b = nuisance_v2(rng, a, b, strength)
        b = self.matched(a, b)
        kind = np.where(lab, kval, IGNORE_KIND)
        return normalise(a), normalise(b), lab.astype(np.int64), kind.astype(np.int64)

    def matched(self, a, b):
        """The after crop as the app would feed it (radiometric matching), for a `match` share."""
        return match_after(a, b) if self.match > 0 and self.rng.random() < self.match else b

    def batch(self, n):
        items = [self.one() for _ in range(n)]
        return tuple(np.stack(x) for x in zip(*items))
