"""Chip pairs with multi-labels for lw-patchcode-v1 (METHODS.md M5).

A chip pair is what the app feeds the code model for one patch: both dates sampled to 64x64 with
nearest-neighbour over a square around the patch's bounding box (`chip()` below is the same rule
as electron/engine/codes/patch-chips.ts: side = max(w, h) x (1 + 2 x MARGIN), at least
MIN_SIDE_PX source pixels, grey 221 outside the image).

Labels are multi-hot over LABELS; an entry is "unknown" (masked out of the loss) where the source
does not say, e.g. AirChange changes (new built-up area, groundwork or tree removal, unlabelled).

Sources
  real:      LEVIR-CD training components -> new construction + building (date-swapped copies ->
             demolition + building); AirChange training components -> changed, kind unknown.
  synthetic: change objects pasted onto real single-date imagery with the change model's synthesis
             (data.py: feathered masks, linear blend, nuisances): new building, demolition,
             greenhouse-like bright long roofs, bare earth / earthwork, road strip, no change
             (an unchanged building with new shadows and radiometry), and combinations (a building
             on a fresh earthwork site, a building with its access road, greenhouses on earthwork).

Held-out split (`split="val"`): LEVIR `test_*` components, synthetic pairs on the bottom quarter
of every single-date raster and on the dates of validation pairs, with building instances cut from
the LEVIR test labels. Training uses the top three quarters, training pairs and training instances.
"""
import numpy as np
from scipy import ndimage

import data
from data import AIRCHANGE, LEVIR, bare_earth, feather, nuisance_v2, photometric, rubble, smooth_blob

LABELS = ("new", "demolition", "other", "building", "greenhouse", "earthwork", "road", "nochange")
L = {n: i for i, n in enumerate(LABELS)}
CHIP = 64
MARGIN = 0.25
MIN_SIDE_PX = 16
NO_DATA = 221
CANVAS = 128

# Synthetic categories: name -> label set. Held-out relevance = the same label set.
CATEGORIES = {
    "new-building": ("new", "building"),
    "demolition": ("demolition", "building"),
    "greenhouse": ("new", "greenhouse"),
    "earthwork": ("other", "earthwork"),
    "road": ("new", "road"),
    "no-change": ("nochange",),
    "building-on-earthwork": ("new", "building", "earthwork"),
    "building-and-road": ("new", "building", "road"),
    "greenhouse-on-earthwork": ("new", "greenhouse", "earthwork"),
}


def multi_hot(names, known=None):
    """(target, mask): target 1 for names; mask 1 where the label is known (all by default)."""
    t = np.zeros(len(LABELS), np.float32)
    for n in names:
        t[L[n]] = 1
    m = np.ones(len(LABELS), np.float32) if known is None else np.zeros(len(LABELS), np.float32)
    for n in known or ():
        m[L[n]] = 1
    return t, m


def chip(img, box, size=CHIP, margin=MARGIN, min_side=MIN_SIDE_PX):
    """img HxWx3 (0..255), box (x0, y0, x1, y1) in pixels (end exclusive) -> size x size x 3 uint8,
    nearest-neighbour, NO_DATA outside the image. Mirrors the app's chip extent and sampling."""
    x0, y0, x1, y1 = box
    side = max(max(x1 - x0, y1 - y0) * (1 + 2 * margin), min_side)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    step = side / size
    cols = np.floor(cx - side / 2 + (np.arange(size) + 0.5) * step).astype(int)
    rows = np.floor(cy - side / 2 + (np.arange(size) + 0.5) * step).astype(int)
    h, w = img.shape[:2]
    out = np.full((size, size, 3), NO_DATA, np.uint8)
    ri, ci = (rows >= 0) & (rows < h), (cols >= 0) & (cols < w)
    src = np.clip(np.round(img), 0, 255).astype(np.uint8)
    out[np.ix_(ri, ci)] = src[np.ix_(rows[ri], cols[ci])]
    return out


def bbox(mask):
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def jitter_box(rng, box):
    """Detected patches do not hug their object: scale 0.8-1.3 and shift by up to 10 %."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    s = rng.uniform(0.8, 1.3)
    cx = (x0 + x1) / 2 + rng.uniform(-0.1, 0.1) * w
    cy = (y0 + y1) / 2 + rng.uniform(-0.1, 0.1) * h
    return cx - w * s / 2, cy - h * s / 2, cx + w * s / 2, cy + h * s / 2


def greenhouse(rng):
    """Bright long roofs in parallel rows with dark gaps (plastic / glass greenhouses)."""
    n = int(rng.integers(2, 7))
    strip, gap = int(rng.integers(3, 7)), int(rng.integers(1, 3))
    length = int(rng.integers(24, 60))
    hh = n * (strip + gap)
    s = int(np.ceil(np.hypot(hh, length))) + 4
    m = np.zeros((s, s), bool)
    patch = np.zeros((s, s, 3), np.float32)
    y0, x0 = (s - hh) // 2, (s - length) // 2
    base = np.array([rng.uniform(200, 250)] * 3) + np.array([-6, 0, rng.uniform(0, 14)])
    for i in range(n):
        ys = slice(y0 + i * (strip + gap), y0 + i * (strip + gap) + strip)
        m[ys, x0 : x0 + length] = True
        shade = np.linspace(1.0, rng.uniform(0.8, 0.95), strip)[:, None, None]
        patch[ys, x0 : x0 + length] = base * shade
        gy = y0 + i * (strip + gap) + strip
        m[gy : gy + gap, x0 : x0 + length] = True
        patch[gy : gy + gap, x0 : x0 + length] = rng.uniform(90, 150)
    patch += rng.normal(0, 3, patch.shape)
    ang = rng.uniform(0, 180)
    m = ndimage.rotate(m.astype(np.float32), ang, order=0, reshape=False) > 0.5
    patch = ndimage.rotate(patch, ang, axes=(0, 1), order=1, reshape=False, mode="nearest")
    return np.clip(patch, 0, 255), m


def road(rng, size):
    """A road segment through the canvas centre: asphalt or gravel strip with soft verges."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) - size / 2
    ang = rng.uniform(0, np.pi)
    across = -xx * np.sin(ang) + yy * np.cos(ang) + rng.uniform(-4, 4)
    along = xx * np.cos(ang) + yy * np.sin(ang)
    half = rng.uniform(2.5, 6)
    reach = rng.uniform(18, 40)
    m = (np.abs(across) < half) & (np.abs(along) < reach)
    col = rng.uniform(60, 110) if rng.random() < 0.6 else rng.uniform(160, 205)
    img = np.ones((size, size, 3), np.float32) * (col + rng.uniform(-6, 6, 3))
    img += ndimage.gaussian_filter(rng.normal(0, 6, (size, size)), 1)[..., None]
    if rng.random() < 0.4:  # centre line
        img[np.abs(across) < 0.7] = rng.uniform(200, 240)
    return np.clip(img, 0, 255), m


class PatchSynth(data.SynthesiserV2):
    """One centred change object per canvas; returns the labelled chip pair."""

    def centred(self, rng, mask):
        """Placement of `mask` near the canvas centre in SynthesiserV2.blend's format."""
        size = CANVAS
        ph, pw = mask.shape
        if ph >= size - 8 or pw >= size - 8:
            return None
        y = int((size - ph) // 2 + rng.integers(-8, 9))
        x = int((size - pw) // 2 + rng.integers(-8, 9))
        alpha = np.zeros((size, size), bool)
        alpha[y : y + ph, x : x + pw] = mask
        if alpha.sum() < 20:
            return None
        return (slice(y, y + ph), slice(x, x + pw), slice(0, ph), slice(0, pw)), alpha

    def site(self, rng, before, after, region):
        """A fresh earthwork site around `region` in the after date; returns its mask."""
        grow = ndimage.binary_dilation(region, iterations=int(rng.integers(3, 9)))
        blob = smooth_blob(rng, CANVAS, CANVAS, rng.uniform(4, 8), 0.0)
        grow |= ndimage.binary_dilation(region, iterations=12) & blob
        a = feather(grow, 1.0)[..., None]
        after[:] = after * (1 - a) + bare_earth(rng, CANVAS, CANVAS) * a
        return grow

    def pasted(self, rng, img, kind):
        """Pastes one object of `kind` near the centre of `img`; returns its mask or None."""
        sun = rng.integers(2, 7, 2) * rng.choice([-1, 1], 2)
        if kind == "building":
            patch, m = self.building(rng)
        elif kind == "greenhouse":
            patch, m = greenhouse(rng)
        else:
            raise ValueError(kind)
        pl = self.centred(rng, m)
        if pl is None:
            return None
        return self.blend(rng, img, patch, pl[0], pl[1], (sun, rng.uniform(0.3, 0.6)))

    def category(self, rng, name):
        """(before, after, change mask) of one category on a fresh background, or None."""
        before = self.crop_bg(rng, CANVAS)
        after = before.copy()
        for _ in range(int(rng.integers(0, 3))):  # unchanged context structures in both dates
            patch, m = self.building(rng)
            pl = self.place(rng, CANVAS, m)
            if pl is not None:
                self.blend(rng, before, patch, pl[0], pl[1])
                self.blend(rng, after, photometric(rng, patch, 0.3), pl[0], pl[1])
        labels = CATEGORIES[name]
        mask = np.zeros((CANVAS, CANVAS), bool)
        if name == "no-change":  # an unchanged building whose shadow and radiometry change
            patch, m = self.building(rng)
            pl = self.centred(rng, m)
            if pl is None:
                return None
            sb = rng.integers(2, 7, 2) * rng.choice([-1, 1], 2)
            sa = np.clip(sb + rng.integers(-3, 4, 2), -8, 8)
            self.blend(rng, before, patch, pl[0], pl[1], (sb, rng.uniform(0.3, 0.6)))
            self.blend(rng, after, photometric(rng, patch, 0.5), pl[0], pl[1], (sa, rng.uniform(0.3, 0.6)))
            mask = ndimage.binary_dilation(pl[1], iterations=int(rng.integers(0, 4)) or 1)
        elif name == "demolition":
            m = self.pasted(rng, before, "building")
            if m is None:
                return None
            site = ndimage.binary_dilation(m, iterations=int(rng.integers(1, 3)))
            a = feather(site, rng.uniform(0.6, 1.5))[..., None]
            after[:] = after * (1 - a) + rubble(rng, CANVAS, CANVAS) * a
            mask = m
        elif name == "earthwork":
            s = int(rng.integers(20, 70))
            m = smooth_blob(rng, s, s, s / 6, 0.3)
            m &= ndimage.binary_erosion(np.ones_like(m), iterations=2)
            pl = self.centred(rng, m)
            if pl is None:
                return None
            patch = bare_earth(rng, s, s)
            mask = self.blend(rng, after, patch, pl[0], pl[1])
        else:
            obj = "greenhouse" if "greenhouse" in labels else "building" if "building" in labels else None
            if "earthwork" in labels:
                probe = self.pasted(rng, after.copy(), obj)  # where the object will stand
                if probe is None:
                    return None
                mask |= self.site(rng, before, after, probe)
            if "road" in labels:
                img, m = road(rng, CANVAS)
                a = feather(m, 0.6)[..., None]
                after[:] = after * (1 - a) + img * a
                mask |= m
            if obj is not None:
                m = self.pasted(rng, after, obj)
                if m is None:
                    return None
                mask |= m
        if mask.sum() < 20:
            return None
        if rng.random() < 0.15 and name != "no-change":  # site seen again with its dates swapped
            if "new" in labels and "earthwork" not in labels and "road" not in labels:
                before, after = after, before
                labels = tuple("demolition" if n == "new" else n for n in labels)
        before, after = nuisance_v2(rng, before, after, 0.8)
        return before, after, mask, labels


def chips_of(rng, before, after, mask, box=None):
    box = jitter_box(rng, box or bbox(mask))
    return chip(before, box), chip(after, box)


def synthetic_items(rng, synth, n, names=tuple(CATEGORIES)):
    """n labelled chip pairs, categories in turn: list of (before, after, target, mask, name)."""
    out = []
    i = 0
    while len(out) < n:
        name = names[i % len(names)]
        i += 1
        res = synth.category(rng, name)
        if res is None:
            continue
        before, after, mask, labels = res
        a, b = chips_of(rng, before, after, mask)
        t, m = multi_hot(labels)
        cat = next((k for k, v in CATEGORIES.items() if v == labels), "demolition-" + name)
        out.append((a, b, t, m, cat))
    return out


def components(pairs, min_px):
    """(pair, mask, box) of every labelled connected component of at least min_px pixels."""
    out = []
    for p in pairs:
        lab, _ = ndimage.label(p["label"], np.ones((3, 3)))
        for i, sl in enumerate(ndimage.find_objects(lab), 1):
            m = lab[sl] == i
            if m.sum() < min_px:
                continue
            out.append((p, (sl[1].start, sl[0].start, sl[1].stop, sl[0].stop)))
    return out


def local(p, box):
    """Both dates cropped to twice the box's chip side around it (nuisances on the whole scene
    would cost seconds per component), and the box in the crop's pixels."""
    x0, y0, x1, y1 = box
    side = max(max(x1 - x0, y1 - y0) * (1 + 2 * MARGIN), MIN_SIDE_PX) * 1.5
    h, w = p["label"].shape
    cx0, cy0 = max(0, int((x0 + x1 - side) / 2)), max(0, int((y0 + y1 - side) / 2))
    cx1, cy1 = min(w, int((x0 + x1 + side) / 2) + 1), min(h, int((y0 + y1 + side) / 2) + 1)
    a = p["a"][cy0:cy1, cx0:cx1].astype(np.float32)
    b = p["b"][cy0:cy1, cx0:cx1].astype(np.float32)
    return a, b, (x0 - cx0, y0 - cy0, x1 - cx0, y1 - cy0)


def real_items(rng, root, split, variants=1):
    """Chip pairs of real labelled changes: LEVIR (new building; every other one date-swapped as
    demolition) and, for training only, AirChange (changed, kind unknown)."""
    out = []
    levir = components(data.load_pairs(root, LEVIR, split), 60)
    for k, (p, box0) in enumerate(levir):
        for v in range(variants):
            swap = (k + v) % 2 == 1
            a, b, box = local(p, box0)
            if swap:
                a, b = b, a
            if split == "train":
                a, b = nuisance_v2(rng, a, b, 0.5)
            box_j = jitter_box(rng, box) if split == "train" else box
            t, m = multi_hot(("demolition", "building") if swap else ("new", "building"))
            out.append((chip(a, box_j), chip(b, box_j), t, m, "levir-demolition" if swap else "levir-new"))
    if split == "train":
        for p, box0 in components(data.load_pairs(root, AIRCHANGE, split), 30):
            for _ in range(variants):
                a, b, box = local(p, box0)
                a, b = nuisance_v2(rng, a, b, 0.4)
                t, m = multi_hot((), known=("nochange", "demolition"))
                box_j = jitter_box(rng, box)
                out.append((chip(a, box_j), chip(b, box_j), t, m, "airchange"))
    return out


def make_synth(root, split):
    """PatchSynth over the split's backgrounds and building instances (see module docstring)."""
    bgs = []
    for rel in data.SINGLE_DATE:
        img = data.rgb(f"{root}/{rel}")
        cut = img.shape[0] * 3 // 4
        part = img[:cut] if split == "train" else img[cut:]
        if min(part.shape[:2]) >= 96:
            bgs.append(part)
    pairs = data.load_pairs(root, LEVIR, split) + data.load_pairs(root, AIRCHANGE, split)
    for p in pairs:
        bgs += [p["a"], p["b"]]
    return PatchSynth(bgs, data.extract_buildings(data.load_pairs(root, LEVIR, split)))


def stack(items):
    a = np.stack([data.normalise(x[0]) for x in items])
    b = np.stack([data.normalise(x[1]) for x in items])
    t = np.stack([x[2] for x in items])
    m = np.stack([x[3] for x in items])
    return a, b, t, m, [x[4] for x in items]
