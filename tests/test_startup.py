"""Start-up failures (issue 7): with missing, truncated, wrong-variant or damaged weights
`python app.py` exits non-zero at once with one line naming the fix, no traceback, before it
builds the page or serves. (Recognizer.load's WeightsError itself: tests/test_recognizer.py.)"""
import os
import subprocess
import sys
import time

import pytest


def run_app_expecting_exit(root, folder):
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "LENET_WEIGHTS_DIR": str(folder)}
    start = time.monotonic()
    done = subprocess.run([sys.executable, str(root / "app.py"), "--port", "0", "--weights-dir", str(folder)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=180)
    return done, time.monotonic() - start


CASES = [("missing", "modern", "No weights at"), ("truncated", "classic", "Cannot load"),
         ("wrong variant", "modern", "holds"), ("not a model", "classic", "Cannot load")]


@pytest.mark.slow
@pytest.mark.parametrize("how,variant,says", CASES, ids=[f"{h}-{v}" for h, v, _ in CASES])
def test_app_exits_with_one_line(root, broken_weights, how, variant, says):
    done, elapsed = run_app_expecting_exit(root, broken_weights(how, variant))
    assert done.returncode != 0
    assert "Traceback" not in done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if "python -m lenet train" in line]
    assert len(lines) == 1, done.stderr
    assert f"python -m lenet train --variant {variant}" in lines[0] and says in lines[0], lines[0]
    # TensorFlow's import dominates; the app must not get as far as building the UI or serving.
    assert "http://" not in done.stdout and elapsed < 120, (elapsed, done.stdout)


def test_an_empty_weights_folder_stops_the_app_naming_the_fix(root, tmp_path):
    done, _ = run_app_expecting_exit(root, tmp_path)
    assert done.returncode != 0 and "Traceback" not in done.stderr + done.stdout
    assert "No weights at" in done.stderr and "python -m lenet train" in done.stderr


def test_damaged_weights_stop_the_app_naming_the_fix(root, tmp_path):
    for v in ("classic", "modern"):
        (tmp_path / f"lenet5_{v}.keras").write_bytes(b"not a zip")
    done, _ = run_app_expecting_exit(root, tmp_path)
    assert done.returncode != 0 and "Traceback" not in done.stderr and "Cannot load" in done.stderr
