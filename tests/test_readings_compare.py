"""lenet/ui/readings/compare.py: the models side by side on one drawing (each its own answer, the
likeliest first), the sums before squashing on the switch (C1's against a loop over pixels), and the
facts computed for the comparison."""
import re

import numpy as np
import pytest
from ui_helpers import c1_sums_by_loop, figures, pad_value, pictures

from lenet.colour import paint, scale_of
from lenet.decode import EMPTY
from lenet.synthetic import draw
from lenet.ui.readings import compare, pad
from lenet.ui.readings.compare import comparison_markdown


def test_comparison_counts_zeros_and_negatives(modern):
    p = modern.predict(draw(3))
    md = comparison_markdown({"modern": p})
    c1 = p.feature_maps["C1"]
    assert f"{100 * np.mean(c1 == 0):.0f}%" in md.splitlines()[4]      # "C1 exactly zero", from the maps
    assert f"**{p.digit}**" in md


def test_compare_view_shows_every_model_on_the_same_drawing(room):
    out = compare.compare_view(room, pad_value(3), None, "pad")
    assert len(out) == compare.PER_MODEL * len(room.recognizers) + 1
    for k, variant in enumerate(room.variants):
        digit, probs = out[k * compare.PER_MODEL:k * compare.PER_MODEL + 2]
        assert 'data-digit="3"' in digit and f'data-model="{variant}"' in digit
        named = re.findall(r'<li data-digit="(\d)">', probs)      # the likeliest first, no rows of "0 %"
        assert named[0] == "3" and "0.0 %" not in probs and digit.count(">3<") == 1
    assert out[-1]
    empty = compare.compare_view(room, "", None, "pad")
    assert EMPTY in empty[0] and empty[-1] == ""



def test_compare_view_shows_the_sums_on_the_switch(room, inline_images):
    after, before = (compare.compare_view(room, pad_value(3), None, "pad", pre=pre) for pre in (False, True))
    n = compare.PER_MODEL
    for k, variant in enumerate(room.variants):
        rec = room.recognizers[variant]
        digit, probs, c1, c3 = before[k * n:(k + 1) * n]
        assert digit == after[k * n] and probs == after[k * n + 1]      # the answer does not change
        assert [t for t, _ in figures(c1)][0].endswith(" · before squashing")
        assert [t for t, _ in figures(c3)][0].endswith(" · before squashing")
        assert "squashing" not in after[k * n + 2] and "squashing" not in after[k * n + 3]
        assert not np.array_equal(pictures(inline_images, c1)[1], pictures(inline_images, after[k * n + 2])[1])
        z = c1_sums_by_loop(rec, rec.predict(pad.picture(pad_value(3))).input)
        lo, hi = (float(v) for v in re.search(r'data-lo="([^"]+)" data-hi="([^"]+)"', c1).groups())
        assert lo == pytest.approx(z.min(), abs=0.006) and hi == pytest.approx(z.max(), abs=0.006), variant
        maps = [im for alt, _, im in inline_images(c1) if alt.startswith("C1 map")]
        for m in range(6):
            shown_rgb = np.asarray(maps[m].convert("RGB")).astype(int)
            assert np.abs(shown_rgb - paint(z[:, :, m], scale_of(z))).max() <= 8, (variant, m)
    facts = before[-1]
    assert "C1 sums below 0 (before squashing)" in facts and "C1 exactly zero (after squashing)" in facts
    assert "before squashing" not in after[-1]

