"""lenet/ui/readings/draw.py: the first tab's handlers as plain functions of a Room (analyse, page_view,
read_pad, read_upload, current_picture, rerun), and its smaller layers' sums before squashing against
the paper's definitions written out in float64."""
import re

import numpy as np
import pytest
from ui_helpers import SENTENCES, figures, pad_value, pictures, png_bytes, shown

from lenet import preactivation
from lenet.colour import paint
from lenet.decode import EMPTY, MESSAGES, InvalidDrawing
from lenet.synthetic import draw, save_png
from lenet.ui.readings import draw as reading
from lenet.ui.readings import pad


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
