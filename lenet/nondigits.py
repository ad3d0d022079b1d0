"""Non-digits, generated: what a person might draw on the pad that is not a digit, for teaching and
judging LeNet-5's "not a digit" output (REJECT, lenet/network.py).

Families (each a function of a numpy Generator, giving uint8 ink maps, 255 = ink, CANVAS px square):
- letters and signs typeset in a font family, at a random size, weight, slant and place;
- pen-drawn shapes (square, star, smiley, house, arrows, ...), scribbles, tangles (scribbled out)
  and filled blobs;
- pieces of digits (a digit cut in two along a random line, or cut off by the edge of the pad);
- pairs of digits, side by side, touching or overlapping, squeezed into one box.
TRAINING uses some fonts and shapes; HELD_OUT_* the rest (other font families, other shapes, digits
drawn by another hand), so refusal is also judged on things never seen. Glyphs and shapes that are
digits to a reader (O, l, S, a circle, a lone vertical bar) are never made. `inputs` runs maps
through the app's pipeline (lenet/preprocess.py), as the page would.
"""
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .preprocess import InvalidDrawing, preprocess_inks

CANVAS = 112
FONT_DIR = Path("/usr/share/fonts")
LIBERATION_FONTS = ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationSans-Italic.ttf",
                    "LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf",
                    "LiberationMono-Regular.ttf", "LiberationSansNarrow-Regular.ttf")
TRAINING_FONTS = LIBERATION_FONTS + (
                  # Debian's fonts-freefont-ttf, fonts-urw-base35, fonts-noto-core, fonts-roboto-unhinted and
                  # fonts-lato (`make fonts`; a missing face is skipped): many sans faces draw a 1 with a long
                  # flag and no foot, which a reader of Liberation alone takes for a 7
                  "FreeSans.ttf", "FreeSerif.ttf", "NimbusSans-Regular.otf", "NimbusRoman-Regular.otf",
                  "URWGothic-Book.otf", "NotoSans-Regular.ttf", "Roboto-Regular.ttf", "Lato-Regular.ttf")
# The committed modern model trained on the Liberation faces alone: with the others it lost its MNIST bar.
FONTS_OF = {"modern": LIBERATION_FONTS}
HELD_OUT_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Italic.ttf",
                  "DejaVuSansMono.ttf", "DejaVuSansCondensed-Oblique.ttf", None)   # None: Pillow's own
# Letters a reader would take for a digit (O 0, I l 1, Z 2, S 5, G b 6, B 8, g q 9 ...) are left out.
LETTERS = "ACEFHKLMNPRTUVWXYacdefhkmnprtuvwxy"
SIGNS = "+-=×÷#%&@?$*<>~^€£§¶©®µ≈≠±√∞Ω"
THIN = 0.35   # ink narrower than this share of its height reads as a 1: never a non-digit


def _path(name):
    return next(iter(FONT_DIR.rglob(name)), None) if name else None


def fonts(names):
    """The named font files found on this machine (None stands for Pillow's bundled font)."""
    found = [(n, _path(n)) for n in names]
    return [p for n, p in found if p is not None or n is None]


def _face(path, size):
    return ImageFont.load_default(size) if path is None else ImageFont.truetype(str(path), size)


def _fit(ink, rng, fill=(0.45, 0.85)):
    """Crop an ink map to its ink, scale its longer side to a random share of CANVAS, place it at a
    random spot; uint8 (CANVAS, CANVAS)."""
    im = Image.fromarray(ink)
    box = im.getbbox()
    if box is None:
        return np.zeros((CANVAS, CANVAS), np.uint8)
    im = im.crop(box)
    k = rng.uniform(*fill) * CANVAS / max(im.size)
    im = im.resize((max(1, round(im.width * k)), max(1, round(im.height * k))), Image.Resampling.BILINEAR)
    out = Image.new("L", (CANVAS, CANVAS), 0)
    out.paste(im, (int(rng.integers(0, CANVAS - im.width + 1)), int(rng.integers(0, CANVAS - im.height + 1))))
    return np.asarray(out)


def glyph(text, path, rng, weight=None, slant=None):
    """`text` typeset in the font at `path`, at a random weight and slant, as an uncropped ink map."""
    size = 96
    layer = Image.new("L", (4 * size, 2 * size), 0)
    w = rng.uniform(0, 4) if weight is None else weight
    ImageDraw.Draw(layer).text((size // 2, size // 2), text, font=_face(path, size), fill=255,
                               stroke_width=int(w), stroke_fill=255)
    shear = np.tan(np.radians(rng.uniform(-12, 12) if slant is None else slant))
    layer = layer.transform(layer.size, Image.Transform.AFFINE, (1, shear, -shear * size, 0, 1, 0),
                            resample=Image.Resampling.BILINEAR)
    return np.asarray(layer)


def letters(rng, font_files, chars=LETTERS + SIGNS):
    return _fit(glyph(chars[rng.integers(len(chars))], font_files[rng.integers(len(font_files))], rng), rng)


# ---------------------------------------------------------------- pen-drawn shapes (unit box, y down)

def _circle(cx, cy, r, start=0, stop=360, n=24):
    t = np.radians(np.linspace(start, stop, n))
    return list(zip(cx + r * np.cos(t), cy + r * np.sin(t)))


def _star(points=5):
    t = np.radians(np.arange(2 * points + 1) * 180 / points - 90)
    r = np.where(np.arange(2 * points + 1) % 2 == 0, 0.5, 0.2)
    return [list(zip(0.5 + r * np.cos(t), 0.5 + r * np.sin(t)))]


SHAPES = {
    "square": [[(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]],
    "triangle": [[(0.5, 0), (1, 1), (0, 1), (0.5, 0)]],
    "star": _star(),
    "smiley": [_circle(0.5, 0.5, 0.5, n=40), _circle(0.35, 0.35, 0.05, n=8), _circle(0.65, 0.35, 0.05, n=8),
               _circle(0.5, 0.5, 0.3, 30, 150, 12)],
    "house": [[(0, 0.45), (0.5, 0), (1, 0.45), (0, 0.45), (0, 1), (1, 1), (1, 0.45)]],
    "arrow": [[(0, 0.5), (1, 0.5)], [(0.65, 0.2), (1, 0.5), (0.65, 0.8)]],
    "cross": [[(0, 0), (1, 1)], [(1, 0), (0, 1)]],
    "plus": [[(0.5, 0), (0.5, 1)], [(0, 0.5), (1, 0.5)]],
    "zigzag": [[(0, 0.2), (0.25, 0.8), (0.5, 0.2), (0.75, 0.8), (1, 0.2)]],
    "ladder": [[(0.2, 0), (0.2, 1)], [(0.8, 0), (0.8, 1)], [(0.2, 0.3), (0.8, 0.3)], [(0.2, 0.7), (0.8, 0.7)]],
}
HELD_OUT_SHAPES = {
    "heart": [_circle(0.28, 0.3, 0.25, 180, 360, 12) + _circle(0.72, 0.3, 0.25, 180, 360, 12)
              + [(0.97, 0.3), (0.5, 1), (0.03, 0.3)]],
    "moon": [_circle(0.5, 0.5, 0.5, 60, 300, 20) + _circle(0.8, 0.5, 0.4, 230, 130, 16)],
    "bolt": [[(0.6, 0), (0.2, 0.55), (0.55, 0.5), (0.3, 1), (0.85, 0.4), (0.5, 0.45), (0.75, 0)]],
    "spiral": [list(zip(0.5 + np.linspace(0, 0.5, 40) * np.cos(np.linspace(0, 5 * np.pi, 40)),
                        0.5 + np.linspace(0, 0.5, 40) * np.sin(np.linspace(0, 5 * np.pi, 40))))],
    "check": [[(0, 0.55), (0.35, 1), (1, 0)]],
    "envelope": [[(0, 0.2), (1, 0.2), (1, 0.9), (0, 0.9), (0, 0.2), (0.5, 0.6), (1, 0.2)]],
    "hash": [[(0.35, 0), (0.3, 1)], [(0.7, 0), (0.65, 1)], [(0, 0.35), (1, 0.35)], [(0, 0.68), (1, 0.68)]],
    "diamond": [[(0.5, 0), (1, 0.5), (0.5, 1), (0, 0.5), (0.5, 0)]],
}


def pen(strokes, rng, aspect=None):
    """Strokes of (x, y) points in a unit box, drawn with a round pen of random width, with a random
    aspect, rotation (+-20 degrees) and wobble, as an uncropped ink map."""
    size, ss = 2 * CANVAS, 2
    h = 0.7 * size
    a = rng.uniform(0.7, 1.3) if aspect is None else aspect
    t = np.radians(rng.uniform(-20, 20))
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    width = max(2, round(h / rng.uniform(6, 14)))
    im = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(im)
    for stroke in strokes:
        p = (np.asarray(stroke, float) - 0.5) * [a, 1] @ rot.T
        p = p + rng.normal(0, 0.012, p.shape)
        pts = [tuple(q) for q in p * h + size / 2]
        if len(pts) == 1:
            pts = pts * 2
        d.line(pts, fill=255, width=width, joint="curve")
        for x, y in (pts[0], pts[-1]):
            d.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=255)
    return np.asarray(im.reduce(ss) if ss > 1 else im)


def shapes(rng, table=None):
    table = SHAPES if table is None else table
    return _fit(pen(table[list(table)[rng.integers(len(table))]], rng), rng)


def scribble(rng):
    """A random smooth pen walk: 15-60 steps turning a little each step, now and then looping."""
    n = int(rng.integers(15, 60))
    turn = np.cumsum(rng.normal(0, rng.uniform(0.2, 0.8), n))
    p = np.cumsum(np.stack([np.cos(turn), np.sin(turn)], 1), axis=0)
    p = (p - p.min(0)) / max(float(np.ptp(p, axis=0).max()), 1e-6)
    return _fit(pen([p.tolist()], rng, aspect=1.0), rng)


def tangle(rng):
    """Something scribbled out: a coil of 4-8 loops wandering over each other, or a hatch of 5-12
    strokes back and forth at any angle (a person's "scribbled blob" or scratch-out)."""
    if rng.random() < 0.5:
        n = int(rng.integers(4, 9))
        t = np.linspace(0, 2 * np.pi * n, 40 * n)
        r = 1 + 0.3 * np.cumsum(rng.normal(size=len(t))) / np.sqrt(len(t))
        drift = 3 * np.cumsum(rng.normal(0, 0.3, (len(t), 2)), axis=0) / np.sqrt(len(t))
        p = np.stack([r * np.cos(t) * rng.uniform(0.6, 1.4), r * np.sin(t)], 1) + drift
    else:
        n = int(rng.integers(5, 13))
        a = rng.uniform(0, np.pi)
        p = np.stack([np.arange(n) % 2 + rng.normal(0, 0.08, n), np.linspace(0, 1, n) + rng.normal(0, 0.03, n)], 1)
        p = p @ np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    p = (p - p.min(0)) / max(float(np.ptp(p, axis=0).max()), 1e-6)
    return _fit(pen([p.tolist()], rng, aspect=1.0), rng)


def blob(rng):
    """A filled shape: a polygon of 5-12 corners at random distances from its middle."""
    n = int(rng.integers(5, 13))
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    r = rng.uniform(0.2, 0.5, n)
    im = Image.new("L", (CANVAS, CANVAS), 0)
    ImageDraw.Draw(im).polygon([(CANVAS / 2 + CANVAS * r_ * np.cos(a), CANVAS / 2 + CANVAS * r_ * np.sin(a))
                                for r_, a in zip(r, t)], fill=255)
    return _fit(np.asarray(im), rng, fill=(0.3, 0.6))


# ---------------------------------------------------------------- pieces and pairs of digits

def digit_ink(image):
    """A digit as an ink map at least CANVAS px: MNIST's uint8 28x28 (255 = ink) blown up x4, or any
    larger ink map as it is."""
    a = np.asarray(image, np.uint8)
    if a.shape[0] < CANVAS:
        a = np.asarray(Image.fromarray(a).resize((a.shape[1] * 4, a.shape[0] * 4), Image.Resampling.BILINEAR))
    return a


def piece(ink, rng):
    """A digit cut along a random line (vertical, horizontal or slanted) through 30-70 % of its box,
    one side kept: half a digit, or a digit cut off by the edge of the pad."""
    a = digit_ink(ink).copy()
    rows, cols = np.nonzero(a > 90)
    if len(rows) == 0:
        return np.zeros((CANVAS, CANVAS), np.uint8)
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    yy, xx = np.mgrid[0:a.shape[0], 0:a.shape[1]]
    u = (yy - top) / max(bottom - top, 1)
    v = (xx - left) / max(right - left, 1)
    angle = rng.choice([0.0, 90.0, rng.uniform(20, 70), rng.uniform(110, 160)])
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    along = c * v + s * u                                 # distance along the cut's normal, in box units
    cut = rng.uniform(0.3, 0.7) * (abs(c) + abs(s)) + min(0.0, s) + min(0.0, c)
    keep = along < cut if rng.random() < 0.5 else along >= cut
    a[~keep] = 0
    return _fit(a, rng)


def pair(ink_a, ink_b, rng):
    """Two digits side by side at the same height, from 15 % overlapping to 10 % apart (of the
    height), up to 10 % apart in height: what a number reader's wrong cut hands the network."""
    crops = []
    for ink in (ink_a, ink_b):
        im = Image.fromarray(digit_ink(ink))
        box = im.getbbox()
        if box is None:
            return np.zeros((CANVAS, CANVAS), np.uint8)
        crops.append(im.crop(box))
    h = 80
    crops = [c.resize((max(1, round(c.width * h / c.height)), h), Image.Resampling.BILINEAR) for c in crops]
    gap = round(rng.uniform(-0.15, 0.1) * h)
    dy = round(rng.uniform(-0.1, 0.1) * h)
    w = max(crops[0].width + gap + crops[1].width, crops[0].width, crops[1].width)
    out = np.zeros((h + abs(dy) + 2, w + 2), np.uint8)
    a, b = np.asarray(crops[0]), np.asarray(crops[1])
    y0, y1 = max(0, -dy), max(0, dy)
    out[y0:y0 + h, :a.shape[1]] = a
    x1 = max(0, crops[0].width + gap)
    region = out[y1:y1 + h, x1:x1 + b.shape[1]]
    np.maximum(region, b[:, :region.shape[1]], out=region)
    return _fit(out, rng, fill=(0.6, 0.95))


# ---------------------------------------------------------------- sets

def font_digits(count, font_files, rng):
    """(ink maps, labels): `count` typeset digits (0-9 in turn) in the given fonts."""
    inks = [_fit(glyph(str(i % 10), font_files[rng.integers(len(font_files))], rng), rng) for i in range(count)]
    return inks, np.arange(count) % 10


def make(count, rng, digits, font_files, shape_table, mix):
    """`count` non-digit ink maps, `mix` = {family: share}; `digits`: ink maps of digits (with their
    labels, (inks, labels)) to cut into pieces and pairs. Returns (inks (n, CANVAS, CANVAS), families)."""
    inks, labels = digits
    cuttable = np.flatnonzero(np.asarray(labels) != 1)    # any piece of a 1 is a 1
    makers = {
        "letters": lambda: letters(rng, font_files),
        "shapes": lambda: shapes(rng, shape_table),
        "scribbles": lambda: scribble(rng),
        "blobs": lambda: blob(rng),
        "tangles": lambda: tangle(rng),
        "pieces": lambda: piece(inks[rng.choice(cuttable)], rng),
        "pairs": lambda: pair(inks[rng.integers(len(inks))], inks[rng.integers(len(inks))], rng),
    }
    assert set(mix) <= set(makers), set(mix) - set(makers)
    names = list(mix)
    share = np.array([mix[n] for n in names], float)
    picks = rng.choice(len(names), size=count, p=share / share.sum())
    out, fams = [], []
    for k in picks:
        ink = makers[names[k]]()
        if _thin(ink):
            continue
        out.append(ink)
        fams.append(names[k])
    return np.stack(out) if out else np.zeros((0, CANVAS, CANVAS), np.uint8), np.array(fams)


FAMILIES = ("letters", "shapes", "scribbles", "tangles", "blobs", "pieces", "pairs")
# Each family's weight in a draw (normalised when drawn), and how many non-digits a variant trains on.
TRAINING_MIX = {"letters": 0.2, "shapes": 0.15, "scribbles": 0.1, "blobs": 0.05, "pieces": 0.35, "pairs": 0.15,
                "tangles": 0.1}
TRAINING_COUNT = 24000
# The committed modern model keeps the first round's mix (more letters and pairs, fewer pieces) and
# half the count: with more pieces or more non-digits it lost its MNIST bar (docs/rejection.md).
MIX_OF = {"modern": {"letters": 0.25, "shapes": 0.15, "scribbles": 0.1, "blobs": 0.05, "pieces": 0.25, "pairs": 0.2,
                     "tangles": 0.1}}
COUNT_OF = {"modern": 12000}


def training_mix(variant=None):
    """The families' shares a variant's non-digits are drawn with (training, calibration, report)."""
    return MIX_OF.get(variant, TRAINING_MIX)


def training_fonts(variant=None):
    """The font files a variant's printed digits and letters are typeset in (training, calibration, report)."""
    return fonts(FONTS_OF.get(variant, TRAINING_FONTS))


def training_count(variant=None):
    """How many non-digits a variant's training draws (beside MNIST's 55,000 training digits)."""
    return COUNT_OF.get(variant, TRAINING_COUNT)


def _thin(ink):
    """No ink, or ink a reader takes for a 1: a narrow box, or a line leaning less than 45 degrees
    (its ink's spread across its main axis under THIN of the spread along it)."""
    rows, cols = np.nonzero(ink > 90)
    if len(rows) < 3 or (np.ptp(cols) + 1) < THIN * (np.ptp(rows) + 1):
        return True
    lam, vec = np.linalg.eigh(np.cov(np.stack([cols, rows]).astype(float)))
    return bool(np.sqrt(max(lam[0], 0) / max(lam[1], 1e-9)) < THIN and abs(vec[1, 1]) > abs(vec[0, 1]))


def inputs(inks, batch=512):
    """Ink maps -> (32, 32) float32 network inputs through the app's pipeline, and which maps gave
    one (the pipeline refuses specks and dots as not drawings: those are dropped)."""
    xs, kept = [], []
    for start in range(0, len(inks), batch):
        for i, p in enumerate(preprocess_inks(np.asarray(inks[start:start + batch], np.uint8))):
            if not isinstance(p, InvalidDrawing):
                xs.append(p.input)
                kept.append(start + i)
    return (np.stack(xs) if xs else np.zeros((0, 32, 32), np.float32)), np.array(kept, int)


def pen_digit(digit, rng):
    """A digit drawn by lenet/synthetic.py's pen (another hand than MNIST's), as an ink map."""
    from .synthetic import STROKES, WIDTH
    strokes = [[((x - 0.5) * WIDTH + 0.5, y) for x, y in s] for s in STROKES[digit]]
    return pen(strokes, rng, aspect=1.0)
