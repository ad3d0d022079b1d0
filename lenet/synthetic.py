"""Synthetic drawings: digits drawn by code as a person would on a sketchpad (polylines of a round
pen, at any position, size, pen width, slant and background). The one drawing helper of the
tests, the benchmark and scripts/make_examples.py. No MNIST pixels involved."""
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw


def _arc(cx, cy, rx, ry, start, stop, n=24):
    """Points on an ellipse from angle `start` to `stop` (degrees, 0 = right, 90 = down)."""
    t = np.radians(np.linspace(start, stop, n))
    return list(zip(cx + rx * np.cos(t), cy + ry * np.sin(t)))


# Each digit: strokes of (x, y) points in a unit box, x to the right and y down.
STROKES = {
    0: [_arc(0.5, 0.5, 0.3, 0.45, -90, 270, 40)],
    1: [[(0.55, 0.05), (0.5, 0.95)]],
    2: [_arc(0.5, 0.3, 0.3, 0.25, 190, 360) + _arc(0.5, 0.3, 0.3, 0.25, 0, 40, 6)[1:]
        + [(0.15, 0.95), (0.85, 0.95)]],
    3: [_arc(0.48, 0.27, 0.3, 0.22, 200, 450) + _arc(0.48, 0.71, 0.34, 0.24, 270, 520)[1:]],
    4: [[(0.55, 0.05), (0.15, 0.65), (0.85, 0.65)], [(0.65, 0.3), (0.65, 0.95)]],
    5: [[(0.8, 0.05), (0.3, 0.05), (0.25, 0.45)] + _arc(0.48, 0.67, 0.32, 0.27, 240, 500)[1:]],
    6: [_arc(0.85, 0.6, 0.6, 0.55, 250, 180, 14) + _arc(0.5, 0.71, 0.26, 0.24, 180, 540)[1:]],
    7: [[(0.15, 0.07), (0.85, 0.07), (0.4, 0.95)]],
    8: [_arc(0.5, 0.27, 0.23, 0.22, 90, 450), _arc(0.5, 0.72, 0.28, 0.23, -90, 270)],
    9: [_arc(0.5, 0.3, 0.27, 0.24, 0, 360), [(0.77, 0.3), (0.7, 0.95)]],
}

WIDTH = 0.72  # a digit's width as a fraction of its height (the "1" is narrower by shape)


def draw(digit, canvas=400, height=0.6, centre=(0.5, 0.5), pen=None, slant=0.0,
         background="white", supersample=2):
    """An RGBA canvas with `digit` drawn on it.

    height: digit height as a fraction of the canvas; centre: where the digit sits (fractions);
    pen: pen width in canvas pixels (default height/9); slant: degrees, positive leans right;
    background: "white" (black ink), "transparent" (black ink on alpha 0) or "dark" (white ink).
    """
    ss = supersample
    h = height * canvas
    pen = h / 9 if pen is None else pen
    shear = np.tan(np.radians(slant))
    ink = Image.new("L", (canvas * ss, canvas * ss), 0)
    _pen(ImageDraw.Draw(ink), STROKES[digit], centre[0] * canvas, centre[1] * canvas, h, pen, shear, ss)
    ink = ink.resize((canvas, canvas), Image.Resampling.BOX)  # anti-aliased edges, as a browser draws
    return _rgba(np.asarray(ink, dtype=np.uint8), background)


def _rgba(a, background):
    """uint8 (H, W) ink (255 = ink) -> (H, W, 4) RGBA on `background` (see draw)."""
    out = np.zeros(a.shape + (4,), np.uint8)
    if background == "white":
        out[..., :3] = 255 - a[..., None]
        out[..., 3] = 255
    elif background == "transparent":
        out[..., 3] = a
    elif background == "dark":
        out[..., :3] = a[..., None]
        out[..., 3] = 255
    else:
        raise ValueError(background)
    return out


def _pen(d, strokes, cx, cy, h, pen, shear, ss):
    """Draw `strokes` (unit-box polylines) with a round pen on ImageDraw `d` (supersampled by `ss`),
    the box's centre at (cx, cy), `h` px high, sheared by `shear` (tan of the slant)."""
    for stroke in strokes:
        pts = [((cx + ((x - 0.5) * WIDTH + (0.5 - y) * shear) * h) * ss, (cy + (y - 0.5) * h) * ss)
               for x, y in stroke]
        w = max(1, round(pen * ss))
        d.line(pts, fill=255, width=w, joint="curve")
        for px, py in (pts[0], pts[-1]):  # round pen ends
            d.ellipse([px - w / 2, py - w / 2, px + w / 2, py + w / 2], fill=255)


def drawings(count, canvas=280, seed=0, digits=range(10)):
    """`count` varied drawings (RGBA arrays) with their labels: digits in turn, each at a random size,
    position, slant and pen width that a person might use on a sketchpad."""
    rng = np.random.default_rng(seed)
    digits = list(digits)
    out = []
    for i in range(count):
        d = digits[i % len(digits)]
        h = rng.uniform(0.45, 0.75)
        out.append((draw(d, canvas, height=h, centre=tuple(rng.uniform(0.4, 0.6, 2)),
                         pen=h * canvas / rng.uniform(7, 12), slant=rng.uniform(-12, 12)), d))
    return out


def sketchpad_value(composite):
    """What gr.Sketchpad (and a gradio_client caller of /predict) hands the handler."""
    return {"background": None, "layers": [], "composite": composite}


def save_png(array, path):
    from PIL import Image
    Image.fromarray(np.asarray(array, np.uint8), "RGBA").save(path)
    return Path(path)


# ---------------------------------------------------------------- whole numbers

# Digits drawn in two strokes that do not touch, as people often write them: a 4 whose bar stops
# short of its stem (which starts below the diagonal's top, overlapping it in x), a 5 whose top
# bar floats off its body.
STROKES_APART = {
    4: [[(0.9, 0.02), (0.1, 0.62), (0.5, 0.62)], [(0.72, 0.4), (0.72, 0.97)]],
    5: [[(0.42, -0.05), (0.88, -0.05)], [(0.3, 0.1), (0.25, 0.45)] + _arc(0.48, 0.67, 0.32, 0.27, 240, 500)[1:]],
}
# Fonts the number set is rendered with, where installed (Debian: fonts-dejavu-core, fonts-liberation).
# Every one of them reads 0-9 correctly with both committed models at 80 px; Pillow's bundled
# Aileron does not (its 0 reads 7), so it is not a fallback.
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "LiberationSans-Regular.ttf",
         "LiberationSerif-Italic.ttf", "LiberationMono-Regular.ttf")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
             "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts")
_SOLID = 128   # a layer pixel above this is solid ink: where neighbours' distances are measured


def find_font(name):
    """Path of font file `name` in the usual font folders, or None."""
    if name not in _found:
        _found[name] = next((p for d in FONT_DIRS if Path(d).expanduser().is_dir()
                             for p in Path(d).expanduser().rglob(name)), None)
    return _found[name]


_found = {}


def _layer(digit, height, font, pen, slant, apart, dy, ss=2, weight=0, hand=None):
    """uint8 ink of one digit `height` px high in a layer 2 * height high (the digit's middle at the
    layer's middle, moved down by `dy` px), cropped left and right to its ink. A font's digit is
    stroked `weight` px bolder and leans `slant` degrees; a pen digit takes its strokes from `hand`
    (default STROKES)."""
    rows = 2 * int(height)
    if font is None:
        hand = STROKES if hand is None else {**STROKES, **hand}
        strokes = STROKES_APART[digit] if apart and digit in STROKES_APART else hand[digit]
        ink = Image.new("L", (rows * ss, rows * ss), 0)
        _pen(ImageDraw.Draw(ink), strokes, rows / 2, rows / 2 + dy, height, pen, np.tan(np.radians(slant)), ss)
        ink = ink.resize((rows, rows), Image.Resampling.BOX)
    else:
        from PIL import ImageFont
        face = ImageFont.truetype(str(font), 100)
        top, bottom = face.getbbox("0123456789", anchor="ls")[1::2]
        face = ImageFont.truetype(str(font), max(4, round(100 * height / (bottom - top))))
        ink = Image.new("L", (rows * 2, rows), 0)
        ImageDraw.Draw(ink).text((rows // 2, rows / 2 + height / 2 + dy), str(digit), font=face, fill=255, anchor="ls",
                                 stroke_width=int(weight), stroke_fill=255)
        if slant:   # x_in = x_out + shear * (y_out - middle): leans right for a positive slant
            shear = np.tan(np.radians(slant))
            ink = ink.transform(ink.size, Image.Transform.AFFINE, (1, shear, -shear * rows / 2, 0, 1, 0),
                                resample=Image.Resampling.BILINEAR)
    a = np.asarray(ink, np.uint8)
    cols = np.flatnonzero(a.max(axis=0) > 0)
    return a[:, cols[0]:cols[-1] + 1]


def number(text, height=60, font=None, gaps=0.3, pen=None, slant=0.0, apart=False, jitter=0.0, seed=0,
           margin=0.5, background="white", weight=0, hand=None):
    """The digits of `text` side by side -> (RGBA picture, [(x0, y0, x1, y1)] each digit's ink box).

    height: digit height in px; font: a font file (None: drawn with the pen strokes, `pen` px wide,
    default height/9, leaning `slant` degrees, 4s and 5s in two separate strokes if `apart`, the
    strokes of `hand` (see HAND_B) where it has them; a font's digits lean `slant` degrees too and are
    stroked `weight` px bolder);
    gaps: the closest distance between neighbours' ink, as a fraction of height, one for all or one
    per pair; 0 or less makes them touch (overlap by -gap * height px, at least 1 px); jitter: each
    digit moves up or down by up to this fraction of height (seeded); margin: around the ink,
    fraction of height."""
    rng = np.random.default_rng(seed)
    pen = height / 9 if pen is None else pen
    gaps = np.broadcast_to(np.asarray(gaps, float), (max(len(text) - 1, 0),))
    layers = [_layer(int(c), height, font, pen, slant, apart, rng.uniform(-jitter, jitter) * height,
                     weight=weight, hand=hand) for c in text]
    rows = layers[0].shape[0]
    right = np.full(rows, -np.inf)          # rightmost solid ink of the digits placed so far, per row
    offsets = []
    for i, layer in enumerate(layers):
        solid = layer > _SOLID
        has = solid.any(axis=1)
        left = np.where(has, solid.argmax(axis=1), np.inf)
        if i == 0:
            x = 0
        else:
            g = gaps[i - 1] * height
            g = g if g > 0 else -max(1.0, -g)      # touching: at least one pixel shared
            both = np.isfinite(right) & has
            x = (right[both] - left[both]).max() + 1 + g if both.any() else right.max() + 1 + g - left.min()
            x = int(np.ceil(x)) if g > 0 else int(np.floor(x))
        offsets.append(x)
        right = np.maximum(right, np.where(has, x + layer.shape[1] - 1 - solid[:, ::-1].argmax(axis=1), -np.inf))
    pad = int(round(margin * height))
    shift = pad - min(offsets)
    width = max(x + layer.shape[1] for x, layer in zip(offsets, layers)) + shift + pad
    used = np.flatnonzero(np.maximum.reduce([(layer > 0).any(axis=1) for layer in layers]))
    top, bottom = used[0], used[-1] + 1
    ink = np.zeros((bottom - top + 2 * pad, width), np.uint8)
    boxes = []
    for x, layer in zip(offsets, layers):
        x += shift
        view = ink[pad:pad + bottom - top, x:x + layer.shape[1]]
        np.maximum(view, layer[top:bottom], out=view)
        ys, xs = np.nonzero(layer[top:bottom] > 89)   # the pipeline's ink level (0.35)
        boxes.append((x + int(xs.min()), pad + int(ys.min()), x + int(xs.max()) + 1, pad + int(ys.max()) + 1))
    return _rgba(ink, background), boxes


def styles():
    """The number set's styles: each installed font of FONTS by file name, and "pen" (twice: half of
    a number set is drawn by hand when no font is installed, a third with all six)."""
    return [f for f in FONTS if find_font(f)] + ["pen", "pen"]


def _row(rng, i, heights, gap_range):
    """The i-th number's text (2-6 digits), digit height, gaps between digits (x height) and whether
    it touches: every fifth number has touching neighbours (each pair with probability 1/2, at least one)."""
    n = int(rng.integers(2, 7))
    text = "".join(str(d) for d in rng.integers(0, 10, n))
    height = float(rng.uniform(*heights))
    gaps = rng.uniform(*gap_range, n - 1)
    touching = i % 5 == 4
    if touching:
        touch = rng.random(n - 1) < 0.5
        touch[rng.integers(n - 1)] = True
        gaps = np.where(touch, 0.0, gaps)
    return text, height, gaps, touching


def numbers(count, seed=0):
    """`count` numbers of 2-6 random digits -> [(RGBA, text, boxes, style, touching)]: styles in turn
    (see styles()), digits 30-120 px high with random gaps (0.08-0.6 of height); every fifth number
    has touching neighbours (each pair touches with probability 1/2, at least one pair). Pen numbers
    lean -12..12 degrees, their digits move up and down by up to 5 % of height, and half of them
    write 4 and 5 in separate strokes."""
    rng = np.random.default_rng(seed)
    kinds = styles()
    out = []
    for i in range(count):
        style = kinds[i % len(kinds)]
        text, height, gaps, touching = _row(rng, i, (30, 120), (0.08, 0.6))
        if style == "pen":
            rgba, boxes = number(text, height, pen=height / rng.uniform(7, 12), slant=rng.uniform(-12, 12),
                                 apart=rng.random() < 0.5, gaps=gaps, jitter=0.05, seed=int(rng.integers(1 << 31)))
        else:
            rgba, boxes = number(text, height, font=find_font(style), gaps=gaps)
        out.append((rgba, text, boxes, style, touching))
    return out


# ---------------------------------------------------------------- held-out numbers

# Families the number reader was never tuned on (docs/numbers.md): fonts in neither FONTS nor the
# rejection's training fonts (lenet/nondigits.py), leaning and stroked bolder, and a second hand: a 1
# with a flag and a foot, a crossed 7, a closed 4, a 2 with a straight diagonal, a flat-topped 3, a 9
# with a curled tail, a wide 0.
HELD_OUT_FONTS = ("DejaVuSansMono-Bold.ttf", "DejaVuSansCondensed-Bold.ttf", "DejaVuSerif-Italic.ttf",
                  "DejaVuSans-BoldOblique.ttf", "DejaVuSerif-Bold.ttf", "LiberationSans-BoldItalic.ttf",
                  "DejaVuSerifCondensed-Italic.ttf", "LiberationSerif-BoldItalic.ttf",
                  "LiberationSansNarrow-Bold.ttf", "LiberationMono-Bold.ttf")
HAND_B = {
    0: [_arc(0.5, 0.5, 0.4, 0.45, -100, 265, 40)],
    1: [[(0.25, 0.28), (0.55, 0.05), (0.55, 0.95)], [(0.3, 0.95), (0.8, 0.95)]],
    2: [[(0.18, 0.2), (0.45, 0.05), (0.78, 0.15), (0.78, 0.38), (0.15, 0.95), (0.88, 0.92)]],
    3: [[(0.2, 0.05), (0.8, 0.05), (0.45, 0.4)] + _arc(0.48, 0.68, 0.33, 0.27, 270, 520)[1:]],
    4: [[(0.68, 0.95), (0.68, 0.05), (0.12, 0.68), (0.9, 0.68)]],
    7: [[(0.15, 0.07), (0.85, 0.07), (0.4, 0.95)], [(0.35, 0.5), (0.78, 0.5)]],
    9: [_arc(0.5, 0.3, 0.28, 0.25, 0, 360), [(0.78, 0.3), (0.75, 0.75)] + _arc(0.5, 0.75, 0.25, 0.2, 0, 150, 10)],
}


def held_out_styles():
    """The held-out number set's styles: each installed font of HELD_OUT_FONTS, and "pen B" (twice)."""
    return [f for f in HELD_OUT_FONTS if find_font(f)] + ["pen B", "pen B"]


def held_out_numbers(count, seed=100):
    """Like numbers(), from families never used to tune the reader -> [(RGBA, text, boxes, style,
    touching)]: HELD_OUT_FONTS leaning -18..18 degrees two times in three and stroked up to height/15 px
    bolder, and HAND_B's strokes with pens height/5..height/14 wide leaning -20..20 degrees; digits
    24-140 px high, gaps 0.05-0.7 of height, every fifth number touching as in numbers()."""
    rng = np.random.default_rng(seed)
    kinds = held_out_styles()
    out = []
    for i in range(count):
        style = kinds[i % len(kinds)]
        text, height, gaps, touching = _row(rng, i, (24, 140), (0.05, 0.7))
        if style == "pen B":
            rgba, boxes = number(text, height, pen=height / rng.uniform(5, 14), slant=rng.uniform(-20, 20),
                                 gaps=gaps, jitter=0.06, hand=HAND_B, seed=int(rng.integers(1 << 31)))
        else:
            slant = rng.uniform(-18, 18) if rng.random() < 2 / 3 else 0.0
            rgba, boxes = number(text, height, font=find_font(style), gaps=gaps, slant=slant,
                                 weight=int(rng.uniform(0, height / 15)))
        out.append((rgba, text, boxes, style, touching))
    return out


def speck(rgba, x, y, radius, background="white"):
    """A copy of `rgba` with a round speck of ink of `radius` px at (x, y)."""
    ink = Image.new("L", rgba.shape[1::-1], 0)
    ImageDraw.Draw(ink).ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
    ink = np.asarray(ink)
    out = rgba.copy()
    if background == "white":
        out[..., :3] = np.minimum(out[..., :3], 255 - ink[..., None])
    elif background == "dark":
        out[..., :3] = np.maximum(out[..., :3], ink[..., None])
    else:
        out[..., 3] = np.maximum(out[..., 3], ink)
    return out
