"""lenet/resample.py against the operations it re-implements: np.percentile, Pillow's convert("L"),
Image.reduce, ImageFilter.MaxFilter/MinFilter and Image.resize. Seeded random arrays and
hypothesis; no MNIST."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image, ImageFilter

from lenet.resample import _block_mean, _luma, _percentile, _rank_filter, _resize


@settings(max_examples=200, deadline=None)
@given(a=hnp.arrays(np.float32, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=40),
                    elements=st.floats(-1e4, 1e4, width=32)),
       q=st.floats(0, 100), axis=st.sampled_from([0, 1]))
def test_percentile_is_numpys_linear_percentile(a, q, axis):
    want = np.percentile(a, q, axis=axis, method="linear")
    np.testing.assert_allclose(_percentile(a, q, axis=axis), want, rtol=1e-5, atol=1e-2)


def test_percentile_on_border_like_data():
    """What ink_maps hands it: (n, border pixels) uint8-valued float32, q = 50 and 95."""
    rng = np.random.default_rng(0)
    border = rng.integers(0, 256, (5, 1116)).astype(np.float32)
    for q in (50, 95):
        np.testing.assert_array_equal(_percentile(border, q, axis=1), np.percentile(border, q, axis=1))


@pytest.mark.parametrize("seed", range(3))
def test_luma_is_pillows_convert_l(seed):
    rgb = np.random.default_rng(seed).integers(0, 256, (64, 80, 3), dtype=np.uint8)
    want = np.asarray(Image.fromarray(rgb, "RGB").convert("L"))
    np.testing.assert_array_equal(_luma(rgb), want)
    np.testing.assert_array_equal(_luma(rgb[None]), want[None])   # a stack reads the same
    grey = np.repeat(rgb[..., :1], 3, axis=2)                      # grey: its own brightness
    np.testing.assert_array_equal(_luma(grey), np.asarray(Image.fromarray(grey, "RGB").convert("L")))


@pytest.mark.parametrize("shape, k", [((7, 9), 2), ((64, 64), 4), ((50, 33), 3), ((5, 5), 1), ((10, 21), 7)])
def test_block_mean_is_pillows_reduce(shape, k):
    """Partial blocks at the right and bottom edges average what they hold, as Image.reduce does."""
    a = np.random.default_rng(k).random(shape, dtype=np.float32) * 255
    want = np.asarray(Image.fromarray(a, "F").reduce(k))
    np.testing.assert_allclose(_block_mean(a, k), want, rtol=1e-5)


def test_block_mean_of_colour_and_integer_pictures_is_pillows_reduce():
    rgb = np.random.default_rng(1).integers(0, 256, (45, 61, 3), dtype=np.uint8)
    want = np.asarray(Image.fromarray(rgb, "RGB").reduce(4))   # Pillow rounds to uint8
    got = _block_mean(rgb, 4)
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= 0.5 + 1e-9


def test_block_mean_works_tile_by_tile_on_wide_arrays():
    """Wider than one tile (a million values): the tiles must join seamlessly."""
    a = np.random.default_rng(2).random((3, 600_001), dtype=np.float32)
    want = np.asarray(Image.fromarray(a, "F").reduce(2))
    np.testing.assert_allclose(_block_mean(a, 2), want, rtol=1e-5)


def test_block_mean_reads_nan_and_inf_as_zero():
    a = np.random.default_rng(3).random((9, 10))
    bad = a.copy()
    bad[0, 0], bad[4, 7], bad[8, 9] = np.nan, np.inf, -np.inf
    clean = a.copy()
    clean[0, 0] = clean[4, 7] = clean[8, 9] = 0.0
    want = np.asarray(Image.fromarray(clean.astype(np.float32), "F").reduce(3))
    np.testing.assert_allclose(_block_mean(bad, 3), want, rtol=1e-5)
    assert np.array_equal(_block_mean(bad, 1), clean)


@pytest.mark.parametrize("k", [3, 5, 7])
def test_rank_filter_is_pillows_max_and_min_filter(k):
    """Pillow repeats the edge pixels, the pipeline pads with zeros: for a maximum of values >= 0
    that is the same everywhere; a minimum is compared where its window lies inside the picture."""
    stack = np.random.default_rng(k).random((2, 30, 37), dtype=np.float32)
    top = np.stack([np.asarray(Image.fromarray(m, "F").filter(ImageFilter.MaxFilter(k))) for m in stack])
    low = np.stack([np.asarray(Image.fromarray(m, "F").filter(ImageFilter.MinFilter(k))) for m in stack])
    np.testing.assert_array_equal(_rank_filter(stack, k, np.maximum), top)
    r = k // 2
    got = _rank_filter(stack, k, np.minimum)
    np.testing.assert_array_equal(got[:, r:-r, r:-r], low[:, r:-r, r:-r])
    assert got[:, :r].max() == 0 and got[:, :, -r:].max() == 0   # zero outside the picture


@pytest.mark.parametrize("k", [2, 4, 6])
def test_even_rank_filter_is_the_window_maximum(k):
    """Even widths (the thin-pen spread) have no Pillow counterpart: the reference is the maximum
    over each k x k window reaching (k-1)//2 px up/left and k//2 px down/right, by numpy's windows."""
    stack = np.random.default_rng(k).random((2, 25, 31), dtype=np.float32)
    lo, hi = (k - 1) // 2, k // 2
    padded = np.pad(stack, ((0, 0), (lo, hi), (lo, hi)))
    want = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(1, 2)).max(axis=(-2, -1))
    np.testing.assert_array_equal(_rank_filter(stack, k), want)


@pytest.mark.parametrize("shape, box, longer", [
    ((60, 50), (5, 55, 10, 40), 20),     # shrink a crop: Lanczos, anti-aliased
    ((300, 280), (0, 300, 0, 280), 80),  # a whole big map
    ((28, 28), (4, 24, 6, 20), 80),      # grow an MNIST-sized crop: bilinear
    ((84, 84), (1, 83, 30, 55), 20),     # tall and thin
    ((200, 90), (3, 197, 2, 9), 80),     # a 1: very tall, very thin
])
def test_resampling_matches_pillows_resize(shape, box, longer):
    """The pipeline resizes with matrices; Pillow's own resize of the same crop is the reference."""
    rng = np.random.default_rng(0)
    stack = rng.random((2,) + shape, dtype=np.float32)
    top, bottom, left, right = box
    out, sizes = _resize(stack, np.array([box, (0, shape[0], 0, shape[1])]), longer)
    h, w = sizes[0]
    assert max(h, w) == longer and out[0, h:].max(initial=0) == 0 and out[0, :, w:].max(initial=0) == 0
    shrinking = min(bottom - top, right - left) >= min(h, w)
    want = Image.fromarray(stack[0, top:bottom, left:right], "F").resize(
        (int(w), int(h)), Image.Resampling.LANCZOS if shrinking else Image.Resampling.BILINEAR)
    np.testing.assert_allclose(out[0, :h, :w], np.clip(np.asarray(want), 0, 1), atol=2e-5)
    # The second map of the stack (the whole picture) is resized on its own terms, too.
    h2, w2 = sizes[1]
    whole = Image.fromarray(stack[1], "F").resize(
        (int(w2), int(h2)), Image.Resampling.LANCZOS if min(shape) >= min(h2, w2) else Image.Resampling.BILINEAR)
    np.testing.assert_allclose(out[1, :h2, :w2], np.clip(np.asarray(whole), 0, 1), atol=2e-5)
