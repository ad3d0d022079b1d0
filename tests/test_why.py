"""lenet/ui/readings/why.py: "Why this digit" as HTML: the occlusion map of the current drawing, with the
digit it explains; nothing to explain on an empty pad."""
import io

from PIL import Image

from lenet import synthetic
from lenet.ui.readings import pad, why


def _png(rgba):
    """RGBA array -> PNG bytes, as the pad sends."""
    buf = io.BytesIO()
    Image.fromarray(rgba).convert("RGB").save(buf, "PNG")
    return buf.getvalue()


def test_why_html_explains_the_digit_read(room):
    html = why.why_html(room, pad.value_of(_png(synthetic.draw(3))), None, "pad", "modern")
    digit = room.recognizers["modern"].predict(synthetic.draw(3)).digit
    assert f'data-digit="{digit}"' in html and "data:image/png;base64," in html


def test_why_html_on_an_empty_pad(room):
    html = why.why_html(room, "", None, "pad", "modern")
    assert "why-empty" in html and "<img" not in html
