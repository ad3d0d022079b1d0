"""Readings for the Number tab and `/predict_number`: a row of digits -> its NumberReading, as plain
data for the API and as HTML (the number in large type, each digit's box and reading over the drawing)."""
import html

from ...answer import percent
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
    """The answer: the number in large type, and each digit's box, reading and confidence in % of the
    drawing (`png` given, `size` = (width, height)): the page lays them over the pad's own drawing."""
    if isinstance(result, InvalidDrawing):
        return f'<div class="num-empty" style="font-size:1.4rem;font-weight:600">{html.escape(str(result))}</div>'
    who = f' data-model="{html.escape(variant)}"' if variant else ""
    out = [f'<div class="num-text" data-text="{result.text}"{who} style="font-size:3.2rem;font-weight:700;'
           f'letter-spacing:0.08em">{result.text}</div>']
    if png is not None and size and size[0] > 0 and size[1] > 0:
        w, h = size
        # the boxes, in % of the picture: the page lays them over the pad's own drawing (static/pad.js)
        out.append(f'<div class="num-view" style="position:relative;width:100%;aspect-ratio:{w}/{h}">')
        for p, (x0, y0, x1, y1) in zip(result.digits, result.boxes):
            unsure = p.confidence < LOW_CONFIDENCE
            colour = "#c21d1d" if unsure else "#1b5fa8"
            out.append(f'<div class="num-box" data-digit="{int(p.digit)}" style="position:absolute;'
                       f'left:{100 * x0 / w:.2f}%;top:{100 * y0 / h:.2f}%;width:{100 * (x1 - x0) / w:.2f}%;'
                       f'height:{100 * (y1 - y0) / h:.2f}%;border:3px solid {colour};border-radius:3px">'
                       f'<span style="position:absolute;left:-3px;bottom:100%;white-space:nowrap;background:{colour};'
                       f'color:#fff;font-weight:700;padding:0 5px;border-radius:3px;font-size:16px">'
                       f'{int(p.digit)} · {percent(p.confidence, 0)}</span></div>')
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


