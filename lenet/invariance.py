"""Invariance sweeps: one transformation at a time (shift, scale, rotation, squeeze, stroke width,
noise) applied in steps to the 32x32 input the network reads, every step read in one model call.

The transformations act on the 32x32 input, after the pipeline, not on the drawing before it:
the pipeline crops, fits the longer side into 20 px, centres by mass and brings strokes into
MNIST's width band, so a shift, a scale or a thicker pen applied to the drawing would be undone
before the network saw it. Acting on the input shows what LeNet-5 itself tolerates, as in the
paper's figures of distorted inputs (LeCun et al. 1998, fig. 13). Step 0 is always the untouched
input, so its probabilities are `Recognizer.predict`'s."""
from dataclasses import dataclass

import numpy as np

from .preprocess import INPUT

CENTRE = (INPUT - 1) / 2   # the pivot: centring by mass puts the digit's centre of mass here (15.5)
STEPS = 21

# name -> (default last value, identity value, unit as shown, how a value reads in a sentence)
SWEEPS = {
    "shift": (10.0, 0.0, "px", lambda v: f"a shift of {v:g} px to the {'right' if v >= 0 else 'left'}"),
    "scale": (2.0, 1.0, "x", lambda v: f"{v:.2g}x scale"),
    "rotation": (90.0, 0.0, "°", lambda v: f"{v:.0f}° of rotation"),
    "squeeze": (0.2, 1.0, "x width", lambda v: f"{v:.2g}x width"),
    "stroke": (3.0, 0.0, "px", lambda v: f"{'+' if v >= 0 else '-'}{abs(v):.2g} px of stroke width"),
    "noise": (0.8, 0.0, "σ", lambda v: f"noise of σ {v:.2g}"),
}


@dataclass
class Sweep:
    name: str                  # a key of SWEEPS
    values: np.ndarray         # (n,) the parameter at each step; values[0] is the identity
    inputs: np.ndarray         # (n, 32, 32) what the network read at each step
    probabilities: np.ndarray  # (n, 10) one row of class probabilities per step
    reading: str               # one line: "still a 7 up to 35° of rotation"
    origin: int = 0            # the step that is the untouched input (both_ways: the middle one)

    @property
    def digits(self):
        return self.probabilities.argmax(axis=1)

    @property
    def breaks_at(self):
        """Index of the first step that reads another digit than step 0, or None."""
        changed = np.flatnonzero(self.digits != self.digits[0])
        return int(changed[0]) if len(changed) else None


def sweep(recognizer, x, name, steps=STEPS, stop=None):
    """Sweep `name` (a key of SWEEPS) over `steps` values from the identity to `stop` (default
    SWEEPS[name][0]; the sign sets the direction: stop=-10 shifts left, -90 turns the other way,
    0.5 shrinks) on the 32x32 input `x` (a Prediction, or its .input). One model call."""
    x = np.asarray(getattr(x, "input", x), dtype=np.float32)
    values, stack = transformed(x, name, steps, stop)
    probs = class_probabilities(recognizer, recognizer.run(stack)["OUT"])
    return Sweep(name, values, stack, probs, reading(name, values, probs))


def both_ways(recognizer, x, name="scale", low=0.5, steps=STEPS):
    """The sweep from `low` through the identity to SWEEPS[name]'s last value (scale: 0.5x to 2x),
    as one Sweep whose `origin` is the untouched input: the two one-way sweeps, read in one call."""
    x = np.asarray(getattr(x, "input", x), dtype=np.float32)
    half = steps // 2 + 1
    down_v, down = transformed(x, name, half, low)
    up_v, up = transformed(x, name, steps - half + 1)
    values = np.concatenate([down_v[::-1], up_v[1:]])
    stack = np.concatenate([down[::-1], up[1:]])
    probs = class_probabilities(recognizer, recognizer.run(stack)["OUT"])
    o = half - 1
    said = (f"smaller: {reading(name, down_v, probs[o::-1]).replace('up to', 'down to')} · "
            f"larger: {reading(name, up_v, probs[o:])}")
    return Sweep(name, values, stack, probs, said, o)


def class_probabilities(recognizer, out):
    """OUT's outputs (n, 10) -> (n, 10) float64 digit probabilities summing to 1: softmax outputs
    renormalised, or the paper's RBF distances through its posterior (lenet.model)."""
    from . import network
    if getattr(recognizer, "rbf", False):
        return network.digit_probabilities(out)
    probs = np.asarray(out, dtype="float64")
    return probs / probs.sum(axis=1, keepdims=True)


def transformed(x, name, steps=STEPS, stop=None):
    """(32, 32) input -> (values (steps,), inputs (steps, 32, 32)): the pure part of sweep()."""
    if name not in SWEEPS:
        raise ValueError(f"unknown sweep {name!r}; choose one of {', '.join(SWEEPS)}")
    last, identity, _, _ = SWEEPS[name]
    values = np.linspace(identity, last if stop is None else stop, steps)
    x = np.asarray(x, dtype=np.float32)
    if name == "stroke":
        stack = _stroke(x, values)
    elif name == "noise":
        field = np.random.default_rng(0).standard_normal(x.shape).astype(np.float32)   # one pattern, growing
        stack = np.clip(x + values[:, None, None].astype(np.float32) * field, 0.0, 1.0)
    else:
        stack = _warp(x, [_matrix(name, v) for v in values])
    stack[0] = x          # the identity exactly, whatever the resampling would do
    return values, stack


def reading(name, values, probs):
    """One line: how far the digit of step 0 holds and what it becomes after."""
    digits = probs.argmax(axis=1)
    say = SWEEPS[name][3]
    d = digits[0]
    changed = np.flatnonzero(digits != d)
    if not len(changed):
        return f"still a {d} up to {say(values[-1])}"
    k = changed[0]
    if k == 1:
        return f"breaks at once: {say(values[1])} reads {digits[1]}"
    return f"still a {d} up to {say(values[k - 1])}; breaks at {say(values[k])}: reads {digits[k]}"


# ---------------------------------------------------------------- geometry on the 32x32 input

def _matrix(name, v):
    """2x3 matrix taking an output pixel (x, y, 1) to where it reads the input (inverse mapping)."""
    c = CENTRE
    if name == "shift":
        return np.array([[1, 0, -v], [0, 1, 0]], float)
    if name == "scale":
        return np.array([[1 / v, 0, c - c / v], [0, 1 / v, c - c / v]], float)
    if name == "squeeze":
        return np.array([[1 / v, 0, c - c / v], [0, 1, 0]], float)
    if name == "rotation":   # clockwise on screen (y down) for positive angles
        t = np.radians(v)
        cos, sin = np.cos(t), np.sin(t)
        return np.array([[cos, sin, c - cos * c - sin * c], [-sin, cos, c + sin * c - cos * c]], float)
    raise ValueError(name)


def _warp(x, matrices):
    """Bilinear resampling of (h, w) `x` through each inverse-mapping matrix, zero (background)
    outside -> (n, h, w) float32."""
    h, w = x.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    m = np.asarray(matrices)                                       # (n, 2, 3)
    sx = m[:, 0, 0, None, None] * xx + m[:, 0, 1, None, None] * yy + m[:, 0, 2, None, None]
    sy = m[:, 1, 0, None, None] * xx + m[:, 1, 1, None, None] * yy + m[:, 1, 2, None, None]
    x0, y0 = np.floor(sx).astype(int), np.floor(sy).astype(int)
    fx, fy = (sx - x0).astype(np.float32), (sy - y0).astype(np.float32)
    padded = np.zeros((h + 2, w + 2), np.float32)
    padded[1:-1, 1:-1] = x

    def at(yi, xi):
        ok = (yi >= -1) & (yi <= h) & (xi >= -1) & (xi <= w)
        return np.where(ok, padded[np.clip(yi + 1, 0, h + 1), np.clip(xi + 1, 0, w + 1)], 0.0)

    top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
    bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def _stroke(x, values):
    """Strokes thickened (values > 0) or thinned (< 0) by `values` px on each side's total: grey
    dilation or erosion by an octagon at twice the resolution, fractional widths interpolated
    between whole half-pixel steps -> (n, 32, 32)."""
    big = np.repeat(np.repeat(x, 2, axis=0), 2, axis=1)
    reach = int(np.ceil(np.abs(values).max()))           # half-pixel iterations: 1 px of width = 2 edges x 0.5 px
    grown, shrunk = [big], [big]
    for i in range(reach):
        grown.append(_rank3(grown[-1], np.maximum, square=i % 2 == 0))
        shrunk.append(_rank3(shrunk[-1], np.minimum, square=i % 2 == 0))
    out = np.empty((len(values),) + x.shape, np.float32)
    for k, v in enumerate(values):
        levels = grown if v >= 0 else shrunk
        lo = int(np.floor(abs(v)))
        hi = min(lo + 1, reach)
        t = abs(v) - lo
        mixed = (1 - t) * levels[lo] + t * levels[hi]
        out[k] = mixed.reshape(x.shape[0], 2, x.shape[1], 2).mean(axis=(1, 3))
    return out


def _rank3(a, op, square):
    """3x3 square (or plus-shaped) max/min filter of a 2-D array; zero outside."""
    p = np.pad(a, 1)
    h, w = a.shape
    out = a.copy()
    shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0) and (square or dy * dx == 0)]
    for dy, dx in shifts:
        out = op(out, p[1 + dy:1 + dy + h, 1 + dx:1 + dx + w])
    return out


# ---------------------------------------------------------------- pictures for the page

PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]   # matplotlib's tab10


def chart(s, width=420, height=300):
    """The sweep as an RGB uint8 (height, width, 3) picture drawn for the size it is shown at (~400 px
    wide, 16 px text): each class's probability along the steps (the untouched input's digit drawn
    thick), a band under the plot coloured by the digit read at each step, the axis labelled with the
    parameter. Its title (the reading) is the page's text, not the picture's. Pillow only."""
    from PIL import Image, ImageDraw

    from .visualize import font as text_font
    font = text_font(16)
    im = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(im)
    left, right, top, bottom = 44, width - 52, 10, height - 62
    n = len(s.values)
    xs = [left + (right - left) * i / max(n - 1, 1) for i in range(n)]
    y = lambda p: bottom - (bottom - top) * p
    d.rectangle([left, top, right, bottom], outline=(150, 150, 150))
    for p in (0.0, 0.5, 1.0):
        d.line([left, y(p), right, y(p)], fill=(225, 225, 225))
        d.text((left - 6, y(p)), f"{p:.1f}", fill="black", font=font, anchor="rm")
    base = int(s.digits[s.origin])
    for c in sorted(range(10), key=lambda c: (c == base, s.probabilities[:, c].max())):
        pts = [(xs[i], y(s.probabilities[i, c])) for i in range(n)]
        d.line(pts, fill=PALETTE[c], width=5 if c == base else 2)
    step = (bottom - top) / 10
    for c in range(10):   # legend, one digit a row, top to bottom
        row = top + step * (c + 0.5)
        d.line([right + 6, row, right + 20, row], fill=PALETTE[c], width=5 if c == base else 3)
        d.text((right + 24, row), str(c), fill="black", font=font, anchor="lm")
    band = bottom + 6
    for i in range(n):
        x0 = xs[i] - (xs[1] - xs[0]) / 2 if n > 1 else left
        x1 = xs[i] + (xs[1] - xs[0]) / 2 if n > 1 else right
        d.rectangle([max(x0, left), band, min(x1, right), band + 10], fill=PALETTE[int(s.digits[i])])
    unit = SWEEPS[s.name][2]
    for i, anchor in ((0, "lt"), (s.origin, "mt"), (n - 1, "rt")) if s.origin else ((0, "lt"), (n - 1, "rt")):
        d.text((xs[i], band + 14), f"{s.values[i]:.3g}", fill="black", font=font, anchor=anchor)
    d.text(((left + right) / 2, height - 2), f"{s.name} ({unit})", fill="black", font=font, anchor="mb")
    return np.asarray(im)


def strip(s, scale=2, every=1):
    """The step inputs side by side (every `every`-th), ink dark on white, as an RGB uint8 array."""
    tiles = s.inputs[::every]
    gap = np.ones((INPUT, 2), np.float32) * 0.0
    row = np.concatenate([np.concatenate([t, gap], axis=1) for t in tiles], axis=1)
    grey = (255 - np.clip(row, 0, 1) * 255).astype(np.uint8)
    grey = np.repeat(np.repeat(grey, scale, axis=0), scale, axis=1)
    return np.repeat(grey[..., None], 3, axis=2)
