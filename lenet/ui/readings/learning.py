"""Readings for the "Learning" tab: the current drawing (from the first tab; an example
until there is one) read by the network as it was at each snapshot of its training run
(lenet/learning.py): at one snapshot the answer and its probabilities, C1's kernels and maps, C3's
maps, the loss and accuracy curves (SVG) with a cursor at that point, and a few plain words for a
student; and the `/learn` API's answer, the reading at every snapshot.

A slider step runs one snapshot's numpy forward and draws its HTML (no model call, no file read:
the snapshots are read once per file)."""
import html
import math
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from ... import answer, learning
from ... import card as model_card
from ... import visualize as viz
from ...preprocess import InvalidDrawing
from .draw import current_picture
from .room import Room

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "digit_3.png"   # until the person draws
NO_PICTURE = "No picture was sent: send a picture file of one digit, dark ink on a light background."

INTRO = """**How it learns.** Training shows the network a **batch** of training pictures at a time{batch},
measures how wrong its answers were (the **loss**), and nudges every weight a little so that it would
have been less wrong: that is one **step**. One **epoch** is one pass over all the training
pictures{per_epoch}. The slider moves through copies of the weights kept during one training run, from
the random start (step 0) to the end; your drawing from the first tab is read by each copy."""


# ------------------------------------------------------------------ the snapshots and the drawing

_lock = threading.Lock()


@lru_cache(maxsize=8)
def _read(file, mtime_ns):
    try:
        return learning.load(file)
    except learning.SnapshotsError as err:
        return err


def snapshots(room: Room, variant):
    """The variant's Snapshots (read once per file version), or the SnapshotsError saying why not."""
    file = learning.path(variant, room.weights_dir)
    try:
        mtime = file.stat().st_mtime_ns
    except OSError:
        return learning.SnapshotsError(f"There are no training snapshots for the {variant} model yet "
                                       f"({file.name} is not in the weights folder); the other tabs work as usual.")
    with _lock:
        return _read(str(file), mtime)


@lru_cache(maxsize=8)
def _rule(weights_dir, variant):
    return learning.rejection_rule(model_card.read(weights_dir, variant)[0])


def rejection_rule(room: Room, variant):
    """The served model's calibrated "not a digit" rule (its card), for judging every snapshot."""
    return _rule(room.weights_dir, variant)


def activation(room: Room, variant):
    """The variant's squashing function, as its recogniser's facts name it."""
    rec = room.recognizers.get(variant)
    return rec.facts.activations.get("C1") if rec is not None else None


@lru_cache(maxsize=4)
def _example(rec):
    """The example's input: docs/examples' 3, or a 3 drawn by lenet/synthetic.py where docs/ is absent."""
    if EXAMPLE.is_file():
        return rec.predict(str(EXAMPLE)).input
    from ...synthetic import draw
    return rec.predict(draw(3, canvas=280)).input


def drawing_input(room: Room, pad_value, upload, source, variant):
    """The current drawing's 32x32 input and a line saying whose it is; the example's until the
    person has drawn (or uploaded) something readable."""
    rec = room.recognizers[room.model(variant)]
    try:
        x = rec.predict(current_picture(pad_value, upload, source)).input
        return x, "the drawing on the first tab (its example 7 until you draw your own)"
    except InvalidDrawing:
        return _example(rec), "an example 3 (the first tab's pad is empty: draw there, then come back, to see yours)"


# ------------------------------------------------------------------ the curves

W, H, LEFT, RIGHT, TOP, BOTTOM = 400, 190, 58, 14, 34, 44   # px: drawn 1:1 where the column allows
DASHED = ' stroke-dasharray="6 4"'


def _x(step, last):
    """Steps on a log axis (step + 1): the first batches change the most, and the snapshots are log-spaced."""
    return LEFT + (W - LEFT - RIGHT) * math.log10(step + 1) / math.log10(last + 1)


def _chart(title, steps, series, at, top, fmt, ticks, per_epoch=0, epoch_label_low=True):
    """One SVG chart: `series` [(name, values, dash)] against steps, y from 0 to `top`, a cursor at
    snapshot `at` with each series' value beside it."""
    last = max(int(steps[-1]), 1)
    y = lambda v: TOP + (H - TOP - BOTTOM) * (1 - min(max(v / top, 0), 1))   # noqa: E731
    parts = [f'<text x="2" y="20" class="t">{html.escape(title)}</text>',
             f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" class="ax"/>',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{H - BOTTOM}" class="ax"/>']
    for v in ticks:
        parts.append(f'<text x="{LEFT - 6}" y="{y(v) + 5:.1f}" text-anchor="end">{fmt(v)}</text>'
                     f'<line x1="{LEFT}" y1="{y(v):.1f}" x2="{W - RIGHT}" y2="{y(v):.1f}" class="grid"/>')
    for p in range(0, int(math.log10(last)) + 1):
        step = 10 ** p if p else 0   # 0, 10, 100, ...
        parts.append(f'<text x="{_x(step, last):.1f}" y="{H - BOTTOM + 18}" text-anchor="middle">{step:,}</text>')
    if _x(last, last) - _x(10 ** int(math.log10(last)), last) > 60:   # the last step, if it has room
        parts.append(f'<text x="{W - RIGHT}" y="{H - BOTTOM + 18}" text-anchor="end">{last:,}</text>')
    if 0 < per_epoch <= last:                                          # what one epoch is, on the axis
        ex = _x(per_epoch, last)
        parts.append(f'<line x1="{ex:.1f}" y1="{TOP}" x2="{ex:.1f}" y2="{H - BOTTOM}" class="ep"/>'
                     f'<text x="{ex - 4:.1f}" y="{H - BOTTOM - 6 if epoch_label_low else TOP + 14}" '
                     'text-anchor="end" class="ept">1 epoch</text>')
    parts.append(f'<text x="{(LEFT + W - RIGHT) / 2}" y="{H - 6}" text-anchor="middle">batches seen (log scale)</text>')
    cx = _x(int(steps[at]), last)
    parts.append(f'<line x1="{cx:.1f}" y1="{TOP - 6}" x2="{cx:.1f}" y2="{H - BOTTOM}" class="cur"/>')
    for k, (name, values, dash) in enumerate(series):
        pts = " ".join(f"{_x(int(s), last):.1f},{y(v):.1f}" for s, v in zip(steps, values))
        parts.append(f'<polyline points="{pts}" class="s{k}"{DASHED if dash else ""}/>'
                     f'<circle cx="{cx:.1f}" cy="{y(values[at]):.1f}" r="5" class="d{k}"/>')
    label = " · ".join(f"{name} {fmt(values[at])}" for name, values, _ in series)
    spans = " · ".join(f'<tspan class="d{k}">{html.escape(name)} {fmt(values[at])}{" (dashed)" if dash else ""}'
                       f'</tspan>' for k, (name, values, dash) in enumerate(series))
    parts.append(f'<text x="{W - RIGHT}" y="20" text-anchor="end" class="v">{spans}</text>')
    return (f'<svg class="ln-chart" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" '
            f'aria-label="{html.escape(title)}: {html.escape(label)}">{"".join(parts)}</svg>')




def _ticks(top, n=4):
    """0 and round steps (1, 2, 2.5 or 5 x 10^k) up to at least `top`, about n of them."""
    if not top > 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / n
    unit = 10 ** math.floor(math.log10(raw))
    step = next(m * unit for m in (1, 2, 2.5, 5, 10) if m * unit >= raw)
    return [k * step for k in range(int(math.ceil(top / step - 1e-9)) + 1)]


def curves_html(snaps: learning.Snapshots, at):
    """The training loss and the train/test accuracy against batches seen, a cursor at snapshot `at`."""
    loss_ticks = _ticks(float(np.nanmax(snaps.loss)))
    loss_top = loss_ticks[-1]
    pct = lambda v: f"{100 * v:.0f} %"   # noqa: E731
    return ('<div class="ln-curves">'
            + _chart("Training loss (lower is better)", snaps.step, [("loss", snaps.loss, False)], at,
                     loss_top, lambda v: f"{v:.3g}", loss_ticks, snaps.steps_per_epoch, epoch_label_low=False)
            + _chart("Accuracy", snaps.step, [("training", snaps.train_accuracy, False),
                                              ("test", snaps.test_accuracy, True)], at, 1.0, pct,
                     [0, 0.25, 0.5, 0.75, 1.0], snaps.steps_per_epoch)
            + '</div>')


# ------------------------------------------------------------------ one snapshot

def where(snaps: learning.Snapshots, at):
    """The line above the figures: which point of training this is."""
    step, epoch = int(snaps.step[at]), float(snaps.epoch[at])
    seen = f" · {step * snaps.batch_size:,} pictures seen" if snaps.batch_size and step else ""
    head = "the random start, before any training" if step == 0 else f"after {step:,} batches"
    return (f'<div class="ln-where"><b>Snapshot {at + 1} of {len(snaps)}: {head}</b> · epoch {epoch:.2f}{seen} · '
            f'loss {snaps.loss[at]:.2f} · accuracy {100 * snaps.train_accuracy[at]:.1f} % training, '
            f'{100 * snaps.test_accuracy[at]:.1f} % test</div>')


def _rest(reading):
    """A sentence on the "not a digit" share when it holds most of the answer, else ""."""
    if reading.not_a_digit is None or reading.not_a_digit[0] < 0.5:
        return ""
    return (f' The model also has a "not a digit" answer, which takes {100 * reading.not_a_digit[0]:.0f} % here: '
            "the bars share out the rest among the ten digits.")


def narration(snaps: learning.Snapshots, reading: learning.Reading, at, whose):
    """Plain words for a student on what this point shows (markdown)."""
    p = reading.probabilities[0]
    top = int(np.argmax(p))
    change = learning.kernel_change(snaps, at)
    if int(snaps.step[at]) == 0:
        even = p.max() < 0.2
        spread = ("each gets about 10 %" if even else
                  "they are not quite equal: random weights still favour some outputs a little")
        return (f"**{'Why about 10 % each' if even else 'Why no clear answer'} at the start?** The weights are "
                "random numbers, so nothing yet ties "
                f"any output to any digit: the ten outputs come out nearly alike and {spread} (here the highest "
                f"is {top} at {answer.percent(p.max(), 0)}). The C1 kernels are random static.{_rest(reading)} "
                f"Reading {whose}.")
    now, start = learning.smoothness(snaps.kernels_c1(at)), learning.smoothness(snaps.kernels_c1(0))
    if change < 0.25:
        kernels = (f"C1's kernels have moved only {100 * change:.0f} % of their starting size: still mostly the "
                   "random static of step 0")
    else:
        kernels = (f"C1's kernels have moved {100 * change:.0f} % of their starting size away from the random "
                   f"static of step 0, and neighbouring weights agree more (correlation {start:.2f} at the start, "
                   f"{now:.2f} now): smoother patches of red (positive weight) beside blue (negative), which "
                   "answer to an edge or stroke in one direction; the map lights up where the drawing has one")
    return (f"**Now it says {top} with {answer.percent(p.max())}.** Each batch nudged the weights towards the "
            f"training labels. {kernels}. Reading {whose}.")


def step_view(room: Room, variant, x32, whose, at):
    """Snapshot `at` of `variant` on the input -> (where, narration, answer, curves, C1 and C3) HTML
    and markdown; with no snapshots, the sentence saying so and empty figures."""
    snaps = snapshots(room, variant)
    if isinstance(snaps, learning.SnapshotsError):
        return f'<div class="ln-where"><b>{html.escape(str(snaps))}</b></div>', "", "", "", ""
    at = int(min(max(int(at or 0), 0), len(snaps) - 1))
    r = learning.forward(snaps, x32, at, activation(room, variant), rejection_rule(room, variant))
    p, digit = r.probabilities[0], int(r.digit[0])
    nd = ("" if r.not_a_digit is None else
          f'<div class="ln-nd">"not a digit": {100 * float(r.not_a_digit[0]):.0f} %</div>')
    said = ('<div class="ln-answer">' + answer.digit_html(digit, None, float(p[digit]), variant) + nd
            + answer.probs_html(p) + "</div>")
    c3 = viz.c3_html(r.c3[0], scale=5).replace('<div class="lf ', '<div class="lf lf-c3 ', 1)
    return (where(snaps, at), narration(snaps, r, at, whose), said, curves_html(snaps, at),
            viz.c1_html(r.c1[0], r.kernels[0], scale=4) + c3)


def slider_range(room: Room, variant):
    """(last index, info) for the slider: one position per snapshot of the variant."""
    snaps = snapshots(room, variant)
    if isinstance(snaps, learning.SnapshotsError):
        return 0, "no snapshots for this model"
    return len(snaps) - 1, f"{len(snaps)} snapshots, from step 0 to step {int(snaps.step[-1]):,}"


def intro(room: Room, variant):
    snaps = snapshots(room, variant)
    known = not isinstance(snaps, learning.SnapshotsError)
    return INTRO.format(batch=f" (here {snaps.batch_size} pictures)" if known and snaps.batch_size else "",
                        per_epoch=f" ({snaps.steps_per_epoch:,} steps)" if known and snaps.steps_per_epoch else "")


# ------------------------------------------------------------------ the API

def learn_api(room: Room, image, variant):
    """`/learn`: a picture + model name -> {"variant", "readings": [one per snapshot]}, or {"error": one sentence}."""
    variant = room.model(variant)
    if image is None or (isinstance(image, (str, bytes)) and not image):
        return {"error": NO_PICTURE}
    snaps = snapshots(room, variant)
    if isinstance(snaps, learning.SnapshotsError):
        return {"error": str(snaps)}
    try:
        x = room.recognizers[variant].predict(image).input
    except InvalidDrawing as err:
        return {"error": str(err)}
    return {"variant": variant,
            "readings": learning.readings(snaps, x, activation(room, variant), rejection_rule(room, variant))}
