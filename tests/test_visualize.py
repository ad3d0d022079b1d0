"""lenet/visualize.py: the per-stroke HTML figures (each map at its own
resolution), the answer panel's text and the kernels figure, read back pixel by pixel."""
import html
import re

import numpy as np

from lenet import colour
from lenet import visualize as viz
from lenet.architecture import c3_connection_table
from lenet.model import classic


def test_figures_carry_every_map_at_its_own_resolution(inline_images):
    rng = np.random.default_rng(0)
    maps = {"C1": rng.random((28, 28, 6)), "S2": rng.random((14, 14, 6)), "C3": rng.normal(size=(10, 10, 16)),
            "S4": rng.random((5, 5, 16)), "C5": rng.random(120), "F6": rng.normal(size=84)}
    c1 = inline_images(viz.c1_html(maps["C1"], rng.normal(size=(5, 5, 1, 6))))
    c3 = inline_images(viz.c3_html(maps["C3"]))
    small = inline_images(viz.small_layers_html(maps))
    stages = inline_images(viz.stages_html({"cropped": rng.random((90, 40)), "box": rng.random((20, 20)),
                                            "centred": rng.random((28, 28)), "input": rng.random((32, 32))}))
    assert [im.size for alt, _, im in c1 if alt.startswith("C1 map")] == [(28, 28)] * 6
    assert [im.size for alt, _, im in c1 if alt.startswith("kernel")] == [(5, 5)] * 6
    assert [im.size for _, _, im in c3] == [(10, 10)] * 16
    assert [im.size for _, _, im in small] == [(14, 14)] * 6 + [(5, 5)] * 16 + [(30, 4), (42, 2)]
    assert [im.size for _, _, im in stages] == [(40, 90), (20, 20), (28, 28), (32, 32)]
    for alt, shown, im in c1 + c3 + small + stages:   # enlarged for the eye (maps at least 4x), aspect kept
        assert shown[0] >= (1 if (alt, shown, im) in stages else 4) * im.width, alt
        assert abs(shown[0] / shown[1] - im.width / im.height) < 0.05, alt
    # C3's maps have both signs: blue (against) - white (0) - red (for) on the figure's shared limit,
    # as a linear blend written here from the colours' ends (not through lenet.colour's table)
    c3_maps = maps["C3"]
    t = (c3_maps / np.abs(c3_maps).max())[..., None]
    red, blue = np.array([200, 30, 40]), np.array([30, 70, 200])
    expected_c3 = np.where(t >= 0, 255 + (red - 255) * t, 255 + (blue - 255) * -t)
    for k, (_, _, im) in enumerate(c3):
        assert np.abs(np.asarray(im.convert("RGB")).astype(int) - expected_c3[:, :, k]).max() <= 3
    # C1's maps are never below 0: the one-sided map from 0 (black) to their largest value
    c1_maps = maps["C1"]
    for k, (_, _, im) in enumerate([t for t in c1 if t[0].startswith("C1 map")]):
        expected = colour.LUT[np.rint(c1_maps[:, :, k] / c1_maps.max() * 255).astype(int)]
        assert np.abs(np.asarray(im.convert("RGB")).astype(int) - expected).max() <= 3
    # C5's strip: 120 values in 4 rows of 30; no cell left over, F6's 84 leave none in 2 rows of 42
    assert np.asarray(small[-2][2]).shape == (4, 30, 4) and np.asarray(small[-2][2])[..., 3].min() == 255


def _text(page):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip())


def test_signed_maps_have_a_legend_naming_both_ends_and_zero():
    rng = np.random.default_rng(1)
    signed = rng.normal(size=(10, 10, 16))
    signed[0, 0, 0], signed[0, 1, 0] = -3.04, 2.0                # the range's ends: -3.04 .. 2.0
    signed = np.clip(signed, -3.04, 2.0)
    text = _text(viz.c3_html(signed))
    assert "activation: −3.0 against 0 +2.0 for" in text and "silent" not in text
    assert "sum: −3.0 against 0 +2.0 for" in _text(viz.c3_html(signed, stage=" · before squashing"))
    relu = np.abs(signed)
    assert "activation (≥ 0): 0 silent 3.0 strong" in _text(viz.c3_html(relu))
    # the white of the ramp sits where 0 is: 3.04 / 5.04 of the way along
    page = viz.c3_html(signed)
    assert "rgb(255,255,255) 60.3%" in page and 'class="lf-zero" style="left:60.3%"' in page


# ------------------------------------------------------------------ the kernels figure

FRAME = (150, 150, 150)    # the frame round a drawn kernel
OUTLINE = (225, 225, 225)  # the outline of a cell the connection table leaves out


def boxes(rgb, colour, side):
    """Top-left corners (y, x) of every side x side square whose whole border is `colour`."""
    on = (rgb == np.array(colour, np.uint8)).all(axis=-1)
    found = []
    for y, x in zip(*np.nonzero(on)):
        if y + side > on.shape[0] or x + side > on.shape[1]:
            continue
        b = on[y:y + side, x:x + side]
        if b[0].all() and b[-1].all() and b[:, 0].all() and b[:, -1].all():
            found.append((int(y), int(x)))
    return found


def test_kernels_figure_leaves_disconnected_cells_empty():
    """Every C3 kernel is non-zero here, so only the table can leave a cell empty: the figure's
    6x16 grid of cells, found by their borders, must be drawn exactly where the table connects,
    blank (white inside a light outline) where it does not, and the drawn cells must hold the
    kernel's own colours."""
    rng = np.random.default_rng(1)
    table = np.asarray(c3_connection_table(classic()))
    assert table.shape == (6, 16) and 0 < table.sum() < 96          # the paper's sparse table (60 links)
    k1 = rng.normal(size=(5, 5, 1, 6))
    k3 = rng.normal(size=(5, 5, 6, 16)) + 0.5                        # no zero kernels anywhere
    scale = 9
    side = 5 * scale + 2                                              # a 5x5 kernel, upscaled, in a 1 px frame
    rgb = np.asarray(viz.kernels_figure(k1, k3, table, "classic", scale=scale).convert("RGB"))

    drawn, blank = boxes(rgb, FRAME, side), boxes(rgb, OUTLINE, side)
    rows = sorted({y for y, _ in drawn + blank})
    cols = sorted({x for _, x in drawn + blank})
    assert len(rows) == 1 + 6 and len(cols) == 16, (rows, cols)      # C1's row, then one row per S2 map
    c1_row, c3_rows = rows[0], rows[1:]
    assert sorted(x for y, x in drawn if y == c1_row) == cols[:6] and not [b for b in blank if b[0] == c1_row]

    shown = np.zeros((6, 16), int)
    lim3 = np.abs(k3).max()
    for y, x in drawn:
        if y == c1_row:
            continue
        i, j = c3_rows.index(y), cols.index(x)
        shown[i, j] = 1
        inside = rgb[y + 1:y + side - 1, x + 1:x + side - 1]
        assert np.array_equal(inside, colour.upscale(colour.diverging(k3[:, :, i, j], lim3), scale)), (i, j)
    for y, x in blank:
        i, j = c3_rows.index(y), cols.index(x)
        shown[i, j] -= 1
        inside = rgb[y + 1:y + side - 1, x + 1:x + side - 1]
        assert (inside == 255).all(), f"cell S2 #{i + 1} -> C3 #{j + 1} is not connected but not empty"
    # each cell found exactly once, drawn where connected (1), blank where not (-1)
    np.testing.assert_array_equal(shown, np.where(table > 0, 1, -1))


def test_kernels_figure_of_a_full_table_has_no_empty_cell():
    rng = np.random.default_rng(2)
    rgb = np.asarray(viz.kernels_figure(rng.normal(size=(5, 5, 1, 6)), rng.normal(size=(5, 5, 6, 16)),
                                        np.ones((6, 16)), "modern", scale=9).convert("RGB"))
    assert len(boxes(rgb, FRAME, 47)) == 6 + 96 and boxes(rgb, OUTLINE, 47) == []
