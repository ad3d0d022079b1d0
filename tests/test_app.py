"""app.py as a served app, called over HTTP the way the README documents: gradio_client on
`/predict` (a sketchpad dict + model) and `/predict_image` (a picture file + model), the seven
outputs, and the upload size limit the server itself enforces."""
import io

import numpy as np
import pytest

from lenet import MAX_BYTES
from lenet.synthetic import draw, save_png, sketchpad_value


def predict(client, path, variant="modern", api_name="/predict"):
    from gradio_client import handle_file
    file = handle_file(str(path)) if path is not None else None
    value = sketchpad_value(file) if api_name == "/predict" else file
    return client.predict(value, variant, api_name=api_name)


@pytest.mark.parametrize("digit", [1, 7, 0])
@pytest.mark.parametrize("variant", ["modern", "classic"])
def test_predict_through_gradio_client(client, tmp_path, inline_images, digit, variant):
    path = save_png(draw(digit, canvas=280), tmp_path / f"{digit}.png")
    html, note, label, stages, c1, c3, small = predict(client, path, variant)
    assert f'data-digit="{digit}"' in html and f'data-model="{variant}"' in html, html
    assert label["label"] == str(digit)
    confidences = {c["label"]: c["confidence"] for c in label["confidences"]}
    assert set(confidences) == {str(d) for d in range(10)}
    assert abs(sum(confidences.values()) - 1) < 1e-4
    assert len(inline_images(stages)) == 4 and len(inline_images(c1)) == 12
    assert len(inline_images(c3)) == 16 and len(inline_images(small)) == 6 + 16 + 2


def test_predict_image_takes_a_picture_file(client, tmp_path):
    path = save_png(draw(4, canvas=360), tmp_path / "four.png")
    html, note, label, *figures = predict(client, path, "classic", api_name="/predict_image")
    assert 'data-digit="4"' in html and label["label"] == "4" and all(figures)


def test_empty_canvas_says_draw_a_digit(client):
    html, note, label, stages, c1, c3, small = predict(client, None)
    assert "Draw a digit" in html and "data-digit" not in html
    assert stages is None and c1 is None and c3 is None


def test_blank_white_image_is_not_a_digit(client, tmp_path, ask):
    path = save_png(np.full((280, 280, 4), 255, np.uint8), tmp_path / "blank.png")
    digit, sentence = ask(client, path)
    assert digit is None and sentence == "Draw a digit first."


def test_uploads_over_the_limit_are_refused_by_the_server(app_server):
    """launch(max_file_size=MAX_BYTES): a raw multipart POST over the limit gets HTTP 413, whatever
    the client checks; one under it is stored."""
    import httpx
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(draw(7, canvas=280)).save(buf, "PNG")
    small = buf.getvalue()
    upload = app_server.rstrip("/") + "/gradio_api/upload"
    big = httpx.post(upload, files={"files": ("big.png", small + b"\0" * (MAX_BYTES + 1024), "image/png")},
                     timeout=60)
    assert big.status_code == 413, (big.status_code, big.text[:200])
    ok = httpx.post(upload, files={"files": ("seven.png", small, "image/png")}, timeout=60)
    assert ok.status_code == 200, (ok.status_code, ok.text[:200])
