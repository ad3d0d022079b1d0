"""Reading for the Compare tab: every variant on the same drawing, side by side, and a few computed
facts on what ReLU and max-pooling change."""
import numpy as np

from ... import answer, preactivation
from ... import visualize as viz
from ...preprocess import InvalidDrawing
from .draw import current_picture
from .room import Room

PER_MODEL = 4   # outputs per model: digit, top probabilities, C1, C3


def comparison_markdown(predictions, sums=None):
    """{variant: Prediction} -> a few computed facts on what ReLU / max-pooling change. `sums`:
    {variant: lenet/preactivation.sums} when the page shows the sums: the maps' rows then say they are
    about the maps after squashing, and two rows on the sums follow (ReLU's zeros are the negative sums)."""
    lines = ["| | " + " | ".join(predictions) + " |", "|---|" + "---|" * len(predictions)]
    after = "" if sums is None else " (after squashing)"

    def row(label, f, of=predictions):
        lines.append(f"| {label} | " + " | ".join(f(p) for p in of.values()) + " |")

    row("answer", lambda p: f"**{p.digit}** ({answer.percent(p.confidence)})")
    row(f"C1 range{after}", lambda p: f"{p.feature_maps['C1'].min():.2f} … {p.feature_maps['C1'].max():.2f}")
    row(f"C1 exactly zero{after}", lambda p: f"{100 * np.mean(p.feature_maps['C1'] == 0):.0f}%")
    row(f"C1 negative{after}", lambda p: f"{100 * np.mean(p.feature_maps['C1'] < 0):.0f}%")
    row(f"C3 exactly zero{after}", lambda p: f"{100 * np.mean(p.feature_maps['C3'] == 0):.0f}%")
    if sums is not None:
        row("C1 sums range (before squashing)", lambda z: f"{z['C1'].min():.2f} … {z['C1'].max():.2f}", sums)
        row("C1 sums below 0 (before squashing)", lambda z: f"{100 * np.mean(z['C1'] < 0):.0f}%", sums)
    return "\n".join(lines)


COMPARISON_NOTE = ("**What to point at:** the classic tanh maps are two-signed (blue = negative, i.e. "
                   "the pattern's opposite; white = 0; red = positive) and smooth; ReLU clips everything "
                   "below 0 to exactly 0, so the "
                   "modern maps are sparse — most pixels black (exactly 0), a few bright. Max-pooling keeps the "
                   "strongest response of each 2×2 block instead of averaging it.")


def compare_view(room: Room, pad_value, upload, source, pre=False):
    """Every model on the current drawing: per model (digit, probabilities, C1, C3), then the facts.
    pre=True: C1 and C3 show the sums before the squashing function (their titles say so)."""
    try:
        picture = current_picture(pad_value, upload, source)
        preds = {v: rec.predict(picture) for v, rec in room.recognizers.items()}
    except InvalidDrawing as err:
        return (*[answer.digit_html(None, str(err)), None, None, None] * len(room.recognizers), "")
    out, sums = [], {}
    for v, p in preds.items():
        rec = room.recognizers[v]
        maps, stages = preactivation.shown(rec, p, pre, ("C1", "C3"))
        if pre:
            sums[v] = maps
        out += [answer.digit_html(p.digit, None, p.confidence, v, looks_like_digit=p.is_digit),
                answer.top_html(p.probabilities),
                viz.c1_html(maps["C1"], rec.kernels("C1"), stage=stages["C1"]),
                viz.c3_html(maps["C3"], stage=stages["C3"])]
    return (*out, comparison_markdown(preds, sums if pre else None))


