"""lenet/ui/gate/decoder.py and decode.weigh: pictures light by size that cost seconds (issue 29
point 1) are counted from their markers and decoded in a process of their own under a CPU-time
limit. Checked against Pillow's own decoding and against the time a child takes."""
import io
import time

import numpy as np
import pytest
from PIL import Image

from lenet import decode
from lenet.ui.gate import decoder


def progressive_jpeg(side=1220, repeats=1450):
    """A progressive JPEG whose last scan is repeated: small on disk, one full pass per repeat."""
    buf = io.BytesIO()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (side, side, 3), dtype=np.uint8)).save(buf, "JPEG", progressive=True,
                                                                                quality=30)
    data = buf.getvalue()
    last = data.rindex(b"\xff\xda")
    return data[:last] + data[last:-2] * repeats + b"\xff\xd9"


def tiff_16bit(side=3000):
    buf = io.BytesIO()
    Image.new("I;16", (side, side), 40000).save(buf, "TIFF", compression="tiff_adobe_deflate")
    return buf.getvalue()


def test_passes_are_counted_and_too_many_refused_before_decoding():
    data = progressive_jpeg(200, 100)
    t = time.process_time()
    with pytest.raises(decode.InvalidDrawing) as err:
        decode.to_rgba(data)
    assert err.value.reason == "too_costly" and time.process_time() - t < 0.2
    assert decode.weigh(progressive_jpeg(200, 1)) == "heavy"


def test_only_small_pngs_and_baseline_jpegs_are_light():
    png, jpg = io.BytesIO(), io.BytesIO()
    Image.new("L", (280, 280), 255).save(png, "PNG")
    Image.new("RGB", (280, 280), "white").save(jpg, "JPEG")
    assert decode.weigh(png.getvalue()) == decode.weigh(jpg.getvalue()) == "light"
    assert decode.weigh(tiff_16bit(100)) == "heavy" and decode.weigh(b"junk") == "heavy"


def test_the_isolated_decoder_answers_as_the_server_would():
    data = tiff_16bit(1500)
    here = decode.to_rgba(data)
    there = decoder.isolated(data)
    assert there.shape == here.shape and np.array_equal(there, here)
    with pytest.raises(decode.InvalidDrawing) as err:
        decoder.isolated(b"not a picture at all")
    assert err.value.reason == "unreadable"


def test_a_child_stopped_at_its_cpu_limit_is_answered_with_one_sentence(monkeypatch):
    """The kernel stops the child at RLIMIT_CPU (SIGXCPU); the server answers TOO_COSTLY. A limit of
    0 s stops it at once (a real 49 MP PNG reads in under the 3 s limit here: 0.9 s of CPU)."""
    monkeypatch.setattr(decoder, "CPU_SECONDS", 0)
    decoder._kept.clear()
    with pytest.raises(decode.InvalidDrawing) as err:
        decoder.isolated(tiff_16bit(2000))
    assert err.value.reason == "too_costly" and str(err.value) == decode.TOO_COSTLY
