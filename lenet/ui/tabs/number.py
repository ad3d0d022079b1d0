"""The "Number" tab: a wide pad for a whole number; each digit found gets its box, its reading and
its confidence drawn over the drawing (lenet/numbers.py segments it). Also the documented API
endpoint `/predict_number` (a picture file + model name -> the text and one reading per digit),
on hidden components as lenet/ui/tabs/api.py does for `/predict_image`."""
import anyio

from ...preprocess import InvalidDrawing
from ..gate import gradio_internals, pad_line, visitors
from ..gate.pad_line import Line
from ..readings import pad as sent
from ..readings.number import DRAW, predict_number, read_pad, view_html
from ..readings.room import Room
from . import pad as pad_
from .events import LIVE, PAD, PRIVATE

ASPECT = 3   # the wide pad: 3 x as wide as high, sent as 840x280 px


def build(gr, room: Room, first, line: Line):
    """Lay the tab out inside the current gr.Tab and wire its events (the wide pad's updates wait in
    `line`, as the first pad's do), and the hidden API endpoint."""
    gr.Markdown("### Write a whole number\nLeNet-5 read cheques and ZIP codes: the drawing is cut into digits "
                "(separate ink, strokes of one digit grouped, touching digits cut where the cut reads best) and "
                "every digit goes through the same pipeline in one batch.")
    wide = pad_.component("number-pad", aspect=ASPECT)
    answer = gr.HTML(view_html(InvalidDrawing("empty", DRAW)), elem_id="number-answer")
    variant = first["variant"]

    async def on_pad(value, variant, request: gr.Request):
        client, session = visitors.client_of(request), visitors.session_of(request)
        # A number's reading (several digits) in a worker thread: the event loop stays free; heavy: at most
        # one slot of the line, the other stays for the first pad's strokes
        answer = await line.read(client, session, sent.is_live(value), True,
                                 lambda: anyio.to_thread.run_sync(read_pad, room, value, variant),
                                 first=sent.is_first(value))
        if answer is pad_line.SHED:
            return gr.skip()
        if answer is pad_line.FULL:
            return view_html(InvalidDrawing("busy", pad_line.TOO_MANY_WAITING))
        return answer

    def on_switch(value, variant):
        return read_pad(room, value, variant)

    wide.change(on_pad, [wide, variant], answer, queue=False, **PAD, **PRIVATE)
    variant.change(on_switch, [wide, variant], answer, **LIVE, **PRIVATE)

    with gr.Group(visible=False):
        image = gr.Image(type="numpy", image_mode="RGB", elem_id="api-number-image")
        model = gr.Radio(list(room.variants), value=room.variant, label="Model")
        outputs = [gr.Textbox(label="text"), gr.JSON(label="digits")]
    gradio_internals.pass_files_undecoded(image)

    def on_api(image, variant):
        return predict_number(room, image, variant)

    image.change(on_api, [image, model], outputs, api_name="predict_number", **LIVE)
