"""Reading for "Why this digit?": the current drawing -> the occlusion map over its 32x32 input
(lenet/saliency.py, the log-odds of the digit over the runner-up, which a confident reading does not
flatten), as HTML: the map, its signed colour bar and one sentence."""
import html

import numpy as np

from ... import saliency
from ... import visualize as viz
from ...colour import Scale, png_uri
from ...preprocess import InvalidDrawing
from .draw import current_picture
from .room import Room

CLIP = 95   # percentile of |map| over the ink drawn at full colour


def article(digit):
    """"a 7", "an 8"."""
    return f"an {digit}" if int(digit) == 8 else f"a {digit}"


def why_html(room: Room, pad_value, upload, source, variant):
    """Current drawing -> HTML: the occlusion map over the input (enlarged by the browser), its
    legend and a caption naming the digit and its runner-up."""
    rec = room.recognizers[room.model(variant)]
    try:
        p = rec.predict(current_picture(pad_value, upload, source))
    except InvalidDrawing as err:
        return f'<div class="why-empty">{html.escape(str(err))}</div>'
    s = saliency.occlusion(rec, p, margin=True)
    digit = int(p.digit)
    runner = int(np.argsort(-np.asarray(p.probabilities))[1])
    # full colour from the 95th percentile of |map| over the ink: one patch that matters most (a 7's
    # corner) no longer leaves the rest of the strokes white; the legend says "≥" at a clipped end
    ink = np.asarray(p.input) > 0.3
    lim = float(np.percentile(np.abs(s[ink]), CLIP)) if ink.any() else 0.0
    lim = lim if lim > 1e-9 else float(np.abs(s).max())
    shown = np.clip(s, -lim, lim) if lim > 0 else s
    picture = saliency.render(p.input, shown, scale=1, legend=False)
    scale = Scale(min(float(shown.min()), 0.0), max(float(shown.max()), 0.0), True)
    legend = viz.legend_html(scale, "odds lost when hidden")
    if s.max() > lim:
        legend = legend.replace(f"<span>{viz.number(scale.hi, True)} for", f"<span>≥ {viz.number(scale.hi, True)} for")
    if s.min() < -lim:
        legend = legend.replace(f"<span>{viz.number(scale.lo, True)} against",
                                f"<span>≤ {viz.number(scale.lo, True)} against")
    alt = (f"Saliency map of the drawing: red where the ink made it {article(digit)}, "
           f"blue where the ink argued against it")
    return (f'<figure class="why-fig" data-digit="{digit}">'
            f'<div class="lf-title">Why {article(digit)}, not {article(runner)}?</div>'
            f'<img src="{png_uri(picture)}" width="32" height="32" alt="{html.escape(alt)}">'
            f'<div class="lf">{legend}</div>'
            f'<figcaption>Each 2×2 patch of the input is hidden in turn: red ink, once hidden, '
            f'lowers the odds of {digit} over {runner}; blue ink raises them.</figcaption></figure>')
