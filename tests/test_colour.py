"""lenet/colour.py: the one colour map of every figure (dark = silent, bright = strong), the
blue-white-red kernel colours and nearest-neighbour enlarging."""
import numpy as np

from lenet import colour


def test_colorize_maps_range_to_the_ends_of_the_colour_map():
    rgb = colour.colorize(np.array([[0.0, 0.5, 1.0]]))
    assert rgb.shape == (1, 3, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[0, 0]) == tuple(colour.LUT[0]) and tuple(rgb[0, 2]) == tuple(colour.LUT[255])
    assert rgb[0, 0].sum() < rgb[0, 1].sum() < rgb[0, 2].sum()   # dark = silent, bright = strong
    flat = colour.colorize(np.full((4, 4), 3.0))                      # constant map: no division by zero
    assert np.isfinite(flat).all()


def test_upscale_is_nearest_neighbour():
    a = np.arange(4, dtype="uint8").reshape(2, 2)
    up = colour.upscale(a, 3)
    assert up.shape == (6, 6)
    assert set(np.unique(up)) == {0, 1, 2, 3}                     # no blended values: pixels stay crisp
    assert (up[:3, :3] == 0).all() and (up[3:, 3:] == 3).all()


def test_diverging_kernel_colours():
    rgb = colour.diverging(np.array([[-1.0, 0.0, 1.0]]))
    assert tuple(rgb[0, 1]) == (255, 255, 255)
    assert rgb[0, 0, 2] > rgb[0, 0, 0] and rgb[0, 2, 0] > rgb[0, 2, 2]   # blue negative, red positive
