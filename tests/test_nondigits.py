"""lenet/nondigits.py: every family gives drawings the app's pipeline takes, deterministically, with
the held-out fonts and shapes disjoint from the training ones and nothing a reader would call a 1."""
import numpy as np
import pytest

from lenet import nondigits as nd
from lenet.preprocess import preprocess_inks
from lenet.synthetic import STROKES


def _digits():
    rng = np.random.default_rng(0)
    inks = [nd.pen_digit(d, rng) for d in range(10)]
    return inks, np.arange(10)


@pytest.mark.parametrize("family", nd.FAMILIES)
def test_each_family_makes_drawings_the_pipeline_reads(family):
    inks, fams = nd.make(30, np.random.default_rng(1), _digits(), nd.fonts(nd.TRAINING_FONTS), nd.SHAPES,
                         {family: 1})
    assert inks.shape[1:] == (nd.CANVAS, nd.CANVAS) and inks.dtype == np.uint8 and set(fams) == {family}
    x, kept = nd.inputs(inks)
    assert len(x) >= 0.8 * len(inks) and x.shape[1:] == (32, 32) and 0 <= x.min() and x.max() <= 1


def test_generation_is_deterministic_for_a_seed():
    a = nd.make(40, np.random.default_rng(5), _digits(), nd.fonts(nd.TRAINING_FONTS), nd.SHAPES, nd.TRAINING_MIX)
    b = nd.make(40, np.random.default_rng(5), _digits(), nd.fonts(nd.TRAINING_FONTS), nd.SHAPES, nd.TRAINING_MIX)
    np.testing.assert_array_equal(a[0], b[0])


def test_held_out_fonts_and_shapes_are_not_the_training_ones():
    assert not set(nd.TRAINING_FONTS) & set(nd.HELD_OUT_FONTS)
    assert not set(nd.SHAPES) & set(nd.HELD_OUT_SHAPES)
    assert nd.fonts(nd.TRAINING_FONTS), "no training font installed"
    assert None in nd.fonts(nd.HELD_OUT_FONTS)   # Pillow's bundled font is always there


def test_no_letter_or_sign_a_reader_takes_for_a_digit():
    for ch in "OoDIl1iZzSsGbBgq0123456789|/()[]!":
        assert ch not in nd.LETTERS + nd.SIGNS, ch


def test_a_line_or_narrow_box_is_never_a_non_digit():
    bar = np.zeros((nd.CANVAS, nd.CANVAS), np.uint8)
    bar[10:100, 50:58] = 255                      # an upright bar: a 1
    assert nd._thin(bar)
    slash = nd.pen([[(0.7, 0), (0.3, 1)]], np.random.default_rng(0), aspect=1.0)   # a leaning 1
    assert nd._thin(slash)
    dash = nd.pen([[(0, 0.5), (1, 0.5)]], np.random.default_rng(0), aspect=1.0)    # a minus sign is fine
    assert not nd._thin(dash)


def test_a_piece_keeps_part_of_the_digit_and_a_pair_is_wider_than_tall():
    rng = np.random.default_rng(2)
    eight = nd.pen_digit(8, rng)
    for _ in range(10):
        cut = rng.integers(1 << 30)
        part = nd.piece(eight, np.random.default_rng(cut))
        # the same draws without the cut: the piece is refitted to its own box, so compare the ink's
        # shape: a cut leaves a box of another height-to-width ratio or less ink for its box
        assert (part > 90).any()
    halves = [nd.piece(eight, np.random.default_rng(s)) for s in range(20)]
    rows = [np.nonzero(h > 90) for h in halves]
    ratios = [np.ptp(c) / max(np.ptp(r), 1) for r, c in rows]
    r, c = np.nonzero(eight > 90)
    assert sum(abs(q - np.ptp(c) / np.ptp(r)) > 0.15 for q in ratios) >= 10   # most cuts change its shape
    p = nd.pair(nd.pen_digit(2, rng), nd.pen_digit(3, rng), rng)
    rows, cols = np.nonzero(p > 90)
    assert np.ptp(cols) > np.ptp(rows)


def test_pen_digit_is_synthetic_strokes_and_reads_through_the_pipeline():
    assert len(STROKES) == 10
    out = preprocess_inks(np.stack([nd._fit(nd.pen_digit(d, np.random.default_rng(d)), np.random.default_rng(d))
                                    for d in range(10)]))
    assert all(hasattr(p, "input") for p in out)
