"""Teaching walk-through (issue 8): the network top to bottom for one drawing, and "explain one
number" — the 5x5 patch, the kernel and the sum patch·kernel + bias → activation behind any C1 or
C3 pixel. Every figure is computed from the loaded model; the app only wires these into Gradio.
With pre=True (issue 15.2) the rows show the sums before the squashing function
(lenet/preactivation.py) and a click explains the sum: the same computation without f.

The patch is taken where the layer really reads it: C1 reads the output of the model's `scale`
layer (ink mapped to the paper's -0.1..1.175 range), C3 reads S2's output.
"""
import html
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from . import preactivation, rbf
from . import visualize as viz
from .architecture import c3_connection_table, describe
from .network import LAYERS, activate

ROWS = ("input",) + LAYERS                     # input C1 S2 C3 S4 C5 F6 OUT
CLICKABLE = ("C1", "C3")
SOURCE = {"C1": "scale", "C3": "S2"}           # the layer whose output each convolution reads
GRID = {"C1": dict(cols=6, scale=5), "C3": dict(cols=8, scale=9)}   # clickable map layouts
GRID_GAP = 8
CAP = 18                                        # caption band above every map tile (px)
RF_COLOUR = (0, 200, 255)

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


# ------------------------------------------------------------------ the layer table


SENTENCES = {
    "input": "The drawing, cropped, scaled to 20×20, centred in 28×28 and padded to 32×32 — the size "
             "LeNet-5 reads. The first layer rescales ink to the paper's range (background −0.1, ink 1.175).",
    "Conv2D": "Each of the {maps} filters slides a {kernel} window over {src}; at every position it multiplies the "
              "window by its weights, adds a bias and squashes the sum with {act}. The same weights are "
              "reused at every position — that is why there are so few parameters for so many connections.",
    "SparseConv2D": "Like a convolution, but each of the {maps} maps reads only some S2 maps (the paper's "
                    "connection table): fewer parameters, and different maps are forced to learn different "
                    "features.",
    "Subsampling": "Each 2×2 block is averaged, multiplied by a trainable coefficient, shifted by a bias and "
                   "squashed: the maps get half as big and small shifts of the digit matter less.",
    "MaxPooling2D": "Each 2×2 block keeps only its largest value: the maps get half as big, the strongest "
                    "response survives, and small shifts of the digit matter less. No parameters.",
    "C5": "{maps} filters of {kernel} cover the whole 5×5 S4 maps, so each C5 unit sees the entire digit: "
          "a convolution that behaves like a fully connected layer.",
    "F6": "{maps} units, each a weighted sum of all C5 units plus a bias, through {act}.",
    "OUT": "One unit per digit; softmax turns the scores into probabilities that sum to 1. "
           "The largest one is the answer.",
    "EuclideanRBF": "One unit per digit, each the squared distance between F6 (read as a 7×12 picture) and that "
                    "digit's fixed 7×12 code: the smallest distance is the answer. **Click a distance** to see "
                    "its sum.",
}


def explained_rows(model):
    """architecture.describe plus count_params and a plain sentence per layer: one dict per row in ROWS."""
    rows = describe(model)
    out = []
    prev = "the 32×32 input"
    for r in rows:
        r = dict(r)
        name = r["layer"]
        if name == "input":
            r["params"] = 0
            text = SENTENCES["input"]
        else:
            if hasattr(model, "rows"):   # lenet.facts.ModelFacts: the lean serving path
                r["params"], cls = model.params(name), model.layer_class(name)
            else:
                layer = model.get_layer(name)
                r["params"], cls = int(layer.count_params()), type(layer).__name__
            key = cls if cls == "EuclideanRBF" else name if name in ("C5", "F6", "OUT") else cls
            text = SENTENCES.get(key, "").format(maps=r["feature maps"], kernel=r["kernel"], src=prev,
                                                 act=r["activation"])
            prev = f"the {name} maps"
        r["what"] = text
        r["shape"] = f"{r['feature maps']}@{r['size']}" if "×" in str(r["size"]) else f"{r['size']} units"
        out.append(r)
    return out


def row_markdown(r, stage=""):
    """One row's facts and sentence as Markdown (the app shows it beside the row's image). `stage`:
    appended to the title, saying what the image shows (lenet/preactivation.shown)."""
    title = "Input 32×32" if r["layer"] == "input" else f"{r['layer']} · {r['type']}{stage}"
    facts = (f"shape **{r['shape']}** · kernel **{r['kernel']}** · stride **{r['stride']}** · "
             f"activation **{r['activation']}**  \n"
             f"trainable parameters **{r['params']:,}** · connections **{r['connections']:,}**")
    return f"### {title}\n{facts}\n\n{r['what']}"


def totals_markdown(rows, variant):
    p = sum(r["params"] for r in rows)
    c = sum(r["connections"] for r in rows)
    return f"**{variant} model: {p:,} trainable parameters, {c:,} connections in total.**"


# ------------------------------------------------------------------ pictures


def _caption(d, x, y, w, text):
    f = viz.font(13)
    tw = viz.text_size(text, f)[0]
    d.text((x + (w - tw) // 2, y), text, font=f, fill=viz.MUTED)


def grid(maps, cols, scale, captions=None):
    """(h, w, n) maps -> image with a fixed geometry (see locate); shared colour range."""
    maps = np.asarray(maps, dtype="float64")
    h, w, n = maps.shape
    lo, hi = float(maps.min()), float(maps.max())
    rows = -(-n // cols)
    tw, th = w * scale, h * scale + CAP
    im = Image.new("RGB", (cols * tw + (cols - 1) * GRID_GAP, rows * th + (rows - 1) * GRID_GAP), viz.BACKGROUND)
    d = viz.Draw(im)
    for k in range(n):
        x, y = (k % cols) * (tw + GRID_GAP), (k // cols) * (th + GRID_GAP)
        _caption(d, x, y, tw, captions[k] if captions else f"#{k + 1}")
        im.paste(Image.fromarray(viz.upscale(viz.colorize(maps[:, :, k], lo, hi), scale)), (x, y + CAP))
    return im


def locate(layer, index, shape):
    """Clicked image pixel [x, y] on a `grid` of `layer` -> (map, row, col), or None on a gap."""
    g = GRID[layer]
    h, w, n = shape
    x, y = int(index[0]), int(index[1])
    tw, th = w * g["scale"], h * g["scale"] + CAP
    cx, rx = divmod(x, tw + GRID_GAP)
    cy, ry = divmod(y, th + GRID_GAP)
    if rx >= tw or ry < CAP or ry >= th or cx >= g["cols"]:
        return None
    k = cy * g["cols"] + cx
    if k >= n:
        return None
    return k, (ry - CAP) // g["scale"], rx // g["scale"]


def pixel_centre(layer, shape, fmap, row, col):
    """Inverse of locate: image pixel [x, y] at the centre of (map, row, col) (tests click there)."""
    g = GRID[layer]
    h, w, _ = shape
    tw, th = w * g["scale"], h * g["scale"] + CAP
    x = (fmap % g["cols"]) * (tw + GRID_GAP) + col * g["scale"] + g["scale"] // 2
    y = (fmap // g["cols"]) * (th + GRID_GAP) + CAP + row * g["scale"] + g["scale"] // 2
    return x, y


def bar_strip(values, cols, scale):
    v = np.asarray(values, dtype="float64").reshape(-1)
    rows = -(-v.size // cols)
    padded = np.full(rows * cols, np.nan)
    padded[:v.size] = v
    g = padded.reshape(rows, cols)
    rgb = viz.colorize(np.nan_to_num(g, nan=float(np.nanmin(g))), float(np.nanmin(g)), float(np.nanmax(g)))
    rgb[np.isnan(g)] = viz.BACKGROUND
    return Image.fromarray(viz.upscale(rgb, scale))


def probabilities_figure(probs, width=520, height=150):
    probs = np.asarray(probs, dtype="float64").reshape(-1)
    im = Image.new("RGB", (width, height), viz.BACKGROUND)
    d = ImageDraw.Draw(im)
    f = viz.font(16)
    n = probs.size
    bw = width // n
    top = int(np.argmax(probs))
    for i, p in enumerate(probs):
        x = i * bw
        bh = int(round(p * (height - 44)))
        d.rectangle((x + 6, height - 24 - bh, x + bw - 6, height - 24),
                    fill=(245, 125, 21) if i == top else (159, 42, 99))
        d.text((x + bw // 2 - 5, height - 22), str(i), font=f, fill=viz.TEXT)
        d.text((x + 4, height - 42 - bh), f"{100 * p:.0f}%", font=viz.font(12), fill=viz.MUTED)
    return im


def row_images(rec, prediction, pre=False):
    """One image per row of ROWS for this prediction (C1 and C3 are clickable grids). pre=True: C1 to
    F6 show their sums before squashing (max-pooling layers, which have none, their output as is);
    OUT is drawn as it is either way (probabilities, or the paper's distances from F6)."""
    fm = {**prediction.feature_maps, **preactivation.shown(rec, prediction, pre)[0]}
    return {
        "input": Image.fromarray(viz.upscale(viz.gray(prediction.input), 6)),
        "C1": grid(fm["C1"], **GRID["C1"]),
        "S2": grid(fm["S2"], cols=6, scale=8),
        "C3": grid(fm["C3"], **GRID["C3"]),
        "S4": grid(fm["S4"], cols=8, scale=12),
        "C5": bar_strip(fm["C5"], cols=30, scale=16),
        "F6": bar_strip(fm["F6"], cols=42, scale=16),
        "OUT": probabilities_figure(prediction.probabilities) if prediction.distances is None else
               rbf.out_figure(prediction.feature_maps["F6"], prediction.distances, prediction.codes),
    }


def _outlined(rgb, scale, rf, colour=RF_COLOUR):
    im = Image.fromarray(viz.upscale(rgb, scale))
    top, left, size = rf
    d = ImageDraw.Draw(im)
    d.rectangle((left * scale - 1, top * scale - 1, (left + size) * scale, (top + size) * scale),
                outline=colour, width=3)
    return im


def _numbers(values, limit, cell=46):
    """5x5 values as a diverging-coloured grid with each number written in its cell."""
    a = np.asarray(values, dtype="float64")
    im = Image.fromarray(viz.upscale(viz.diverging(a, limit), cell))
    d = ImageDraw.Draw(im)
    f = viz.font(11)
    for r in range(a.shape[0]):
        for c in range(a.shape[1]):
            d.text((c * cell + 3, r * cell + cell // 2 - 6), f"{a[r, c]:+.2f}", font=f, fill=viz.TEXT)
        d.line((0, r * cell, a.shape[1] * cell, r * cell), fill=(200, 200, 200))
    for c in range(a.shape[1]):
        d.line((c * cell, 0, c * cell, a.shape[0] * cell), fill=(200, 200, 200))
    return im


def _row_of(parts, titles):
    f = viz.font(14)
    widths = [max(p.width, viz.text_size(t, f)[0]) for p, t in zip(parts, titles)]
    width = sum(widths) + 2 * GRID_GAP * (len(parts) + 1)
    height = max(p.height for p in parts) + 24 + GRID_GAP
    im = Image.new("RGB", (width, height), viz.BACKGROUND)
    d = viz.Draw(im)
    x = 2 * GRID_GAP
    for p, t, w in zip(parts, titles, widths):
        d.text((x, 2), t, font=f, fill=viz.TEXT)
        im.paste(p, (x, 24))
        x += w + 2 * GRID_GAP
    return im


def explanation_figure(e):
    """Receptive field on the input (and S2), then the patch and the kernel (for C1 with numbers)."""
    parts = [_outlined(viz.gray(e.input), 6, e.rf_input)]
    titles = [f"receptive field {e.rf_input[2]}×{e.rf_input[2]} on the input"]
    if e.layer == "C1":
        lim = float(np.abs(e.patch).max()) or 1.0
        parts += [_numbers(e.patch[:, :, 0], lim), _numbers(e.kernel[:, :, 0], float(np.abs(e.kernel).max()))]
        titles += ["5×5 patch of the scaled input", f"kernel of C1 map #{e.fmap + 1}"]
        return _row_of(parts, titles)
    s2 = e.s2
    lo, hi = float(s2.min()), float(s2.max())
    tiles = []
    for i in e.connected:
        tiles.append(_outlined(viz.colorize(s2[:, :, i], lo, hi), 8, e.rf_s2))
    top = _row_of(parts + tiles[:3], titles + [f"S2 #{i + 1}" for i in e.connected[:3]])
    rows = [top]
    if len(tiles) > 3:
        rows.append(_row_of(tiles[3:], [f"S2 #{i + 1}" for i in e.connected[3:]]))
    plim = float(np.abs(e.patch[:, :, e.connected]).max()) or 1.0
    klim = float(np.abs(e.kernel).max()) or 1.0
    pk = []
    pk_t = []
    for i in e.connected:
        pk += [Image.fromarray(viz.upscale(viz.diverging(e.patch[:, :, i], plim), 14)),
               Image.fromarray(viz.upscale(viz.diverging(e.kernel[:, :, i], klim), 14))]
        pk_t += [f"patch S2#{i + 1}", "kernel"]
    rows.append(_row_of(pk, pk_t))
    width = max(r.width for r in rows)
    im = Image.new("RGB", (width, sum(r.height for r in rows)), viz.BACKGROUND)
    y = 0
    for r in rows:
        im.paste(r, (0, y))
        y += r.height
    return im


def explanation_html(e):
    """The sum, written out: Σ patch·kernel + bias = z → activation(z), next to the map's own value.
    With e.pre (the map shows the sums before squashing) the same sum stops at z, the value
    explained, beside the sum shown; f(z) is then only a note, next to the network's own map.
    data-* attributes carry the full-precision numbers for tests (data-sum: the value explained)."""
    if e.pre:
        return _sum_html(e)
    where, src, terms = _reads(e)
    lines = [f'<div id="wt-explain" data-layer="{e.layer}" data-map="{e.fmap}" data-row="{e.row}" '
             f'data-col="{e.col}" data-sum="{e.value!r}" data-fm="{e.feature_map_value!r}">',
             f"<h3>Why {html.escape(where)} = {e.feature_map_value:.6f}</h3>",
             f"<p>The kernel reads a 5×5 window of {html.escape(src)}.</p>",
             '<table class="wt-sum">',
             f"<tr><td>Σ patch · kernel</td><td>=</td><td>{e.total:+.6f}</td>"
             f"<td>{'(' + terms + ', one per S2 map)' if terms else '(25 products)'}</td></tr>",
             f"<tr><td>+ bias</td><td>=</td><td>{e.bias:+.6f}</td><td></td></tr>",
             f"<tr><td>z</td><td>=</td><td>{e.z:+.6f}</td><td></td></tr>",
             f'<tr><td>f(z)</td><td>=</td><td><b id="wt-value">{e.value:.6f}</b></td>'
             f"<td>the computed value, activation f = {html.escape(e.activation)}</td></tr>",
             f'<tr><td>feature map</td><td>=</td><td><b id="wt-fm">{e.feature_map_value:.6f}</b></td>'
             f"<td>what the network produced at that pixel</td></tr>",
             "</table>",
             f"<p>Difference: {abs(e.value - e.feature_map_value):.1e}.</p></div>"]
    return "\n".join(lines)


def _reads(e):
    """(which value, what its kernel reads, C3's per-S2-map terms or None) for an explanation's text."""
    where = f"{e.layer} map #{e.fmap + 1}, row {e.row}, column {e.col}"
    src = "the scaled input" if e.layer == "C1" else "S2 maps " + ", ".join(f"#{i + 1}" for i in e.connected)
    terms = " + ".join(f"{v:+.4f}" for v in e.per_input) if e.layer == "C3" else None
    return where, src, terms


def _sum_html(e):
    """explanation_html for a map of sums before squashing: Σ patch·kernel + bias = z, no f."""
    where, src, terms = _reads(e)
    lines = [f'<div id="wt-explain" data-layer="{e.layer}" data-map="{e.fmap}" data-row="{e.row}" '
             f'data-col="{e.col}" data-stage="before" data-sum="{e.z!r}" data-fm="{e.shown!r}">',
             f"<h3>Why the sum before squashing at {html.escape(where)} = {e.shown:.6f}</h3>",
             f"<p>The kernel reads a 5×5 window of {html.escape(src)}. The map shows the sum itself: the "
             f"same computation as its activation, without the last step f = {html.escape(e.activation)}.</p>",
             '<table class="wt-sum">',
             f"<tr><td>Σ patch · kernel</td><td>=</td><td>{e.total:+.6f}</td>"
             f"<td>{'(' + terms + ', one per S2 map)' if terms else '(25 products)'}</td></tr>",
             f"<tr><td>+ bias</td><td>=</td><td>{e.bias:+.6f}</td><td></td></tr>",
             f'<tr><td>z</td><td>=</td><td><b id="wt-value">{e.z:.6f}</b></td>'
             f"<td>the computed sum, before squashing</td></tr>",
             f'<tr><td>sum shown</td><td>=</td><td><b id="wt-fm">{e.shown:.6f}</b></td>'
             f"<td>what the map of sums holds at that pixel</td></tr>",
             "</table>",
             f"<p>Difference: {abs(e.z - e.shown):.1e}. After squashing, f(z) = {e.value:.6f}; the "
             f"network's own {html.escape(e.layer)} map holds {e.feature_map_value:.6f} there.</p></div>"]
    return "\n".join(lines)


EXPLAIN_PROMPT = ('<div id="wt-explain" class="wt-empty">Click any pixel of a C1 or C3 map above to see '
                  "the 5×5 patch, the kernel and the sum that give its value.</div>")
