"""Figures for the page: feature maps as HTML holding each map at its own resolution (through the
colour map of lenet/colour.py), the pipeline's stages, the answer and its probabilities, and the
kernels figure. Plain numpy + Pillow; lenet/ui wires these into Gradio."""
import html
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .colour import RAMP_CSS, colorize, diverging, gray, paint, png_uris, scale_of, signed_css, upscale  # noqa: F401

BACKGROUND = (255, 255, 255)
TEXT = (30, 30, 30)
MUTED = (110, 110, 110)
GAP = 6

LEGEND_MD = ("**Colours.** A map with both signs (tanh, or the sums before squashing) is drawn **blue = "
             "against, white = 0, red = for** (this filter found its pattern there), like the kernels' "
             "blue = negative weight, red = positive. A map that is never below 0 (ReLU) runs from "
             "**black = silent (0)** to **pale yellow = strong**. Each figure is scaled to its own "
             "range, written on its colour bar.")


_FONT_FILES = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
               "/usr/share/fonts/TTF/DejaVuSans.ttf", "/Library/Fonts/Arial Unicode.ttf")


@lru_cache(maxsize=8)
def font(size=14):
    """DejaVu Sans where available (it has × and →); Pillow's built-in font otherwise."""
    for name in _FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _plain(text, f):
    """Pillow's built-in font lacks × and →: spell them in ASCII there."""
    if isinstance(f, ImageFont.FreeTypeFont) and "DejaVu" in (f.getname()[0] or ""):
        return text
    return text.replace("×", "x").replace("→", "->").replace("⅔", "2/3").replace("·", "-")


class Draw:
    """ImageDraw with text that survives a font lacking × and →."""

    def __init__(self, im):
        self._d = ImageDraw.Draw(im)

    def text(self, xy, text, font, fill):
        self._d.text(xy, _plain(text, font), font=font, fill=fill)

    def rectangle(self, box, **kw):
        self._d.rectangle(box, **kw)


def _framed(rgb):
    im = Image.fromarray(np.asarray(rgb, dtype="uint8"))
    out = Image.new("RGB", (im.width + 2, im.height + 2), (150, 150, 150))
    out.paste(im, (1, 1))
    return out


@lru_cache(maxsize=2048)
def text_size(text, f):
    box = f.getbbox(_plain(text, f))
    return box[2] - box[0], box[3] - box[1]


def _canvas(width, height):
    im = Image.new("RGB", (int(width), int(height)), BACKGROUND)
    return im, Draw(im)


# ------------------------------------------------------------------ figures drawn once (kernels)

def _stack(title, body):
    """Title above a figure."""
    f = font(18)
    tw, th = text_size(title, f)
    width = max(tw, body.width) + 2 * GAP
    im, d = _canvas(width, th + 4 * GAP + body.height)
    d.text((GAP, GAP), title, font=f, fill=TEXT)
    im.paste(body, ((width - body.width) // 2, th + 3 * GAP))
    return im


# ------------------------------------------------------------------ per-stroke figures, as HTML
#
# What the app redraws after every stroke is HTML: each map travels at its own resolution as a
# tiny inline PNG that the browser enlarges with square pixels (CSS image-rendering: pixelated);
# titles, captions and colour bars are text. So a stroke writes nothing to Gradio's file cache and
# costs no extra downloads, and encoding a map is far cheaper than a full-size figure.

STAGE_TITLES = {"cropped": "cropped to the ink", "box": "fit into 20×20", "centred": "centred by mass 28×28",
                "input": "network input 32×32"}

FIGURE_CSS = """
.lf { overflow-x: auto; margin-bottom: 0.6em; }
.lf .lf-title { font-weight: 600; font-size: 1.05rem; margin: 0.2em 0 0.5em; }
.lf .lf-grid { display: grid; gap: 8px 14px; justify-content: start; }
.lf .lf-grid > * { min-width: 0; }
.lf figure { margin: 0; display: flex; flex-direction: column; align-items: center; }
.lf figcaption, .lf .lf-what { font-size: 14px; white-space: nowrap; }
.lf img { image-rendering: pixelated; border: 1px solid #969696; display: block; margin: 0;
          max-width: 100%; height: auto; }  /* narrow columns shrink the pictures, aspect kept */
.lf .lf-pair { display: flex; align-items: center; gap: 6px; min-width: 0; }
.lf .lf-pair img { flex: 0 1 auto; min-width: 0; }
.lf .lf-bar { display: flex; align-items: center; gap: 2px 8px; margin-top: 0.5em; font-size: 14px; white-space: nowrap;
              font-variant-numeric: tabular-nums; }
.lf .lf-what { font-weight: 400; }
.lf .lf-ramp { flex: 1 1 160px; min-width: 48px; max-width: 240px; height: 18px; border: 1px solid #969696;
               position: relative; }
.lf .lf-zero { position: absolute; top: 50%; transform: translate(-50%, -50%); color: #000; font-weight: 700;
               font-size: 14px; line-height: 1; padding: 0 3px; background: #fff; border-radius: 2px; }
.lf .lf-row { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.lf .lf-arrow { font-size: 1.6rem; }
"""


def _img(pixels, scale, alt, css_class="lf-map"):
    """An inline picture shown `scale` times its size (any positive float)."""
    return _imgs(np.asarray(pixels)[None], scale, [alt], css_class)[0]


def _imgs(stack, scale, alts, css_class="lf-map"):
    """A stack of same-sized pictures (n, h, w[, c]) -> n inline pictures, as _img writes each."""
    h, w = np.shape(stack)[1:3]
    size = f'width="{round(w * scale)}" height="{round(h * scale)}"'
    return [f'<img class="{css_class}" src="{uri}" {size} alt="{html.escape(alt)}">'
            for uri, alt in zip(png_uris(stack), alts)]


def number(v, signed=False):
    """A value as a person reads it on a legend: 2 significant digits, a real minus sign."""
    v = float(v)
    text = f"{v:+.2g}" if signed else f"{v:.2g}"
    if abs(v) >= 0.1:
        text = f"{v:+.1f}" if signed else f"{v:.1f}"
    return text.replace("-", "−").replace("+0.0", "0").replace("−0.0", "0")


def what_of(stage):
    """What a map holds, for its legend: "sum" before the squashing function, "activation" after."""
    return "sum" if "before squashing" in (stage or "") else "activation"


def legend_html(scale, what="activation"):
    """The colour bar of a Scale, in text: signed "−3.0 against · 0 · +2.0 for" around a marked 0;
    one-sided "0 silent … 1.96 strong" (a map that is never below 0)."""
    if scale.signed:
        lo, hi = scale.lo, scale.hi
        span = hi - lo if hi > lo else 1.0
        zero = min(100.0, max(0.0, 100.0 * -lo / span))
        ramp = (f"linear-gradient(to right, {signed_css(lo / scale.limit)} 0%, rgb(255,255,255) {zero:.1f}%, "
                f"{signed_css(max(hi, 0.0) / scale.limit)} 100%)")
        ends = (f"{number(lo, True)} against", f"{number(hi, True)} for")
        said = f"{what}: blue {ends[0]}, white 0, red {ends[1]}"
        mark = f'<span class="lf-zero" style="left:{zero:.1f}%" aria-hidden="true">0</span>'
    else:
        ramp = f"linear-gradient(to right, {RAMP_CSS})"
        ends = ("0 silent", f"{number(scale.hi)} strong")
        what = f"{what} (≥ 0)"
        said = f"{what}: black {ends[0]} to yellow {ends[1]}"
        mark = ""
    return (f'<div class="lf-bar" role="img" aria-label="{html.escape(said)}" data-lo="{scale.lo!r}" '
            f'data-hi="{scale.hi!r}">'
            f'<span class="lf-what">{html.escape(what)}:</span><span>{ends[0]}</span>'
            f'<span class="lf-ramp" style="background: {ramp}">{mark}</span><span>{ends[1]}</span></div>')


def _figure(title, body, scale=None, elem_class="", what="activation"):
    bar = legend_html(scale, what) if scale is not None else ""
    return f'<div class="lf {elem_class}"><div class="lf-title">{html.escape(title)}</div>{body}{bar}</div>'


def _grid(cells, cols):
    style = f"grid-template-columns: repeat({cols}, minmax(0, max-content))"
    return f'<div class="lf-grid" style="{style}">{"".join(cells)}</div>'


def _colour_stack(maps, scale):
    """(h, w, n) maps -> (n, h, w, 3) uint8 on one Scale."""
    return paint(np.asarray(maps).transpose(2, 0, 1), scale)


def _map_cells(maps, scale, captions, colours, alts):
    imgs = _imgs(_colour_stack(maps, colours), scale, alts)
    return [f'<figure><figcaption aria-hidden="true">{cap}</figcaption>{img}</figure>'
            for cap, img in zip(captions, imgs)]


def maps_html(maps, cols, scale, title, captions=None, what="activation", layer=None):
    """(h, w, n) feature maps -> a titled grid of maps sharing one Scale and its legend."""
    maps = np.asarray(maps)
    n = maps.shape[-1]
    colours = scale_of(maps)
    captions = captions or [f"{k + 1}" for k in range(n)]
    name = layer or title.split(" ")[0]
    alts = [f"{name} map {k + 1} of {n} ({what})" for k in range(n)]
    cells = _map_cells(maps, scale, captions, colours, alts)
    return _figure(title, _grid(cells, cols), colours, what=what)


@lru_cache(maxsize=16)
def _kernel_imgs(kbytes, kshape, scale):
    """The C1 kernels as <img> tags: drawn once per model, since they do not change per stroke."""
    k = np.frombuffer(kbytes, dtype="float64").reshape(kshape)            # (5, 5, n)
    lim = float(np.abs(k).max()) or 1.0
    alt = "kernel {} of C1: 5×5 weights, blue negative, red positive"
    return tuple(_img(diverging(k[:, :, j], lim), scale, alt.format(j + 1), "lf-kernel") for j in range(k.shape[-1]))


def c1_html(maps, kernels, scale=5, stage=""):
    """C1: each of the 6 maps (28x28) beside the 5x5 kernel that made it. `stage`: appended to the
    title (e.g. " · before squashing" for the pre-activation sums, lenet/preactivation.py)."""
    maps = np.asarray(maps)
    h, w, n = maps.shape
    k = np.ascontiguousarray(np.asarray(kernels, dtype="float64")[:, :, 0, :])
    kimgs = _kernel_imgs(k.tobytes(), k.shape, max(1, (h * scale) // (2 * k.shape[0])))
    colours = scale_of(maps)
    what = what_of(stage)
    imgs = _imgs(_colour_stack(maps, colours), scale, [f"C1 map {j + 1} of {n} ({what})" for j in range(n)])
    cells = [f'<figure><figcaption aria-hidden="true">{j + 1}</figcaption><div class="lf-pair">{kimgs[j]}'
             f'{imgs[j]}</div></figure>' for j in range(n)]
    return _figure(f"C1 · 6 kernels 5×5 → 6 maps {h}×{w}{stage}", _grid(cells, 2), colours,
                   "lf-c1", what)


def c3_html(maps, scale=8, stage=""):
    h, w, n = np.shape(maps)
    return maps_html(maps, cols=4, scale=scale, title=f"C3 · 16 filters 5×5 → 16@{h}×{w}{stage}",
                     what=what_of(stage), layer="C3")


def strip_html(values, cols, scale, title, what="activation"):
    """1-D activations (C5, F6) -> a compact colour strip, `cols` cells per row (blank cells see-through)."""
    v = np.asarray(values, dtype="float32").reshape(-1)
    rows = -(-v.size // cols)
    colours = scale_of(v)
    rgba = np.zeros((rows * cols, 4), "uint8")
    rgba[:v.size, :3] = paint(v, colours)
    rgba[:v.size, 3] = 255
    return _figure(title, _img(rgba.reshape(rows, cols, 4), scale, f"{title}: one cell per unit"), colours,
                   what=what)


SMALL_LAYERS = ("S2", "S4", "C5", "F6")   # what small_layers_html draws


def small_layers_html(feature_maps, stages=None):
    """S2 and S4 maps, C5 and F6 strips, one under the other. `stages`: {layer: appended to its
    title}, e.g. what lenet/preactivation.shown says is shown (the sums before squashing)."""
    s2, s4 = np.asarray(feature_maps["S2"]), np.asarray(feature_maps["S4"])
    c5, f6 = np.asarray(feature_maps["C5"]), np.asarray(feature_maps["F6"])
    stage = (stages or {}).get
    return "".join([
        maps_html(s2, 6, 6, f"S2 · 2×2 subsampling of C1 → 6@{s2.shape[0]}×{s2.shape[1]}{stage('S2', '')}",
                  what=what_of(stage("S2", "")), layer="S2"),
        maps_html(s4, 8, 10, f"S4 · 2×2 subsampling of C3 → 16@{s4.shape[0]}×{s4.shape[1]}{stage('S4', '')}",
                  what=what_of(stage("S4", "")), layer="S4"),
        strip_html(c5, 30, 14, f"C5 · 120 filters 5×5 over S4 → {c5.size} units{stage('C5', '')}",
                   what_of(stage("C5", ""))),
        strip_html(f6, 42, 14, f"F6 · fully connected → {f6.size} units{stage('F6', '')}",
                   what_of(stage("F6", ""))),
    ])


def stages_html(stages, height=150):
    """The pipeline's stages side by side, black ink on white, each shown about `height` px tall."""
    names = [n for n in ("cropped", "box", "centred", "input") if n in stages] or list(stages)
    parts = []
    for name in names:
        a = np.asarray(stages[name], dtype="float32")
        grey = (255 - np.rint(np.clip(a, 0, 1) * 255)).astype("uint8")    # ink map -> black on white
        title = STAGE_TITLES.get(name, name)
        parts.append(f'<figure><figcaption>{title}</figcaption>{_img(grey, height / max(a.shape), title)}'
                     f'<figcaption>{a.shape[1]}×{a.shape[0]} px</figcaption></figure>')
    body = '<div class="lf-row">' + '<span class="lf-arrow">→</span>'.join(parts) + "</div>"
    return _figure("Pipeline: crop → 20×20 → centred 28×28 → 32×32 input", body, elem_class="lf-stages")


# ------------------------------------------------------------------ kernels

C3_NOTE = "C3 kernels: row = S2 map read, column = C3 map fed (empty = not connected)"


def kernels_figure(c1_kernels, c3_kernels, table, title, scale=9):
    """C1's 6 kernels in a row, then C3's kernels as a 6x16 grid (row = S2 map it reads,
    column = C3 map it feeds); cells the connection table leaves out stay empty."""
    k1 = np.asarray(c1_kernels, dtype="float64")[:, :, 0, :]      # (5, 5, 6)
    k3 = np.asarray(c3_kernels, dtype="float64")                 # (5, 5, 6, 16)
    table = np.asarray(table)
    n_in, n_out = table.shape
    f = font(17)
    cell = k3.shape[0] * scale + 2
    head = text_size("Ag", f)[1] + 6
    lab_w = text_size("S2 #6", f)[0] + GAP
    width = lab_w + n_out * (cell + 3)
    h1 = head + cell + 2 * GAP
    im, d = _canvas(max(width, text_size(C3_NOTE, f)[0] + GAP) + 2 * GAP, h1 + head + 16 + n_in * (cell + 3) + 2 * GAP)
    d.text((GAP, GAP), "C1 kernels (one per C1 map)", font=f, fill=TEXT)
    lim1 = float(np.abs(k1).max()) or 1.0
    for j in range(k1.shape[-1]):
        im.paste(_framed(upscale(diverging(k1[:, :, j], lim1), scale)), (GAP + lab_w + j * (cell + 3), GAP + head))
    y0 = h1 + GAP
    d.text((GAP, y0), C3_NOTE, font=f, fill=TEXT)
    lim3 = float(np.abs(k3).max()) or 1.0
    for j in range(n_out):
        d.text((GAP + lab_w + j * (cell + 3) + 2, y0 + head - 2), f"{j + 1}", font=font(15), fill=TEXT)
    for i in range(n_in):
        y = y0 + head + 16 + i * (cell + 3)
        d.text((GAP, y + cell // 3), f"S2 #{i + 1}", font=f, fill=TEXT)
        for j in range(n_out):
            x = GAP + lab_w + j * (cell + 3)
            if table[i, j]:
                im.paste(_framed(upscale(diverging(k3[:, :, i, j], lim3), scale)), (x, y))
            else:
                d.rectangle((x, y, x + cell - 1, y + cell - 1), outline=(225, 225, 225))
    return _stack(title, im)
