"""Teaching walk-through: the network top to bottom for one drawing, and "explain one
number" — the 5x5 patch, the kernel and the sum patch·kernel + bias → activation behind any C1 or
C3 pixel. Every figure is computed from the loaded model; the app only wires these into Gradio.
With pre=True the rows show the sums before the squashing function
(lenet/preactivation.py) and a click explains the sum: the same computation without f.
This module holds the maths; the words are walk_text.py's and the pictures walk_figures.py's.

The patch is taken where the layer really reads it: C1 reads the output of the model's `scale`
layer (ink mapped to the paper's -0.1..1.175 range), C3 reads S2's output.
"""
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import preactivation
from .architecture import c3_connection_table, describe
from .network import LAYERS, activate
from .walk_figures import (  # noqa: F401
    CAP,
    GRID,
    GRID_GAP,
    bar_strip,
    explanation_figure,
    grid,
    locate,
    marked_grid,
    pixel_centre,
    probabilities_figure,
    row_images,
)
from .walk_text import (  # noqa: F401
    EXPLAIN_PROMPT,
    SENTENCES,
    colours_line,
    explained_rows,
    explanation_html,
    row_markdown,
    totals_markdown,
)

ROWS = ("input",) + LAYERS                     # input C1 S2 C3 S4 C5 F6 OUT
CLICKABLE = ("C1", "C3")
SOURCE = {"C1": "scale", "C3": "S2"}           # the layer whose output each convolution reads

# ------------------------------------------------------------------ model access


class Walkthrough:
    """One per recogniser: what C1 and C3 read (scale, S2) and produce, from the recogniser's own
    model call (either backend: no Keras here) and its exported facts (lenet/facts.py)."""

    def __init__(self, rec):
        self.rec = rec
        self.model = rec.model
        self.facts = rec.facts

    def taps(self, x32):
        """(32, 32) ink map -> {"scale" (32,32,1), "C1", "S2", "C3"} numpy arrays, no batch axis."""
        x = np.asarray(x32, dtype="float32").reshape(1, 32, 32, 1)
        outs = self.rec.run(x)
        scale, offset = self.facts.scale    # the scale layer: x * 1.275 - 0.1, in float32 as Keras does
        return {"scale": x[0] * np.float32(scale) + np.float32(offset),
                **{n: outs[n][0] for n in ("C1", "S2", "C3")}}

    def activation(self, layer, z):
        """The layer's own activation function applied to a number."""
        return float(activate(self.facts.activations[layer], z))

    def explain(self, x32, layer, fmap, row, col, pre=False):
        """Why feature map `fmap` of `layer` (C1 or C3) holds its value at (row, col). pre=True: the
        map shown is the sums before squashing, so the explained value is z, not f(z); `shown` is
        then the sum the picture holds there (lenet/preactivation.py, from the same layer input)."""
        if layer not in CLICKABLE:
            raise ValueError(f"only {CLICKABLE} can be explained, not {layer!r}")
        t = self.taps(x32)
        src = t[SOURCE[layer]]                                     # (H, W, in)
        kernel = self.rec.kernels(layer)[:, :, :, fmap]           # (5, 5, in): zeros where disconnected
        k = kernel.shape[0]
        patch = src[row:row + k, col:col + k, :]
        bias = float(self.rec.bias(layer)[fmap])
        connected = [0] if layer == "C1" else \
            [i for i in range(kernel.shape[-1]) if c3_connection_table(self.model)[i, fmap]]
        products = patch.astype("float64") * kernel.astype("float64")
        per_input = [float(products[:, :, i].sum()) for i in connected]
        total = float(sum(per_input))
        z = total + bias
        value = self.activation(layer, z)
        fm = float(t[layer][row, col, fmap])
        shown = float(preactivation.layer_sums(self.rec, layer, src)[row, col, fmap]) if pre else fm
        if layer == "C1":
            rf_input = (row, col, k)                               # top, left, size on the 32x32 input
            rf_s2 = None
        else:
            # k S2 rows <- 2k C1 rows (2x2 pooling) <- 2k + k - 1 input rows: 14x14 for 5x5 kernels
            rf_s2 = (row, col, k)
            rf_input = (2 * row, 2 * col, 2 * k + k - 1)
        return Explanation(layer=layer, fmap=fmap, row=row, col=col, patch=patch, kernel=kernel,
                           connected=connected, per_input=per_input, total=total, bias=bias, z=z,
                           value=value, feature_map_value=fm, pre=pre, shown=shown,
                           activation=next(r["activation"] for r in describe(self.model) if r["layer"] == layer),
                           rf_input=rf_input, rf_s2=rf_s2, input=np.asarray(x32, "float64"),
                           s2=t["S2"])


@lru_cache(maxsize=8)
def for_recognizer(rec):
    """The Walkthrough of a recogniser, built once."""
    return Walkthrough(rec)


@dataclass
class Explanation:
    layer: str
    fmap: int
    row: int
    col: int
    patch: np.ndarray          # (5, 5, in): what the kernel sees (scaled input for C1, S2 for C3)
    kernel: np.ndarray         # (5, 5, in)
    connected: list            # input maps that feed this map
    per_input: list            # Σ patch·kernel for each connected input map
    total: float               # Σ over all of them
    bias: float
    z: float                   # total + bias
    value: float               # activation(z)
    feature_map_value: float   # what the network computed at that pixel
    activation: str
    rf_input: tuple            # (top, left, size) on the 32x32 input
    rf_s2: tuple               # (top, left, size) on S2, or None for C1
    input: np.ndarray          # (32, 32) ink
    s2: np.ndarray             # (14, 14, 6)
    pre: bool = False          # the map shown holds the sums before squashing: z is explained, not f(z)
    shown: float = None        # what the map shown holds at that pixel: feature_map_value, or with pre the sum

    @property
    def explained(self):
        """The value explained: z before squashing (pre), f(z) otherwise."""
        return self.z if self.pre else self.value

