"""lenet/preactivation.py: every layer's sums before the squashing function, checked against a plain
loop over pixels, against the Keras layers with their activation taken off, and against the maps the
committed networks themselves produce; max-pooling has none and says so."""
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
    assert pre["C5"].shape == (120,) and pre["F6"].shape == (84,)
    for name, post in preactivation.squashed(rec, pre).items():
        np.testing.assert_allclose(post, p.feature_maps[name], atol=2e-4)
    if variant == "modern":   # ReLU: the sums hold the negative values the maps clip to 0
        assert pre["C1"].min() < 0 and p.feature_maps["C1"].min() >= 0


def test_the_first_tab_shows_the_sums_when_asked(room, inline_images):
    from lenet.ui.readings import draw as reading
    rec = room.recognizers["classic"]
    p = rec.predict(draw(4, canvas=280))
    after, before = (reading.page_view(room, p, "classic", pre=pre) for pre in (False, True))
    assert "before squashing" in before[3] and "before squashing" in before[4] and "before squashing" not in after[3]
    assert before[0] == after[0] and before[1] == after[1]          # the answer does not change
    maps = [np.asarray(im.convert("RGB")) for alt, _, im in inline_images(before[3]) if alt.startswith("C1 map")]
    assert len(maps) == 6 and any(
        not np.array_equal(a, np.asarray(im.convert("RGB")))
        for a, (alt, _, im) in zip(maps, [t for t in inline_images(after[3]) if t[0].startswith("C1 map")]))


@pytest.mark.parametrize("variant", ["classic", "modern", "paper"])
def test_sums_are_the_keras_layers_without_their_activation(room, variant):
    """Every layer's sums on the served (LiteRT) path, its weights read from the facts files, against
    Keras itself: the Keras layer called on the network's own output of the layer before it, with its
    activation set to linear (Keras' convolution, subsampling and matmul, not lenet.preactivation's)."""
    import keras
    from conftest import _load
    model = _load(variant).model
    rec = room.recognizers[variant]
    p = rec.predict(draw(6, canvas=280))
    pre = preactivation.sums(rec, p)
    squashing = {"classic": preactivation.SHOWN, "paper": preactivation.SHOWN, "modern": ("C1", "C3", "C5", "F6")}
    assert tuple(pre) == squashing[variant]          # max-pooling has no sums, and none are invented
    fm = p.feature_maps
    reads = {"C1": model.get_layer("scale")(p.input[None, :, :, None]), "S2": fm["C1"][None],
             "C3": fm["S2"][None], "S4": fm["C3"][None], "C5": fm["S4"][None], "F6": fm["C5"][None]}
    for name, z in pre.items():
        layer = model.get_layer(name)
        saved, layer.activation = layer.activation, keras.activations.linear
        try:
            want = np.asarray(layer(reads[name])).reshape(z.shape)
        finally:
            layer.activation = saved
        np.testing.assert_allclose(z, want, atol=1e-4, rtol=1e-5, err_msg=name)
        assert not np.allclose(z, fm[name], atol=1e-3), name       # the sums are not the maps


def test_relus_zeros_are_the_negative_sums(room):
    rec = room.recognizers["modern"]
    p = rec.predict(draw(2, canvas=280))
    for name, z in preactivation.sums(rec, p).items():
        clear = np.abs(z) > 1e-4                                    # away from the float32 tie at 0
        assert np.array_equal((p.feature_maps[name] == 0)[clear], (z < 0)[clear]), name
        assert z.min() < 0, name


def test_shown_says_which_is_shown(room):
    p_modern = room.recognizers["modern"].predict(draw(5, canvas=280))
    maps, stages = preactivation.shown(room.recognizers["modern"], p_modern, False)
    assert set(stages.values()) == {""} and all(maps[n] is p_modern.feature_maps[n] for n in maps)
    maps, stages = preactivation.shown(room.recognizers["modern"], p_modern, True)
    assert stages == {"C1": preactivation.BEFORE, "S2": preactivation.NO_SQUASHING, "C3": preactivation.BEFORE,
                      "S4": preactivation.NO_SQUASHING, "C5": preactivation.BEFORE, "F6": preactivation.BEFORE}
    assert maps["S2"] is p_modern.feature_maps["S2"] and maps["S4"] is p_modern.feature_maps["S4"]
    assert "max-pooling" in preactivation.NO_SQUASHING and "no squashing" in preactivation.NO_SQUASHING
    p_paper = room.recognizers["paper"].predict(draw(5, canvas=280))
    maps, stages = preactivation.shown(room.recognizers["paper"], p_paper, True, ("S4", "F6"))
    assert stages == {"S4": preactivation.BEFORE, "F6": preactivation.BEFORE} and maps["F6"].shape == (84,)
