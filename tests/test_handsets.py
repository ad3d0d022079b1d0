"""The non-MNIST sets: deterministic, labelled as drawn, and readable (a font digit seen by the
pipeline is the digit, checked against Pillow's own rendering)."""
import numpy as np

from lenet import handsets


def test_sets_are_deterministic_and_use_installed_fonts():
    fonts = handsets.installed_fonts()
    assert fonts[-1][0] == handsets.PILLOW_FONT          # always there, with no font installed at all
    a = handsets.font_digits(seed=0, per_style=3)
    b = handsets.font_digits(seed=0, per_style=3)
    assert len(a) == 3 * len(fonts)
    assert all(np.array_equal(p, q) for (p, *_), (q, *_) in zip(a, b))
    assert [d for _, d, _ in a[:3]] == [0, 1, 2]


def test_typeset_digit_has_the_asked_height_and_place():
    rgba = handsets.typeset(7, None, height=120, centre=(0.3, 0.6))
    ink = 255 - rgba[..., 0].astype(int)
    rows, cols = np.nonzero(ink > 128)
    assert abs((rows.max() - rows.min() + 1) - 120) <= 3
    assert abs(rows.mean() - 0.6 * handsets.CANVAS) < 25 and abs(cols.mean() - 0.3 * handsets.CANVAS) < 25


def test_lowres_keeps_size_and_loses_detail():
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 13:15] = 255                            # a "1", 20 px high, 2 px wide
    for px in handsets.LOWRES_PX:
        (pic,) = handsets.lowres(digit[None], px)
        small = round(28 * px / handsets.MNIST_BOX)
        assert pic.shape == (small * 10, small * 10, 4)
        ink = 255 - pic[..., 0].astype(int)
        assert ink.max() > 60                           # still ink ...
        assert ink.max() < 255 or px >= 16              # ... but at 8 px not a solid stroke any more
