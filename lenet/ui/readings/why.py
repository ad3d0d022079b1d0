"""Reading for "Why this digit?": the current drawing -> the occlusion map over its 32x32 input
(lenet/saliency.py), as HTML with its legend."""
import base64
import io

from ... import saliency
from ...preprocess import InvalidDrawing
from .draw import current_picture
from .room import Room

CAPTION = ("Red: ink that pushed toward this digit; blue: ink that argued against it "
           "(hiding each 2x2 patch of the input, one batch).")


def why_html(room: Room, pad_value, upload, source, variant):
    """Current drawing -> HTML: the occlusion map over the input, at 8 px per input pixel, with its legend."""
    from PIL import Image
    rec = room.recognizers[room.model(variant)]
    try:
        p = rec.predict(current_picture(pad_value, upload, source))
    except InvalidDrawing as err:
        return f'<div class="why-empty">{err}</div>'
    picture = saliency.render(p.input, saliency.occlusion(rec, p), scale=6)
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    return (f'<figure class="why-fig" data-digit="{int(p.digit)}" style="margin:0">'
            f'<img src="{uri}" alt="saliency map for {int(p.digit)}" style="width:100%;max-width:192px;'
            f'image-rendering:pixelated;display:block;margin:0 auto">'
            f'<figcaption style="font-size:0.75rem">Why a {int(p.digit)}? {CAPTION}</figcaption></figure>')


