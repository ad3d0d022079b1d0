"""The walk-through's pictures: every layer's maps as a clickable grid of fixed geometry (locate /
pixel_centre turn a click into a map pixel and back), the strips, the probabilities, and the figure
that explains one number (receptive field, patch, kernel). Maps with both signs use the signed scale
of lenet/colour.py, like every map on the page."""
import numpy as np
from PIL import Image, ImageDraw

from . import answer, preactivation, rbf
from . import visualize as viz

GRID = {"C1": dict(cols=6, scale=5), "C3": dict(cols=8, scale=9)}   # clickable map layouts
GRID_GAP = 8
CAP = 20                                        # caption band above every map tile (px)
RF_COLOUR = (0, 200, 255)
MARK = (0, 160, 60)                             # the clicked pixel's frame

def _caption(d, x, y, w, text):
    f = viz.font(15)
    tw = viz.text_size(text, f)[0]
    d.text((x + (w - tw) // 2, y), text, font=f, fill=viz.MUTED)


def grid(maps, cols, scale, captions=None):
    """(h, w, n) maps -> image with a fixed geometry (see locate); one shared colour scale, signed
    (blue-white-red around 0) when the maps have both signs (lenet/colour.py)."""
    maps = np.asarray(maps, dtype="float64")
    h, w, n = maps.shape
    colours = viz.scale_of(maps)
    rows = -(-n // cols)
    tw, th = w * scale, h * scale + CAP
    im = Image.new("RGB", (cols * tw + (cols - 1) * GRID_GAP, rows * th + (rows - 1) * GRID_GAP), viz.BACKGROUND)
    d = viz.Draw(im)
    for k in range(n):
        x, y = (k % cols) * (tw + GRID_GAP), (k // cols) * (th + GRID_GAP)
        _caption(d, x, y, tw, captions[k] if captions else f"{k + 1}")
        im.paste(Image.fromarray(viz.upscale(viz.paint(maps[:, :, k], colours), scale)), (x, y + CAP))
    return im


def marked_grid(layer, maps, fmap, row, col):
    """The `layer` grid of `maps` with the pixel (fmap, row, col) framed: where a click landed."""
    g = GRID[layer]
    im = grid(maps, **g)
    x, y = pixel_centre(layer, np.shape(maps), fmap, row, col)
    r = g["scale"] // 2 + 3
    ImageDraw.Draw(im).rectangle((x - r, y - r, x + r, y + r), outline=MARK, width=3)
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
    rgb = viz.paint(np.nan_to_num(g, nan=0.0), viz.scale_of(v))
    rgb[np.isnan(g)] = viz.BACKGROUND
    return Image.fromarray(viz.upscale(rgb, scale))


def probabilities_figure(probs, width=560, height=170):
    """OUT's ten probabilities as bars, each with its value as a person reads it (">99 %", never 100)."""
    probs = np.asarray(probs, dtype="float64").reshape(-1)
    im = Image.new("RGB", (width, height), viz.BACKGROUND)
    d = ImageDraw.Draw(im)
    f = viz.font(17)
    n = probs.size
    bw = width // n
    top = int(np.argmax(probs))
    for i, p in enumerate(probs):
        x = i * bw
        bh = int(round(p * (height - 52)))
        d.rectangle((x + 6, height - 26 - bh, x + bw - 6, height - 26),
                    fill=(185, 62, 11) if i == top else (110, 60, 140))
        tw = viz.text_size(str(i), f)[0]
        d.text((x + (bw - tw) // 2, height - 22), str(i), font=f, fill=viz.TEXT)
        label = answer.percent(p, 0).replace(" %", "%")
        tw = viz.text_size(label, viz.font(15))[0]
        d.text((x + (bw - tw) // 2, height - 46 - bh), label, font=viz.font(15), fill=viz.TEXT)
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


def _numbers(values, limit, cell=58):
    """5x5 values as a diverging-coloured grid with each number written in its cell."""
    a = np.asarray(values, dtype="float64")
    im = Image.fromarray(viz.upscale(viz.diverging(a, limit), cell))
    d = ImageDraw.Draw(im)
    f = viz.font(15)
    for r in range(a.shape[0]):
        for c in range(a.shape[1]):
            text = f"{a[r, c]:.2f}".replace("-", "−")
            tw = viz.text_size(text, f)[0]
            d.text((c * cell + (cell - tw) // 2, r * cell + cell // 2 - 9), text, font=f, fill=viz.TEXT)
        d.line((0, r * cell, a.shape[1] * cell, r * cell), fill=(200, 200, 200))
    for c in range(a.shape[1]):
        d.line((c * cell, 0, c * cell, a.shape[0] * cell), fill=(200, 200, 200))
    return im


def _row_of(parts, titles):
    f = viz.font(16)
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
    colours = viz.scale_of(s2)           # as the S2 row draws them: signed around 0 when S2 has both signs
    tiles = []
    for i in e.connected:
        tiles.append(_outlined(viz.paint(s2[:, :, i], colours), 8, e.rf_s2))
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

