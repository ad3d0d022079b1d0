"""lenet/learning.py: a snapshot file in the documented format (made here from the models' random
initialisation, the committed trained weights and the point half-way) is read back, and its numpy
forward is checked against Keras itself (lenet.model.build + set_weights of the same weights) on
MNIST test images, for every variant; an OUT with an 11th "not a digit" unit and an extra head;
one sentence for a missing, damaged or incomplete file; the kernels' smoothness measure on made-up
kernels whose answer is known."""
import numpy as np
import pytest

from lenet import learning
from lenet.network import VARIANTS

STEPS = (0, 40, 860)   # initialisation, a few batches, two epochs (made-up, for the format)


def keras_states(variant, seed=0):
    """(model, [initial weights, half-way, committed trained weights]) for `variant`."""
    import keras

    from lenet.model import build
    from lenet.paths import keras_path
    if not keras_path(variant).is_file():
        pytest.skip(f"{keras_path(variant)} not trained yet")
    keras.utils.set_random_seed(seed)
    model = build(variant)
    start = model.get_weights()
    trained = keras.saving.load_model(keras_path(variant), safe_mode=True, compile=False).get_weights()
    half = [(a + b) / 2 for a, b in zip(start, trained)]
    return model, [start, half, trained]


def write_snapshots(path, names, states, variant, extra=None):
    """A snapshot file as the brief specifies it (float16 weights), for weight `names` and `states`
    (one list of arrays per snapshot); `extra`: more "w:<path>" arrays {path: (K, ...)}."""
    k = len(states)
    steps = np.array(STEPS[:k] if k <= len(STEPS) else range(k), "int64")
    arrays = {f"w:{n}": np.stack([s[i] for s in states]).astype("float16") for i, n in enumerate(names)}
    names = list(names)
    for n, v in (extra or {}).items():
        arrays[f"w:{n}"] = np.asarray(v, "float16")
        names.append(n)
    np.savez_compressed(path, step=steps, epoch=steps / 430, loss=np.linspace(2.3, 0.05, k),
                        train_accuracy=np.linspace(0.1, 0.99, k), test_accuracy=np.linspace(0.1, 0.985, k),
                        steps_per_epoch=np.int64(430), batch_size=np.int64(128), variant=np.str_(variant),
                        notes=np.str_("made by tests/test_learning.py"), names=np.array(names), **arrays)
    return path


def make_snapshots(folder, variant):
    """weights-folder/lenet5_<variant>_snapshots.npz from keras_states; returns (model, path)."""
    model, states = keras_states(variant)
    path = write_snapshots(learning.path(variant, folder), [w.path for w in model.weights], states, variant)
    return model, path


def keras_outputs(model, weights, x):
    """C1, C3 and OUT of the Keras model with `weights` on x (N, 32, 32): the independent computation."""
    from lenet.model import has_rbf_output
    from lenet.network import digit_probabilities
    from lenet.recognizer import _functional
    model.set_weights(weights)
    probe = _functional(model, [model.get_layer(n).output for n in ("C1", "C3", "OUT")])
    c1, c3, out = (np.asarray(o) for o in probe(x[..., None].astype("float32")))
    return c1, c3, digit_probabilities(out) if has_rbf_output(model) else out


@pytest.fixture(scope="module")
def mnist32(mnist_test):
    from lenet.data import to_input
    x, y = mnist_test
    return to_input(x[:12])[..., 0], y[:12]


@pytest.mark.parametrize("variant", VARIANTS)
def test_numpy_forward_matches_keras_at_every_snapshot(variant, tmp_path, mnist32):
    model, path = make_snapshots(tmp_path, variant)
    snaps = learning.load(path)
    assert len(snaps) == 3 and snaps.variant == variant and list(snaps.step) == list(STEPS)
    x, y = mnist32
    for at in range(len(snaps)):
        weights = [snaps.weights[w.path][at] for w in model.weights]   # the float16 values, as float32
        c1, c3, probs = keras_outputs(model, weights, x)
        for i in range(len(x)):
            r = learning.forward(snaps, x[i], at)
            np.testing.assert_allclose(r.c1[0], c1[i], atol=1e-4)
            np.testing.assert_allclose(r.c3[0], c3[i], atol=1e-4)
            np.testing.assert_allclose(r.probabilities[0], probs[i], atol=1e-4)
            np.testing.assert_array_equal(r.kernels[0], weights[0])
    trained = learning.forward(snaps, x[0])                   # every snapshot at once: the same numbers
    np.testing.assert_allclose(trained.c3[2], learning.forward(snaps, x[0], 2).c3[0], atol=1e-6)
    final = [learning.forward(snaps, xi, 2).digit[0] for xi in x]
    assert np.mean(np.array(final) == y) >= 11 / 12           # the committed model reads MNIST


def test_readings_have_one_row_per_snapshot(tmp_path, mnist32):
    _, path = make_snapshots(tmp_path, "classic")
    snaps = learning.load(path)
    x, y = mnist32
    rows = learning.readings(snaps, x[0])
    assert [r["step"] for r in rows] == list(STEPS)
    assert rows[-1]["digit"] == y[0] and rows[-1]["confidence"] > 0.9
    for r in rows:
        assert abs(sum(r["probabilities"]) - 1) < 2e-3 and r["confidence"] == max(r["probabilities"])
        assert "not_a_digit" not in r and 0 <= r["test_accuracy"] <= 1
    assert "not_a_digit" in learning.readings(learning.load(make_snapshots(tmp_path, "paper")[1]), x[0])[0]


def test_an_eleventh_out_unit_is_not_a_digit_and_an_extra_head_is_ignored(tmp_path, mnist32):
    """OUT with 11 units whose 11th copies digit 3's column: the ten digits' shares are the 10-unit
    model's (Keras), and "not a digit" takes p3 / (1 + p3) of the whole."""
    model, states = keras_states("modern")
    names = [w.path for w in model.weights]
    k, b = names.index("OUT/kernel"), names.index("OUT/bias")
    wide = []
    for s in states:
        s = list(s)
        s[k], s[b] = np.concatenate([s[k], s[k][:, 3:4]], 1), np.concatenate([s[b], s[b][3:4]])
        wide.append(s)
    head = {"REJECT/kernel": np.ones((3, 84, 2)), "REJECT/bias": np.zeros((3, 2))}
    snaps = learning.load(write_snapshots(tmp_path / "wide.npz", names, wide, "modern", extra=head))
    x, _ = mnist32
    for at in range(3):
        _, _, probs = keras_outputs(model, [snaps.weights[n][at] if n not in ("OUT/kernel", "OUT/bias") else
                                            snaps.weights[n][at][..., :10] for n in names], x[:4])
        r = learning.forward(snaps, x[:4][0], at)
        np.testing.assert_allclose(r.probabilities[0], probs[0], atol=1e-4)
        assert r.not_a_digit[0] == pytest.approx(probs[0][3] / (1 + probs[0][3]), abs=1e-4)


def test_a_missing_damaged_or_incomplete_file_is_one_sentence(tmp_path):
    with pytest.raises(learning.SnapshotsError, match=r"no training snapshots for the paper model \("):
        learning.load(learning.path("paper", tmp_path), "paper")
    (tmp_path / "junk.npz").write_bytes(b"not a zip file")
    with pytest.raises(learning.SnapshotsError, match="cannot be read"):
        learning.load(tmp_path / "junk.npz")
    rng = np.random.default_rng(0)
    part = write_snapshots(tmp_path / "part.npz", ["C1/kernel", "C1/bias"],
                           [[rng.normal(size=(5, 5, 1, 6)), np.zeros(6)]] * 2, "modern")
    with pytest.raises(learning.SnapshotsError, match=r"incomplete \(no C3/kernel"):
        learning.load(part)


def test_smoothness_tells_static_from_smooth_kernels():
    rng = np.random.default_rng(1)
    static = rng.uniform(-1, 1, (5, 5, 1, 6))
    ramp = np.broadcast_to(np.linspace(-1, 1, 5)[:, None, None, None], (5, 5, 1, 6))   # an edge: light above dark
    assert abs(learning.smoothness(static)) < 0.25
    assert learning.smoothness(ramp) > 0.5
    assert learning.smoothness(-ramp) == pytest.approx(learning.smoothness(ramp))
    checker = np.indices((5, 5)).sum(0) % 2 * 2.0 - 1                                   # neighbours always differ
    assert learning.smoothness(np.broadcast_to(checker[:, :, None, None], (5, 5, 1, 6))) < -0.5


@pytest.mark.parametrize("variant", ["classic", "modern", "paper"])
def test_the_last_snapshot_judged_by_the_card_rule_refuses_what_the_served_model_refuses(variant):
    """REJECT has no weights: the Learning tab judges each snapshot by the served model's calibrated
    rule from its card. At the last snapshot (the committed model) the result must be the served
    recogniser's own digit_score, on digits and on scribbles alike."""
    from lenet import Recognizer, card, learning, nondigits
    from lenet.synthetic import draw
    rec = Recognizer.load(variant)
    snaps = learning.load(learning.path(variant), variant)
    rule = learning.rejection_rule(card.read(None, variant)[0])
    assert rule is not None
    rng = np.random.default_rng(3)
    pictures = [draw(d, canvas=280) for d in (1, 4, 7)] + [255 - nondigits.scribble(rng) for _ in range(4)]
    # float16 snapshot weights move an output by ~1e-3 of itself: the paper's score is a sigmoid of
    # distances near ~30 at its threshold (slope 1/4 there), the softmax variants' a sigmoid of
    # slope ~5 (the card's) of a log-probability
    tolerance = 1e-2 if rec.rbf else 5e-3
    for picture in pictures:
        p = rec.predict(picture)
        r = learning.forward(snaps, p.input, [len(snaps) - 1], rec.facts.activations.get("C1"), rule)
        assert 1.0 - r.not_a_digit[0] == pytest.approx(p.digit_score, abs=tolerance)
        if abs(p.digit_score - 0.5) > tolerance:
            assert (1.0 - r.not_a_digit[0] >= 0.5) == p.is_digit
