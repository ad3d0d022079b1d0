"""The builders against the paper's table; the committed weights against their model cards."""
import json

import numpy as np
import pytest

from lenet.model import C3_TABLE, LAYERS, build
from lenet.train import card_path, evaluate_model, weights_path

# Trainable parameters per layer: LeCun et al. 1998 for classic; the ReLU/max-pool variant
# has no subsampling weights and a full 6x16 C3.
PAPER = {
    "classic": {"C1": 156, "S2": 12, "C3": 1516, "S4": 32, "C5": 48120, "F6": 10164, "OUT": 850},
    "modern": {"C1": 156, "S2": 0, "C3": 2416, "S4": 0, "C5": 48120, "F6": 10164, "OUT": 850},
}
SHAPES = {"C1": (28, 28, 6), "S2": (14, 14, 6), "C3": (10, 10, 16), "S4": (5, 5, 16),
          "C5": (1, 1, 120), "F6": (84,), "OUT": (10,)}
BARS = {"modern": 0.994, "classic": 0.992}


@pytest.mark.parametrize("variant", ["classic", "modern"])
def test_parameter_counts_and_shapes_follow_the_paper(variant):
    model = build(variant)
    for name in LAYERS:
        layer = model.get_layer(name)
        assert layer.count_params() == PAPER[variant][name], name
        assert tuple(layer.output.shape[1:]) == SHAPES[name], name
    assert model.count_params() == {"classic": 60850, "modern": 61706}[variant]


def test_c3_table_is_the_papers():
    sizes = [len(row) for row in C3_TABLE]
    assert sizes == [3] * 6 + [4] * 9 + [6]
    assert sum(sizes) * 25 + 16 == 1516


def test_classic_c3_ignores_what_its_table_disconnects():
    import keras
    model = build("classic")
    c3 = keras.Model(model.get_layer("S2").output, model.get_layer("C3").output)
    rng = np.random.default_rng(0)
    s2 = rng.normal(size=(1, 14, 14, 6)).astype("float32")
    base = np.asarray(c3(s2))
    for i in range(6):
        changed = s2.copy()
        changed[..., i] += rng.normal(size=(1, 14, 14)).astype("float32") * 3
        moved = np.abs(np.asarray(c3(changed)) - base).max(axis=(0, 1, 2)) > 1e-6
        for j, row in enumerate(C3_TABLE):
            assert moved[j] == (i in row), f"S2 map {i} -> C3 map {j}"


@pytest.mark.parametrize("variant", ["classic", "modern"])
def test_committed_weights_reach_their_card_and_the_bar(variant, mnist_test):
    import keras
    from lenet.data import to_input
    model = keras.saving.load_model(weights_path(variant), safe_mode=True)
    card = json.loads(card_path(variant).read_text())
    x, y = mnist_test
    scores = evaluate_model(model, to_input(x), y)
    assert scores["test_accuracy"] == pytest.approx(card["test_accuracy"], abs=2e-4)
    assert scores["test_accuracy"] >= BARS[variant]
    assert card["parameters"] == {**PAPER[variant], "total": sum(PAPER[variant].values())}


@pytest.mark.slow
def test_training_smoke(tmp_path, mnist_test):
    """The CLI end to end on a small slice, in its own process (training sets global
    TensorFlow determinism, which must not leak into the other tests)."""
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-m", "lenet", "train", "--variant", "classic", "--epochs", "1",
                          "--limit", "512", "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "classic: test accuracy" in run.stdout
    card = json.loads((tmp_path / "lenet5_classic.json").read_text())
    assert (tmp_path / "lenet5_classic.keras").is_file() and (tmp_path / "lenet5_classic_curves.png").is_file()
    assert card["test_accuracy"] > 0.3  # one tiny epoch beats chance (0.1)
    assert np.array(card["confusion_matrix"]).sum() == 512
