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
    titles, charts = [], []
    with gr.Row(equal_height=False):
        for i, v in enumerate(order):   # titles are the page's text: no image label over the chart
            with gr.Column(min_width=300):
                titles.append(gr.Markdown(_title(v, i == 0), elem_id=f"lab-title-{i}", elem_classes="lab-title"))
                charts.append(gr.Image(type="numpy", format="png", interactive=False, show_label=False,
                                       elem_id=f"lab-chart-{i}", elem_classes="lab-chart", buttons=[]))
    gr.Markdown("#### What the network read at each step", elem_classes="lab-title")
    strip = gr.Image(type="numpy", format="png", interactive=False, show_label=False,
                     elem_id="lab-strip", elem_classes="fig", buttons=[])

    def on_sweep(pad_value, upload, source, variant, name):
        out = lab_view(room, pad_value, upload, source, variant, name)
        labels = [variant] + [v for v in room.variants if v != variant]
        return (out[0], *[_title(v, i == 0) for i, v in enumerate(labels)], *out[1:])

    gr.on([tab.select, refresh.click, name.change, first["variant"].change], on_sweep,
          [first["pad"], first["upload"], first["source"], first["variant"], name],
          [reading, *titles, *charts, strip], show_progress="minimal", api_visibility="private")


def _title(variant, selected):
    return f"#### {variant}{' (selected)' if selected else ''}: probability of each digit along the sweep"
