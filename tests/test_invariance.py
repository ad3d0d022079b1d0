"""lenet/invariance.py: sweeps read one row of probabilities per step, step 0 is predict's reading,
and the transformations match independent numpy references."""
import numpy as np
import pytest

from lenet import invariance as inv
from lenet.synthetic import draw


@pytest.fixture(scope="module")
def seven(modern):
    return modern.predict(draw(7))


@pytest.mark.parametrize("name", list(inv.SWEEPS))
def test_sweep_rows_and_step_zero(recognizer, name):
    p = recognizer.predict(draw(3))
    s = inv.sweep(recognizer, p, name)
    assert s.values.shape == (inv.STEPS,) and s.values[0] == inv.SWEEPS[name][1]
    assert s.inputs.shape == (inv.STEPS, 32, 32) and s.probabilities.shape == (inv.STEPS, 10)
    np.testing.assert_allclose(s.probabilities.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_array_equal(s.inputs[0], p.input)
    np.testing.assert_allclose(s.probabilities[0], p.probabilities, atol=1e-5)
    assert s.reading.startswith(f"still a {p.digit} up to") or f"reads {s.digits[s.breaks_at]}" in s.reading


def test_rotation_by_90_degrees_is_rot90(seven):
    # About the centre (15.5, 15.5) a quarter turn maps pixels onto pixels: no resampling at all.
    _, stack = inv.transformed(seven.input, "rotation", steps=2, stop=90)
    np.testing.assert_allclose(stack[1], np.rot90(seven.input, k=-1), atol=1e-6)   # clockwise on screen


def test_whole_pixel_shift_is_a_zero_filled_roll(seven):
    _, stack = inv.transformed(seven.input, "shift", steps=5, stop=-4)   # 0, -1, ..., -4 px
    expected = np.zeros_like(seven.input)
    expected[:, :-4] = seven.input[:, 4:]
    np.testing.assert_allclose(stack[4], expected, atol=1e-6)


def test_scale_and_squeeze_change_the_ink_as_expected(seven):
    ink = seven.input.sum()
    _, scaled = inv.transformed(seven.input, "scale", steps=3, stop=0.5)   # 1, 0.75, 0.5
    assert scaled[2].sum() == pytest.approx(ink * 0.25, rel=0.1)           # area goes with the square
    _, squeezed = inv.transformed(seven.input, "squeeze", steps=3, stop=0.5)
    assert squeezed[2].sum() == pytest.approx(ink * 0.5, rel=0.1)          # width only
    np.testing.assert_allclose(squeezed[2].sum(axis=1), seven.input.sum(axis=1) * 0.5, atol=0.3)   # per row


def test_stroke_width_grows_and_shrinks_monotonically(seven):
    _, thick = inv.transformed(seven.input, "stroke", steps=7, stop=3)
    _, thin = inv.transformed(seven.input, "stroke", steps=4, stop=-1.5)
    assert np.all(np.diff(thick.sum(axis=(1, 2))) > 0) and np.all(np.diff(thin.sum(axis=(1, 2))) < 0)
    # +1 px of width adds about one pixel per unit of stroke length on the 7 (two edges of half a pixel)
    assert 0 < thick[0].sum() < thick[-1].sum() < 32 * 32


def test_noise_grows_from_nothing(seven):
    values, stack = inv.transformed(seven.input, "noise")
    change = np.abs(stack - seven.input).mean(axis=(1, 2))
    assert change[0] == 0 and np.all(np.diff(change) > 0)
    assert stack.min() >= 0 and stack.max() <= 1


def test_reading_sentences():
    probs = np.eye(10)[[7, 7, 7, 1, 1]]
    values = np.array([0, 10, 20, 30, 40.0])
    assert inv.reading("rotation", values, probs) == \
        "still a 7 up to 20° of rotation; breaks at 30° of rotation: reads 1"
    assert inv.reading("scale", np.linspace(1, 1.6, 5), np.eye(10)[[7] * 5]) == "still a 7 up to 1.6x scale"
    assert inv.reading("shift", values, np.eye(10)[[7, 2, 2, 2, 2]]).startswith("breaks at once")


def test_unknown_sweep_is_refused(seven):
    with pytest.raises(ValueError, match="unknown sweep"):
        inv.transformed(seven.input, "shear")


def test_chart_and_strip_are_pictures(modern, seven):
    a = inv.chart(inv.sweep(modern, seven, "rotation"))
    b = inv.chart(inv.sweep(modern, seven, "noise"))
    assert a.shape == (300, 420, 3) and a.dtype == np.uint8 and not np.array_equal(a, b)
    s = inv.strip(inv.sweep(modern, seven, "scale"), scale=2)
    assert s.shape == (64, inv.STEPS * 34 * 2, 3)


def test_scale_is_swept_both_ways_from_half_to_double(modern, seven):
    s = inv.both_ways(modern, seven, "scale")
    assert s.values.shape == (inv.STEPS,) and s.values[0] == 0.5 and s.values[-1] == 2.0
    assert s.values[s.origin] == 1.0 and np.all(np.diff(s.values) > 0)
    np.testing.assert_array_equal(s.inputs[s.origin], seven.input)
    np.testing.assert_allclose(s.probabilities[s.origin], seven.probabilities, atol=1e-5)
    assert s.inputs[0].sum() < s.inputs[s.origin].sum() < s.inputs[-1].sum()     # less ink, then more
    assert s.reading.startswith("smaller: ") and " · larger: " in s.reading
