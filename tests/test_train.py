"""Training: the paper's loss against eq. 9 written out, and the CLI end to end on a small slice."""
import json

import numpy as np
import pytest

from lenet.model import RUBBISH_J, posterior
from lenet.train import DEFAULTS, RUBBISH_FAR, paper_loss, scores


def test_paper_loss_is_eq9_and_minus_log_posterior():
    y = np.random.default_rng(4).uniform(0, 40, (6, 10)).astype("float32")
    labels = np.arange(6)
    loss = np.asarray(paper_loss(labels, y))
    # eq. 9 of LeCun et al. 1998 per image: y_D + log(e^-j + sum_i e^-y_i)
    eq9 = y[labels, labels] + np.log(np.exp(-RUBBISH_J) + np.exp(-y.astype("float64")).sum(1))
    np.testing.assert_allclose(loss, eq9, rtol=1e-5)
    np.testing.assert_allclose(loss, -np.log(posterior(y)[labels, labels]), rtol=1e-5)


def test_paper_loss_on_a_non_digit_is_the_rubbish_class_at_the_farther_j():
    y = np.random.default_rng(5).uniform(0, 60, (6, 10)).astype("float32")
    loss = np.asarray(paper_loss(np.full(6, 10), y))
    np.testing.assert_allclose(loss, -np.log(posterior(y, RUBBISH_FAR)[:, -1]), rtol=1e-5)
    far = np.asarray(paper_loss(np.full(2, 10), np.full((2, 10), RUBBISH_FAR + 20, "float32")))
    assert (far < 1e-6).all()    # past the farther j every code is far enough: no loss


def test_scores_count_a_confusion_matrix():
    s = scores([0, 1, 1, 2], [0, 1, 2, 2])
    assert s["test_accuracy"] == 0.75
    assert s["confusion_matrix"][2][1] == 1 and s["per_class_accuracy"]["2"] == 0.5


def test_cli_defaults_come_from_train(monkeypatch):
    import lenet.cli as cli
    seen = {}
    monkeypatch.setattr(cli, "_train", lambda args: seen.update(vars(args)) or 0)
    assert cli.main(["train", "--variant", "paper", "--out", "/nowhere"]) == 0   # the old name still works
    assert seen["epochs"] == DEFAULTS["epochs"] and seen["lr"] == DEFAULTS["learning_rate"]
    assert seen["batch_size"] == DEFAULTS["batch_size"] and seen["seed"] == DEFAULTS["seed"]
    assert seen["weights_dir"] == "/nowhere"


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["paper"])
def test_training_smoke(variant, tmp_path, mnist_test):
    """The CLI end to end on a small slice, in its own process (training sets global TensorFlow
    determinism, which must not leak into the other tests): weights, .tflite, card, plots, sets."""
    import subprocess
    import sys
    # 2 epochs of 16 steps: the RBF ending starts ~84 from every code and needs a few steps more
    # than a softmax to leave chance (measured: 1 epoch of 4 steps stays at 11 %)
    run = subprocess.run([sys.executable, "-m", "lenet", "train", "--variant", variant, "--epochs", "2",
                          "--limit", "2048", "--weights-dir", str(tmp_path)], capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"{variant}: test accuracy" in run.stdout
    card = json.loads((tmp_path / f"lenet5_{variant}.json").read_text())
    for suffix in (".keras", ".tflite", "_curves.png", "_confusion.png"):
        assert (tmp_path / f"lenet5_{variant}{suffix}").is_file(), suffix
    assert card["test_accuracy"] > 0.3  # two tiny epochs beat chance (0.1)
    assert np.array(card["confusion_matrix"]).sum() == 2048
    assert card["parameters"]["total"] == 60_000
    sets = card["other_sets"]
    assert {"fonts", "pen", "lowres_16px", "lowres_8px"} <= set(sets)
    assert all(0.0 <= sets[k] <= 1.0 for k in ("fonts", "pen", "lowres_16px", "lowres_8px"))
