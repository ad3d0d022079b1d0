"""lenet/ui/readings/pad.py: the pad's value protocol (parse, value_of, picture, light) against everything
a client could send instead: each malformed value is refused with one sentence, and no pixels are read
before the checks."""
import base64
import json
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from ui_helpers import SENTENCES, pad_value, png_bytes, shown

from lenet.decode import EMPTY, InvalidDrawing
from lenet.synthetic import draw
from lenet.ui.readings import draw as reading
from lenet.ui.readings import pad


def png_header(width, height):
    """The first 33 bytes of a PNG declaring width x height (no pixel data follows)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))


def uri(data, head="data:image/png;base64"):
    return head + "," + base64.b64encode(data).decode()


def sent(png, seq=1):
    return json.dumps({"seq": seq, "png": png})


SEVEN = png_bytes(draw(7, canvas=280))
MALFORMED = {
    # not JSON, or JSON that is not the pad's object
    "not json": "hello, server", "truncated json": sent(uri(SEVEN))[:40], "json list": "[1, 2, 3]",
    "json number": "42", "json string": json.dumps(sent(uri(SEVEN))), "json null": "null",
    # the pad's object with the wrong types
    "seq text": json.dumps({"seq": "soon", "png": uri(SEVEN)}),
    "seq list": json.dumps({"seq": [1], "png": uri(SEVEN)}),
    "seq infinite": '{"seq": 1e999, "png": "%s"}' % uri(SEVEN),
    "seq nan": '{"seq": NaN, "png": "%s"}' % uri(SEVEN),
    "seq 5000 digits": '{"seq": %s, "png": "%s"}' % ("9" * 5000, uri(SEVEN)),
    "png number": json.dumps({"seq": 1, "png": 7}),
    "png list": json.dumps({"seq": 1, "png": [uri(SEVEN)]}),
    "png object": json.dumps({"seq": 1, "png": {"data": uri(SEVEN)}}),
    # huge strings
    "huge text": "x" * (pad.MAX_VALUE + 1),
    "huge drawing": sent(uri(SEVEN + b"\0" * (3 * pad.MAX_VALUE // 4))),
    "huge seq string": json.dumps({"seq": "1" * (pad.MAX_VALUE + 1), "png": uri(SEVEN)}),
    # data URLs that are not a PNG
    "jpeg url": sent(uri(SEVEN, "data:image/jpeg;base64")),
    "html url": sent("data:text/html,<script>alert(1)</script>"),
    "not base64 url": sent("data:image/png;base64,@@@@"),
    "url, no comma": sent("data:image/png;base64"),
    "http url": sent("https://example.com/seven.png"),
    "file path": sent("/etc/passwd"),
    "text as png": sent(uri(b"hello, not a picture")),
    "jpeg bytes as png": sent(uri(b"\xff\xd8\xff\xe0" + b"\0" * 64)),
    # PNG headers that declare sizes the pad never sends
    "header 100000 px": sent(uri(png_header(100_000, 100_000))),
    "header 2^31 px": sent(uri(png_header(2**31 - 1, 1))),
    "header one side too big": sent(uri(png_header(pad.MAX_SIDE, pad.MAX_SIDE + 1))),
    "header zero width": sent(uri(png_header(0, 280))),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_parse_refuses_what_the_pad_would_not_send(name):
    with pytest.raises(InvalidDrawing) as err:
        pad.parse(MALFORMED[name])
    assert str(err.value) == pad.NOT_A_DRAWING, name


@pytest.mark.parametrize("value", [b"{}", 42, {"seq": 1, "png": uri(SEVEN)}, ["png"]], ids=repr)
def test_parse_refuses_values_that_are_not_text(value):
    with pytest.raises(InvalidDrawing, match="not a drawing from the pad"):
        pad.parse(value)


@pytest.mark.parametrize("value", ["", None, "{}", sent(""), sent(None)], ids=repr)
def test_a_cleared_pad_has_no_picture(value):
    png, seq = pad.parse(value)
    assert png is None and seq in (None, 0, 1)
    with pytest.raises(InvalidDrawing) as err:
        pad.picture(value)
    assert err.value.empty and str(err.value) == EMPTY


def test_parse_reads_no_pixels_before_the_checks(monkeypatch):
    """Sizes come from the PNG header: a header declaring 100000 x 100000 is refused without any
    decoder being called."""
    def refuse(*a, **k):
        raise AssertionError("a picture was decoded")
    monkeypatch.setattr(Image, "open", refuse)
    with pytest.raises(InvalidDrawing):
        pad.parse(MALFORMED["header 100000 px"])
    png, seq = pad.parse(pad.value_of(SEVEN, 12))
    assert png == SEVEN and seq == 12


def test_value_of_and_parse_round_trip():
    assert pad.parse(pad.value_of(SEVEN, 5)) == (SEVEN, 5) and pad.picture(pad.value_of(SEVEN, 5)) == SEVEN
    assert pad.parse(pad.value_of(SEVEN, -3))[1] == 0            # seq is never negative ...
    assert pad.parse(pad.value_of(SEVEN, 10**30))[1] == 2**53    # ... nor beyond what the page's JavaScript counts
    assert pad.png_size(SEVEN) == (280, 280) and pad.png_size(b"GIF89a" + b"\0" * 30) == (0, 0)


BAD_PIXELS = {   # pass parse (a PNG header of a size the pad sends), fail when decoded
    "header only": sent(uri(png_header(280, 280))),
    "truncated png": sent(uri(SEVEN[:len(SEVEN) // 2])),
    "header then junk": sent(uri(png_header(280, 280) + b"\0junk" * 50)),
}


@pytest.mark.parametrize("value", list(MALFORMED.values()) + list(BAD_PIXELS.values()),
                         ids=list(MALFORMED) + list(BAD_PIXELS))
def test_read_pad_answers_any_malformed_value_with_one_sentence(room, value):
    out = reading.read_pad(room, value, "modern")
    assert shown(out) in SENTENCES and out[1:] == ("",) * 6


LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
JSONISH = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                                         max_size=4), max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seq=st.floats() | JSONISH, png=JSONISH | st.binary(max_size=64).map(uri), junk=st.text(max_size=60))
def test_parse_raises_nothing_but_invalid_drawing(seq, png, junk):
    for value in (json.dumps({"seq": seq, "png": png}), json.dumps([seq, png]), junk, json.dumps(seq)):
        try:
            got, n = pad.parse(value)
        except InvalidDrawing as err:
            assert str(err) == pad.NOT_A_DRAWING
        else:
            assert (got is None and n is None and value in ("", None)) or (
                (got is None or isinstance(got, bytes)) and isinstance(n, int) and 0 <= n <= 2**53)


def test_only_what_the_pad_sends_is_light_enough_for_the_event_loop():
    assert pad.light(pad_value(7)) and pad.light(sent(uri(png_header(pad.EXPORT, pad.EXPORT))))
    assert not pad.light(pad_value(7, canvas=pad.EXPORT + 1))
    assert not pad.light(sent(uri(png_header(pad.MAX_SIDE, 10))))
    assert not pad.light(sent(uri(SEVEN + b"\0" * pad.INLINE_CHARS)))
    assert not pad.light(None) and not pad.light(b"{}")
