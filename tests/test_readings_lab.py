"""lenet/ui/readings/lab.py: the lab's handler on the first tab's drawing: one chart per model (the
selected one first), the step strip, a reading per model that matches lenet.invariance.sweep."""
import io

from PIL import Image

from lenet import invariance, synthetic
from lenet.ui.readings import lab, pad


def _png(rgba):
    """RGBA array -> PNG bytes, as the pad sends."""
    buf = io.BytesIO()
    Image.fromarray(rgba).convert("RGB").save(buf, "PNG")
    return buf.getvalue()


def test_lab_view_sweeps_every_model_on_the_current_drawing(room):
    value = pad.value_of(_png(synthetic.draw(7)))
    reading, *charts, strip = lab.lab_view(room, value, None, "pad", "modern", "rotation")
    assert len(charts) == len(room.variants) and all(c.ndim == 3 and c.shape[2] == 3 for c in charts)
    x = room.recognizers["modern"].predict(pad.picture(value)).input
    assert reading.startswith("**modern**: " + invariance.sweep(room.recognizers["modern"], x, "rotation").reading)
    assert strip.shape[1] > 20 * 32           # 21 steps side by side
    other = lab.lab_view(room, value, None, "pad", "modern", "noise")
    assert other[1].shape == charts[0].shape and (other[1] != charts[0]).any()


def test_lab_view_without_a_drawing_says_what_to_do(room):
    reading, *rest = lab.lab_view(room, "", None, "pad", "modern", "shift")
    assert "first tab" in reading and all(r is None for r in rest)
