"""lenet/ui/readings/learning.py: the Learning tab's readings on a weights folder holding a snapshot file (made as
tests/test_learning.py makes it): one snapshot's answer, bars, kernels and maps are what
lenet.learning.forward gives; the example until there is a drawing, the first tab's drawing after;
the curves' cursor sits at the snapshot's step, in text at least 14 px; a missing file is one sentence
and the rest still works; the /learn API's answers, bad input included."""
import io
import re

import numpy as np
import pytest
from PIL import Image
from test_learning import make_snapshots

from lenet import learning, synthetic
from lenet.ui.readings import learning as lt
from lenet.ui.readings import pad
from lenet.ui.readings.room import Room
from lenet.ui.tabs import learning as tab


def _png(rgba):
    buf = io.BytesIO()
    Image.fromarray(rgba).convert("RGB").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def learning_room(room, tmp_path_factory):
    """The app's room, its weights folder holding snapshots for modern and paper (classic has none)."""
    folder = tmp_path_factory.mktemp("weights")
    for v in ("modern", "paper"):
        make_snapshots(folder, v)
    return Room(room.recognizers, "modern", folder)


def test_a_snapshot_shows_what_its_forward_reads(learning_room):
    x, whose = lt.drawing_input(learning_room, "", None, "pad", "modern")
    assert "example" in whose
    np.testing.assert_array_equal(x, learning_room.recognizers["modern"].predict(str(lt.EXAMPLE)).input)
    snaps = learning.load(learning.path("modern", learning_room.weights_dir))
    for at in range(len(snaps)):
        where, words, answer, curves, maps = lt.step_view(learning_room, "modern", x, whose, at)
        r = learning.forward(snaps, x, at)
        assert f"Snapshot {at + 1} of 3" in where and f"epoch {snaps.epoch[at]:.2f}" in where
        assert f'data-digit="{r.digit[0]}"' in answer
        shown = [float(p) for p in re.findall(r'data-p="([0-9.]+)"', answer)]
        np.testing.assert_allclose(shown, r.probabilities[0], atol=1e-6)
        assert maps.count("<img") == 6 + 6 + 16                     # C1 kernels and maps, C3 maps
        assert curves.count("<svg") == 2 and "example" in words
    assert "random start" in lt.step_view(learning_room, "modern", x, whose, 0)[0]
    assert lt.step_view(learning_room, "modern", x, whose, 99)[0] == lt.step_view(learning_room, "modern", x,
                                                                                  whose, 2)[0]


def test_the_first_tab_drawing_is_read_and_the_start_is_explained(learning_room):
    value = pad.value_of(_png(synthetic.draw(7)))
    x, whose = lt.drawing_input(learning_room, value, None, "pad", "modern")
    assert "the drawing on the first tab" in whose
    np.testing.assert_array_equal(x, learning_room.recognizers["modern"].predict(pad.picture(value)).input)
    snaps = learning.load(learning.path("modern", learning_room.weights_dir))
    start = learning.forward(snaps, x, 0).probabilities[0]
    words = lt.step_view(learning_room, "modern", x, whose, 0)[1]
    assert f"at {100 * start.max():.0f} %" in words and ("about 10 %" in words) == (start.max() < 0.2)
    end = lt.step_view(learning_room, "modern", x, whose, 2)
    assert 'data-digit="7"' in end[2] and "Now it says 7" in end[1]


def test_the_curves_cursor_and_text_size(learning_room):
    snaps = learning.load(learning.path("paper", learning_room.weights_dir))
    for at in range(len(snaps)):
        svg = lt.curves_html(snaps, at)
        cursor = r'<line x1="([0-9.]+)" y1="[0-9.]+" x2="\1" y2="[0-9.]+" class="cur"/>'
        xs = {round(float(v), 1) for v in re.findall(cursor, svg)}
        assert xs == {round(lt._x(int(snaps.step[at]), int(snaps.step[-1])), 1)}
        assert f"loss {float(snaps.loss[at]):.3g}" in svg
        assert f"test {100 * snaps.test_accuracy[at]:.0f} %" in svg
    assert lt._x(0, 860) == lt.LEFT and lt._x(860, 860) == lt.W - lt.RIGHT
    sizes = [int(s) for s in re.findall(r"font-size: (\d+)px", tab.CHART_CSS)]
    assert sizes and min(sizes) >= 14
    assert f'width="{lt.W}" height="{lt.H}" viewBox="0 0 {lt.W} {lt.H}"' in svg   # drawn 1:1: 15 px stays 15 px


def test_no_snapshot_file_is_one_sentence_and_the_rest_works(learning_room):
    x, whose = lt.drawing_input(learning_room, "", None, "pad", "classic")
    where, *rest = lt.step_view(learning_room, "classic", x, whose, 0)
    assert "no training snapshots for the classic model" in where and rest == ["", "", "", ""]
    assert lt.slider_range(learning_room, "classic")[0] == 0 and lt.slider_range(learning_room, "paper")[0] == 2
    assert "No picture" not in where and "(here" not in lt.intro(learning_room, "classic")
    assert "128 pictures" in lt.intro(learning_room, "modern")


def test_learn_api_answers_every_snapshot_or_one_sentence(learning_room, tmp_path):
    path = tmp_path / "seven.png"
    path.write_bytes(_png(synthetic.draw(7)))
    out = lt.learn_api(learning_room, str(path), "paper")
    assert out["variant"] == "paper" and [r["step"] for r in out["readings"]] == [0, 40, 860]
    assert out["readings"][-1]["digit"] == 7 and "not_a_digit" in out["readings"][-1]
    assert lt.learn_api(learning_room, str(path), "no such model")["variant"] == "modern"
    assert lt.learn_api(learning_room, None, "modern") == {"error": lt.NO_PICTURE}
    for bad in (b"", b"not a picture", str(tmp_path / "missing.png")):
        error = lt.learn_api(learning_room, bad, "modern")["error"]
        assert error.endswith(".") and "Traceback" not in error and error.count(". ") <= 1
    blank = tmp_path / "blank.png"
    blank.write_bytes(_png(np.full((64, 64, 3), 255, "uint8")))
    assert "error" in lt.learn_api(learning_room, str(blank), "modern")
    assert "no training snapshots" in lt.learn_api(learning_room, str(path), "classic")["error"]


def test_the_not_a_digit_share_is_shown_and_explained_when_it_dominates(learning_room):
    x, whose = lt.drawing_input(learning_room, "", None, "pad", "paper")
    snaps = learning.load(learning.path("paper", learning_room.weights_dir))
    for at in range(len(snaps)):
        r = learning.forward(snaps, x, at)
        _, words, answer, *_ = lt.step_view(learning_room, "paper", x, whose, at)
        assert f'"not a digit": {100 * r.not_a_digit[0]:.0f} %' in answer
        if at == 0:
            assert ('"not a digit" answer' in words) == (r.not_a_digit[0] >= 0.5)
