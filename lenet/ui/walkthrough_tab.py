"""The "Walk-through" tab: the current drawing through every layer of the selected model, top to
bottom, and a click on any C1 or C3 pixel (or, for the paper's RBF ending, any OUT distance)
explains the sum that gives its value. A switch shows every layer's sums before the squashing
function instead (issue 15.2; the click then explains the sum, without the last function)."""
import numpy as np

from .. import preactivation, rbf
from .. import visualize as viz
from .. import walkthrough as walk
from ..architecture import c3_connection_table
from ..preprocess import InvalidDrawing
from .draw_tab import current_picture
from .room import Room

# ------------------------------------------------------------------ handlers


PRE_NOTE = ("  \nShown: **the sums before the squashing function** (what each layer adds up before tanh or "
            "ReLU); max-pooling has none and OUT is shown as it is. A click explains a sum.")


def tab_view(rec, prediction, pre=False):
    """Everything the Walk-through tab shows for one prediction:
    (input 32x32 to remember for clicks, totals markdown, {row: markdown}, {row: image}, kernels image).
    pre=True: C1..F6 show their sums before squashing, and each row's title says what it shows."""
    rows = walk.explained_rows(rec.model)
    stages = preactivation.shown(rec, prediction, pre)[1]
    md = {r["layer"]: walk.row_markdown(r, stages.get(r["layer"], "")) for r in rows}
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


# ------------------------------------------------------------------ layout and events

def build(gr, room: Room, tab, first):
    """Lay the tab out; `tab` is its gr.Tab, `first` the draw tab's components."""
    gr.Markdown("## The network, top to bottom\nThe current drawing (from the first tab) through every layer of "
                "the selected model. All shapes and counts are read from the loaded model. "
                "**Click any pixel of a C1 or C3 map** to see the sum that gives its value.")
    x32 = gr.State(None)
    md, img, clickable = [], [], {}
    with gr.Row():
        refresh = gr.Button("Walk the current drawing through the network", variant="primary",
                            elem_id="wt-refresh", scale=0, min_width=380)
        model = gr.Radio(list(room.variants), value=room.variant, label="Model", elem_id="wt-model",
                         scale=0, min_width=220)   # the same switch as the first tab's
        pre = gr.Checkbox(False, label="Before squashing (the sums)", elem_id="wt-pre", scale=0, min_width=200)
        total = gr.Markdown(elem_id="wt-total")
    for name in walk.ROWS:
        with gr.Row(equal_height=False, elem_id=f"wt-row-{name}", elem_classes="wt-row"):
            md.append(gr.Markdown(elem_id=f"wt-md-{name}", scale=2))
            image = gr.Image(type="pil", format="png", interactive=False, show_label=False, buttons=[],
                             elem_id=f"wt-img-{name}", elem_classes="fig", scale=3)
            img.append(image)
            if name in walk.CLICKABLE:
                clickable[name] = image
        if name == "OUT":   # the paper's RBF ending: a click on a distance explains it here
            with gr.Group(elem_id="wt-out-box"):
                out_html = gr.HTML("", elem_id="wt-out-explain-html")
                out_fig = gr.Image(type="pil", format="png", interactive=False, show_label=False, buttons=[],
                                   elem_id="wt-out-fig", elem_classes="fig")
            out_image = image
        if name == "C3":
            with gr.Group(elem_id="wt-explain-box"):
                html = gr.HTML(walk.EXPLAIN_PROMPT, elem_id="wt-explain-html")
                fig = gr.Image(type="pil", format="png", interactive=False, show_label=False, buttons=[],
                               elem_id="wt-explain-fig", elem_classes="fig")
            with gr.Accordion("Kernels: C1's 6 and C3's 16×6, with the C3 connection table", open=False):
                kernels = gr.Image(type="pil", format="png", interactive=False, show_label=False,
                                   elem_id="wt-kernels", elem_classes="fig")

    variant = first["variant"]
    private = dict(api_visibility="private")
    # This tab's model switch and the first tab's are one choice: a person's change of either sets
    # the other (.input fires for people only, so the two do not echo).
    model.input(lambda v: v, model, variant, queue=False, **private)
    variant.change(lambda v: v, variant, model, queue=False, **private)

    def on_walk(pad_value, upload, variant, source, pre):
        return (*walk_view(room, pad_value, upload, variant, source, pre), *out_reset(room, variant))

    inputs = [first["pad"], first["upload"], variant, first["source"], pre]
    # always_last: a switch flipped while the tab is still being drawn is drawn after it (the default,
    # "once", dropped it: the rows stayed without the sums while the switch said "before squashing")
    gr.on([tab.select, refresh.click, variant.change, pre.change], on_walk, inputs,
          [x32, total, *md, *img, kernels, fig, html, out_fig, out_html], show_progress="minimal",
          trigger_mode="always_last", **private)
    for layer, image in clickable.items():
        def on_click(x32, variant, pre, evt: gr.SelectData, layer=layer):
            return explain(room, x32, variant, layer, evt.index, pre)
        image.select(on_click, [x32, variant, pre], [fig, html], show_progress="minimal", **private)

    def on_out_click(x32, variant, evt: gr.SelectData):
        return out_click_view(room.recognizers[variant], x32, evt.index)
    out_image.select(on_out_click, [x32, variant], [out_fig, out_html], show_progress="minimal", **private)
