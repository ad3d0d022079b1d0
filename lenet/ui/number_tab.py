"""The "Number" tab: a wide pad for a whole number; each digit found gets its box, its reading and
its confidence drawn over the drawing (lenet/numbers.py segments it). Also the documented API
endpoint `/predict_number` (a picture file + model name -> the text and one reading per digit),
on hidden components as lenet/ui/api.py does for `/predict_image`."""
import base64
import html

import anyio

from ..preprocess import InvalidDrawing
from . import pad as pad_
from .draw_tab import LIVE, LOW_CONFIDENCE, PAD
from .gate import gradio_internals, pad_line, visitors
from .gate.pad_line import Line
from .room import Room

ASPECT = 3   # the wide pad: 3 x as wide as high, sent as 840x280 px
DRAW = "Draw a number: a few digits side by side."


# ------------------------------------------------------------------ handlers

def read(room: Room, image, variant):
    """Any picture -> its NumberReading, or the InvalidDrawing that says why not."""
    rec = room.recognizers.get(variant) or room.recognizers[room.variant]
    try:
        return rec.predict_number(image)
    except InvalidDrawing as err:
        return err


def readings(result):
    """A NumberReading -> plain data: {"text", "digits": [{"digit", "confidence", "box", "probabilities"}]}."""
    if isinstance(result, InvalidDrawing):
        return {"text": "", "error": str(result), "digits": []}
    return {"text": result.text,
            "digits": [{"digit": int(p.digit), "confidence": round(float(p.confidence), 4), "box": list(box),
                        "probabilities": [round(float(q), 4) for q in p.probabilities]}
                       for p, box in zip(result.digits, result.boxes)]}


def view_html(result, png=None, size=None, variant=None):
    """The answer: the number in large type, and the drawing (`png` bytes, `size` = (width, height))
    with each digit's box, reading and confidence over it (boxes in % of the picture: any display size)."""
    if isinstance(result, InvalidDrawing):
        return f'<div class="num-empty" style="font-size:1.4rem;font-weight:600">{html.escape(str(result))}</div>'
    who = f' data-model="{html.escape(variant)}"' if variant else ""
    out = [f'<div class="num-text" data-text="{result.text}"{who} style="font-size:3.2rem;font-weight:700;'
           f'letter-spacing:0.08em">{result.text}</div>']
    if png is not None and size and size[0] > 0 and size[1] > 0:
        w, h = size
        uri = "data:image/png;base64," + base64.b64encode(png).decode()
        out.append('<div class="num-view" style="position:relative;width:100%;max-width:1100px">'
                   f'<img src="{uri}" alt="your drawing" style="width:100%;display:block;border:1px solid #ccc">')
        for p, (x0, y0, x1, y1) in zip(result.digits, result.boxes):
            unsure = p.confidence < LOW_CONFIDENCE
            colour = "#d62728" if unsure else "#1f77b4"
            out.append(f'<div class="num-box" data-digit="{int(p.digit)}" style="position:absolute;'
                       f'left:{100 * x0 / w:.2f}%;top:{100 * y0 / h:.2f}%;width:{100 * (x1 - x0) / w:.2f}%;'
                       f'height:{100 * (y1 - y0) / h:.2f}%;border:2px solid {colour};border-radius:3px">'
                       f'<span style="position:absolute;left:0;bottom:100%;white-space:nowrap;background:{colour};'
                       f'color:#fff;font-weight:700;padding:0 4px;border-radius:3px;font-size:0.95rem">'
                       f'{int(p.digit)} · {100 * p.confidence:.0f}%</span></div>')
        out.append('</div>')
    return "".join(out)


def read_pad(room: Room, value, variant):
    """The wide pad's value -> the answer HTML."""
    try:
        png, _ = pad_.parse(value)
    except InvalidDrawing as err:
        return view_html(err)
    if png is None:
        return view_html(InvalidDrawing("empty", DRAW))
    return view_html(read(room, png, variant), png, pad_.png_size(png), variant)


def predict_number(room: Room, image, variant):
    """The API: picture + model name -> (text, readings dict)."""
    variant = variant if variant in room.recognizers else room.variant
    data = readings(read(room, image, variant))
    return data["text"], data


# ------------------------------------------------------------------ layout and events

def build(gr, room: Room, first, line: Line):
    """Lay the tab out inside the current gr.Tab and wire its events (the wide pad's updates wait in
    `line`, as the first pad's do), and the hidden API endpoint."""
    gr.Markdown("### Write a whole number\nLeNet-5 read cheques and ZIP codes: the drawing is cut into digits "
                "(separate ink, strokes of one digit grouped, touching digits cut where the cut reads best) and "
                "every digit goes through the same pipeline in one batch.")
    wide = pad_.component("number-pad", aspect=ASPECT)
    answer = gr.HTML(view_html(InvalidDrawing("empty", DRAW)), elem_id="number-answer")
    variant = first["variant"]
    private = dict(api_visibility="private")

    async def on_pad(value, variant, request: gr.Request):
        client, session = visitors.client_of(request), visitors.session_of(request)
        # A number's reading (~3-30 ms) in a worker thread: the event loop stays free; heavy: at most
        # one slot of the line, the other stays for the first pad's strokes
        answer = await line.read(client, session, pad_.is_live(value), True,
                                 lambda: anyio.to_thread.run_sync(read_pad, room, value, variant))
        if answer is pad_line.SHED:
            return gr.skip()
        if answer is pad_line.FULL:
            return view_html(InvalidDrawing("busy", pad_line.TOO_MANY_WAITING))
        return answer

    def on_switch(value, variant):
        return read_pad(room, value, variant)

    wide.change(on_pad, [wide, variant], answer, queue=False, **PAD, **private)
    variant.change(on_switch, [wide, variant], answer, **LIVE, **private)

    with gr.Group(visible=False):
        image = gr.Image(type="numpy", image_mode="RGB", elem_id="api-number-image")
        model = gr.Radio(list(room.variants), value=room.variant, label="Model")
        outputs = [gr.Textbox(label="text"), gr.JSON(label="digits")]
    gradio_internals.pass_files_undecoded(image)

    def on_api(image, variant):
        return predict_number(room, image, variant)

    image.change(on_api, [image, model], outputs, api_name="predict_number", **LIVE)
