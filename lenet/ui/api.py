"""The documented API, for gradio_client and REST callers: `/predict` (a sketchpad dict
{"background", "layers", "composite"} + model name) and `/predict_image` (a picture file + model
name), each answering (digit HTML, note, class probabilities, pipeline stages, C1, C3, smaller
layers). They run on hidden components, so the page's own events can change without changing
what API callers send and receive.

A small picture (a file of at most fair_queue.HEAVY_BYTES and HEAVY_PIXELS) is read in the
prediction process (worker.py), a bigger one in a worker thread here: the queue lets at most one
heavy event run (fair_queue.py), and none of them holds up the pads' strokes in the child."""
import anyio

from .. import visualize as viz
from ..preprocess import InvalidDrawing
from .draw_tab import LIVE, LOW_CONFIDENCE, analyse
from .gate import gradio_internals
from .gate.fair_queue import heavy
from .gate.worker import Worker
from .room import Room


def api_view(room: Room, result, variant):
    """A Prediction (or InvalidDrawing) -> the API's 7 values; probabilities as {"0": p, ...}."""
    if isinstance(result, InvalidDrawing):
        return viz.digit_html(None, str(result)), "", None, None, None, None, None
    rec = room.recognizers[variant]
    fm = result.feature_maps
    return (viz.digit_html(result.digit, None, result.confidence, variant),
            viz.confidence_note(result.confidence, LOW_CONFIDENCE),
            {str(d): float(p) for d, p in enumerate(result.probabilities)},
            viz.stages_html(result.stages), viz.c1_html(fm["C1"], rec.kernels("C1")), viz.c3_html(fm["C3"]),
            viz.small_layers_html(fm))


def predict(room: Room, image, variant):
    variant = variant if variant in room.recognizers else room.variant
    return api_view(room, analyse(room, image, variant), variant)


def light(image):
    """Whether an API input is a picture file small enough for the prediction process (its size and
    pixels read from its header); a decoded array or anything else is read here."""
    path = image.get("composite") if isinstance(image, dict) else image
    return isinstance(path, str) and bool(path) and not heavy({"path": path})


def build(gr, room: Room, reader: Worker):
    """The hidden inputs and outputs of the two endpoints, and the endpoints (`reader`: the
    prediction process)."""
    with gr.Group(visible=False):
        sketch = gr.Sketchpad(type="numpy", image_mode="RGBA", elem_id="api-sketchpad")
        image = gr.Image(type="numpy", image_mode="RGB", elem_id="api-image")
        variant = gr.Radio(list(room.variants), value=room.variant, label="Model")
        outputs = [gr.HTML(), gr.Markdown(), gr.Label(num_top_classes=10), gr.HTML(), gr.HTML(), gr.HTML(),
                   gr.HTML()]
    gradio_internals.pass_files_undecoded(image, sketch)
    label = outputs[2]

    def served(values):
        return gradio_internals.label_inline(label, values, 2)

    async def on_predict(drawing, variant):
        def here():
            return anyio.to_thread.run_sync(predict, room, drawing, variant)
        return served(await (reader.call("predict", drawing, variant, here=here) if light(drawing) else here()))

    sketch.change(on_predict, [sketch, variant], outputs, api_name="predict", postprocess=False, **LIVE)
    image.change(on_predict, [image, variant], outputs, api_name="predict_image", postprocess=False, **LIVE)
