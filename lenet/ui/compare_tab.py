"""The "Compare models" tab: every variant on the same drawing, side by side, and what to point at."""
import numpy as np

from .. import visualize as viz
from ..preprocess import InvalidDrawing
from .draw_tab import current_picture
from .room import Room

PER_MODEL = 4   # outputs per model: digit, top probabilities, C1, C3


def comparison_markdown(predictions):
    """{variant: Prediction} -> a few computed facts on what ReLU / max-pooling change."""
    lines = ["| | " + " | ".join(predictions) + " |", "|---|" + "---|" * len(predictions)]

    def row(label, f):
        lines.append(f"| {label} | " + " | ".join(f(p) for p in predictions.values()) + " |")

    row("answer", lambda p: f"**{p.digit}** ({100 * p.confidence:.1f}%)")
    row("C1 range", lambda p: f"{p.feature_maps['C1'].min():.2f} … {p.feature_maps['C1'].max():.2f}")
    row("C1 exactly zero", lambda p: f"{100 * np.mean(p.feature_maps['C1'] == 0):.0f}%")
    row("C1 negative", lambda p: f"{100 * np.mean(p.feature_maps['C1'] < 0):.0f}%")
    row("C3 exactly zero", lambda p: f"{100 * np.mean(p.feature_maps['C3'] == 0):.0f}%")
    return "\n".join(lines)


COMPARISON_NOTE = ("**What to point at:** the classic tanh maps are two-signed (dark = negative, i.e. "
                   "the pattern's opposite) and smooth; ReLU clips everything below 0 to exactly 0, so the "
                   "modern maps are sparse — most pixels silent, a few bright. Max-pooling keeps the "
                   "strongest response of each 2×2 block instead of averaging it.")


def compare_view(room: Room, pad_value, upload, source):
    """Every model on the current drawing: per model (digit, probabilities, C1, C3), then the facts."""
    try:
        picture = current_picture(pad_value, upload, source)
        preds = {v: rec.predict(picture) for v, rec in room.recognizers.items()}
    except InvalidDrawing as err:
        return (*[viz.digit_html(None, str(err)), None, None, None] * len(room.recognizers), "")
    out = []
    for v, p in preds.items():
        out += [viz.digit_html(p.digit, None, p.confidence, v),
                {str(d): float(q) for d, q in enumerate(p.probabilities)},
                viz.c1_html(p.feature_maps["C1"], room.recognizers[v].kernels("C1")), viz.c3_html(p.feature_maps["C3"])]
    return (*out, comparison_markdown(preds))


def build(gr, room: Room, tab, first):
    gr.Markdown("## The models on the same drawing\n" + COMPARISON_NOTE)
    refresh = gr.Button("Compare on the current drawing", variant="primary", elem_id="cmp-refresh")
    outputs = []
    with gr.Row(equal_height=False):
        for v in room.variants:
            with gr.Column(elem_id=f"cmp-{v}", min_width=260):
                gr.Markdown(f"### {v}")
                outputs += [gr.HTML(viz.digit_html(None), elem_id=f"cmp-digit-{v}", elem_classes="cmp-digit"),
                            gr.Label(num_top_classes=3, label="Top probabilities", elem_id=f"cmp-probs-{v}"),
                            gr.HTML(elem_id=f"cmp-c1-{v}"), gr.HTML(elem_id=f"cmp-c3-{v}")]
    outputs.append(gr.Markdown(elem_id="cmp-facts"))

    def on_compare(pad_value, upload, source):
        return compare_view(room, pad_value, upload, source)

    gr.on([tab.select, refresh.click], on_compare, [first["pad"], first["upload"], first["source"]], outputs,
          show_progress="minimal", api_visibility="private")
