"""lenet/rbf.py: the paper's RBF ending shown -- F6 and the nearest code as 7x12 pictures (read back
with Pillow), the ten distances, the OUT figure's click geometry, and one distance explained, checked
against what the committed paper network computes. Also where the page shows them (draw tab, walk-through)."""
import re

import numpy as np
import pytest
from PIL import Image

from lenet import rbf
from lenet import walkthrough as walk
from lenet.codes import CODES, code_matrix
from lenet.synthetic import draw
from lenet.ui.readings import draw as reading
from lenet.ui.readings import walkthrough


@pytest.fixture(scope="module")
def paper(room):
    return room.recognizers["paper"]


@pytest.fixture(scope="module")
def seven(paper):
    return paper.predict(draw(7, canvas=280))


def test_ink_draws_codes_as_the_strings_read():
    for d, rows in CODES.items():
        grey = rbf.ink(code_matrix()[d])[..., 0]
        expected = np.array([[0 if c == "#" else 255 for c in r] for r in rows])
        np.testing.assert_array_equal(grey, expected)
    f6 = np.linspace(-1.7159, 1.7159, 84)          # the scaled tanh's range: clipped to full paper / ink
    g = rbf.ink(f6)[..., 0].reshape(-1).astype(int)
    assert g[0] == 255 and g[-1] == 0 and np.all(np.diff(g) <= 0)


def test_first_tab_panel_carries_f6_the_nearest_code_and_ten_distances(seven, inline_images):
    html = rbf.prediction_html(seven)
    pics = inline_images(html)
    assert [im.size for _, _, im in pics] == [(7, 12), (7, 12)]
    f6, code = (np.asarray(im.convert("L")).astype(int) for _, _, im in pics)
    np.testing.assert_array_equal(f6, rbf.ink(seven.feature_maps["F6"])[..., 0])
    np.testing.assert_array_equal(code, rbf.ink(code_matrix()[7])[..., 0])    # the 7's own code string
    shown = [float(v) for v in re.findall(r'data-d="([0-9.]+)"', html)]
    np.testing.assert_allclose(shown, seven.distances, atol=1e-5)
    assert re.findall(r'class="rbf-d rbf-top" data-digit="(\d)"', html) == ["7"]
    assert seven.digit == 7 and 'data-nearest="7"' in html


def test_a_softmax_ending_has_no_panel(room):
    assert rbf.prediction_html(room.recognizers["modern"].predict(draw(7, canvas=280))) == ""


def test_out_figure_clicks_land_on_the_digit_whose_column_was_hit(seven):
    im = rbf.out_figure(seven.feature_maps["F6"], seven.distances, seven.codes)
    for d in range(10):
        x, y = rbf.out_centre(d)
        assert x < im.width and y < im.height and rbf.out_locate([x, y]) == d
    assert rbf.out_locate([rbf.GAP + 5, rbf.TOP + 5]) is None           # on the F6 picture
    assert rbf.out_locate([im.width - 1, 2]) is None                    # the title band
    # the F6 picture in the figure is ink(F6) enlarged PIC times (inside its 1 px frame)
    side = (rbf.COLS * rbf.PIC, rbf.ROWS * rbf.PIC)
    crop = np.asarray(im.crop((rbf.GAP + 1, rbf.TOP + 1, rbf.GAP + 1 + side[0], rbf.TOP + 1 + side[1])))
    big = np.asarray(Image.fromarray(rbf.ink(seven.feature_maps["F6"])).resize(side, Image.NEAREST))
    np.testing.assert_array_equal(crop, big)


def test_explaining_a_distance_gives_what_the_network_computed(paper, seven):
    for d in (7, 1, 8):
        e = rbf.explain(seven.feature_maps["F6"], paper.codes, seven.distances, d)
        assert e.total == pytest.approx(float(seven.distances[d]), rel=1e-5, abs=1e-4)   # the network's own OUT
        assert e.per_row.shape == (12,) and e.per_row.sum() == pytest.approx(e.total)
        html = rbf.explanation_html(e)
        assert f'data-map="{d}"' in html
        s, fm = (float(v) for v in re.search(r'data-sum="([^"]+)" data-fm="([^"]+)"', html).groups())
        assert abs(s - fm) < 1e-4
        assert rbf.explanation_figure(e).size[1] >= 12 * 14
    close, far = (rbf.explain(seven.feature_maps["F6"], paper.codes, seven.distances, d) for d in (7, 0))
    assert close.agree > far.agree and close.total < far.total


def test_the_page_shows_the_panel_for_paper_only(room, seven):
    assert reading.page_view(room, seven, "paper")[6] == rbf.prediction_html(seven)
    assert reading.page_view(room, room.recognizers["classic"].predict(draw(7, canvas=280)), "classic")[6] == ""


def test_walkthrough_out_row_and_click(room, paper, seven):
    rows = {r["layer"]: r for r in walk.explained_rows(paper.model)}
    assert "7×12 code" in rows["OUT"]["what"]
    assert walk.row_images(paper, seven)["OUT"].size == rbf.out_figure(
        seven.feature_maps["F6"], seven.distances, seven.codes).size
    fig, html = walkthrough.out_click_view(paper, seven.input, rbf.out_centre(3))
    assert fig is not None and 'data-map="3"' in html
    assert float(re.search(r'data-fm="([^"]+)"', html).group(1)) == pytest.approx(float(seven.distances[3]), rel=1e-5)
    assert walkthrough.out_click_view(paper, seven.input, [0, 0]) == (None, rbf.EXPLAIN_PROMPT)
    assert walkthrough.out_click_view(room.recognizers["modern"], seven.input, [0, 0]) == (None, "")
