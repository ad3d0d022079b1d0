"""lenet/ui/readings/number.py: the Number tab's handlers as functions of a Room (the wide pad's value ->
boxes over the drawing; the /predict_number API's text and readings), against lenet.synthetic's numbers."""
import io
import re

from PIL import Image

from lenet import synthetic
from lenet.ui.readings import number, pad


def _png(rgba):
    buf = io.BytesIO()
    Image.fromarray(rgba).convert("RGB").save(buf, "PNG")
    return buf.getvalue()


def test_wide_pad_value_gives_one_box_per_digit_at_the_digits(room):
    rgba, boxes = synthetic.number("2026", 70, gaps=0.3)
    html = number.read_pad(room, pad.value_of(_png(rgba)), "modern")
    assert 'data-text="2026"' in html
    lefts = [float(x) for x in re.findall(r"left:([0-9.]+)%", html)]
    assert len(lefts) == 4
    for left, box in zip(lefts, boxes):       # each box starts where synthetic put its digit (within 2 % of width)
        assert abs(left - 100 * box[0] / rgba.shape[1]) < 2


def test_cleared_and_bad_pad_values_say_so(room):
    assert number.DRAW in number.read_pad(room, "", "modern")
    assert "num-text" not in number.read_pad(room, "not json", "modern")


def test_api_returns_text_and_per_digit_readings(room, tmp_path):
    rgba, _ = synthetic.number("380", 60, gaps=0.3)
    path = synthetic.save_png(rgba, tmp_path / "n.png")
    text, data = number.predict_number(room, str(path), "no such model")    # unknown model: the room's
    assert text == data["text"] == "380"
    assert [d["digit"] for d in data["digits"]] == [3, 8, 0]
    assert all(len(d["box"]) == 4 and abs(sum(d["probabilities"]) - 1) < 1e-3 for d in data["digits"])
    blank = synthetic.save_png(synthetic.number("1", 60)[0] * 0 + 255, tmp_path / "blank.png")
    text, data = number.predict_number(room, str(blank), "modern")
    assert text == "" and data["digits"] == [] and data["error"]
