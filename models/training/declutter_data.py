"""Training data for lw-declutter-v1: METHODS.md M4 step 3 over real clean imagery.

Clean images: both dates of the TRAINING pairs of data.py (LEVIR train/val crops, AirChange
train_1..6; never the validation split) and the single-date VHR / Landsat rasters of
data.SINGLE_DATE. The network runs on the coarse pyramid level (about 64 px a side, 1/2..1/8 of
the source), so crops are taken at a random reduction of 1..8 and resized to `size`.

Synthesis (M4 step 3), one to two interference types per image:
    reference R  - a procedural image per type (below), values 0..1
    region       - a random blob; mask M the same size, edges feathered (Gaussian), normalised
                   to a maximum of 1
    A = M * blur(R)                  (element-wise, Gaussian-blurred reference)
    interfered = clean + A * (T - clean)      (added linearly onto the clean image)
T is the type's target colour: a bright veil for haze (180-240, slightly blue/grey), white
(235-255) for thin cloud, 0 for both shadows. For shadows the added term is -A * clean: the
reference encodes a darkening strength, and a shadow attenuates what is under it. Decoder 2's
target is always the signed layer `interfered - clean` (0..1 scale): negative under shadows,
positive under haze and cloud, so clean + layer = interfered for every type.

Types (reference, region, blur):
    cloud shadow   smooth strength field 0.25..0.6, large soft blob, blur sigma 2..4 px
    haze           low-frequency noise 0.5..1 x strength 0.2..0.55, region 40-100 % of the crop
    thin cloud     fractal (1/f^beta) noise, soft-thresholded, strength 0.3..0.8, blur sigma 0.5..1
    building shadow  random rotated rectangles / L-shapes, darkening 0.35..0.6, blur sigma 0.3..0.8
15 % of samples are left clean (layer 0) so the network learns to leave clean images alone.
"""
import os

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

import data

TYPES = ("cloud_shadow", "haze", "thin_cloud", "building_shadow")


def backgrounds(root, log=print):
    """Clean RGB images (uint8 HxWx3) from the training pairs and the single-date rasters."""
    imgs, used = [], []
    for source in (data.LEVIR, data.AIRCHANGE):
        for p in data.load_pairs(root, source, "train"):
            imgs += [p["a"], p["b"]]
            used.append(f"{source}/{p['name']}")
    for rel in data.SINGLE_DATE:
        try:
            imgs.append(data.rgb(os.path.join(root, rel)))
            used.append(rel)
        except Exception as e:  # noqa: BLE001 - an unreadable raster is skipped and reported
            log(f"skipped {rel}: {e}")
    log(f"clean images: {len(imgs)} from {used}")
    return imgs, used


def blob(rng, s, sigma, cover):
    """A random smooth region covering about `cover` of an s x s crop (bool)."""
    n = ndimage.gaussian_filter(rng.standard_normal((s, s)).astype(np.float32), sigma, mode="wrap")
    return n > np.quantile(n, 1 - cover)


def feathered(mask, sigma):
    m = ndimage.gaussian_filter(mask.astype(np.float32), sigma)
    return m / max(float(m.max()), 1e-6)  # normalised mask (M4 step 3)


def fractal(rng, s, beta):
    """1/f^beta noise in 0..1."""
    f = np.fft.fftfreq(s)
    k = np.sqrt(f[:, None] ** 2 + f[None, :] ** 2)
    k[0, 0] = 1
    spec = (rng.standard_normal((s, s)) + 1j * rng.standard_normal((s, s))) / k**beta
    n = np.real(np.fft.ifft2(spec)).astype(np.float32)
    return (n - n.min()) / (n.max() - n.min() + 1e-6)


def polygons(rng, s):
    """Sharp-edged building shadows: rotated rectangles and L-shapes (bool)."""
    im = Image.new("L", (s, s), 0)
    d = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(2, 9))):
        cx, cy = rng.uniform(0, s, 2)
        w, h = rng.uniform(2, s / 6), rng.uniform(1.5, s / 10)
        a = rng.uniform(0, np.pi)
        pts = [(-w, -h), (w, -h), (w, h), (-w, h)]
        if rng.random() < 0.4:  # L-shape
            pts = [(-w, -h), (w, -h), (w, 0), (0, 0), (0, h * 2), (-w, h * 2)]
        rot = [(cx + x * np.cos(a) - y * np.sin(a), cy + x * np.sin(a) + y * np.cos(a)) for x, y in pts]
        d.polygon(rot, fill=255)
    return np.asarray(im) > 127


def interference(rng, kind, clean):
    """(A HxW, target colour 3) for one type on clean (HxWx3 float 0..255)."""
    s = clean.shape[0]
    if kind == "cloud_shadow":
        m = feathered(blob(rng, s, rng.uniform(s / 8, s / 4), rng.uniform(0.15, 0.6)), rng.uniform(1.5, 5))
        ref = 0.25 + rng.uniform(0, 0.35) * (0.8 + 0.2 * fractal(rng, s, 2.5))
        a, t = m * ndimage.gaussian_filter(ref, rng.uniform(2, 4)), np.zeros(3)
    elif kind == "haze":
        m = feathered(blob(rng, s, rng.uniform(s / 6, s / 3), rng.uniform(0.4, 1.0)), rng.uniform(4, 10))
        ref = rng.uniform(0.2, 0.55) * (0.5 + 0.5 * fractal(rng, s, 3.0))
        a = m * ndimage.gaussian_filter(ref, rng.uniform(2, 5))
        t = rng.uniform(180, 240) + np.array([-4, 0, 6]) * rng.uniform(0, 1.5) + rng.uniform(-5, 5, 3)
    elif kind == "thin_cloud":
        m = feathered(blob(rng, s, rng.uniform(s / 8, s / 4), rng.uniform(0.2, 0.7)), rng.uniform(2, 6))
        n = fractal(rng, s, rng.uniform(1.6, 2.4))
        ref = rng.uniform(0.3, 0.8) * np.clip((n - rng.uniform(0.2, 0.5)) * 2.5, 0, 1)
        a, t = m * ndimage.gaussian_filter(ref, rng.uniform(0.5, 1.0)), rng.uniform(235, 255) + np.zeros(3)
    else:  # building shadow
        m = feathered(np.ones((s, s), bool), 1)
        ref = polygons(rng, s).astype(np.float32) * rng.uniform(0.35, 0.6)
        a, t = m * ndimage.gaussian_filter(ref, rng.uniform(0.3, 0.8)), np.zeros(3)
    return np.clip(a, 0, 1).astype(np.float32), t.astype(np.float32)


def add_interference(rng, clean, kinds):
    """clean HxWx3 float 0..255 -> interfered, linearly added per type in turn."""
    out = clean.copy()
    for k in kinds:
        a, t = interference(rng, k, out)
        out = out + a[..., None] * (t - out)
    return np.clip(out, 0, 255)


def crop(rng, img, size, reduction):
    h, w = img.shape[:2]
    c = int(min(round(size * reduction), h, w))
    y, x = int(rng.integers(0, h - c + 1)), int(rng.integers(0, w - c + 1))
    out = img[y : y + c, x : x + c].astype(np.float32)
    out = data.resize(out, (size, size)) if c != size else out
    return data.geo_aug(rng, out)[0]


class DeclutterSampler:
    """Draws (interfered, clean) batches as float32 N x 3 x S x S in 0..1; seeded."""

    def __init__(self, imgs, seed=0, size=64, clean_fraction=0.15):
        self.imgs, self.size, self.clean_fraction = imgs, size, clean_fraction
        self.rng = np.random.default_rng(seed)

    def one(self):
        rng = self.rng
        img = self.imgs[rng.integers(len(self.imgs))]
        clean = crop(rng, img, self.size, rng.uniform(1, 8))
        clean = data.photometric(rng, clean, 0.4)  # scenes differ in brightness and colour
        if rng.random() < self.clean_fraction:
            kinds = []
        else:
            kinds = [TYPES[rng.integers(4)]]
            if rng.random() < 0.2:
                kinds.append(TYPES[rng.integers(4)])
        dirty = add_interference(rng, clean, kinds)
        return dirty / 255.0, clean / 255.0

    def batch(self, n):
        pairs = [self.one() for _ in range(n)]
        x = np.stack([p[0].transpose(2, 0, 1) for p in pairs]).astype(np.float32)
        y = np.stack([p[1].transpose(2, 0, 1) for p in pairs]).astype(np.float32)
        return x, y
