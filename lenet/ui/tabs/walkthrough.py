"""The "Walk-through" tab: the current drawing through every layer of the selected model, top to
bottom, and a click on any C1 or C3 pixel (or, for the paper's RBF ending, any OUT distance)
explains the sum that gives its value. A switch shows every layer's sums before the squashing
function instead (the click then explains the sum, without the last function)."""
from ... import walkthrough as walk
from ..readings.room import Room
from ..readings.walkthrough import explain_near, out_click_view, out_reset, walk_view
from .events import PRIVATE


def build(gr, room: Room, tab, first):
    """Lay the tab out; `tab` is its gr.Tab, `first` the draw tab's components."""
    gr.Markdown("## The network, top to bottom\nThe current drawing (from the first tab) through every layer of "
                "the selected model. All shapes and counts are read from the loaded model. "
                "**Click any pixel of a C1 or C3 map** to see the sum that gives its value.")
    x32 = gr.State(None)
    md, img, clickable, explain_html, explain_fig = [], [], {}, {}, {}
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
            out_html = gr.HTML("", elem_id="wt-out-explain-html")
            out_fig = gr.Image(type="pil", format="png", interactive=False, show_label=False, buttons=[],
                               elem_id="wt-out-fig", elem_classes="fig", visible=False)
            out_image = image
        if name in walk.CLICKABLE:   # a clicked pixel is explained right under its own grid
            suffix = "" if name == "C1" else "-c3"
            explain_html[name] = gr.HTML(walk.EXPLAIN_PROMPT if name == "C1" else "",
                                         elem_id=f"wt-explain-html{suffix}")
            explain_fig[name] = gr.Image(type="pil", format="png", interactive=False, show_label=False,
                                         buttons=[], elem_id=f"wt-explain-fig{suffix}", elem_classes="fig",
                                         visible=False)
        if name == "C3":
            with gr.Accordion("Kernels: C1's 6 and C3's 16×6, with the C3 connection table", open=False):
                kernels = gr.Image(type="pil", format="png", interactive=False, show_label=False,
                                   elem_id="wt-kernels", elem_classes="fig")

    variant = first["variant"]
    # This tab's model switch and the first tab's are one choice: a person's change of either sets
    # the other (.input fires for people only, so the two do not echo).
    model.input(lambda v: v, model, variant, queue=False, **PRIVATE)
    variant.change(lambda v: v, variant, model, queue=False, **PRIVATE)

    def picture(value):   # a figure, or no empty box where there is none
        return gr.update(value=value, visible=value is not None)

    def on_walk(pad_value, upload, variant, source, pre):
        out = walk_view(room, pad_value, upload, variant, source, pre)
        n = len(walk.ROWS)
        rows, images, kernels_fig = out[:2 + n], out[2 + n:2 + 2 * n], out[2 + 2 * n]
        out_fig, out_text = out_reset(room, variant)
        return (*rows, *[picture(i) for i in images], kernels_fig, picture(None), walk.EXPLAIN_PROMPT,
                picture(None), "", picture(out_fig), out_text)

    inputs = [first["pad"], first["upload"], variant, first["source"], pre]
    boxes = [explain_fig["C1"], explain_html["C1"], explain_fig["C3"], explain_html["C3"]]
    # always_last: a switch flipped while the tab is still being drawn is drawn after it (the default,
    # "once", dropped it: the rows stayed without the sums while the switch said "before squashing")
    gr.on([tab.select, refresh.click, variant.change, pre.change], on_walk, inputs,
          [x32, total, *md, *img, kernels, *boxes, out_fig, out_html], show_progress="minimal",
          trigger_mode="always_last", **PRIVATE)
    for layer, image in clickable.items():
        other = "C3" if layer == "C1" else "C1"

        def on_click(x32, variant, pre, evt: gr.SelectData, layer=layer):
            fig, text, other_fig, other_text, marked = explain_near(room, x32, variant, layer, evt.index, pre)
            return picture(fig), text, picture(other_fig), other_text, gr.skip() if marked is None else marked
        image.select(on_click, [x32, variant, pre],
                     [explain_fig[layer], explain_html[layer], explain_fig[other], explain_html[other], image],
                     show_progress="minimal", **PRIVATE)

    def on_out_click(x32, variant, evt: gr.SelectData):
        fig, text = out_click_view(room.recognizers[variant], x32, evt.index)
        return picture(fig), text
    out_image.select(on_out_click, [x32, variant], [out_fig, out_html], show_progress="minimal", **PRIVATE)
