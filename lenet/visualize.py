"""Pictures and tables for the app: feature maps through one colour map, pipeline stages
upscaled with nearest-neighbour, and the LeNet-5 layer table computed from a loaded model.

Everything here is plain numpy + Pillow; the app only wires these into Gradio.
"""
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .model import LAYERS

# ------------------------------------------------------------------ colour map

# "inferno"-like anchors: black (silent) -> purple -> orange -> pale yellow (strong response).
_ANCHORS = np.array([
    (0, 0, 4), (40, 11, 84), (101, 21, 110), (159, 42, 99),
    (212, 72, 66), (245, 125, 21), (250, 193, 39), (252, 255, 164),
], dtype="float64")
LUT = np.stack([np.interp(np.linspace(0, 1, 256), np.linspace(0, 1, len(_ANCHORS)), _ANCHORS[:, c])
                for c in range(3)], axis=1).round().astype("uint8")   # (256, 3)

BACKGROUND = (255, 255, 255)
TEXT = (30, 30, 30)
MUTED = (110, 110, 110)
GAP = 6

LEGEND_MD = ("**Colour map** (same for every layer): **dark = silent** (low or negative output), "
             "**bright yellow = strong response** (this filter found its pattern there). "
             "Each figure is scaled to its own layer's range, shown on its colour bar. "
             "Kernels use blue = negative weight, white = 0, red = positive weight.")


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


class _Draw:
    """ImageDraw with text that survives a font lacking × and →."""

    def __init__(self, im):
        self._d = ImageDraw.Draw(im)

    def text(self, xy, text, font, fill):
        self._d.text(xy, _plain(text, font), font=font, fill=fill)


def colorize(values, vmin=None, vmax=None):
    """2-D array -> (H, W, 3) uint8 through the colour map; range vmin..vmax (default: its own)."""
    a = np.asarray(values, dtype="float64")
    lo = float(a.min()) if vmin is None else float(vmin)
    hi = float(a.max()) if vmax is None else float(vmax)
    scale = hi - lo if hi - lo > 1e-9 else 1.0
    idx = np.clip((a - lo) / scale * 255.0, 0, 255).round().astype("int64")
    return LUT[idx]


def diverging(values, limit=None):
    """Signed 2-D array -> blue (negative) / white (0) / red (positive) uint8 RGB, symmetric range."""
    a = np.asarray(values, dtype="float64")
    lim = float(np.abs(a).max()) if limit is None else float(limit)
    t = np.clip(a / (lim if lim > 1e-12 else 1.0), -1, 1)[..., None]
    white = np.array([255.0, 255, 255])
    red, blue = np.array([200.0, 30, 40]), np.array([30.0, 70, 200])
    rgb = np.where(t >= 0, white + (red - white) * t, white + (blue - white) * (-t))
    return rgb.round().astype("uint8")


def gray(values):
    """Ink map in [0, 1] (1 = ink) -> black ink on white, uint8 RGB."""
    a = np.clip(np.asarray(values, dtype="float64"), 0, 1)
    g = ((1.0 - a) * 255).round().astype("uint8")
    return np.repeat(g[..., None], 3, axis=-1)


def upscale(rgb, factor):
    """Nearest-neighbour upscale by an integer factor: every pixel stays a crisp square."""
    f = max(1, int(factor))
    return np.repeat(np.repeat(np.asarray(rgb), f, axis=0), f, axis=1)


def _framed(rgb):
    im = Image.fromarray(np.asarray(rgb, dtype="uint8"))
    out = Image.new("RGB", (im.width + 2, im.height + 2), (150, 150, 150))
    out.paste(im, (1, 1))
    return out


@lru_cache(maxsize=2048)
def _text_size(text, f):
    box = f.getbbox(_plain(text, f))
    return box[2] - box[0], box[3] - box[1]


def _canvas(width, height):
    im = Image.new("RGB", (int(width), int(height)), BACKGROUND)
    return im, _Draw(im)


# ------------------------------------------------------------------ figures

def colorbar(vmin, vmax, width=300, height=14, label=None):
    """Horizontal legend strip for the colour map with its value range."""
    ramp = np.tile(np.linspace(0, 1, width)[None, :], (height, 1))
    bar = _framed(colorize(ramp, 0, 1))
    f = font(13)
    lo_t, hi_t = f"{vmin:.2f} silent", f"strong {vmax:.2f}"
    title = label or "colour map"
    th = _text_size("Ag", f)[1] + 4
    im, d = _canvas(bar.width, bar.height + th)
    im.paste(bar, (0, th))
    d.text((0, 0), lo_t, font=f, fill=MUTED)
    d.text((bar.width - _text_size(hi_t, f)[0], 0), hi_t, font=f, fill=MUTED)
    d.text(((bar.width - _text_size(title, f)[0]) // 2, 0), title, font=f, fill=TEXT)
    return im


def _stack(title, body, vmin=None, vmax=None, bar_label=None):
    """Title above, figure, colour bar below (when a range is given)."""
    f = font(18)
    tw, th = _text_size(title, f)
    parts = [body]
    if vmin is not None:
        parts.append(colorbar(vmin, vmax, width=min(360, max(200, body.width - 2)), label=bar_label))
    width = max([tw] + [p.width for p in parts]) + 2 * GAP
    height = th + 3 * GAP + sum(p.height + GAP for p in parts)
    im, d = _canvas(width, height)
    d.text((GAP, GAP), title, font=f, fill=TEXT)
    y = th + 3 * GAP
    for p in parts:
        im.paste(p, ((width - p.width) // 2, y))
        y += p.height + GAP
    return im


STAGE_TITLES = {"cropped": "cropped to the ink", "box": "fit into 20×20", "centred": "centred by mass 28×28",
                "input": "network input 32×32"}


# ------------------------------------------------------------------ fast per-stroke rendering
#
# The figures the app redraws after every stroke (stages, C1, C3, S2/S4/C5/F6) keep their layout
# from one stroke to the next: titles, captions, frames, colour-bar ramps and the C1 kernels are
# drawn once into a cached template (per shape), and a stroke only copies the template, writes the
# colour-mapped maps into it with numpy (LUT + nearest-neighbour repeat) and pastes the two
# numbers of each colour bar from cached glyphs. Text rendering was ~45 % of the old handler.

@lru_cache(maxsize=512)
def _text_rgb(text, size, fill):
    """`text` drawn once at (0, 0) on the background: (h, w, 3) uint8, read-only."""
    f = font(size)
    t = _plain(text, f)
    asc, desc = f.getmetrics()
    w = max(1, int(np.ceil(f.getlength(t))) + 2)
    im = Image.new("RGB", (w, asc + desc + 2), BACKGROUND)
    ImageDraw.Draw(im).text((0, 0), t, font=f, fill=fill)
    a = np.asarray(im)
    a.setflags(write=False)
    return a


@lru_cache(maxsize=256)
def _advance(ch, size):
    f = font(size)
    return max(1, int(round(f.getlength(_plain(ch, f)))))


def _dynamic_text(text, size, fill):
    """Numbers that change every stroke: glued from cached glyphs (no kerning in digits anyway)."""
    widths = [_advance(ch, size) for ch in text]
    h = _text_rgb(text[:1] or " ", size, fill).shape[0]
    out = np.empty((h, sum(widths) + 2, 3), "uint8")
    out[:] = BACKGROUND
    x = 0
    for ch, w in zip(text, widths):
        g = _text_rgb(ch, size, fill)
        gw = min(g.shape[1], out.shape[1] - x)
        np.minimum(out[:, x:x + gw], g[:, :gw], out=out[:, x:x + gw])   # glyphs overlap only in blank margins
        x += w
    return out


def _put(arr, y, x, rgb, text=False):
    """Paste an (h, w, 3) array into arr at (y, x), clipped to arr. Text (dark on the white
    background) is blended with min(), so its blank margins leave what is underneath alone."""
    h = max(0, min(rgb.shape[0], arr.shape[0] - y))
    w = max(0, min(rgb.shape[1], arr.shape[1] - x))
    if h and w and y >= 0 and x >= 0:
        if text:
            np.minimum(arr[y:y + h, x:x + w], rgb[:h, :w], out=arr[y:y + h, x:x + w])
        else:
            arr[y:y + h, x:x + w] = rgb[:h, :w]


@lru_cache(maxsize=256)
def _advance_text(text, size):
    f = font(size)
    return int(round(f.getlength(_plain(text, f))))


def _put_text(d_or_arr, xy, text, size, fill):
    x, y = xy
    _put(d_or_arr, int(y), int(x), _text_rgb(text, size, fill), text=True)


def _range(a, vmin=None, vmax=None):
    lo = float(a.min()) if vmin is None else float(vmin)
    hi = float(a.max()) if vmax is None else float(vmax)
    return lo, hi


def _lut_index(a, lo, hi):
    scale = hi - lo if hi - lo > 1e-9 else 1.0
    idx = (np.asarray(a, dtype="float32") - np.float32(lo)) * np.float32(255.0 / scale)
    np.clip(idx, 0, 255, out=idx)
    return np.rint(idx).astype("uint8")


def _tile(rgb, s):
    """(h, w, 3) -> (h*s, w*s, 3) nearest-neighbour, via one broadcast copy."""
    h, w, c = rgb.shape
    return np.broadcast_to(rgb[:, None, :, None, :], (h, s, w, s, c)).reshape(h * s, w * s, c)


def _put_tile(out, y, x, rgb, s):
    """Write _tile(rgb, s) into out at (y, x) in one copy, through a (h, s, w, s, c) view of out."""
    h, w = rgb.shape[:2]
    view = out[y:y + h * s, x:x + w * s]
    view.reshape(h, s, w, s, -1)[...] = rgb.reshape(h, 1, w, 1, -1)


def _frame(arr, y, x, h, w):
    """The 1 px grey frame _framed() draws around an h x w picture whose top-left is (y, x)."""
    c = _FRAME[:arr.shape[-1]] if arr.ndim == 3 else _FRAME[0]
    arr[y - 1, x - 1:x + w + 1] = c
    arr[y + h, x - 1:x + w + 1] = c
    arr[y:y + h, x - 1] = c
    arr[y:y + h, x + w] = c


_FRAME = np.array([150, 150, 150], "uint8")


class _Layout:
    """A cached template: `base` (H, W, 3) uint8 plus where the changing parts go."""

    def __init__(self, base):
        self.base = base
        self.tiles = []      # (y, x) of each tile's inner top-left
        self.bars = []       # (y, x, width) of each colour bar's number row

    def render(self):
        return self.base.copy()


_BAR_H = 14


def _bar_size(width):
    th = _text_size("Ag", font(13))[1] + 4
    return width + 2, _BAR_H + 2 + th


def _draw_bar(arr, y, x, width, label):
    """Static colour bar: title and ramp. Numbers go in with _bar_numbers."""
    th = _text_size("Ag", font(13))[1] + 4
    ramp = LUT[np.linspace(0, 255, width).round().astype("int64")]
    _frame(arr, y + th + 1, x + 1, _BAR_H, width)
    arr[y + th + 1:y + th + 1 + _BAR_H, x + 1:x + 1 + width] = ramp[None]
    title = label or "colour map"
    _put_text(arr, (x + (width + 2 - _text_size(title, font(13))[0]) // 2, y), title, 13, TEXT)


def _bar_numbers(arr, y, x, width, lo, hi):
    left = _dynamic_text(f"{lo:.2f}", 13, MUTED)
    space = _advance(" ", 13)
    _put(arr, y, x, left, text=True)
    _put(arr, y, x + left.shape[1] - 2 + space, _text_rgb("silent", 13, MUTED), text=True)
    right = _dynamic_text(f"{hi:.2f}", 13, MUTED)
    rx = x + width + 2 - (right.shape[1] - 2)
    _put(arr, y, rx, right, text=True)
    _put(arr, y, rx - space - _advance_text("strong", 13), _text_rgb("strong", 13, MUTED), text=True)


def _stacked(title, body_w, body_h, bar):
    """Geometry of _stack(): (canvas array, body (y, x), bar (y, x, width) or None)."""
    f = font(18)
    tw, th = _text_size(title, f)
    parts = [(body_w, body_h)]
    bar_w = min(360, max(200, body_w - 2)) if bar else None
    if bar:
        parts.append(_bar_size(bar_w))
    width = max([tw] + [p[0] for p in parts]) + 2 * GAP
    height = th + 3 * GAP + sum(p[1] + GAP for p in parts)
    arr = np.empty((height, width, 3), "uint8")
    arr[:] = BACKGROUND
    _put_text(arr, (GAP, GAP), title, 18, TEXT)
    y = th + 3 * GAP
    body = (y, (width - body_w) // 2)
    y += body_h + GAP
    bar_at = None
    if bar:
        bar_at = (y, (width - parts[1][0]) // 2, bar_w)
        _draw_bar(arr, bar_at[0], bar_at[1], bar_w, "activation")
    return arr, body, bar_at


@lru_cache(maxsize=64)
def _grid_layout(h, w, n, cols, scale, title, captions):
    f = font(13)
    cap_h = _text_size("Ag", f)[1] + 4
    tile_w, tile_h = w * scale + 2, h * scale + 2 + cap_h
    rows = -(-n // cols)
    bw, bh = cols * tile_w + (cols - 1) * GAP, rows * tile_h + (rows - 1) * GAP
    arr, (by, bx), bar = _stacked(title, bw, bh, True)
    lay = _Layout(arr)
    for k in range(n):
        x, y = bx + (k % cols) * (tile_w + GAP), by + (k // cols) * (tile_h + GAP)
        cap = captions[k] if captions else f"#{k + 1}"
        _put_text(arr, (x + (tile_w - _text_size(cap, f)[0]) // 2, y), cap, 13, MUTED)
        _frame(arr, y + cap_h + 1, x + 1, h * scale, w * scale)
        lay.tiles.append((y + cap_h + 1, x + 1))
    lay.bars.append(bar)
    arr.setflags(write=False)
    return lay


def _render_grid(lay, maps, scale, vmin=None, vmax=None, arr=None, oy=0, ox=0):
    maps = np.asarray(maps)
    h, w, n = maps.shape
    lo, hi = _range(maps, vmin, vmax)
    rgb = LUT[_lut_index(maps, lo, hi)]                     # (h, w, n, 3)
    out = lay.render() if arr is None else arr
    for k, (y, x) in enumerate(lay.tiles):
        _put_tile(out, oy + y, ox + x, rgb[:, :, k], scale)
    by, bx, bw = lay.bars[0]
    _bar_numbers(out, oy + by, ox + bx, bw, lo, hi)
    return out


def maps_grid(maps, cols, scale, title, captions=None, vmin=None, vmax=None):
    """(h, w, n) feature maps -> one image: a grid of colour-mapped maps sharing one range."""
    h, w, n = np.shape(maps)
    lay = _grid_layout(h, w, n, cols, scale, title, tuple(captions) if captions else None)
    return Image.fromarray(_render_grid(lay, maps, scale, vmin, vmax))


@lru_cache(maxsize=16)
def _c1_layout(h, w, scale, kshape, kbytes):
    k = np.frombuffer(kbytes, dtype="float64").reshape(kshape)            # (5, 5, n)
    n = k.shape[-1]
    klim = float(np.abs(k).max()) or 1.0
    kscale = max(1, (h * scale) // (2 * k.shape[0]))
    f = font(13)
    cap_h = _text_size("Ag", f)[1] + 4
    kw, kh = k.shape[1] * kscale + 2, k.shape[0] * kscale + 2
    pair_w = kw + GAP + w * scale + 2
    tile_h = h * scale + 2 + cap_h
    cols = 3
    rows = -(-n // cols)
    bw, bh = cols * pair_w + (cols - 1) * 3 * GAP, rows * tile_h + (rows - 1) * GAP
    arr, (by, bx), bar = _stacked(f"C1 · 6 filters 5×5 → 6@{h}×{w}", bw, bh, True)
    lay = _Layout(arr)
    for j in range(n):
        x, y = bx + (j % cols) * (pair_w + 3 * GAP), by + (j // cols) * (tile_h + GAP)
        _put_text(arr, (x, y), f"filter {j + 1}: kernel → map", 13, MUTED)
        ky = y + cap_h + (h * scale - kh) // 2
        _frame(arr, ky + 1, x + 1, kh - 2, kw - 2)
        arr[ky + 1:ky + kh - 1, x + 1:x + kw - 1] = upscale(diverging(k[:, :, j], klim), kscale)
        _frame(arr, y + cap_h + 1, x + kw + GAP + 1, h * scale, w * scale)
        lay.tiles.append((y + cap_h + 1, x + kw + GAP + 1))
    lay.bars.append(bar)
    arr.setflags(write=False)
    return lay


def c1_figure(maps, kernels, bias=None, scale=5):
    """C1: each of the 6 maps (28x28) beside the 5x5 kernel that made it (kernels drawn once per model)."""
    k = np.ascontiguousarray(np.asarray(kernels, dtype="float64")[:, :, 0, :])
    h, w, _ = np.shape(maps)
    lay = _c1_layout(h, w, scale, k.shape, k.tobytes())
    return Image.fromarray(_render_grid(lay, maps, scale))


def c3_figure(maps, scale=8):
    h, w, n = np.shape(maps)
    return maps_grid(maps, cols=4, scale=scale, title=f"C3 · 16 filters 5×5 → 16@{h}×{w}")


@lru_cache(maxsize=32)
def _strip_layout(n, cols, scale, title):
    rows = -(-n // cols)
    arr, (by, bx), bar = _stacked(title, cols * scale + 2, rows * scale + 2, True)
    lay = _Layout(arr)
    _frame(arr, by + 1, bx + 1, rows * scale, cols * scale)
    lay.tiles.append((by + 1, bx + 1))
    lay.bars.append(bar)
    arr.setflags(write=False)
    return lay


def _render_strip(lay, values, cols, scale, vmin=None, vmax=None, arr=None, oy=0, ox=0):
    v = np.asarray(values).reshape(-1)
    n = v.size
    rows = -(-n // cols)
    lo, hi = _range(v, vmin, vmax)
    rgb = np.empty((rows * cols, 3), "uint8")
    rgb[:n] = LUT[_lut_index(v, lo, hi)]
    rgb[n:] = BACKGROUND
    out = lay.render() if arr is None else arr
    y, x = lay.tiles[0]
    _put_tile(out, oy + y, ox + x, rgb.reshape(rows, cols, 3), scale)
    by, bx, bw = lay.bars[0]
    _bar_numbers(out, oy + by, ox + bx, bw, lo, hi)
    return out


def strip(values, cols, scale, title, vmin=None, vmax=None):
    """1-D activations (C5, F6) -> compact colour strip, `cols` cells per row."""
    lay = _strip_layout(int(np.size(values)), cols, scale, title)
    return Image.fromarray(_render_strip(lay, values, cols, scale, vmin, vmax))


@lru_cache(maxsize=16)
def _small_layout(s2_shape, s4_shape, n5, n6):
    parts = [
        ("grid", 6, 6, _grid_layout(*s2_shape, 6, 6, f"S2 · 2×2 subsampling of C1 → 6@{s2_shape[0]}×{s2_shape[1]}", None)),
        ("grid", 8, 10, _grid_layout(*s4_shape, 8, 10, f"S4 · 2×2 subsampling of C3 → 16@{s4_shape[0]}×{s4_shape[1]}", None)),
        ("strip", 30, 14, _strip_layout(n5, 30, 14, f"C5 · 120 filters 5×5 over S4 → {n5} units")),
        ("strip", 42, 14, _strip_layout(n6, 42, 14, f"F6 · fully connected → {n6} units")),
    ]
    width = max(p[3].base.shape[1] for p in parts)
    height = sum(p[3].base.shape[0] for p in parts) + GAP * (len(parts) - 1)
    arr = np.empty((height, width, 3), "uint8")
    arr[:] = BACKGROUND
    placed, y = [], 0
    for kind, cols, scale, lay in parts:
        _put(arr, y, 0, lay.base)
        placed.append((kind, cols, scale, lay, y))
        y += lay.base.shape[0] + GAP
    arr.setflags(write=False)
    return arr, placed


def small_layers_figure(feature_maps):
    """S2, S4 maps and C5/F6 strips, stacked vertically."""
    s2, s4 = np.asarray(feature_maps["S2"]), np.asarray(feature_maps["S4"])
    c5, f6 = feature_maps["C5"], feature_maps["F6"]
    base, placed = _small_layout(s2.shape, s4.shape, int(np.size(c5)), int(np.size(f6)))
    out = base.copy()
    for (kind, cols, scale, lay, y), values in zip(placed, (s2, s4, c5, f6)):
        if kind == "grid":
            _render_grid(lay, values, scale, arr=out, oy=y)
        else:
            _render_strip(lay, values, cols, scale, arr=out, oy=y)
    return Image.fromarray(out)


_ARROW_W = 30


def stages_figure(stages, height=160):
    """Pipeline stages side by side, each scaled up with nearest-neighbour to about `height` px.
    All grey: drawn in one channel, converted to RGB at the end."""
    names = [n for n in ("cropped", "box", "centred", "input") if n in stages] or list(stages)
    f = font(14)
    cap_h = _text_size("Ag", f)[1] + 6
    tiles = []
    for name in names:
        a = np.asarray(stages[name], dtype="float32")
        g = (255 - np.rint(np.clip(a, 0, 1) * 255)).astype("uint8")    # ink map -> black on white
        factor = height // max(a.shape)
        if factor < 2:
            sc = height / max(a.shape)
            size = (max(1, round(a.shape[1] * sc)), max(1, round(a.shape[0] * sc)))
            g = np.asarray(Image.fromarray(g).resize(size, Image.NEAREST))
        else:
            g = _tile(g[..., None], factor)[..., 0]
        label = STAGE_TITLES.get(name, name)
        tiles.append((g, label, f"{a.shape[1]}×{a.shape[0]} px"))
    col_w = [max(t.shape[1] + 2, _text_size(l, f)[0]) for t, l, _ in tiles]
    width = sum(col_w) + _ARROW_W * (len(tiles) - 1) + 2 * GAP
    tall = max(t.shape[0] + 2 for t, _, _ in tiles)
    arr = np.full((tall + 2 * cap_h + 2 * GAP, width), BACKGROUND[0], "uint8")
    x = GAP
    for i, ((g, label, size), cw) in enumerate(zip(tiles, col_w)):
        _put(arr, GAP, x + (cw - _text_size(label, f)[0]) // 2, _text_rgb(label, 14, TEXT)[..., 0], text=True)
        th, tw = g.shape[0] + 2, g.shape[1] + 2
        ty, tx = GAP + cap_h + (tall - th) // 2, x + (cw - tw) // 2
        _frame(arr, ty + 1, tx + 1, g.shape[0], g.shape[1])
        arr[ty + 1:ty + 1 + g.shape[0], tx + 1:tx + 1 + g.shape[1]] = g
        sz = _dynamic_text(size, 14, MUTED)[..., 0]
        _put(arr, GAP + cap_h + tall + 2, x + (cw - sz.shape[1] + 2) // 2, sz, text=True)
        x += cw
        if i < len(tiles) - 1:
            _put(arr, GAP + cap_h + tall // 2 - 8, x + 6, _text_rgb("→", 20, MUTED)[..., 0], text=True)
            x += _ARROW_W
    return Image.fromarray(arr, "L").convert("RGB")


# ------------------------------------------------------------------ architecture table

TABLE_HEADERS = ["layer", "type", "feature maps", "size", "kernel", "stride", "activation",
                 "trainable params", "connections"]


def _activation_name(layer):
    act = getattr(layer, "activation", None)
    name = getattr(act, "__name__", None) or (str(act) if act is not None else "")
    return {"scaled_tanh": "1.7159·tanh(⅔a)", "relu": "ReLU", "softmax": "softmax", "linear": "—",
            "": "—"}.get(name, name)


def layer_rows(model):
    """The LeNet-5 table (as LeCun et al. 1998 tabulate it) computed from a loaded Keras model:
    one dict per layer C1..OUT plus the input, with parameter and connection counts."""
    rows = []
    inp = model.inputs[0].shape
    rows.append({"layer": "input", "type": "image", "feature maps": 1, "size": f"{inp[1]}×{inp[2]}",
                 "kernel": "—", "stride": "—", "activation": "—", "trainable params": 0, "connections": 0})
    for name in LAYERS:
        layer = model.get_layer(name)
        cls = type(layer).__name__
        shape = tuple(layer.output.shape[1:])
        params = int(sum(int(np.prod(w.shape)) for w in layer.trainable_weights))
        if len(shape) == 3:
            h, w, maps = shape
            size = f"{h}×{w}"
        else:
            h = w = 1
            maps = shape[0]
            size = f"{maps}"
        positions = h * w
        kernel = stride = "—"
        act = _activation_name(layer)
        if cls in ("Conv2D", "SparseConv2D"):
            ks = layer.kernel_size if isinstance(layer.kernel_size, int) else layer.kernel_size[0]
            kernel = f"{ks}×{ks}"
            st = getattr(layer, "strides", (1, 1))
            stride = str(st[0] if isinstance(st, (tuple, list)) else st)
            # weights are shared across positions: every output position uses every parameter once
            connections = positions * params
            kind = "convolution" if cls == "Conv2D" else "sparse convolution (paper's table)"
        elif cls in ("Subsampling", "MaxPooling2D", "AveragePooling2D"):
            pool = getattr(layer, "pool_size", (2, 2))
            p = pool[0] if isinstance(pool, (tuple, list)) else pool
            kernel, stride = f"{p}×{p}", str(p)
            has_bias = cls == "Subsampling"
            connections = positions * maps * (p * p + (1 if has_bias else 0))
            kind = {"Subsampling": "subsampling (avg·coef+bias)", "MaxPooling2D": "max pooling",
                    "AveragePooling2D": "average pooling"}[cls]
            if cls == "MaxPooling2D":
                act = "max"
        else:  # Dense
            connections = params
            kind = "fully connected"
        rows.append({"layer": name, "type": kind, "feature maps": maps, "size": size, "kernel": kernel,
                     "stride": stride, "activation": act, "trainable params": params,
                     "connections": connections})
    return rows


def table_values(model):
    """Rows of layer_rows() as lists in TABLE_HEADERS order, numbers formatted with commas,
    plus a total row."""
    rows = layer_rows(model)
    out = [[f"{r[h]:,}" if isinstance(r[h], int) and h in ("trainable params", "connections") else str(r[h])
            for h in TABLE_HEADERS] for r in rows]
    total_p = sum(r["trainable params"] for r in rows)
    total_c = sum(r["connections"] for r in rows)
    out.append(["total", "", "", "", "", "", "", f"{total_p:,}", f"{total_c:,}"])
    return out


def c3_connection_table(model):
    """(6, 16) 0/1 matrix: which S2 maps feed which C3 map (all ones for a full convolution)."""
    layer = model.get_layer("C3")
    if hasattr(layer, "mask"):
        return np.asarray(layer.mask)
    return np.ones((model.get_layer("S2").output.shape[-1], layer.output.shape[-1]), dtype="float32")


def model_card(weights_dir, variant):
    """Test accuracy etc. from weights/lenet5_<variant>.json, and the confusion PNG path (or None)."""
    d = Path(weights_dir)
    card, png = {}, d / f"lenet5_{variant}_confusion.png"
    try:
        card = json.loads((d / f"lenet5_{variant}.json").read_text())
    except (OSError, ValueError):
        pass
    return card, (png if png.is_file() else None)


def card_markdown(card, variant):
    if not card:
        return f"**{variant}**: no model card (weights/lenet5_{variant}.json) found."
    acc = card.get("test_accuracy")
    lines = [f"### {variant}"]
    if acc is not None:
        lines.append(f"- **test accuracy: {100 * acc:.2f}%** on {card.get('test_set', 'the MNIST test set')}")
    for key, label in (("epochs", "epochs"), ("training_images", "training images"),
                       ("optimizer", "optimizer"), ("best_validation_accuracy", "best validation accuracy")):
        if key in card:
            val = card[key]
            if key == "best_validation_accuracy":
                val = f"{100 * val:.2f}%"
            elif isinstance(val, int):
                val = f"{val:,}"
            lines.append(f"- {label}: {val}")
    per = card.get("per_class_accuracy")
    if per:
        worst = sorted(per.items(), key=lambda kv: kv[1])[:3]
        lines.append("- hardest digits: " + ", ".join(f"{k} ({100 * v:.1f}%)" for k, v in worst))
    return "\n".join(lines)


# ------------------------------------------------------------------ text for the result panel

def digit_html(digit, message=None, confidence=None, model=None):
    """The big answer: the digit (with its probability) or, with no digit, the message."""
    import html
    if digit is None:
        return f'<div class="empty">{html.escape(message or "Draw a digit first.")}</div>'
    who = "" if model is None else f" ({html.escape(model)} model)"
    conf = "" if confidence is None else f'<div class="conf">{100 * confidence:.1f}% sure{who}</div>'
    attr = "" if model is None else f' data-model="{html.escape(model)}"'
    return f'<div class="big" data-digit="{int(digit)}"{attr}>{int(digit)}</div>{conf}'


def confidence_note(confidence, threshold=0.6):
    if confidence < threshold:
        return f"⚠️ **Not sure — is this a digit?** The best guess has only {100 * confidence:.0f}%."
    return ""


# ------------------------------------------------------------------ kernels (issue 8)

def kernels_figure(c1_kernels, c3_kernels, table, title, scale=9):
    """C1's 6 kernels in a row, then C3's kernels as a 6x16 grid (row = S2 map it reads,
    column = C3 map it feeds); cells the connection table leaves out stay empty."""
    k1 = np.asarray(c1_kernels, dtype="float64")[:, :, 0, :]      # (5, 5, 6)
    k3 = np.asarray(c3_kernels, dtype="float64")                 # (5, 5, 6, 16)
    table = np.asarray(table)
    n_in, n_out = table.shape
    f = font(13)
    cell = k3.shape[0] * scale + 2
    head = _text_size("Ag", f)[1] + 6
    lab_w = _text_size("S2 #6", f)[0] + GAP
    width = lab_w + n_out * (cell + 3)
    h1 = head + cell + 2 * GAP
    im, d = _canvas(width + 2 * GAP, h1 + head + 12 + n_in * (cell + 3) + 2 * GAP)
    d.text((GAP, GAP), "C1 kernels (one per C1 map)", font=f, fill=TEXT)
    lim1 = float(np.abs(k1).max()) or 1.0
    for j in range(k1.shape[-1]):
        im.paste(_framed(upscale(diverging(k1[:, :, j], lim1), scale)), (GAP + lab_w + j * (cell + 3), GAP + head))
    y0 = h1 + GAP
    d.text((GAP, y0), "C3 kernels: row = S2 map read, column = C3 map fed (empty = not connected)", font=f, fill=TEXT)
    lim3 = float(np.abs(k3).max()) or 1.0
    for j in range(n_out):
        d.text((GAP + lab_w + j * (cell + 3) + 2, y0 + head - 2), f"{j + 1}", font=font(11), fill=MUTED)
    for i in range(n_in):
        y = y0 + head + 12 + i * (cell + 3)
        d.text((GAP, y + cell // 3), f"S2 #{i + 1}", font=f, fill=MUTED)
        for j in range(n_out):
            x = GAP + lab_w + j * (cell + 3)
            if table[i, j]:
                im.paste(_framed(upscale(diverging(k3[:, :, i, j], lim3), scale)), (x, y))
            else:
                d._d.rectangle((x, y, x + cell - 1, y + cell - 1), outline=(225, 225, 225))
    return _stack(title, im)
