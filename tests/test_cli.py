"""`python -m lenet predict / evaluate` as a user runs them, on the project's own example drawings."""
import json
import subprocess
import sys

import pytest

from lenet.paths import card_path


def lenet(root, *args):
    return subprocess.run([sys.executable, "-m", "lenet", *args], cwd=root, capture_output=True, text=True,
                          timeout=300)


def test_predict_prints_digit_and_probabilities_per_file(root, tmp_path):
    junk = tmp_path / "notes.png"
    junk.write_text("not a picture")
    files = sorted((root / "docs" / "examples").glob("digit_*.png"))
    assert files
    run = lenet(root, "predict", "--json", *map(str, files), str(junk))
    assert run.returncode == 1  # one file was not a drawing
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    for row, path in zip(rows, files):
        assert row["digit"] == int(path.stem.split("_")[1])  # digit_7.png shows a 7
        assert sum(row["probabilities"]) == pytest.approx(1.0, abs=1e-3)
    assert "error" in rows[-1] and "Traceback" not in run.stderr


def test_predict_says_not_a_digit_with_its_best_guess(root, tmp_path):
    """A pen-drawn star and house (shapes the training set has) are refused, the digit is read."""
    import numpy as np
    from PIL import Image

    from lenet import nondigits
    from lenet.synthetic import draw
    files = []
    for name in ("star", "house"):
        rng = np.random.default_rng(0)
        ink = nondigits._fit(nondigits.pen(nondigits.SHAPES[name], rng, aspect=1.0), rng)
        files.append(tmp_path / f"{name}.png")
        Image.fromarray(255 - ink).save(files[-1])
    files.append(tmp_path / "seven.png")
    Image.fromarray(draw(7, canvas=280)).save(files[-1])
    for variant in ("modern", "classic", "paper"):
        run = lenet(root, "predict", "--variant", variant, *map(str, files))
        assert run.returncode == 0, run.stderr[-2000:]
        star, house, seven = run.stdout.splitlines()
        assert "not a digit — best guess: " in star, (variant, run.stdout)
        assert "not a digit" in house, (variant, run.stdout)
        assert seven.split(": ", 1)[1].startswith("7 ") and "not a digit" not in seven
        rows = [json.loads(line) for line in lenet(root, "predict", "--json", "--variant", variant,
                                                   *map(str, files)).stdout.splitlines()]
        assert (rows[0]["is_digit"], rows[2]["is_digit"]) == (False, True)
        assert rows[1]["is_digit"] is False
        assert all(0 <= r["digit_score"] <= 1 for r in rows) and rows[2]["digit_score"] > 0.5


@pytest.mark.slow
def test_evaluate_reports_the_committed_accuracy(root, mnist_test):
    card = json.loads(card_path("classic").read_text())
    run = lenet(root, "evaluate", "--variant", "classic")
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"classic: test accuracy {100 * card['test_accuracy']:.2f} % on 10,000 images" in run.stdout
    assert "confusion" in run.stdout


def test_learn_prints_the_reading_at_every_snapshot(root, tmp_path):
    """`python -m lenet learn` on a weights folder holding paper's snapshots (made as
    tests/test_learning.py makes them): a row per snapshot, the same as lenet.learning.readings."""
    from test_learning import make_snapshots

    from lenet import Recognizer, learning
    for f in (root / "weights").iterdir():
        if f.is_file() and not f.name.endswith("_snapshots.npz"):
            (tmp_path / f.name).symlink_to(f)
    make_snapshots(tmp_path, "paper")
    seven = str(root / "docs" / "examples" / "digit_7.png")
    run = lenet(root, "learn", seven, "--variant", "paper", "--weights-dir", str(tmp_path), "--json")
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    x = Recognizer.load("paper", tmp_path).predict(seven).input
    assert [{k: r[k] for k in ("step", "digit", "confidence")} for r in rows] == [
        {k: r[k] for k in ("step", "digit", "confidence")} for r in learning.readings(learning.load(
            learning.path("paper", tmp_path)), x)]
    assert rows[-1]["digit"] == 7
    table = lenet(root, "learn", seven, "--variant", "paper", "--weights-dir", str(tmp_path))
    assert table.returncode == 0 and len(table.stdout.splitlines()) == 2 + len(rows)
    missing = lenet(root, "learn", seven, "--variant", "classic", "--weights-dir", str(tmp_path))
    assert missing.returncode == 1 and "no training snapshots for the classic model" in missing.stderr
    assert "Traceback" not in missing.stderr
