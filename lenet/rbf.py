"""The paper's RBF ending, shown: F6's 84 units read as a 7x12 picture beside the nearest
digit's code, OUT's ten squared distances (small = close), and one distance explained as
Σ (F6ᵢ − codeᵢ)² over the 84 units. Pure numpy + Pillow over what a paper Prediction carries
(feature_maps["F6"], distances, codes); lenet/ui and lenet/walkthrough.py place these on the page.

Pictures are ink on paper as the codes are drawn: +1 (ink) black, −1 (paper) white, F6 on the same
scale (its scaled tanh reaches ±1.7159; beyond ±1 it is clipped to full ink or paper).
"""
import html
from dataclasses import dataclass

import numpy as np
from PIL import Image

from . import visualize as viz
from .codes import COLS, ROWS

# ------------------------------------------------------------------ pictures of 84 values


def ink(values):
    """84 values (F6 or a code) -> (12, 7, 3) uint8: +1 black ink, -1 white paper, clipped to ±1."""
    v = np.clip(np.asarray(values, dtype="float64").reshape(ROWS, COLS), -1.0, 1.0)
    g = np.rint((1.0 - v) * 127.5).astype("uint8")
    return np.repeat(g[..., None], 3, axis=-1)


def nearest(distances):
    """The digit whose code is closest to F6 (what the paper's OUT answers)."""
    return int(np.argmin(np.asarray(distances)))


# ------------------------------------------------------------------ first tab: HTML, live per stroke

def _bars(distances, best, height):
    """Ten columns, one per digit: bar height ∝ the squared distance (shorter = closer), nearest marked."""
    d = np.asarray(distances, dtype="float64")
    top = float(d.max()) or 1.0
    cells = []
    for k, v in enumerate(d):
        mark = k == best
        colour = "var(--color-accent)" if mark else "var(--body-text-color-subdued, #888)"
        cells.append(
            f'<div class="rbf-d{" rbf-top" if mark else ""}" data-digit="{k}" data-d="{v:.6f}" title="{k}: {v:.2f}" '
            f'style="display:flex;flex-direction:column;align-items:center;min-width:0;font-variant-numeric:tabular-nums">'
            f'<span style="font-size:14px{";font-weight:700" if mark else ""}">{v:.0f}</span>'
            f'<span style="display:flex;align-items:flex-end;width:100%;height:{height}px;border-radius:2px;'
            f'background:var({"--color-accent-soft" if mark else "--background-fill-secondary"})">'
            f'<span style="display:block;width:100%;height:{100 * v / top:.1f}%;background:{colour};'
            f'border-radius:2px;opacity:{1 if mark else 0.55}"></span></span>'
            f'<span style="font-weight:700;font-size:15px{";text-decoration:underline" if mark else ""}">{k}</span>'
            f"</div>")
    return ('<div class="rbf-dists" role="img" aria-label="squared distance from F6 to each digit\'s code, '
            f'nearest {best}" style="display:grid;grid-template-columns:repeat(10,minmax(0,1fr));gap:2px;'
            f'align-items:end;flex:1 1 150px;min-width:120px">{"".join(cells)}</div>')


def rbf_html(f6, distances, codes, scale=4, height=34):
    """The first tab's RBF panel: F6 as 7x12 | the nearest code | OUT's 10 distances, in one compact row
    (two 7x12 PNGs of ~100 bytes each and text: cheap for every stroke)."""
    best = nearest(distances)
    f6_img = viz._img(ink(f6), scale, "F6 as a 7×12 picture", "rbf-f6")
    code_img = viz._img(ink(np.asarray(codes)[best]), scale, f"the code of {best}", "rbf-code")
    pics = (f'<figure><figcaption>F6</figcaption>{f6_img}</figure>'
            f'<span class="lf-arrow" style="font-size:1.1rem">≈</span>'
            f'<figure><figcaption>code {best}</figcaption>{code_img}</figure>')
    body = (f'<div class="lf-row" style="gap:6px;flex-wrap:nowrap;align-items:flex-end" data-nearest="{best}">'
            f'{pics}{_bars(distances, best, height)}</div>')
    return viz._figure("OUT · F6's distance to each code", body, elem_class="lf-rbf")


def prediction_html(prediction):
    """A Prediction -> the RBF panel for the paper's ending, "" for a softmax ending (nothing to show)."""
    if getattr(prediction, "distances", None) is None:
        return ""
    return rbf_html(prediction.feature_maps["F6"], prediction.distances, prediction.codes)


# ------------------------------------------------------------------ walk-through: the OUT row (clickable)

PIC = 12                        # px per F6 unit in the walk-through's pictures
TOP = 26                        # title band
GAP = 14
BAR_W, BAR_H = 44, 150          # one distance column per digit
BARS_X = GAP + 2 * (COLS * PIC + GAP) + GAP   # where the ten columns start


def out_figure(f6, distances, codes):
    """The OUT row for the paper: F6 and the nearest code as 7x12 pictures, then the ten distances as
    columns (click one to explain it; see out_locate)."""
    d = np.asarray(distances, dtype="float64")
    best = nearest(d)
    width = BARS_X + 10 * BAR_W + GAP
    height = TOP + max(ROWS * PIC + 2, BAR_H) + 24
    im = Image.new("RGB", (width, height), viz.BACKGROUND)
    draw = viz.Draw(im)
    f = viz.font(15)
    for i, (values, title) in enumerate(((f6, "F6 as 7×12"), (np.asarray(codes)[best], f"code of {best}"))):
        x = GAP + i * (COLS * PIC + GAP)
        draw.text((x, 4), title, font=f, fill=viz.TEXT)
        im.paste(viz._framed(viz.upscale(ink(values), PIC)), (x, TOP))
    draw.text((BARS_X, 4), "squared distance to each code (smallest wins)", font=f, fill=viz.TEXT)
    top = float(d.max()) or 1.0
    for k, v in enumerate(d):
        x = BARS_X + k * BAR_W
        h = int(round(v / top * (BAR_H - 18)))
        draw.rectangle((x + 5, TOP + BAR_H - h, x + BAR_W - 5, TOP + BAR_H),
                       fill=(245, 125, 21) if k == best else (159, 42, 99))
        draw.text((x + 6, TOP + BAR_H - h - 16), f"{v:.0f}", font=viz.font(14), fill=viz.TEXT)
        draw.text((x + BAR_W // 2 - 4, TOP + BAR_H + 3), str(k), font=viz.font(15), fill=viz.TEXT)
    return im


def out_locate(index):
    """A click at image pixel [x, y] on out_figure -> the digit whose distance column it hit, or None."""
    x, y = int(index[0]), int(index[1])
    k, rx = divmod(x - BARS_X, BAR_W)
    if x < BARS_X or not 0 <= k < 10 or y < TOP:
        return None
    return int(k)


def out_centre(digit):
    """Inverse of out_locate: image pixel [x, y] inside digit's column (tests click there)."""
    return BARS_X + digit * BAR_W + BAR_W // 2, TOP + BAR_H // 2


# ------------------------------------------------------------------ explain one distance


@dataclass
class RBFExplanation:
    digit: int
    f6: np.ndarray            # (84,)
    code: np.ndarray          # (84,) ±1
    squares: np.ndarray       # (84,) (F6ᵢ − codeᵢ)²
    per_row: np.ndarray       # (12,) the sum over each row of 7
    total: float              # Σ over all 84, in float64
    distance: float           # what the network's OUT unit computed
    agree: int                # units on the code's side of 0 (sign(F6ᵢ) == codeᵢ)


def explain(f6, codes, distances, digit):
    """Why OUT unit `digit` holds its distance: the 84 squared differences between F6 and its code."""
    f6 = np.asarray(f6, dtype="float64").reshape(-1)
    code = np.asarray(codes, dtype="float64")[digit].reshape(-1)
    squares = (f6 - code) ** 2
    return RBFExplanation(digit=int(digit), f6=f6, code=code, squares=squares,
                          per_row=squares.reshape(ROWS, COLS).sum(axis=1), total=float(squares.sum()),
                          distance=float(np.asarray(distances)[digit]), agree=int(np.sum(np.sign(f6) == code)))


def explanation_figure(e, scale=14):
    """F6, the digit's code and (F6ᵢ − codeᵢ)² as 7x12 pictures side by side (bright = far)."""
    sq = e.squares.reshape(ROWS, COLS)
    parts = [(ink(e.f6), "F6"), (ink(e.code), f"code of {e.digit}"),
             (viz.colorize(sq, 0.0, max(float(sq.max()), 1e-9)), "(F6ᵢ − codeᵢ)²")]
    f = viz.font(14)
    w = COLS * scale
    im = Image.new("RGB", (3 * (w + 2 * GAP) + GAP, ROWS * scale + 32), viz.BACKGROUND)
    draw = viz.Draw(im)
    for i, (rgb, title) in enumerate(parts):
        x = GAP + i * (w + 2 * GAP)
        draw.text((x, 4), title, font=f, fill=viz.TEXT)
        im.paste(viz._framed(viz.upscale(rgb, scale)), (x, 26))
    return im


EXPLAIN_PROMPT = ('<div id="wt-out-explain" class="wt-empty">Click any of the ten distances above to see the '
                  "sum Σ (F6ᵢ − codeᵢ)² that gives it.</div>")


def explanation_html(e):
    """The sum written out, as the C1/C3 explanation writes patch·kernel + bias; ids #wt-out-explain,
    #wt-out-value, #wt-out-fm and data-* attributes (full precision) for tests."""
    terms = " + ".join(f"{v:.2f}" for v in e.per_row)
    return "\n".join([
        f'<div id="wt-out-explain" data-layer="OUT" data-map="{e.digit}" data-row="" data-col="" '
        f'data-sum="{e.total!r}" data-fm="{e.distance!r}">',
        f"<h3>Why OUT unit {e.digit} = {e.distance:.6f}</h3>",
        f"<p>OUT unit {e.digit} is the squared Euclidean distance between F6's 84 units and the fixed 7×12 code "
        f"of {e.digit} (+1 ink, −1 paper). {e.agree} of the 84 units are on the code's side of 0.</p>",
        '<table class="wt-sum">',
        f"<tr><td>Σ (F6ᵢ − codeᵢ)²</td><td>=</td><td><b id=\"wt-out-value\">{e.total:.6f}</b></td>"
        f"<td>({html.escape(terms)}, one per row of 7)</td></tr>",
        f'<tr><td>OUT unit {e.digit}</td><td>=</td><td><b id="wt-out-fm">{e.distance:.6f}</b></td>'
        f"<td>what the network computed (no weights, no bias, no squashing)</td></tr>",
        "</table>",
        f"<p>Difference: {abs(e.total - e.distance):.1e}. The smallest of the ten distances is the answer.</p></div>"])
