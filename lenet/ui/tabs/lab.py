"""The "Invariance lab" tab: the current drawing (from the first tab) swept through one
transformation at a time (shift, scale, rotation, squeeze, stroke width, noise; lenet/invariance.py):
the class probabilities along the sweep for the selected model and the others side by side, the
inputs of every step under them, and a one-line reading."""
from ..readings.lab import LABELS, lab_view
from ..readings.room import Room


def build(gr, room: Room, tab, first):
    """Lay the tab out; `tab` is its gr.Tab, `first` the draw tab's components."""
    gr.Markdown("## What LeNet-5 tolerates\nThe current drawing's 32x32 input (from the first tab) transformed in "
                "21 steps, all read in one batch: which digit wins at each step, and where it breaks.")
    with gr.Row():
        name = gr.Radio([(label, key) for key, label in LABELS.items()], value="rotation", label="Transformation",
                        elem_id="lab-sweep", scale=3)
        refresh = gr.Button("Sweep the current drawing", variant="primary", elem_id="lab-refresh", scale=1)
    reading = gr.Markdown(elem_id="lab-reading")
    order = [first["variant"].value] + [v for v in room.variants if v != first["variant"].value]
    with gr.Row(equal_height=False):
        charts = [gr.Image(type="numpy", format="png", interactive=False, label=f"{v}" if i else f"{v} (selected)",
                           elem_id=f"lab-chart-{i}", buttons=[]) for i, v in enumerate(order)]
    strip = gr.Image(type="numpy", format="png", interactive=False, label="What the network read at each step",
                     elem_id="lab-strip", elem_classes="fig", buttons=[])

    def on_sweep(pad_value, upload, source, variant, name):
        out = lab_view(room, pad_value, upload, source, variant, name)
        labels = [variant] + [v for v in room.variants if v != variant]
        return (out[0], *[gr.update(value=c, label=f"{v} (selected)" if i == 0 else v)
                          for i, (c, v) in enumerate(zip(out[1:-1], labels))], out[-1])

    gr.on([tab.select, refresh.click, name.change, first["variant"].change], on_sweep,
          [first["pad"], first["upload"], first["source"], first["variant"], name], [reading, *charts, strip],
          show_progress="minimal", api_visibility="private")
