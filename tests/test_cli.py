"""`python -m lenet predict / evaluate` as a user runs them, on the project's own example drawings."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"


def lenet(*args):
    return subprocess.run([sys.executable, "-m", "lenet", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_predict_prints_digit_and_probabilities_per_file(tmp_path):
    junk = tmp_path / "notes.png"
    junk.write_text("not a picture")
    files = sorted(EXAMPLES.glob("digit_*.png"))
    run = lenet("predict", "--json", *map(str, files), str(junk))
    assert run.returncode == 1  # one file was not a drawing
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    for row, path in zip(rows, files):
        assert row["digit"] == int(path.stem.split("_")[1])  # digit_7.png shows a 7
        assert sum(row["probabilities"]) == pytest.approx(1.0, abs=1e-3)
    assert "error" in rows[-1] and "Traceback" not in run.stderr


@pytest.mark.slow
def test_evaluate_reports_the_committed_accuracy(mnist_test):
    card = json.loads((ROOT / "weights" / "lenet5_classic.json").read_text())
    run = lenet("evaluate", "--variant", "classic")
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"classic: test accuracy {100 * card['test_accuracy']:.2f} % on 10,000 images" in run.stdout
    assert "confusion" in run.stdout
