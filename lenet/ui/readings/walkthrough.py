"""Readings for the Walk-through tab: the current drawing through every layer (rows of markdown and
figures), and a click on a C1/C3 pixel or an OUT distance explained as the sum that gives it."""
import numpy as np

from ... import preactivation, rbf
from ... import visualize as viz
from ... import walkthrough as walk
from ...architecture import c3_connection_table
from ...preprocess import InvalidDrawing
from .draw import current_picture
from .room import Room

PRE_NOTE = ("  \nShown: **the sums before the squashing function** (what each layer adds up before tanh or "
            "ReLU); max-pooling has none and OUT is shown as it is. A click explains a sum.")


def tab_view(rec, prediction, pre=False):
    """Everything the Walk-through tab shows for one prediction:
    (input 32x32 to remember for clicks, totals markdown, {row: markdown}, {row: image}, kernels image).
    pre=True: C1..F6 show their sums before squashing, and each row's title says what it shows."""
    rows = walk.explained_rows(rec.model)
    maps, stages = preactivation.shown(rec, prediction, pre)
    fm = {**prediction.feature_maps, **maps}
    colours = {name: walk.colours_line(viz.scale_of(fm[name]), viz.what_of(stages.get(name, "")))
               for name in ("C1", "S2", "C3", "S4", "C5", "F6")}
    md = {r["layer"]: walk.row_markdown(r, stages.get(r["layer"], ""), colours.get(r["layer"], "")) for r in rows}
    kernels = viz.kernels_figure(rec.kernels("C1"), rec.kernels("C3"), c3_connection_table(rec.model),
                                 f"{rec.variant}: C1 and C3 kernels")
    total = walk.totals_markdown(rows, rec.variant) + (PRE_NOTE if pre else "")
    return prediction.input, total, md, walk.row_images(rec, prediction, pre), kernels


def click_view(rec, x32, layer, index, pre=False):
    """A click at image pixel `index` ([x, y]) on the `layer` grid -> (figure or None, html).
    pre=True: the grid shows the sums before squashing, so the sum is explained (z, without f)."""
    if x32 is None:
        return None, walk.EXPLAIN_PROMPT
    w = walk.for_recognizer(rec)
    shape = w.taps(x32)[layer].shape
    hit = walk.locate(layer, index, shape) if index is not None else None
    if hit is None:
        return None, walk.EXPLAIN_PROMPT
    e = w.explain(x32, layer, *hit, pre=pre)
    return walk.explanation_figure(e), walk.explanation_html(e)


def click_grid(rec, x32, layer, index, pre=False):
    """The `layer` grid with the clicked pixel framed, or None (a click on a gap or a caption)."""
    if x32 is None or index is None:
        return None
    w = walk.for_recognizer(rec)
    taps = w.taps(x32)
    maps = taps[layer]
    if pre:
        maps = preactivation.layer_sums(rec, layer, taps[walk.SOURCE[layer]])
    hit = walk.locate(layer, index, maps.shape)
    return None if hit is None else walk.marked_grid(layer, maps, *hit)


def out_click_view(rec, x32, index):
    """A click at image pixel `index` ([x, y]) on the paper's OUT figure -> (figure or None, html):
    the distance of the digit whose column was hit, as Σ (F6ᵢ − codeᵢ)². Other variants: "" (no RBF)."""
    if not rec.rbf:
        return None, ""
    digit = rbf.out_locate(index) if x32 is not None and index is not None else None
    if digit is None:
        return None, rbf.EXPLAIN_PROMPT
    outs = rec.run(np.asarray(x32, "float32")[None])
    e = rbf.explain(outs["F6"][0], rec.codes, outs["OUT"][0], digit)
    return rbf.explanation_figure(e), rbf.explanation_html(e)


def out_reset(room: Room, variant):
    """The OUT explanation box when the drawing or the model changes: a prompt for paper, empty otherwise."""
    return None, rbf.EXPLAIN_PROMPT if room.recognizers[variant].rbf else ""


def walk_view(room: Room, pad_value, upload, variant, source, pre=False):
    """Current drawing -> remembered input, totals, a (markdown, image) per row, the kernels, and
    the explanation panel reset. pre=True: the rows show the sums before squashing."""
    rec = room.recognizers[variant]
    try:
        p = rec.predict(current_picture(pad_value, upload, source))
    except InvalidDrawing as err:
        md = {name: walk.row_markdown(r) for name, r in zip(walk.ROWS, walk.explained_rows(rec.model))}
        return (None, f"**{err}** Draw a digit on the first tab, then come back.",
                *[md[n] for n in walk.ROWS], *[None] * len(walk.ROWS), None, None, walk.EXPLAIN_PROMPT)
    x32, total, md, images, kernels = tab_view(rec, p, pre)
    return (x32, total, *[md[n] for n in walk.ROWS], *[images[n] for n in walk.ROWS], kernels,
            None, walk.EXPLAIN_PROMPT)


def explain(room: Room, x32, variant, layer, index, pre=False):
    """A click on pixel `index` ([x, y] in image pixels) of a C1 or C3 map -> figure and sum (pre=True:
    the map shows sums before squashing, and the sum is what is explained)."""
    return click_view(room.recognizers[variant], x32, layer, index, pre)


def explain_near(room: Room, x32, variant, layer, index, pre=False):
    """A click, for the tab: (figure, sum) under the clicked layer, (None, "") under the other one
    (a click on C3 clears C1's), and the clicked grid with the pixel framed (None: unchanged)."""
    fig, text = explain(room, x32, variant, layer, index, pre)
    return fig, text, None, "", click_grid(room.recognizers[variant], x32, layer, index, pre)


