"""Readings for the Number tab and `/predict_number`: a row of digits -> its NumberReading, as plain
data for the API and as HTML (the number in large type, each digit's box and reading over the drawing)."""
import base64
import html

from ...preprocess import InvalidDrawing
from . import pad as pad_
from .draw import LOW_CONFIDENCE
from .room import Room

DRAW = "Draw a number: a few digits side by side."


def read(room: Room, image, variant):
    """Any picture -> its NumberReading, or the InvalidDrawing that says why not."""
    rec = room.recognizers[room.model(variant)]
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
    variant = room.model(variant)
    data = readings(read(room, image, variant))
    return data["text"], data


