"""The "About the model" tab: every loaded model's layer table (counts as LeCun et al. 1998
tabulate them), its kernels, and its model card's test results."""
from ... import card as model_card
from ... import visualize as viz
from ...architecture import TABLE_HEADERS, c3_connection_table, table_values
from ..readings.room import Room


def build(gr, room: Room):
    gr.Markdown("## LeNet-5, layer by layer\nComputed from the loaded models (parameters are the trainable "
                "weights; connections count every multiply-add, as LeCun et al. 1998 tabulate them).")
    for v, rec in room.recognizers.items():
        gr.Markdown(f"### {v}")
        gr.Dataframe(value=table_values(rec.model), headers=TABLE_HEADERS, interactive=False,
                     elem_id=f"table-{v}", wrap=True, elem_classes="about-table")
    gr.Markdown("## Kernels\nBlue = negative weight, white = 0, red = positive. The classic C3 follows the "
                "paper's connection table: each C3 map reads only some S2 maps (empty cells).")
    with gr.Row():
        for v, rec in room.recognizers.items():
            gr.Image(viz.kernels_figure(rec.kernels("C1"), rec.kernels("C3"), c3_connection_table(rec.model),
                                        f"{v}: C1 and C3 kernels"), type="pil", format="png", interactive=False,
                     show_label=False, buttons=["fullscreen"], elem_classes="fig", elem_id=f"kernels-{v}")
    gr.Markdown("## Test results")
    with gr.Row():
        for v in room.variants:
            card, png = model_card.read(room.weights_dir, v)
            with gr.Column():
                gr.Markdown(model_card.markdown(card, v))
                if png is not None:
                    gr.Image(str(png), label=f"{v}: confusion matrix on the test set", interactive=False,
                             buttons=[])
