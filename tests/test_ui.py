"""lenet/ui without a browser: the handlers of the tabs as plain functions of a Room (draw_tab,
api, compare_tab, walkthrough_tab), the pad's value protocol (pad.parse, pad.value_of) against
everything a client could send instead, and the page as built (page.build: cache, queue, banner)."""
import base64
import io
import json
import re
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from lenet import preactivation
from lenet import walkthrough as walk
from lenet.colour import paint, scale_of
from lenet.decode import EMPTY, MESSAGES, InvalidDrawing
from lenet.synthetic import draw, save_png, sketchpad_value
from lenet.ui import page
from lenet.ui.readings import api, compare, pad, walkthrough
from lenet.ui.readings import draw as reading

SENTENCES = {pad.NOT_A_DRAWING, *MESSAGES.values()}   # everything the page may say instead of a digit


def png_bytes(rgba):
    buf = io.BytesIO()
    Image.fromarray(np.asarray(rgba, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def pad_value(digit, seq=1, canvas=280):
    """What the pad sends for `digit` drawn with the pen: a PNG of the canvas, in its JSON."""
    return pad.value_of(png_bytes(draw(digit, canvas=canvas, background="transparent")), seq)


def shown(outputs):
    """The digit the first output (the answer HTML) shows, or the sentence shown instead."""
    found = re.search(r'data-digit="(\d)"', outputs[0])
    return int(found.group(1)) if found else re.sub(r"<[^>]+>", "", outputs[0])


# ------------------------------------------------------------------ draw tab

def test_analyse_returns_the_prediction_or_the_reason(room):
    p = reading.analyse(room, draw(3, canvas=280), "classic")
    assert p.digit == 3
    err = reading.analyse(room, np.full((280, 280, 4), 255, np.uint8), "modern")
    assert isinstance(err, InvalidDrawing) and err.empty and str(err) == EMPTY


def test_analyse_falls_back_to_the_rooms_model_for_an_unknown_name(room):
    image = draw(4, canvas=280)
    np.testing.assert_allclose(reading.analyse(room, image, "no-such-model").probabilities,
                               room.recognizers[room.variant].predict(image).probabilities)


def test_page_view_of_a_prediction(room, inline_images):
    p = room.recognizers["modern"].predict(draw(7, canvas=280))
    digit, probs, stages, c1, c3, small, rbf = reading.page_view(room, p, "modern", seq=9)
    assert 'data-digit="7"' in digit and 'data-model="modern"' in digit and 'data-seq="9"' in digit
    assert rbf == ""                                    # a softmax ending has no distances to show
    ps = [float(v) for v in re.findall(r'data-p="([0-9.]+)"', probs)]
    np.testing.assert_allclose(ps, p.probabilities, atol=1e-6)
    assert [len(inline_images(h)) for h in (stages, c1, c3, small)] == [4, 12, 16, 6 + 16 + 2]


def test_page_view_of_an_invalid_drawing_is_one_sentence_and_nothing_else(room):
    out = reading.page_view(room, InvalidDrawing("dot"), "modern")
    assert shown(out) == MESSAGES["dot"] and out[1:] == ("",) * 6


def test_a_low_confidence_answer_says_so(room):
    p = room.recognizers["modern"].predict(draw(7, canvas=280))
    p.probabilities = np.full(10, 0.1)
    assert "Not sure" in reading.page_view(room, p, "modern")[0]


@pytest.mark.parametrize("variant", ["modern", "classic"])
def test_read_pad_reads_the_pads_drawing_and_echoes_its_seq(room, variant):
    for digit in (0, 1, 7):
        out = reading.read_pad(room, pad_value(digit, seq=41 + digit), variant)
        assert shown(out) == digit and f'data-seq="{41 + digit}"' in out[0] and f'data-model="{variant}"' in out[0]


def test_read_pad_leaves_the_closed_accordions_pictures_out(room, inline_images):
    digit, probs, stages, c1, c3, small, rbf = reading.read_pad(room, pad_value(5, seq=2), "modern", more=False)
    assert 'data-digit="5"' in digit and 'data-seq="2"' in digit and probs
    assert stages == small == "" and len(inline_images(c1)) == 12 and len(inline_images(c3)) == 16


def test_only_what_the_pad_sends_is_light_enough_for_the_event_loop():
    assert pad.light(pad_value(7)) and pad.light(sent(uri(png_header(pad.EXPORT, pad.EXPORT))))
    assert not pad.light(pad_value(7, canvas=pad.EXPORT + 1))
    assert not pad.light(sent(uri(png_header(pad.MAX_SIDE, 10))))
    assert not pad.light(sent(uri(SEVEN + b"\0" * pad.INLINE_CHARS)))
    assert not pad.light(None) and not pad.light(b"{}")


def test_read_pad_of_a_blank_or_cleared_pad_asks_for_a_digit(room):
    blank = pad.value_of(png_bytes(np.zeros((280, 280, 4), np.uint8)), 3)
    for value in ("", None, blank):
        out = reading.read_pad(room, value, "modern")
        assert shown(out) == EMPTY and out[1:] == ("",) * 6


def test_read_upload_takes_arrays_and_files(room, tmp_path):
    assert shown(reading.read_upload(room, draw(2, canvas=300)[..., :3], "modern")) == 2
    assert shown(reading.read_upload(room, str(save_png(draw(5, canvas=300), tmp_path / "five.png")), "classic")) == 5
    assert shown(reading.read_upload(room, b"", "modern")) in SENTENCES   # a webcam frame Gradio could not decode


def test_current_picture_is_what_was_used_last(room):
    value = pad_value(8)
    upload = draw(1, canvas=200)
    assert reading.current_picture(value, upload, "upload") is upload
    assert reading.current_picture(value, upload, "pad") == pad.parse(value)[0]
    with pytest.raises(InvalidDrawing):
        reading.current_picture("", upload, "pad")


def test_rerun_reads_the_same_drawing_with_the_other_model(room):
    value, upload = pad_value(6), draw(9, canvas=280)
    for variant in ("classic", "modern"):
        out = reading.rerun(room, value, upload, variant, "pad")
        assert shown(out) == 6 and f'data-model="{variant}"' in out[0]
        assert shown(reading.rerun(room, value, upload, variant, "upload")) == 9
    assert shown(reading.rerun(room, "", upload, "classic", "pad")) == EMPTY


def figures(page):
    """A tab's HTML -> [(title, its pictures' HTML)] per figure (lenet/visualize's .lf blocks)."""
    parts = re.split(r'<div class="lf[ "]', page)[1:]
    return [(re.search(r'<div class="lf-title">([^<]*)</div>', p).group(1), p) for p in parts]


def pictures(inline_images, page):
    return [np.asarray(im.convert("RGB")) for _, _, im in inline_images(page)]


def independent_sums(rec, p):
    """S2, S4, C5, F6's sums before squashing written out here, in float64, as the paper defines them
    (not lenet.preactivation's code): mean of 2×2 blocks × coefficient + bias; Σ S4·kernel + bias;
    Σ C5·weight + bias. Max-pooling layers (no squashing) are left out."""
    fm, arrays = p.feature_maps, rec.facts.arrays
    out = {}
    for name, reads in (("S2", "C1"), ("S4", "C3")):
        if f"coefficient/{name}" in arrays:
            x = fm[reads].astype("float64")
            blocks = (x[0::2, 0::2] + x[1::2, 0::2] + x[0::2, 1::2] + x[1::2, 1::2]) / 4
            out[name] = blocks * arrays[f"coefficient/{name}"] + arrays[f"bias/{name}"]
    c5 = rec.kernels("C5").astype("float64")                               # (5, 5, 16, 120)
    out["C5"] = np.array([np.sum(fm["S4"] * c5[:, :, :, j]) for j in range(120)]) + rec.bias("C5")
    f6 = rec.kernels("F6").astype("float64")                               # (120, 84)
    out["F6"] = np.array([np.dot(fm["C5"], f6[:, j]) for j in range(84)]) + rec.bias("F6")
    return out


@pytest.mark.parametrize("variant", ["classic", "modern", "paper"])
def test_the_first_tabs_smaller_layers_follow_the_switch(room, inline_images, variant):
    rec = room.recognizers[variant]
    p = rec.predict(draw(8, canvas=280))
    after, before = (reading.page_view(room, p, variant, pre=pre)[5] for pre in (False, True))
    want = independent_sums(rec, p)
    titles = [t for t, _ in figures(before)]
    assert [t.split(" ·")[0] for t in titles] == ["S2", "S4", "C5", "F6"]
    assert not any("squashing" in t for t, _ in figures(after))
    for (title, fig), (_, fig_after), name in zip(figures(before), figures(after), ("S2", "S4", "C5", "F6")):
        changed = not all(np.array_equal(a, b) for a, b in zip(pictures(inline_images, fig),
                                                               pictures(inline_images, fig_after)))
        if name not in want:        # modern's max-pooling: no squashing, shown as it is, and said so
            assert title.endswith(preactivation.NO_SQUASHING) and not changed, title
            continue
        assert title.endswith(" · before squashing") and changed, title
        lo, hi = (float(v) for v in re.search(r'data-lo="([^"]+)" data-hi="([^"]+)"', fig).groups())
        z = want[name]
        assert lo == pytest.approx(z.min(), abs=0.006) and hi == pytest.approx(z.max(), abs=0.006), name
        if name in ("C5", "F6"):    # a strip of cells: each cell's colour is the independent sum's
            cells = pictures(inline_images, fig)[0].reshape(-1, 3)[:z.size].astype(int)
            colours = paint(z).astype(int)   # signed sums: blue-white-red centred on 0
            assert np.abs(cells - colours).max() <= 8, name


# ------------------------------------------------------------------ the API's view

def test_api_view_gives_the_seven_documented_values(room, inline_images):
    p = room.recognizers["classic"].predict(draw(0, canvas=280))
    html, note, probs, stages, c1, c3, small = api.api_view(room, p, "classic")
    assert 'data-digit="0"' in html and note == ""
    assert set(probs) == {str(d) for d in range(10)} and abs(sum(probs.values()) - 1) < 1e-6
    assert max(probs, key=probs.get) == "0"
    assert [len(inline_images(h)) for h in (stages, c1, c3, small)] == [4, 12, 16, 6 + 16 + 2]
    invalid = api.api_view(room, InvalidDrawing("specks"), "classic")
    assert MESSAGES["specks"] in invalid[0] and invalid[1:] == ("", None, None, None, None, None)


def test_api_predict_takes_a_sketchpad_dict_and_any_model_name(room, tmp_path):
    path = str(save_png(draw(7, canvas=280), tmp_path / "seven.png"))
    assert 'data-digit="7"' in api.predict(room, sketchpad_value(path), "classic")[0]
    assert 'data-model="modern"' in api.predict(room, sketchpad_value(path), "<b>nope</b>")[0]
    assert EMPTY in api.predict(room, sketchpad_value(None), "modern")[0]


# ------------------------------------------------------------------ compare and walk-through tabs

def test_compare_view_shows_every_model_on_the_same_drawing(room):
    out = compare.compare_view(room, pad_value(3), None, "pad")
    assert len(out) == compare.PER_MODEL * len(room.recognizers) + 1
    for k, variant in enumerate(room.variants):
        digit, probs = out[k * compare.PER_MODEL:k * compare.PER_MODEL + 2]
        assert 'data-digit="3"' in digit and f'data-model="{variant}"' in digit
        named = re.findall(r'<li data-digit="(\d)">', probs)      # the likeliest first, no rows of "0 %"
        assert named[0] == "3" and "0.0 %" not in probs and digit.count(">3<") == 1
    assert out[-1]
    empty = compare.compare_view(room, "", None, "pad")
    assert EMPTY in empty[0] and empty[-1] == ""


def c1_sums_by_loop(rec, x32):
    """C1's sums before squashing, one pixel at a time: the scaled input's 5×5 patch · kernel + bias."""
    x = 1.275 * np.asarray(x32, "float64") - 0.1
    k, b = rec.kernels("C1")[:, :, 0, :].astype("float64"), rec.bias("C1")
    return np.array([[[np.sum(x[r:r + 5, c:c + 5] * k[:, :, m]) + b[m] for m in range(6)]
                      for c in range(28)] for r in range(28)])


def test_compare_view_shows_the_sums_on_the_switch(room, inline_images):
    after, before = (compare.compare_view(room, pad_value(3), None, "pad", pre=pre) for pre in (False, True))
    n = compare.PER_MODEL
    for k, variant in enumerate(room.variants):
        rec = room.recognizers[variant]
        digit, probs, c1, c3 = before[k * n:(k + 1) * n]
        assert digit == after[k * n] and probs == after[k * n + 1]      # the answer does not change
        assert [t for t, _ in figures(c1)][0].endswith(" · before squashing")
        assert [t for t, _ in figures(c3)][0].endswith(" · before squashing")
        assert "squashing" not in after[k * n + 2] and "squashing" not in after[k * n + 3]
        assert not np.array_equal(pictures(inline_images, c1)[1], pictures(inline_images, after[k * n + 2])[1])
        z = c1_sums_by_loop(rec, rec.predict(pad.picture(pad_value(3))).input)
        lo, hi = (float(v) for v in re.search(r'data-lo="([^"]+)" data-hi="([^"]+)"', c1).groups())
        assert lo == pytest.approx(z.min(), abs=0.006) and hi == pytest.approx(z.max(), abs=0.006), variant
        maps = [im for alt, _, im in inline_images(c1) if alt.startswith("C1 map")]
        for m in range(6):
            shown_rgb = np.asarray(maps[m].convert("RGB")).astype(int)
            assert np.abs(shown_rgb - paint(z[:, :, m], scale_of(z))).max() <= 8, (variant, m)
    facts = before[-1]
    assert "C1 sums below 0 (before squashing)" in facts and "C1 exactly zero (after squashing)" in facts
    assert "before squashing" not in after[-1]


def test_walk_view_shows_the_sums_on_the_switch(room):
    n = len(walk.ROWS)
    for variant in ("classic", "modern", "paper"):
        after, before = (walkthrough.walk_view(room, pad_value(2), None, variant, "pad", pre=pre)
                         for pre in (False, True))
        md_after, md_before = (dict(zip(walk.ROWS, out[2:2 + n])) for out in (after, before))
        im_after, im_before = (dict(zip(walk.ROWS, out[2 + n:2 + 2 * n])) for out in (after, before))
        assert "before the squashing function" in before[1] and "squashing function" not in after[1]
        for name in walk.ROWS:
            title = md_before[name].splitlines()[0]
            same = np.array_equal(np.asarray(im_before[name]), np.asarray(im_after[name]))
            assert "squashing" not in md_after[name].splitlines()[0]
            if name in ("input", "OUT"):
                assert md_before[name] == md_after[name] and same, (variant, name)
            elif variant == "modern" and name in ("S2", "S4"):
                assert title.endswith(preactivation.NO_SQUASHING) and same, (variant, name)
            else:
                assert title.endswith(" · before squashing") and not same, (variant, name)


def test_walk_view_c1_grid_shows_the_sums(room):
    rec = room.recognizers["classic"]
    out = walkthrough.walk_view(room, pad_value(4), None, "classic", "pad", pre=True)
    x32, grid = out[0], np.asarray(out[2 + len(walk.ROWS) + walk.ROWS.index("C1")])
    z = c1_sums_by_loop(rec, x32)
    colours = paint(z)
    for m, r, c in ((0, 0, 0), (3, 14, 9), (5, 27, 27)):
        x, y = walk.pixel_centre("C1", z.shape, m, r, c)
        assert np.abs(grid[y, x].astype(int) - colours[r, c, m]).max() <= 8, (m, r, c)


def test_a_click_on_a_map_of_sums_explains_the_sum(room):
    rec = room.recognizers["classic"]
    x32 = walkthrough.walk_view(room, pad_value(4), None, "classic", "pad", pre=True)[0]
    z = c1_sums_by_loop(rec, x32)
    m, r, c = 2, 12, 11
    index = walk.pixel_centre("C1", z.shape, m, r, c)
    _, sum_html = walkthrough.explain(room, x32, "classic", "C1", index, pre=True)
    _, act_html = walkthrough.explain(room, x32, "classic", "C1", index)
    assert "before squashing" in sum_html and 'data-stage="before"' in sum_html and "before squashing" not in act_html
    data = {k: float(v) for k, v in re.findall(r'data-(sum|fm)="([^"]+)"', sum_html)}
    assert data["sum"] == pytest.approx(z[r, c, m], abs=1e-4) and data["fm"] == pytest.approx(z[r, c, m], abs=1e-4)
    act = {k: float(v) for k, v in re.findall(r'data-(sum|fm)="([^"]+)"', act_html)}
    assert act["sum"] == pytest.approx(1.7159 * np.tanh(2 / 3 * z[r, c, m]), abs=1e-4)   # the same sum, squashed
    assert act["sum"] != pytest.approx(data["sum"], abs=1e-3)
    prompt = walkthrough.explain(room, x32, "classic", "C1", (1, 1), pre=True)   # the caption band
    assert prompt == (None, walk.EXPLAIN_PROMPT)


def test_walk_view_rows_and_reset(room):
    n = len(walk.ROWS)
    out = walkthrough.walk_view(room, pad_value(2), None, "classic", "pad")
    assert len(out) == 2 + 2 * n + 3 and out[0].shape == (32, 32)
    assert all(im is not None for im in out[2 + n:2 + 2 * n]) and out[-1] == walk.EXPLAIN_PROMPT
    empty = walkthrough.walk_view(room, "", None, "classic", "pad")
    assert empty[0] is None and EMPTY in empty[1] and len(empty) == len(out)


# ------------------------------------------------------------------ the pad's value: what a client may send

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


# ------------------------------------------------------------------ the page as built

@pytest.fixture(scope="module")
def built(room):
    return page.build(room)


def test_page_cleans_gradios_cache(built):
    """Uploads land in Gradio's cache: a long-running public page deletes them (every `frequency`
    s, those older than `age` s)."""
    frequency, age = built.delete_cache
    assert 0 < frequency <= 3600 and 0 < age <= 3600


def test_page_queue_is_bounded(built):
    assert 0 < built._queue.max_size <= 256 and built._queue.max_size == page.QUEUE["max_size"]


def test_visitors_are_told_when_drawings_are_kept(built, collecting_room):
    """Under the header, in a notice of its own (re-read by a timer: tests/test_collect_notice.py)."""
    def notice(demo):
        return next((b.value for b in demo.blocks.values() if getattr(b, "elem_id", None) == "collecting"), "")
    assert "keeping the drawings" not in notice(built)
    assert "keeping the drawings" in notice(page.build(collecting_room))
