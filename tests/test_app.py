"""The app: lenet.visualize unit tests, and the running app called through gradio_client."""
import base64
import io
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw

from conftest import ROOT

from lenet import visualize as viz
from lenet.model import classic, modern


# ------------------------------------------------------------------ visualize: unit tests

def test_colorize_maps_range_to_the_ends_of_the_colour_map():
    rgb = viz.colorize(np.array([[0.0, 0.5, 1.0]]))
    assert rgb.shape == (1, 3, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[0, 0]) == tuple(viz.LUT[0]) and tuple(rgb[0, 2]) == tuple(viz.LUT[255])
    assert rgb[0, 0].sum() < rgb[0, 1].sum() < rgb[0, 2].sum()   # dark = silent, bright = strong
    flat = viz.colorize(np.full((4, 4), 3.0))                      # constant map: no division by zero
    assert np.isfinite(flat).all()


def test_upscale_is_nearest_neighbour():
    a = np.arange(4, dtype="uint8").reshape(2, 2)
    up = viz.upscale(a, 3)
    assert up.shape == (6, 6)
    assert set(np.unique(up)) == {0, 1, 2, 3}                     # no blended values: pixels stay crisp
    assert (up[:3, :3] == 0).all() and (up[3:, 3:] == 3).all()


def test_diverging_kernel_colours():
    rgb = viz.diverging(np.array([[-1.0, 0.0, 1.0]]))
    assert tuple(rgb[0, 1]) == (255, 255, 255)
    assert rgb[0, 0, 2] > rgb[0, 0, 0] and rgb[0, 2, 0] > rgb[0, 2, 2]   # blue negative, red positive


def inline_images(page):
    """The pictures a figure's HTML carries: [(alt, displayed (w, h), decoded PIL image)]."""
    found = re.findall(r'<img class="[^"]*" src="data:image/png;base64,([^"]+)" width="(\d+)" height="(\d+)" '
                       r'alt="([^"]*)">', page or "")
    return [(alt, (int(w), int(h)), Image.open(io.BytesIO(base64.b64decode(data))))
            for data, w, h, alt in found]


def test_figures_carry_every_map_at_its_own_resolution():
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
    # the pixels are the maps through the colour map, on the figure's shared range
    c3_maps = maps["C3"]
    lo, hi = c3_maps.min(), c3_maps.max()
    for k, (_, _, im) in enumerate(c3):
        expected = viz.LUT[np.rint((c3_maps[:, :, k] - lo) / (hi - lo) * 255).astype(int)]
        assert np.abs(np.asarray(im.convert("RGB")).astype(int) - expected).max() <= 3
    # C5's strip: 120 values in 4 rows of 30; no cell left over, F6's 84 leave none in 2 rows of 42
    assert np.asarray(small[-2][2]).shape == (4, 30, 4) and np.asarray(small[-2][2])[..., 3].min() == 255


def _counts(model):
    return {r["layer"]: (r["trainable params"], r["connections"]) for r in viz.layer_rows(model)}


def test_classic_table_matches_the_paper():
    counts = _counts(classic())
    assert counts == {"input": (0, 0), "C1": (156, 122_304), "S2": (12, 5_880), "C3": (1_516, 151_600),
                      "S4": (32, 2_000), "C5": (48_120, 48_120), "F6": (10_164, 10_164), "OUT": (850, 850)}
    assert sum(p for p, _ in counts.values()) == 60_850
    rows = {r["layer"]: r for r in viz.layer_rows(classic())}
    assert rows["C1"]["size"] == "28×28" and rows["C1"]["kernel"] == "5×5" and rows["S2"]["stride"] == "2"
    assert viz.table_values(classic())[-1][-2:] == ["60,850", "340,918"]


def test_modern_table_counts_follow_from_the_model():
    m = modern()
    counts = _counts(m)
    assert counts["C1"] == (156, 122_304)
    assert counts["S2"] == (0, 14 * 14 * 6 * 4)           # max-pooling: 4 inputs per output, no weights
    assert counts["C3"] == (2_416, 100 * 2_416)
    assert sum(p for p, _ in counts.values()) == m.count_params() == 61_706


def test_c3_connection_table():
    table = viz.c3_connection_table(classic())
    assert table.shape == (6, 16) and table.sum() == 60
    assert viz.c3_connection_table(modern()).sum() == 96


def test_digit_html_and_note():
    assert "Draw a digit" in viz.digit_html(None, "Draw a digit first.")
    assert 'data-digit="7"' in viz.digit_html(7, None, 0.9, "modern")
    assert "<script>" not in viz.digit_html(None, "<script>")
    assert "Not sure" in viz.confidence_note(0.3) and viz.confidence_note(0.95) == ""


# ------------------------------------------------------------------ the running app

def digit_png(path, digit):
    """A digit drawn with Pillow lines, like a mouse drawing (black on white, 280x280)."""
    strokes = {
        1: [[(140, 50), (140, 230)]],
        7: [[(80, 55), (200, 55), (120, 235)]],
        0: [[(140 + 60 * np.cos(t), 140 + 90 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 60)]],
    }[digit]
    im = Image.new("RGB", (280, 280), "white")
    d = ImageDraw.Draw(im)
    for s in strokes:
        d.line(s, fill="black", width=20, joint="curve")
    im.save(path)
    return path


def call(client, composite, variant="modern"):
    from gradio_client import handle_file
    value = {"background": None, "layers": [],
             "composite": handle_file(str(composite)) if composite is not None else None}
    return client.predict(value, variant, api_name="/predict")


@pytest.fixture(scope="module")
def client(app_url):
    from gradio_client import Client
    return Client(app_url, verbose=False)


@pytest.mark.parametrize("digit", [1, 7, 0])
@pytest.mark.parametrize("variant", ["modern", "classic"])
def test_predict_through_gradio_client(client, tmp_path, digit, variant):
    html, note, label, stages, c1, c3, small = call(client, digit_png(tmp_path / f"{digit}.png", digit), variant)
    assert f'data-digit="{digit}"' in html, html
    assert label["label"] == str(digit)
    confidences = {c["label"]: c["confidence"] for c in label["confidences"]}
    assert set(confidences) == {str(d) for d in range(10)}
    assert abs(sum(confidences.values()) - 1) < 1e-4
    assert len(inline_images(stages)) == 4 and len(inline_images(c1)) == 12
    assert len(inline_images(c3)) == 16 and len(inline_images(small)) == 6 + 16 + 2


def test_empty_canvas_says_draw_a_digit(client):
    html, note, label, stages, c1, c3, small = call(client, None)
    assert "Draw a digit" in html and 'data-digit' not in html
    assert stages is None and c1 is None and c3 is None


def test_blank_white_image_is_not_a_digit(client, tmp_path):
    path = tmp_path / "blank.png"
    Image.new("RGB", (280, 280), "white").save(path)
    html = call(client, path)[0]
    assert "data-digit" not in html


def test_missing_weights_exit_at_once_with_one_line(tmp_path):
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    r = subprocess.run([sys.executable, str(ROOT / "app.py"), "--weights-dir", str(tmp_path), "--port", "1"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr + r.stdout
    assert "No weights at" in r.stderr and "python -m lenet train" in r.stderr


def test_corrupt_weights_exit_with_the_fix(tmp_path):
    for v in ("classic", "modern"):
        (tmp_path / f"lenet5_{v}.keras").write_bytes(b"not a zip")
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    r = subprocess.run([sys.executable, str(ROOT / "app.py"), "--weights-dir", str(tmp_path), "--port", "1"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "Traceback" not in r.stderr and "Cannot load" in r.stderr


def test_kernels_figure_leaves_disconnected_cells_empty():
    rng = np.random.default_rng(1)
    table = viz.c3_connection_table(classic())
    k3 = rng.normal(size=(5, 5, 6, 16)) * np.asarray(table)[None, None]
    im = viz.kernels_figure(rng.normal(size=(5, 5, 1, 6)), k3, table, "classic")
    assert im.mode == "RGB" and im.width > 16 * 45 and im.height > 6 * 45
