"""The "About" tab: every loaded model's layer table (counts as LeCun et al. 1998
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
    for v, rec in room.recognizers.items():   # one under another: each figure at about its own size
        gr.Image(viz.kernels_figure(rec.kernels("C1"), rec.kernels("C3"), c3_connection_table(rec.model),
                                    f"{v}: C1 and C3 kernels"), type="pil", format="png", interactive=False,
                 show_label=False, buttons=["fullscreen"], elem_classes="fig about-kernels", elem_id=f"kernels-{v}")
    gr.Markdown("## Test results")
    for v in room.variants:
        card, png = model_card.read(room.weights_dir, v)
        with gr.Row(equal_height=False):
            gr.Markdown(model_card.markdown(card, v))
            if png is not None:   # its title is the page's text: no image label over the picture
                with gr.Column():
                    gr.Markdown(f"#### {v}: confusion matrix on the 10,000 test digits")
                    gr.Image(str(png), show_label=False, interactive=False, buttons=["fullscreen"],
                             elem_classes="about-confusion")
