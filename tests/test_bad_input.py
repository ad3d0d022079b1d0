"""Bad-input corpus (issue 7): everything a browser or a client might send.

Every case declares what it must get: a digit (a clear drawing in an odd container), a
friendly InvalidDrawing message (not a drawing), or ANY (a real but ambiguous drawing, e.g.
two digits: any digit or a message, never a crash). Each case goes through
`Recognizer.predict` for both variants and, when it can be a file, over HTTP through
gradio_client; after each bad request the next valid one must still be answered.
Images are made here with Pillow/numpy; no MNIST.
"""
import concurrent.futures
import io
import struct
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw

from lenet.decode import MAX_BYTES, MAX_SIDE, InvalidDrawing, to_rgba

APP = Path(__file__).resolve().parent.parent / "app.py"
ANY = "any digit or a message"
MSG = "a message"
SIDE = 280
SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]
ONE = [(0.5, 0.15), (0.5, 0.85)]
BLANK_SKETCHPAD = {"background": None, "layers": [], "composite": None}


# ------------------------------------------------------------------ image makers

def draw(points=SEVEN, size=SIDE, mode="L", ink=0, paper=255, width=None, box=(0, 0, 1, 1)):
    """A digit as a thick polyline; `box` is the part of the canvas (x0, y0, x1, y1) it fills."""
    w, h = (size, size) if isinstance(size, int) else size
    image = Image.new(mode, (w, h), paper)
    x0, y0, x1, y1 = box
    xy = [((x0 + x * (x1 - x0)) * w, (y0 + y * (y1 - y0)) * h) for x, y in points]
    stroke = width or max(1, round(min(w * (x1 - x0), h * (y1 - y0)) / 12))
    ImageDraw.Draw(image).line(xy, fill=ink, width=stroke, joint="curve")
    return image


def png(image, **params):
    buf = io.BytesIO()
    image.save(buf, "PNG", **params)
    return buf.getvalue()


def encoded(image, fmt, **params):
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def seven_rgba_layer():
    """What a sketchpad layer looks like: black strokes on a transparent canvas."""
    image = Image.new("RGBA", (SIDE, SIDE), (0, 0, 0, 0))
    stroke = draw(mode="L", ink=255, paper=0)
    image.paste((0, 0, 0, 255), mask=stroke)
    return image


def sixteen_bit_seven():
    a = np.asarray(draw(), dtype="uint16") * 257  # 0..65535
    return Image.fromarray(a, "I;16")


def palette_with_transparency():
    image = Image.new("P", (SIDE, SIDE), 0)
    image.putpalette([255, 0, 255, 0, 0, 0] + [0] * 762)  # 0: magenta (transparent), 1: black
    stroke = draw(mode="L", ink=255, paper=0)
    image.paste(1, mask=stroke.point(lambda v: 255 if v > 127 else 0))
    buf = io.BytesIO()
    image.save(buf, "PNG", transparency=0)
    return buf.getvalue()


def animated_gif():
    frames = [draw(SEVEN).convert("P"), draw(ONE).convert("P"), draw(ONE).convert("P")]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buf.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side=40_000):
    """A valid 1-bit PNG of side x side pixels (1.6 gigapixels) that is ~200 KB on disk."""
    row = b"\x00" + b"\xff" * (side // 8)
    z = zlib.compressobj(9)
    body = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b""))


def huge_png(side=10_000):
    """A 10000x10000 1-bit PNG with a clear 7 (small file, 100 megapixels)."""
    return png(draw(size=side, mode="1", ink=0, paper=1))


def noise(seed=0, size=SIDE):
    return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype="uint8")


def gradient_seven():
    """A photo-like backdrop: a diagonal light gradient with a little sensor noise, dark ink."""
    y, x = np.mgrid[0:SIDE, 0:SIDE] / SIDE
    base = 150 + 80 * (0.6 * x + 0.4 * y)
    rgb = np.stack([base, base * 0.95, base * 0.85], axis=-1)
    rgb += np.random.default_rng(1).normal(0, 4, rgb.shape)
    ink = np.asarray(draw(mode="L", ink=255, paper=0), dtype="float64")[..., None] / 255
    rgb = rgb * (1 - ink) + 40 * ink
    return np.clip(rgb, 0, 255).astype("uint8")


def red_on_yellow():
    image = Image.new("RGB", (SIDE, SIDE), (250, 220, 40))
    image.paste((200, 20, 20), mask=draw(mode="L", ink=255, paper=0))
    return image


def single_dot():
    image = Image.new("L", (SIDE, SIDE), 255)
    ImageDraw.Draw(image).ellipse((130, 130, 150, 150), fill=0)
    return image


def with_specks():
    image = draw()
    d = ImageDraw.Draw(image)
    for x, y in [(20, 250), (255, 30), (240, 240), (30, 40)]:
        d.ellipse((x, y, x + 4, y + 4), fill=0)
    return image


def two_digits():
    image = draw(size=(2 * SIDE, SIDE), box=(0.0, 0, 0.5, 1))
    image.paste(draw(ONE).crop((0, 0, SIDE, SIDE)), (SIDE, 0))
    return image


def float_seven(bad):
    a = np.asarray(draw(), dtype="float64") / 255
    a[:5, :5] = bad  # a corner of broken values on an otherwise clear drawing
    return a


def truncated_png():
    data = png(draw())
    return data[: len(data) // 2]


def cmyk_jpeg():
    return encoded(draw().convert("CMYK"), "JPEG", quality=95)


def eps_file():
    return b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\nnewpath 0 0 moveto 28 28 lineto stroke\n%%EOF\n"


# ------------------------------------------------------------------ the corpus

@dataclass
class Case:
    name: str
    expect: object                 # a digit, MSG or ANY
    value: Callable                # -> what Recognizer.predict receives
    file: Callable | None = None   # -> bytes to upload, when the case can be a file
    suffix: str = ".png"


def file_case(name, expect, make_bytes, suffix=".png"):
    return Case(name, expect, make_bytes, make_bytes, suffix)


def image_case(name, expect, make_image):
    """An in-memory image (PIL or array); over HTTP it travels as a PNG."""
    def as_png():
        im = make_image()
        return png(Image.fromarray(im) if isinstance(im, np.ndarray) else im)
    return Case(name, expect, make_image, as_png)


CASES = [
    # not a drawing at all -> a message
    Case("empty sketchpad", MSG, lambda: dict(BLANK_SKETCHPAD)),
    Case("None", MSG, lambda: None),
    Case("empty dict", MSG, lambda: {}),
    image_case("single dot", MSG, lambda: single_dot()),
    image_case("all black", MSG, lambda: Image.new("L", (SIDE, SIDE), 0)),
    image_case("all white", MSG, lambda: Image.new("L", (SIDE, SIDE), 255)),
    image_case("all transparent", MSG, lambda: Image.new("RGBA", (SIDE, SIDE), (0, 0, 0, 0))),
    image_case("random noise", MSG, lambda: noise()),
    image_case("1x1", MSG, lambda: Image.new("L", (1, 1), 0)),
    image_case("1x5000", MSG, lambda: draw(ONE, size=(1, 5000))),
    image_case("5000x1 black bar", MSG, lambda: Image.new("L", (5000, 1), 0)),
    file_case("decompression bomb PNG", MSG, bomb_png),
    file_case("10000x10000 PNG", MSG, huge_png),
    file_case("truncated PNG", MSG, truncated_png),
    file_case("text renamed .png", MSG, lambda: b"This is not a picture, just some text.\n" * 10),
    file_case("zero bytes", MSG, lambda: b""),
    file_case("EPS renamed .png", MSG, eps_file),
    file_case("over MAX_BYTES", MSG, lambda: png(Image.new("L", (8, 8), 255)) + b"\0" * (MAX_BYTES + 1)),
    Case("NaN array", MSG, lambda: np.full((SIDE, SIDE), np.nan)),
    Case("inf array", MSG, lambda: np.full((SIDE, SIDE), np.inf)),
    Case("-inf array", MSG, lambda: np.full((64, 64, 3), -np.inf, dtype="float32")),
    Case("complex array", MSG, lambda: np.asarray(draw(), dtype="complex64")),
    Case("object array", MSG, lambda: np.array([[object()] * 4] * 4, dtype=object)),
    Case("string array", MSG, lambda: np.array([["7"] * 28] * 28)),
    Case("empty array", MSG, lambda: np.zeros((0, 0))),
    Case("2-channel array", MSG, lambda: np.zeros((28, 28, 2), "uint8")),
    Case("4-D array", MSG, lambda: np.zeros((1, 28, 28, 1), "uint8")),
    Case("a string of text", MSG, lambda: "no such file.png"),
    Case("a list", MSG, lambda: [[0, 1], [1, 0]]),
    # real drawings in odd containers -> the digit
    image_case("clear 7", 7, lambda: draw()),
    Case("7 as sketchpad layer dict", 7, lambda: {"background": None, "layers": [seven_rgba_layer()],
                                                  "composite": np.asarray(seven_rgba_layer())}),
    image_case("7 on transparent", 7, seven_rgba_layer),
    image_case("inverted 7", 7, lambda: draw(ink=255, paper=0)),
    image_case("red 7 on yellow", 7, red_on_yellow),
    image_case("7 on photo-like gradient", 7, gradient_seven),
    image_case("7 with stray specks", 7, with_specks),
    image_case("tiny 28x28 7", 7, lambda: draw(size=28, width=3)),
    image_case("7 in a 3000x3000 canvas", 7, lambda: draw(size=3000)),
    image_case("16-bit 7", 7, sixteen_bit_seven),
    file_case("CMYK JPEG 7", 7, cmyk_jpeg, ".jpg"),
    file_case("palette PNG with transparency 7", 7, palette_with_transparency),
    file_case("animated GIF (first frame 7)", 7, animated_gif, ".gif"),
    file_case("JPEG 7", 7, lambda: encoded(draw().convert("RGB"), "JPEG", quality=70), ".jpg"),
    Case("bool array 7 (True = ink)", 7, lambda: np.asarray(draw()) < 128),
    Case("uint16 array 7", 7, lambda: np.asarray(draw(), dtype="uint16") * 257),
    Case("float 7 with NaN corner", 7, lambda: float_seven(np.nan)),
    Case("float 7 with inf corner", 7, lambda: float_seven(np.inf)),
    Case("6000x6000 uint8 array 7", 7, lambda: np.asarray(draw(size=6000))),
    # real but ambiguous drawings -> anything but a crash
    image_case("straight line across", ANY, lambda: draw([(0.05, 0.5), (0.95, 0.5)])),
    image_case("two digits side by side", ANY, two_digits),
]
IDS = [c.name for c in CASES]


def check_message(text):
    """A message for a person: short, one sentence-ish line, no Python internals."""
    assert isinstance(text, str) and text.strip(), text
    assert "Traceback" not in text and "Error" not in text and 'File "' not in text, text
    assert "\n" not in text.strip() and len(text) <= 200, text
    assert text.rstrip().endswith("."), text


def check_outcome(case, digit=None, message=None):
    if case.expect == ANY:
        assert digit in range(10) or message is not None
    elif case.expect == MSG:
        assert message is not None, f"{case.name}: expected a message, got digit {digit}"
    else:
        assert digit == case.expect, f"{case.name}: expected {case.expect}, got {digit} / {message!r}"
    if message is not None:
        check_message(message)


# ------------------------------------------------------------------ through Recognizer.predict

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_predict(recognizer, case):
    value = case.value()
    start = time.monotonic()
    try:
        prediction = recognizer.predict(value)
    except InvalidDrawing as err:
        assert isinstance(err, ValueError)
        check_outcome(case, message=str(err))
    else:
        assert prediction.probabilities.shape == (10,) and np.isfinite(prediction.probabilities).all()
        check_outcome(case, digit=prediction.digit)
    assert time.monotonic() - start < 30, "a single input must not take long"


@pytest.mark.parametrize("case", [c for c in CASES if c.file], ids=[c.name for c in CASES if c.file])
def test_predict_path(modern, case, tmp_path):
    """The same bytes read from a path (what the app's upload hands over)."""
    path = tmp_path / f"upload{case.suffix}"
    path.write_bytes(case.file())
    try:
        digit, message = modern.predict(str(path)).digit, None
    except InvalidDrawing as err:
        digit, message = None, str(err)
    check_outcome(case, digit, message)


def test_huge_inputs_are_downscaled_early():
    """Large pictures are shrunk to MAX_SIDE before any float copy is made."""
    rgba = to_rgba(np.asarray(draw(size=4000)))
    assert max(rgba.shape[:2]) <= MAX_SIDE
    rgba = to_rgba(png(draw(size=(3000, 200))))
    assert max(rgba.shape[:2]) <= MAX_SIDE


def test_huge_array_memory_bounded():
    """A 6000x6000 array used to be copied whole as float64 (~1.2 GB); now it is averaged a
    tile at a time into MAX_SIDE px."""
    import tracemalloc
    a = np.asarray(draw(size=6000))
    tracemalloc.start()
    try:
        to_rgba(a)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, f"{peak / 2**20:.0f} MB"


def test_too_many_pixels_refused_before_decoding():
    with pytest.raises(InvalidDrawing) as err:
        to_rgba(bomb_png())
    assert err.value.reason == "too_many_pixels"


def test_oversize_file_refused_by_size(tmp_path):
    path = tmp_path / "big.png"
    with open(path, "wb") as f:
        f.write(png(draw()))
        f.truncate(MAX_BYTES + 1)
    with pytest.raises(InvalidDrawing) as err:
        to_rgba(path)
    assert err.value.reason == "too_large"


# ------------------------------------------------------------------ over HTTP

@pytest.fixture(scope="module")
def client(app_url):
    from gradio_client import Client
    return Client(app_url, verbose=False, download_files=False)


@pytest.fixture(scope="module")
def valid_png(tmp_path_factory):
    path = tmp_path_factory.mktemp("valid") / "seven.png"
    path.write_bytes(png(draw()))
    return path


HTTP_CASES = [c for c in CASES if c.file] + [c for c in CASES if c.name == "empty sketchpad"]


@pytest.mark.parametrize("case", HTTP_CASES, ids=[c.name for c in HTTP_CASES])
def test_http(client, valid_png, case, tmp_path, ask):
    path = None
    if case.file:
        path = tmp_path / f"upload{case.suffix}"
        path.write_bytes(case.file())
    digit, message = ask(client, path)
    assert message is None or not message.startswith("AppError"), f"{case.name}: {message}"
    check_outcome(case, digit, message)
    # ... and the server still answers the next valid request normally
    assert ask(client, valid_png) == (7, None)


def test_http_upload_size_limit(app_url):
    """The server itself refuses uploads over MAX_BYTES (launch(max_file_size=...)), whatever
    the client does: a raw multipart POST gets 413 and nothing is stored."""
    import httpx
    big = png(draw()) + b"\0" * (MAX_BYTES + 1024)
    r = httpx.post(app_url.rstrip("/") + "/gradio_api/upload", files={"files": ("big.png", big, "image/png")},
                   timeout=60)
    assert r.status_code == 413, (r.status_code, r.text[:200])
    small = httpx.post(app_url.rstrip("/") + "/gradio_api/upload",
                       files={"files": ("seven.png", png(draw()), "image/png")}, timeout=60)
    assert small.status_code == 200


def test_http_flood_is_bounded(app_url, tmp_path, ask, read_answer):
    """A burst of more simultaneous requests than the queue holds: the server stays up, each
    request is answered or turned away ("queue full"), and a normal request then works."""
    from gradio_client import Client, handle_file

    from lenet.ui.page import QUEUE
    bound = QUEUE["max_size"]
    assert 0 < bound <= 1024, "the page must bound its queue"
    path = tmp_path / "seven.png"
    path.write_bytes(png(draw()))
    # httpx_kwargs: gradio_client uploads each job's file with httpx's 5 s default; 272 uploads at once
    # on a loaded machine take longer than that to be answered (they wait their turn, none is refused).
    clients = [Client(app_url, verbose=False, download_files=False, httpx_kwargs={"timeout": 120})
               for _ in range(8)]
    payload = {"background": None, "layers": [], "composite": handle_file(str(path))}
    jobs = [clients[i % len(clients)].submit(payload, api_name="/predict") for i in range(bound + 16)]
    answered = 0
    for job in jobs:
        try:
            answered += read_answer(job.result(timeout=300)) == (7, None)
        except concurrent.futures.CancelledError:
            # gradio_client's own race: with many jobs on one Client, a job whose "queue full" (or
            # answer) is already in the client's shared stream can be cancelled by its bookkeeping.
            # The server's side is checked below: it still answers.
            continue
        except Exception as err:
            # Turned away with "queue full" (Gradio's bound, or the per-client cap of the fair
            # queue: these 8 clients are one address) is fine; anything else is not.
            assert "queue" in str(err).lower() or "full" in str(err).lower(), repr(err)
    assert answered > 0
    assert ask(clients[0], None)[1] is not None
