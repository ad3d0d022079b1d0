"""Issue 8 walk-through: the sum patch·kernel + bias through the activation is the feature map's
value, for random pixels of C1 and C3 in both variants; explaining a sum before squashing (issue
15.2) stops at z; the layer rows report count_params."""
import re

import numpy as np
import pytest

from lenet import walkthrough as wt


def _drawing(seed):
    """A few random thick strokes on a white 280x280 canvas (RGBA)."""
    from PIL import Image, ImageDraw
    rng = np.random.default_rng(seed)
    im = Image.new("RGBA", (280, 280), (255, 255, 255, 255))
    d = ImageDraw.Draw(im)
    pts = [tuple(int(v) for v in rng.integers(50, 230, 2)) for _ in range(4)]
    d.line(pts, fill=(0, 0, 0, 255), width=22)
    return np.asarray(im)


@pytest.mark.parametrize("layer", ["C1", "C3"])
def test_patch_times_kernel_plus_bias_is_the_feature_map(recognizer, layer):
    w = wt.for_recognizer(recognizer)
    rng = np.random.default_rng(8)
    for seed in range(3):
        p = recognizer.predict(_drawing(seed))
        maps = p.feature_maps[layer]
        h, width, n = maps.shape
        picks = [tuple(rng.integers((n, h, width))) for _ in range(20)]
        picks.append(tuple(int(i) for i in np.unravel_index(np.argmax(maps.transpose(2, 0, 1)), (n, h, width))))
        for m, r, c in picks:
            e = w.explain(p.input, layer, int(m), int(r), int(c))
            assert e.patch.shape[:2] == (5, 5) and e.kernel.shape == e.patch.shape
            # recompute here, independently of explain()'s own bookkeeping
            z = float(np.sum(e.patch.astype("float64") * e.kernel.astype("float64"))) + e.bias
            assert e.z == pytest.approx(z, abs=1e-6)
            assert abs(e.value - float(maps[r, c, m])) < 1e-4, (layer, m, r, c)
            assert abs(e.feature_map_value - float(maps[r, c, m])) < 1e-5


def test_patch_is_read_from_the_scaled_input_and_s2(recognizer):
    w = wt.for_recognizer(recognizer)
    p = recognizer.predict(_drawing(1))
    e = w.explain(p.input, "C1", 0, 3, 4)
    assert np.allclose(e.patch[:, :, 0], 1.275 * p.input[3:8, 4:9] - 0.1, atol=1e-5)   # the scale layer
    e = w.explain(p.input, "C3", 15, 2, 1)
    assert np.allclose(e.patch, p.feature_maps["S2"][2:7, 1:6, :], atol=1e-5)
    assert e.rf_s2 == (2, 1, 5) and e.rf_input == (4, 2, 14)


def test_classic_c3_reads_only_connected_maps(recognizer):
    w = wt.for_recognizer(recognizer)
    p = recognizer.predict(_drawing(2))
    e = w.explain(p.input, "C3", 0, 0, 0)
    expected = [0, 1, 2] if recognizer.variant == "classic" else list(range(6))
    assert e.connected == expected
    assert len(e.per_input) == len(expected) and sum(e.per_input) == pytest.approx(e.total)


def test_layer_rows_report_count_params(recognizer):
    model = recognizer.model
    rows = wt.explained_rows(model)
    assert [r["layer"] for r in rows] == list(wt.ROWS)
    for r in rows[1:]:
        assert r["params"] == model.get_layer(r["layer"]).count_params()
        assert f"{r['params']:,}" in wt.row_markdown(r)
        assert r["what"]
    assert sum(r["params"] for r in rows) == model.count_params()
    expected = {"classic": 60_850, "modern": 61_706}[recognizer.variant]
    assert model.count_params() == expected


def test_click_geometry_round_trips():
    for layer, shape in (("C1", (28, 28, 6)), ("C3", (10, 10, 16))):
        for m, r, c in ((0, 0, 0), (shape[2] - 1, shape[0] - 1, shape[1] - 1), (2, 5, 7)):
            assert wt.locate(layer, wt.pixel_centre(layer, shape, m, r, c), shape) == (m, r, c)
        assert wt.locate(layer, (5, 2), shape) is None            # the caption band above a map


def test_images_and_text(recognizer):
    p = recognizer.predict(_drawing(3))
    ims = wt.row_images(recognizer, p)
    assert set(ims) == set(wt.ROWS)
    c1 = ims["C1"]
    g = wt.GRID["C1"]
    assert c1.width == g["cols"] * 28 * g["scale"] + (g["cols"] - 1) * wt.GRID_GAP
    w = wt.for_recognizer(recognizer)
    for layer in ("C1", "C3"):
        e = w.explain(p.input, layer, 1, 2, 3)
        assert wt.explanation_figure(e).width > 300
        html = wt.explanation_html(e)
        assert 'id="wt-value"' in html and 'id="wt-fm"' in html


@pytest.mark.parametrize("layer", ["C1", "C3"])
def test_explaining_a_sum_is_the_same_computation_without_the_activation(recognizer, layer):
    """pre=True (the map shows the sums before squashing): the value explained is z, which is what the
    map of sums holds there (an einsum over the whole map) and what Keras' layer gives with its
    activation off; f(z) stays the network's own value."""
    import keras
    w = wt.for_recognizer(recognizer)
    p = recognizer.predict(_drawing(4))
    layer_ = recognizer.model.get_layer(layer)
    reads = w.taps(p.input)[wt.SOURCE[layer]][None]
    saved, layer_.activation = layer_.activation, keras.activations.linear
    try:
        sums = np.asarray(layer_(reads))[0]
    finally:
        layer_.activation = saved
    rng = np.random.default_rng(3)
    h, width, n = sums.shape
    for m, r, c in [tuple(int(v) for v in rng.integers((n, h, width))) for _ in range(10)]:
        e = w.explain(p.input, layer, m, r, c, pre=True)
        assert e.pre and e.explained == e.z and e.z == pytest.approx(float(sums[r, c, m]), abs=1e-4)
        assert e.shown == pytest.approx(float(sums[r, c, m]), abs=1e-4)
        assert abs(e.value - float(p.feature_maps[layer][r, c, m])) < 1e-4      # f(z): the network's map
        html = wt.explanation_html(e)
        assert "before squashing" in html and 'id="wt-value"' in html and f"{e.z:.3f}" in html
        said = re.sub(r"<[^>]+>", " ", html)                    # what a person reads, not the data-* numbers
        assert not re.search(r"\de[+-]\d", said) and "+ +" not in said and "+ -" not in said   # as written by hand
        plain = w.explain(p.input, layer, m, r, c)
        assert plain.z == e.z and plain.explained == plain.value
        assert "before squashing" not in wt.explanation_html(plain)


def test_a_sum_is_written_as_by_hand():
    from lenet.walk_text import _agree, _terms
    assert _terms([2.0512, 1.9904, -0.5]) == "2.05 + 1.99 − 0.50"
    assert _agree(1.0, 1.0) == "The same as the network's own number (to the 3 decimals shown)."
    assert "differ by 0.010" in _agree(1.0, 1.01)
