"""Colour for every figure. One rule for maps: a map with both signs (a tanh activation, a sum
before squashing, a kernel, a saliency map) goes on the blue-white-red scale centred on 0 (blue =
against, white = 0, red = for); a map that is never negative (ReLU, a distance) on the one-sided
"inferno" scale from 0 (black, silent) to its largest value (pale yellow, strong). `scale_of` picks
the scale, `paint` colours with it; ink is grey; maps travel as small PNGs (data: URIs).
Plain numpy; the HTML figures (visualize.py) and the walk-through's images use these."""
import base64
import functools
import struct
import zlib
from dataclasses import dataclass

import numpy as np

# "inferno"-like anchors: black (silent) -> purple -> orange -> pale yellow (strong response).
_ANCHORS = np.array([
    (0, 0, 4), (40, 11, 84), (101, 21, 110), (159, 42, 99),
    (212, 72, 66), (245, 125, 21), (250, 193, 39), (252, 255, 164),
], dtype="float64")
LUT = np.stack([np.interp(np.linspace(0, 1, 256), np.linspace(0, 1, len(_ANCHORS)), _ANCHORS[:, c])
                for c in range(3)], axis=1).round().astype("uint8")   # (256, 3)
RAMP_CSS = ", ".join(f"rgb({r:.0f},{g:.0f},{b:.0f})" for r, g, b in _ANCHORS)   # the map as a CSS gradient


def value_range(a, vmin=None, vmax=None):
    lo = float(a.min()) if vmin is None else float(vmin)
    hi = float(a.max()) if vmax is None else float(vmax)
    return lo, hi



def lut_index(a, lo, hi):
    scale = hi - lo if hi - lo > 1e-9 else 1.0
    idx = (np.asarray(a, dtype="float32") - np.float32(lo)) * np.float32(255.0 / scale)
    np.clip(idx, 0, 255, out=idx)
    return np.rint(idx, out=idx).astype("uint8")



def colorize(values, vmin=None, vmax=None):
    """2-D array -> (H, W, 3) uint8 through the colour map; range vmin..vmax (default: its own)."""
    a = np.asarray(values)
    return LUT[lut_index(a, *value_range(a, vmin, vmax))]



WHITE, RED, BLUE = (255.0, 255.0, 255.0), (200.0, 30.0, 40.0), (30.0, 70.0, 200.0)   # 0, +end, -end


def diverging(values, limit=None):
    """Signed 2-D array -> blue (negative) / white (0) / red (positive) uint8 RGB, symmetric range."""
    a = np.asarray(values, dtype="float64")
    lim = float(np.abs(a).max()) if limit is None else float(limit)
    t = np.clip(a / (lim if lim > 1e-12 else 1.0), -1, 1)[..., None]
    white, red, blue = np.array(WHITE), np.array(RED), np.array(BLUE)
    rgb = np.where(t >= 0, white + (red - white) * t, white + (blue - white) * (-t))
    return rgb.round().astype("uint8")


# (256, 3): index 0 = -limit, 255 = +limit; 127 and 128 (where 0 lands) both exactly white
SIGNED_LUT = diverging(np.concatenate([np.linspace(-1.0, 0.0, 128), np.linspace(0.0, 1.0, 128)]))


def signed_css(t):
    """The diverging colour at t in [-1, 1] as CSS rgb()."""
    r, g, b = diverging(np.array([float(t)]), 1.0)[0]
    return f"rgb({r},{g},{b})"


@dataclass(frozen=True)
class Scale:
    """How a map is coloured: its lowest and highest value, and whether it has both signs (then
    the colours run -limit..+limit around a white 0; else 0..hi on the one-sided map)."""
    lo: float
    hi: float
    signed: bool

    @property
    def limit(self):
        return max(abs(self.lo), abs(self.hi), 1e-12)


def scale_of(values):
    """The Scale of a map (or a stack of maps sharing one scale): signed when any value is below 0."""
    a = np.asarray(values)
    lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
    if lo < 0:
        return Scale(lo, hi, True)
    return Scale(0.0, hi, False)


def paint(values, scale=None):
    """Values (any shape) -> (..., 3) uint8 RGB on `scale` (default: the values' own)."""
    a = np.asarray(values)
    s = scale_of(a) if scale is None else scale
    if s.signed:
        return SIGNED_LUT.take(lut_index(a, -s.limit, s.limit), axis=0)
    return LUT.take(lut_index(a, s.lo, s.hi), axis=0)



def gray(values):
    """Ink map in [0, 1] (1 = ink) -> black ink on white, uint8 RGB."""
    a = np.clip(np.asarray(values, dtype="float64"), 0, 1)
    g = ((1.0 - a) * 255).round().astype("uint8")
    return np.repeat(g[..., None], 3, axis=-1)



def upscale(rgb, factor):
    """Nearest-neighbour upscale by an integer factor: every pixel stays a crisp square."""
    f = max(1, int(factor))
    return np.repeat(np.repeat(np.asarray(rgb), f, axis=0), f, axis=1)



def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


_IEND = _chunk(b"IEND", b"")


@functools.lru_cache(maxsize=64)
def _head(w, h, channels):
    """The PNG signature and IHDR of a (h, w) 8-bit picture of 1 (grey), 3 (RGB) or 4 (RGBA) channels."""
    colour_type = {1: 0, 3: 2, 4: 6}[channels]
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0))


def pngs_bytes(stack):
    """(n, h, w) grey, (n, h, w, 3) RGB or (n, h, w, 4) RGBA uint8 -> n PNG files (bytes), each as
    png_bytes writes it: the rows of the whole stack are laid out in one step, then each picture is
    compressed on its own (a stroke encodes ~50 maps; the per-map work is zlib's)."""
    a = np.asarray(stack, dtype="uint8")
    n, h, w = a.shape[:3]
    channels = 1 if a.ndim == 3 else a.shape[3]
    rows = np.zeros((n, h, 1 + w * channels), "uint8")          # a 0 byte (no filter) before each row
    rows[:, :, 1:] = a.reshape(n, h, -1)
    head = _head(w, h, channels)
    return [head + _chunk(b"IDAT", zlib.compress(r, 1)) + _IEND for r in rows]


def png_bytes(pixels):
    """(h, w) grey, (h, w, 3) RGB or (h, w, 4) RGBA uint8 -> PNG file bytes. Written directly
    (filter 0 on every row, zlib level 1): faster than Pillow's encoder on a 28x28 map, whose
    cost is per-call overhead, and a stroke encodes dozens of them."""
    return pngs_bytes(np.asarray(pixels, dtype="uint8")[None])[0]


_URI = "data:image/png;base64,"


def png_uri(pixels):
    """Pixels (see png_bytes) -> a data: URI holding them as a PNG."""
    return png_uris(np.asarray(pixels, dtype="uint8")[None])[0]


def png_uris(stack):
    """A stack of pictures (see pngs_bytes) -> a data: URI for each, as png_uri writes it."""
    return [data_uri(png) for png in pngs_bytes(stack)]


def data_uri(png):
    """PNG file bytes -> its data: URI (what the figures and the drawing pad both send)."""
    return _URI + base64.b64encode(png).decode("ascii")
