"""The "Compare" tab: every variant on the same drawing, side by side, and what to point at.
A switch shows the C1 and C3 sums before the squashing function instead of the maps."""
from ... import answer
from ..readings.compare import COMPARISON_NOTE, compare_view
from ..readings.room import Room


def build(gr, room: Room, tab, first):
    gr.Markdown("## The models on the same drawing\n" + COMPARISON_NOTE)
    with gr.Row():
        refresh = gr.Button("Compare on the current drawing", variant="primary", elem_id="cmp-refresh")
        pre = gr.Checkbox(False, label="C1, C3 before squashing (the sums)", elem_id="cmp-pre", scale=0,
                          min_width=260)
    facts = gr.Markdown(elem_id="cmp-facts")   # the facts first: what to point at, then the maps
    outputs = []
    with gr.Row(equal_height=False):
        for v in room.variants:
            with gr.Column(elem_id=f"cmp-{v}", min_width=260):
                gr.Markdown(f"### {v}")
                outputs += [gr.HTML(answer.digit_html(None), elem_id=f"cmp-digit-{v}", elem_classes="cmp-digit"),
                            gr.HTML(elem_id=f"cmp-probs-{v}"),
                            gr.HTML(elem_id=f"cmp-c1-{v}"), gr.HTML(elem_id=f"cmp-c3-{v}")]
    outputs.append(facts)

    def on_compare(pad_value, upload, source, pre):
        return compare_view(room, pad_value, upload, source, pre)

    gr.on([tab.select, refresh.click, pre.change], on_compare, [first["pad"], first["upload"], first["source"], pre],
          outputs, show_progress="minimal", trigger_mode="always_last", api_visibility="private")  # as walkthrough_tab
