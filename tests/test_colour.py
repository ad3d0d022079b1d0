"""lenet/colour.py: the one colour map of every figure (dark = silent, bright = strong), the
blue-white-red kernel colours and nearest-neighbour enlarging."""
import base64
import io

import numpy as np
from PIL import Image

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


def test_pngs_decode_to_their_pixels_in_pillow_and_a_stack_encodes_as_its_pictures_alone():
    rng = np.random.default_rng(0)
    for shape, mode in (((5, 7, 9), "L"), ((3, 6, 4, 3), "RGB"), ((2, 1, 12, 4), "RGBA"), ((1, 28, 28, 3), "RGB")):
        stack = rng.integers(0, 256, shape, dtype=np.uint8)
        stack[0, : shape[1] // 2] = 17                    # a run zlib compresses
        files = colour.pngs_bytes(stack)
        assert len(files) == len(stack)
        for picture, png in zip(stack, files):
            im = Image.open(io.BytesIO(png))
            assert im.mode == mode and im.size == (picture.shape[1], picture.shape[0])
            np.testing.assert_array_equal(np.asarray(im), picture)
            assert png == colour.png_bytes(picture)
            assert colour.png_uri(picture) == "data:image/png;base64," + base64.b64encode(png).decode()
        assert colour.png_uris(stack) == [colour.png_uri(p) for p in stack]


def test_a_map_with_both_signs_is_centred_on_white_zero_and_a_map_without_starts_at_black():
    signed = np.array([[-3.0, 0.0, 2.0]])
    s = colour.scale_of(signed)
    assert s.signed and (s.lo, s.hi, s.limit) == (-3.0, 2.0, 3.0)
    rgb = colour.paint(signed)
    assert tuple(rgb[0, 1]) == (255, 255, 255)                      # 0 is white, whatever the range
    assert tuple(rgb[0, 0]) == (30, 70, 200)                         # the far end: full blue
    assert rgb[0, 2, 0] > rgb[0, 2, 2] and rgb[0, 2].sum() > 30 + 70 + 200   # +2 of 3: a lighter red
    relu = np.array([[0.0, 1.0, 4.0]])
    s = colour.scale_of(relu)
    assert not s.signed and (s.lo, s.hi) == (0.0, 4.0)
    rgb = colour.paint(relu)
    assert tuple(rgb[0, 0]) == tuple(colour.LUT[0]) and tuple(rgb[0, 2]) == tuple(colour.LUT[255])
