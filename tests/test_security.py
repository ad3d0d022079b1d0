"""Exposure (issue 7): no file outside what the UI needs is served; weights load with
Keras safe_mode; no pickle; --share warns that the link is public."""
import http.client
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from conftest import MNIST, ROOT

SECRETS = {
    "/etc/passwd": Path("/etc/passwd"),
    "app.py": ROOT / "app.py",
    "lenet/recognizer.py": ROOT / "lenet" / "recognizer.py",
    "weights/lenet5_modern.keras": ROOT / "weights" / "lenet5_modern.keras",
    "weights/lenet5_classic.keras": ROOT / "weights" / "lenet5_classic.keras",
    "../shared/mnist/mnist.npz": MNIST,
    ".git/config": ROOT / ".git" / "config",
}


def spellings(name, path):
    """Ways a client might name a file: relative, absolute, traversal, URL-encoded."""
    absolute = str(path.resolve()) if path.exists() else str(path)
    names = {name, absolute, "../" * 8 + absolute.lstrip("/"), quote(absolute, safe=""),
             quote(name, safe=""), "./" + name}
    return sorted(names)


ROUTES = ["/gradio_api/file={}", "/file={}", "/gradio_api/file/{}", "/file/{}",
          "/static/../{}", "/assets/../{}", "/gradio_api/static/{}", "/gradio_api/proxy={}"]


def get(url, path):
    """GET an exact, un-normalised path; return (status, body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read(1 << 20)
    finally:
        conn.close()


@pytest.mark.parametrize("name", list(SECRETS))
def test_files_are_not_served(app_url, name):
    target = SECRETS[name]
    secret = target.read_bytes()[:4096] if target.is_file() else None
    for route in ROUTES:
        for spelling in spellings(name, target):
            status, body = get(app_url, route.format(spelling))
            leaked = status == 200 and secret is not None and len(secret) > 0 and secret[:256] in body
            assert not leaked, f"{route.format(spelling)} served {name}"
            assert status < 500, f"{route.format(spelling)} -> {status}"


def test_server_still_answers(app_url):
    status, _ = get(app_url, "/")
    assert status == 200


def source_files():
    return [p for p in [ROOT / "app.py", *sorted((ROOT / "lenet").glob("*.py"))] if p.is_file()]


def test_weights_load_with_safe_mode():
    text = (ROOT / "lenet" / "recognizer.py").read_text()
    loads = re.findall(r"load_model\((.*?)\)", text)
    assert loads and all("safe_mode=True" in call for call in loads), loads
    for path in source_files():
        assert "safe_mode=False" not in path.read_text(), path


def test_a_model_with_code_in_it_is_refused(tmp_path):
    """A .keras file with a Lambda layer (arbitrary Python) is refused by safe_mode."""
    import keras
    from lenet import Recognizer, WeightsError
    inputs = keras.Input((32, 32, 1))
    out = keras.layers.Lambda(lambda x: x * 2.0, name="OUT")(inputs)
    keras.Model(inputs, out, name="lenet5_modern").save(tmp_path / "lenet5_modern.keras")
    with pytest.raises(WeightsError, match="python -m lenet train --variant modern"):
        Recognizer.load("modern", weights_dir=tmp_path)


def test_no_pickle():
    for path in source_files():
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+(c?pickle|dill|joblib)\b", text, re.M), path
        assert "allow_pickle=True" not in text, path
        for call in re.findall(r"np\.load\(([^)]*)\)", text):
            assert "allow_pickle=False" in call, (path, call)


def test_share_warns_that_the_link_is_public():
    """--share prints the warning before launching (launch itself is stubbed: no tunnel)."""
    if not (ROOT / "weights" / "lenet5_modern.keras").is_file() or not (ROOT / "weights" / "lenet5_classic.keras").is_file():
        pytest.skip("weights not trained yet")
    code = ("import sys, gradio; sys.argv = ['app.py']; "
            "gradio.Blocks.launch = lambda self, **k: print('LAUNCH share=%s' % k.get('share')); "
            "import app; sys.exit(app.main(['--share', '--port', '0']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "LAUNCH share=True" in done.stdout
    warning = done.stdout.split("LAUNCH")[0].lower()
    assert "public" in warning and "share" in warning, done.stdout
