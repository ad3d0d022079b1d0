"""Digits that are not MNIST, made by the project itself, to measure how well a model reads other
hands and media: every set is generated deterministically from a seed and never stored as images.

- "fonts": digits typeset in the fonts installed on the machine (DejaVu and Liberation sans, serif,
  mono, bold, italic, condensed; Pillow's own bundled font), with a random pen weight, slant, size
  and position on a 280x280 sketchpad-sized canvas. Training typesets digits in the Liberation
  families (lenet/nondigits.py): "fonts_held_out" is the rest.
Each set also says how many were read right AND accepted as digits ("..._read_and_accepted").
- "pen": lenet/synthetic.py's pen-stroke digits (random pen, slant, size, position).
- "lowres_16px" / "lowres_8px": the 10,000 MNIST test digits shrunk until the digit is 16 (or 8) px
  high and blown back up x10 (bilinear), as a photo of a small note would be.

Every picture goes through the app's own pipeline (lenet.preprocess), so a figure here is what a
person would get from the page. `measure(model, ...)` gives the accuracies for the model card.
"""
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import synthetic

CANVAS = 280          # the sketchpad's drawing area, px
PER_STYLE = 100       # digits per font (10 of each digit)
PEN_COUNT = 1000
LOWRES_PX = (16, 8)   # digit heights of the low-resolution sets
MNIST_BOX = 20        # an MNIST digit's longer side in its 28x28 field
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "/Library/Fonts",
             "/System/Library/Fonts", "C:/Windows/Fonts")
# Font files tried, by name; the ones not installed are skipped (and the card lists those used).
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-ExtraLight.ttf", "DejaVuSansCondensed-Oblique.ttf",
         "DejaVuSerif.ttf", "DejaVuSerif-BoldItalic.ttf", "DejaVuSansMono.ttf",
         "LiberationSans-Regular.ttf", "LiberationSans-Italic.ttf", "LiberationSansNarrow-Regular.ttf",
         "LiberationSerif-Regular.ttf", "LiberationSerif-Italic.ttf", "LiberationMono-Regular.ttf")
PILLOW_FONT = "Pillow default"


def installed_fonts():
    """The FONTS found on this machine, as (name, path), plus Pillow's bundled font (path None)."""
    found = []
    dirs = [Path(d).expanduser() for d in FONT_DIRS]
    for name in FONTS:
        path = next((p for d in dirs if d.is_dir() for p in d.rglob(name)), None)
        if path is not None:
            found.append((name, path))
    return found + [(PILLOW_FONT, None)]


def _face(path, size):
    return ImageFont.load_default(size) if path is None else ImageFont.truetype(str(path), size)


def typeset(digit, path, height, weight=0, slant=0.0, centre=(0.5, 0.5), canvas=CANVAS):
    """RGBA canvas (black on white) with `digit` in the font at `path` (None: Pillow's), its ink
    `height` px high, stroked `weight` px bolder, leaning `slant` degrees, centred at `centre`."""
    size = 200
    layer = Image.new("L", (2 * size, 2 * size), 0)
    ImageDraw.Draw(layer).text((size // 2, size // 2), str(digit), font=_face(path, size), fill=255,
                               stroke_width=int(weight), stroke_fill=255)
    shear = np.tan(np.radians(slant))
    # x_in = x_out + shear * (y_out - middle): lean right for a positive slant, about the middle row
    layer = layer.transform(layer.size, Image.Transform.AFFINE, (1, shear, -shear * size, 0, 1, 0),
                            resample=Image.Resampling.BILINEAR)
    box = layer.getbbox()
    ink = layer.crop(box)
    scale = height / ink.height
    ink = ink.resize((max(1, round(ink.width * scale)), max(1, round(height))), Image.Resampling.LANCZOS)
    out = Image.new("L", (canvas, canvas), 0)
    out.paste(ink, (round(centre[0] * canvas - ink.width / 2), round(centre[1] * canvas - ink.height / 2)))
    return _on_white(np.asarray(out))


def _on_white(ink):
    rgba = np.full(ink.shape + (4,), 255, np.uint8)
    rgba[..., :3] = 255 - ink[..., None]
    return rgba


def font_digits(seed=0, per_style=PER_STYLE, faces=None):
    """[(RGBA, digit, font name)]: per_style digits (0-9 in turn) per installed font (or per (name,
    path) of `faces`), each at a random height (35-75 % of the canvas), weight (0 to height/30 px
    bolder), slant (-12..12 degrees) and position (middle 30 % of the canvas)."""
    rng = np.random.default_rng(seed)
    out = []
    for name, path in installed_fonts() if faces is None else faces:
        for i in range(per_style):
            h = rng.uniform(0.35, 0.75) * CANVAS
            out.append((typeset(i % 10, path, h, weight=rng.uniform(0, h / 30), slant=rng.uniform(-12, 12),
                                centre=tuple(rng.uniform(0.35, 0.65, 2))), i % 10, name))
    return out


def lowres(images28, px, scale=10, upscale=Image.Resampling.BILINEAR):
    """uint8 (N, 28, 28) MNIST digits (255 = ink) -> RGBA (black on white) pictures whose digit was
    shrunk to `px` px high (area average) and blown back up `scale` times (`upscale`: bilinear, or
    nearest for blocky pixels, bicubic for a sharper blur)."""
    small = max(2, round(28 * px / MNIST_BOX))
    out = []
    for a in images28:
        im = Image.fromarray(np.asarray(a, np.uint8)).resize((small, small), Image.Resampling.BOX)
        out.append(_on_white(np.asarray(im.resize((small * scale, small * scale), upscale))))
    return out


def read(model, pictures, batch=500, doubt=False):
    """Pictures -> the digits the Keras `model` reads through the app's pipeline (-1 where the
    pipeline refuses one as not a drawing); with `doubt`, also whether each reads as a digit at all
    (REJECT's calibrated decision, lenet/rejection.py)."""
    from .model import digit_outputs, has_rbf_output, predicted_digits
    from .preprocess import InvalidDrawing, preprocess_batch

    rbf = has_rbf_output(model)
    out, accepted = [], []
    for start in range(0, len(pictures), batch):
        prepared = preprocess_batch(pictures[start:start + batch])
        ok = [i for i, p in enumerate(prepared) if not isinstance(p, InvalidDrawing)]
        digits = np.full(len(prepared), -1)
        yes = np.zeros(len(prepared), bool)
        if ok:
            x = np.stack([prepared[i].input for i in ok])[..., None].astype("float32")
            probs, reject = digit_outputs(model, x, batch)
            digits[ok] = predicted_digits(probs, rbf)
            yes[ok] = reject <= 0.5
        out.append(digits)
        accepted.append(yes)
    digits = np.concatenate(out) if out else np.zeros(0, int)
    return (digits, np.concatenate(accepted) if accepted else np.zeros(0, bool)) if doubt else digits


def measure(model, variant=None, data_path=None, limit=None, seed=0):
    """Accuracy of a Keras model on every set: {"fonts": ..., "fonts_per_font": {...}, "pen": ...,
    "lowres_16px": ..., "lowres_8px": ..., "mnist_test_raw": ..., "sizes": {...}} (fractions)."""
    from . import data

    result, sizes = {}, {}
    fonts = font_digits(seed)
    if limit:
        fonts = fonts[::max(1, len(fonts) // limit)]
    got, yes = read(model, [f[0] for f in fonts], doubt=True)
    labels = np.array([f[1] for f in fonts])
    names = np.array([f[2] for f in fonts])
    result["fonts"] = float(np.mean(got == labels))
    result["fonts_read_and_accepted"] = float(np.mean((got == labels) & yes))
    trained = np.array([n.startswith("Liberation") for n in names])   # lenet/nondigits.py's TRAINING_FONTS
    result["fonts_held_out"] = float(np.mean(got[~trained] == labels[~trained]))
    result["fonts_held_out_read_and_accepted"] = float(np.mean(((got == labels) & yes)[~trained]))
    result["fonts_per_font"] = {n: round(float(np.mean(got[names == n] == labels[names == n])), 4)
                                for n in dict.fromkeys(names)}
    sizes["fonts"] = len(fonts)

    pens = synthetic.drawings(limit or PEN_COUNT, canvas=CANVAS, seed=seed)
    got, yes = read(model, [p for p, _ in pens], doubt=True)
    result["pen"] = float(np.mean(got == np.array([d for _, d in pens])))
    result["pen_read_and_accepted"] = float(np.mean((got == np.array([d for _, d in pens])) & yes))
    sizes["pen"] = len(pens)

    _, (x, y) = data.load_raw(data_path)
    if limit:
        x, y = x[:limit], y[:limit]
    from .model import digit_outputs, has_rbf_output, predicted_digits
    probs, reject = digit_outputs(model, data.to_input(x))
    raw = predicted_digits(probs, has_rbf_output(model))
    result["mnist_test_raw"] = float(np.mean(raw == y))
    result["mnist_test_read_and_accepted"] = float(np.mean((raw == y) & (reject <= 0.5)))
    for px in LOWRES_PX:
        got, yes = read(model, lowres(x, px), doubt=True)
        result[f"lowres_{px}px"] = float(np.mean(got == y))
        result[f"lowres_{px}px_read_and_accepted"] = float(np.mean((got == y) & yes))
        sizes[f"lowres_{px}px"] = len(y)
    result["sizes"] = sizes
    result["about"] = ("fonts: installed fonts, random weight/slant/size/position on 280x280 (fonts_held_out: "
                       "all but the Liberation families, which printed digits in training are typeset in); pen: "
                       "lenet/synthetic.py drawings; lowres_Npx: MNIST test digits shrunk to N px high and "
                       "blown back up x10; all through the app's pipeline (lenet/handsets.py, seed "
                       f"{seed})")
    return result
