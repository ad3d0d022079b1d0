"""Start-up failures (issue 7): with missing, truncated, wrong-variant or damaged weights
`python app.py` exits non-zero at once with one line naming the fix, no traceback, before it
builds the page or serves. (Recognizer.load's WeightsError itself: tests/test_recognizer.py.)"""
import os
import shutil
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


# ---------------------------------------------------------------- issue 14, finding 9: more start-up faults

def start(root, *args, env=None, timeout=180):
    """Run `python app.py *args` on a free port until it exits or says it is serving (then stop it):
    (exit code or None when it served, [non-blank lines it printed])."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.Popen([sys.executable, str(root / "app.py"), "--port", str(port), *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, deadline = [], time.monotonic() + timeout
    for line in proc.stdout:
        lines.append(line.rstrip())
        if "LeNet-5 app: http" in line or time.monotonic() > deadline:
            proc.terminate()
            break
    try:
        code = proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    served = any("LeNet-5 app: http" in line for line in lines)
    return (None if served else code), [line for line in lines if line.strip()]


def one_error_line(code, lines):
    """The app stopped, saying one `error:` line and no traceback; returns that line."""
    assert code not in (None, 0), lines
    assert not any("Traceback" in line for line in lines), "\n".join(lines)
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, "\n".join(lines)
    return errors[0]


def test_a_temp_dir_under_a_file_stops_the_app_naming_gradio_temp_dir(root, tmp_path):
    (tmp_path / "a file").write_text("")
    folder = tmp_path / "a file" / "gradio"
    line = one_error_line(*start(root, env={"GRADIO_TEMP_DIR": str(folder)}))
    assert line == (f"error: Gradio's temporary folder {folder} cannot be written (Not a directory); "
                    "set GRADIO_TEMP_DIR to a folder you can write to, e.g. GRADIO_TEMP_DIR=$HOME/.cache/gradio")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_temp_dir_stops_the_app_naming_gradio_temp_dir(root, tmp_path):
    folder = tmp_path / "gradio"
    folder.mkdir()
    folder.chmod(0o555)
    line = one_error_line(*start(root, env={"GRADIO_TEMP_DIR": str(folder)}))
    assert "cannot be written (Permission denied)" in line and "set GRADIO_TEMP_DIR" in line, line


def keras_with_other_layers(path):
    """A Keras model named lenet5_modern whose layers are not LeNet-5's (no C1)."""
    code = ("import keras\ninp = keras.Input((32, 32, 1))\n"
            "out = keras.layers.Dense(10, name='OUT')(keras.layers.Flatten(name='flat')(inp))\n"
            f"keras.Model(inp, out, name='lenet5_modern').save({str(path)!r})\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=180)


def garbage(path):
    path.write_bytes(b"garbage " * 64)


def truncated(path):
    path.write_bytes(path.read_bytes()[:3000])


DAMAGE = {   # name -> (file in the weights folder, how it is damaged)
    "keras with other layers": ("lenet5_modern.keras", keras_with_other_layers),
    "keras garbage": ("lenet5_modern.keras", garbage),
    "tflite garbage": ("lenet5_modern.tflite", garbage),
    "tflite truncated": ("lenet5_modern.tflite", truncated),
    "facts garbage": ("lenet5_modern_facts.json", garbage),
    "facts a list": ("lenet5_modern_facts.json", lambda p: p.write_text("[1, 2]")),
    "facts of wrong types": ("lenet5_modern_facts.json",
                             lambda p: p.write_text(p.read_text().replace('"rows": [', '"rows": 5, "x": ['))),
    "npz garbage": ("lenet5_modern.npz", garbage),
    "npz truncated": ("lenet5_modern.npz", truncated),
}
# What each backend reads: LiteRT the .tflite and its facts (.json + .npz), TensorFlow the .keras.
STOPS = [("tensorflow", "keras with other layers", "is not a LeNet-5 the app can read (No such layer: C1)"),
         ("tensorflow", "keras garbage", "Cannot load")] + \
        [("litert", name, "Cannot serve modern through LiteRT") for name in DAMAGE if "keras" not in name]


def damaged(root, tmp_path, *names):
    folder = tmp_path / "weights"
    shutil.copytree(root / "weights", folder)
    for name in names:
        file, damage = DAMAGE[name]
        damage(folder / file)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("backend,name,says", STOPS, ids=[f"{b}-{n}" for b, n, _ in STOPS])
def test_damaged_weights_stop_the_app_with_the_weights_line(root, tmp_path, backend, name, says):
    folder = damaged(root, tmp_path, name)
    line = one_error_line(*start(root, "--weights-dir", str(folder), env={"LENET_BACKEND": backend}))
    fix = "python -m lenet train --variant modern" if backend == "tensorflow" else \
        "re-export with: python -m lenet export --variant modern"
    assert says in line and line.endswith(fix), line


@pytest.mark.slow
def test_the_default_backend_stops_when_both_kinds_of_files_are_damaged(root, tmp_path):
    folder = damaged(root, tmp_path, "keras with other layers", "tflite garbage")
    code, lines = start(root, "--weights-dir", str(folder))
    line = one_error_line(code, lines)
    assert "is not a LeNet-5 the app can read (No such layer: C1)" in line, line
    assert any(w.startswith("warning: ") and "python -m lenet export --variant modern" in w for w in lines), lines


@pytest.mark.slow
def test_the_default_backend_serves_through_tensorflow_past_damaged_litert_files_saying_so(root, tmp_path):
    """The .keras is intact: the app serves (slower), and says in one line what to re-export."""
    folder = damaged(root, tmp_path, "npz truncated")
    code, lines = start(root, "--weights-dir", str(folder))
    assert code is None and not any("Traceback" in line for line in lines), "\n".join(lines)
    warned = [line for line in lines if "lenet5_modern.tflite" in line]
    assert len(warned) == 1 and warned[0].startswith("warning: ") and \
        warned[0].endswith("Re-export them with: python -m lenet export --variant modern"), warned


CARDS = {"a list": "[1, 2]", "not JSON": "{garbage",
         "values of the wrong types": '{"test_accuracy": "high", "per_class_accuracy": [1, 2], "epochs": null}'}


@pytest.mark.slow
@pytest.mark.parametrize("name", CARDS)
def test_a_damaged_model_card_is_said_on_the_about_tab_not_a_traceback(root, tmp_path, name):
    """A model card is documentation: the app serves, and the About tab says the card is damaged."""
    from lenet import card
    folder = tmp_path / "weights"
    shutil.copytree(root / "weights", folder)
    (folder / "lenet5_modern.json").write_text(CARDS[name])
    code, lines = start(root, "--weights-dir", str(folder))
    assert code is None and not any("Traceback" in line for line in lines), "\n".join(lines)
    text = card.markdown(card.read(folder, "modern")[0], "modern")
    assert text in ("**modern**: no model card (weights/lenet5_modern.json) found.",
                    "**modern**: the model card (weights/lenet5_modern.json) is damaged; restore it with git "
                    "checkout or retrain with: python -m lenet train --variant modern"), text
