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


def test_why_html_names_the_runner_up_and_its_signed_scale(room):
    import re

    import numpy as np
    p = room.recognizers["modern"].predict(synthetic.draw(8))
    html = why.why_html(room, pad.value_of(_png(synthetic.draw(8))), None, "pad", "modern")
    runner = int(np.argsort(-p.probabilities)[1])
    article = lambda d: "an 8" if d == 8 else f"a {d}"   # noqa: E731
    assert f"Why {article(p.digit)}, not {article(runner)}?" in html
    assert re.search(r"odds lost when hidden:</span><span>(≤ )?(−[\d.]+|0) against</span>", html)
    assert re.search(r"<span>(≥ )?\+[\d.]+ for</span>", html) and 'class="lf-zero"' in html
    assert "e-0" not in re.sub(r'data-[a-z]+="[^"]*"', "", html)            # no 8.3e-06 for a person to read
