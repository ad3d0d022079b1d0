"""lenet/ui/readings/walkthrough.py: the walk-through tab's view of a drawing, its rows and reset, the
sums before squashing on the switch (C1's against a loop over pixels), and a click explaining a sum."""
import re

import numpy as np
import pytest
from ui_helpers import c1_sums_by_loop, pad_value

from lenet import preactivation
from lenet import walkthrough as walk
from lenet.colour import paint
from lenet.decode import EMPTY
from lenet.ui.readings import walkthrough


def test_walk_view_shows_the_sums_on_the_switch(room):
    n = len(walk.ROWS)
    for variant in ("classic", "modern", "paper"):
        after, before = (walkthrough.walk_view(room, pad_value(2), None, variant, "pad", pre=pre)
                         for pre in (False, True))
        md_after, md_before = (dict(zip(walk.ROWS, out[2:2 + n])) for out in (after, before))
        im_after, im_before = (dict(zip(walk.ROWS, out[2 + n:2 + 2 * n])) for out in (after, before))
        assert "before the squashing function" in before[1] and "squashing function" not in after[1]
        for name in walk.ROWS:
            title = md_before[name].splitlines()[0]
            same = np.array_equal(np.asarray(im_before[name]), np.asarray(im_after[name]))
            assert "squashing" not in md_after[name].splitlines()[0]
            if name in ("input", "OUT"):
                assert md_before[name] == md_after[name] and same, (variant, name)
            elif variant == "modern" and name in ("S2", "S4"):
                assert title.endswith(preactivation.NO_SQUASHING) and same, (variant, name)
            else:
                assert title.endswith(" · before squashing") and not same, (variant, name)


def test_walk_view_c1_grid_shows_the_sums(room):
    rec = room.recognizers["classic"]
    out = walkthrough.walk_view(room, pad_value(4), None, "classic", "pad", pre=True)
    x32, grid = out[0], np.asarray(out[2 + len(walk.ROWS) + walk.ROWS.index("C1")])
    z = c1_sums_by_loop(rec, x32)
    colours = paint(z)
    for m, r, c in ((0, 0, 0), (3, 14, 9), (5, 27, 27)):
        x, y = walk.pixel_centre("C1", z.shape, m, r, c)
        assert np.abs(grid[y, x].astype(int) - colours[r, c, m]).max() <= 8, (m, r, c)


def test_a_click_on_a_map_of_sums_explains_the_sum(room):
    rec = room.recognizers["classic"]
    x32 = walkthrough.walk_view(room, pad_value(4), None, "classic", "pad", pre=True)[0]
    z = c1_sums_by_loop(rec, x32)
    m, r, c = 2, 12, 11
    index = walk.pixel_centre("C1", z.shape, m, r, c)
    _, sum_html = walkthrough.explain(room, x32, "classic", "C1", index, pre=True)
    _, act_html = walkthrough.explain(room, x32, "classic", "C1", index)
    assert "before squashing" in sum_html and 'data-stage="before"' in sum_html and "before squashing" not in act_html
    data = {k: float(v) for k, v in re.findall(r'data-(sum|fm)="([^"]+)"', sum_html)}
    assert data["sum"] == pytest.approx(z[r, c, m], abs=1e-4) and data["fm"] == pytest.approx(z[r, c, m], abs=1e-4)
    act = {k: float(v) for k, v in re.findall(r'data-(sum|fm)="([^"]+)"', act_html)}
    assert act["sum"] == pytest.approx(1.7159 * np.tanh(2 / 3 * z[r, c, m]), abs=1e-4)   # the same sum, squashed
    assert act["sum"] != pytest.approx(data["sum"], abs=1e-3)
    prompt = walkthrough.explain(room, x32, "classic", "C1", (1, 1), pre=True)   # the caption band
    assert prompt == (None, walk.EXPLAIN_PROMPT)


def test_walk_view_rows_and_reset(room):
    n = len(walk.ROWS)
    out = walkthrough.walk_view(room, pad_value(2), None, "classic", "pad")
    assert len(out) == 2 + 2 * n + 3 and out[0].shape == (32, 32)
    assert all(im is not None for im in out[2 + n:2 + 2 * n]) and out[-1] == walk.EXPLAIN_PROMPT
    empty = walkthrough.walk_view(room, "", None, "classic", "pad")
    assert empty[0] is None and EMPTY in empty[1] and len(empty) == len(out)
