"""lenet/preactivation.py: the C1 and C3 sums before the squashing function, checked against a plain
loop over pixels and against the maps the committed networks themselves produce."""
import numpy as np
import pytest

from lenet import preactivation
from lenet.synthetic import draw


def test_correlate_matches_a_loop_over_pixels():
    rng = np.random.default_rng(1)
    x, k, b = rng.normal(size=(9, 8, 3)), rng.normal(size=(5, 5, 3, 4)), rng.normal(size=4)
    got = preactivation.correlate(x, k, b)
    want = np.zeros((5, 4, 4))
    for r in range(5):
        for c in range(4):
            for o in range(4):
                want[r, c, o] = np.sum(x[r:r + 5, c:c + 5, :] * k[:, :, :, o]) + b[o]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("variant", ["classic", "modern", "paper"])
def test_squashed_sums_are_the_networks_own_maps(room, variant):
    rec = room.recognizers[variant]
    p = rec.predict(draw(4, canvas=280))
    pre = preactivation.sums(rec, p)
    assert pre["C1"].shape == (28, 28, 6) and pre["C3"].shape == (10, 10, 16)
    for name, post in preactivation.squashed(rec, pre).items():
        np.testing.assert_allclose(post, p.feature_maps[name], atol=2e-4)
    if variant == "modern":   # ReLU: the sums hold the negative values the maps clip to 0
        assert pre["C1"].min() < 0 and p.feature_maps["C1"].min() >= 0


def test_the_first_tab_shows_the_sums_when_asked(room, inline_images):
    from lenet.ui import draw_tab
    rec = room.recognizers["classic"]
    p = rec.predict(draw(4, canvas=280))
    after, before = (draw_tab.page_view(room, p, "classic", pre=pre) for pre in (False, True))
    assert "before squashing" in before[3] and "before squashing" in before[4] and "before squashing" not in after[3]
    assert before[0] == after[0] and before[1] == after[1]          # the answer does not change
    maps = [np.asarray(im.convert("RGB")) for alt, _, im in inline_images(before[3]) if alt.startswith("C1 map")]
    assert len(maps) == 6 and any(
        not np.array_equal(a, np.asarray(im.convert("RGB")))
        for a, (alt, _, im) in zip(maps, [t for t in inline_images(after[3]) if t[0].startswith("C1 map")]))
