"""The documented API, for gradio_client and REST callers: `/predict` (a sketchpad dict
{"background", "layers", "composite"} + model name) and `/predict_image` (a picture file + model
name), each answering (digit HTML, note, class probabilities, pipeline stages, C1, C3, smaller
layers); `/learn` (a picture file + model name) answers the reading at every training snapshot.
They run on hidden components, so the page's own events can change without changing what API
callers send and receive.

A small picture (a file of at most decode.HEAVY_BYTES and HEAVY_PIXELS) is read in the
prediction process (worker.py), a bigger one in a worker thread here: the queue lets at most one
heavy event run (fair_queue.py), and none of them holds up the pads' strokes in the child."""
import anyio

from ..gate import gradio_internals
from ..gate.fair_queue import heavy
from ..gate.worker import Worker
from ..readings.api import predict
from ..readings.learning import learn_api
from ..readings.room import Room
from .events import LIVE


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
        learn_image, learned = gr.Image(type="numpy", image_mode="RGB", elem_id="api-learn-image"), gr.JSON()
    gradio_internals.pass_files_undecoded(image, sketch)
    gradio_internals.pass_files_undecoded(learn_image)
    label = outputs[2]

    def served(values):
        return gradio_internals.label_inline(label, values, 2)

    async def on_predict(drawing, variant):
        def here():
            return anyio.to_thread.run_sync(predict, room, drawing, variant)
        return served(await (reader.call("predict", drawing, variant, here=here) if light(drawing) else here()))

    sketch.change(on_predict, [sketch, variant], outputs, api_name="predict", postprocess=False, **LIVE)
    image.change(on_predict, [image, variant], outputs, api_name="predict_image", postprocess=False, **LIVE)
    learn_image.change(lambda picture, model: learn_api(room, picture, model), [learn_image, variant], learned,
                       api_name="learn", **LIVE)   # the reading at every training snapshot
