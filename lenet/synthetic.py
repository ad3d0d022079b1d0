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
    d = ImageDraw.Draw(ink)
    cx, cy = centre[0] * canvas, centre[1] * canvas
    for stroke in STROKES[digit]:
        pts = [((cx + ((x - 0.5) * WIDTH + (0.5 - y) * shear) * h) * ss, (cy + (y - 0.5) * h) * ss)
               for x, y in stroke]
        w = max(1, round(pen * ss))
        d.line(pts, fill=255, width=w, joint="curve")
        for px, py in (pts[0], pts[-1]):  # round pen ends
            d.ellipse([px - w / 2, py - w / 2, px + w / 2, py + w / 2], fill=255)
    ink = ink.resize((canvas, canvas), Image.Resampling.BOX)  # anti-aliased edges, as a browser draws
    a = np.asarray(ink, dtype=np.uint8)
    out = np.zeros((canvas, canvas, 4), np.uint8)
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
