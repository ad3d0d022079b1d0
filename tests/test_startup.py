"""Start-up failures (issue 7): missing, truncated or wrong-variant weights give a one-line
WeightsError naming the fix, and the app exits non-zero at once with that line, no traceback."""
import os
import shutil
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from lenet import Recognizer, WeightsError
from lenet.recognizer import WEIGHTS

VARIANTS = ("modern", "classic")


def real_weights(variant):
    path = WEIGHTS / f"lenet5_{variant}.keras"
    if not path.is_file():
        pytest.skip(f"{path} not trained yet")
    return path


def broken_dir(tmp_path, how, variant):
    """A weights folder where `variant` is broken in the given way (the other one intact)."""
    other = "classic" if variant == "modern" else "modern"
    (tmp_path / f"lenet5_{other}.keras").write_bytes(real_weights(other).read_bytes())
    target = tmp_path / f"lenet5_{variant}.keras"
    if how == "truncated":
        data = real_weights(variant).read_bytes()
        target.write_bytes(data[: len(data) // 2])
    elif how == "wrong variant":
        shutil.copy(real_weights(other), target)
    elif how == "not a model":
        target.write_text("not a keras file\n")
    elif how != "missing":
        raise ValueError(how)
    return tmp_path


CASES = [(how, v) for how in ("missing", "truncated", "wrong variant", "not a model") for v in VARIANTS]


def check_line(text, variant):
    assert f"python -m lenet train --variant {variant}" in text, text
    assert "Traceback" not in text, text
    assert len(text.strip().splitlines()) == 1, text


@pytest.mark.parametrize("how,variant", CASES, ids=[f"{h}-{v}" for h, v in CASES])
def test_load_raises_weights_error(tmp_path, how, variant):
    folder = broken_dir(tmp_path, how, variant)
    with pytest.raises(WeightsError) as err:
        Recognizer.load(variant, weights_dir=folder)
    check_line(str(err.value), variant)


@pytest.mark.slow
@pytest.mark.parametrize("how,variant", [("missing", "modern"), ("truncated", "classic"), ("wrong variant", "modern")],
                         ids=["missing-modern", "truncated-classic", "wrong-variant-modern"])
def test_app_exits_with_one_line(tmp_path, how, variant):
    folder = broken_dir(tmp_path, how, variant)
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "LENET_WEIGHTS_DIR": str(folder)}
    start = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT / "app.py"), "--port", "0", "--weights-dir", str(folder)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    elapsed = time.monotonic() - start
    assert done.returncode != 0
    assert "Traceback" not in done.stdout + done.stderr
    lines = [l for l in done.stderr.splitlines() if "python -m lenet train" in l]
    assert len(lines) == 1, done.stderr
    check_line(lines[0], variant)
    # TensorFlow's import dominates; the app must not get as far as building the UI or serving.
    assert "http://" not in done.stdout and elapsed < 120, (elapsed, done.stdout)
