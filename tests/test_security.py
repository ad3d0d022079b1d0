"""Exposure: no file outside what the UI needs is served; weights load with
Keras safe_mode; no pickle; --share warns that the link is public."""
import http.client
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import numpy as np
import pytest

from lenet import VARIANTS
from lenet.paths import keras_path

SECRETS = ["/etc/passwd", "app.py", "lenet/recognizer.py", "lenet/ui/page.py", "weights/lenet5_modern.keras",
           "weights/lenet5_classic.keras", "../shared/mnist/mnist.npz", ".git/config"]


def where(root, mnist_path, name):
    """The file a client names with `name` (relative names from the checkout)."""
    return mnist_path if name.endswith("mnist.npz") else Path(name) if name.startswith("/") else root / name


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


@pytest.mark.parametrize("name", SECRETS)
def test_files_are_not_served(app_server, root, mnist_path, name):
    target = where(root, mnist_path, name)
    secret = target.read_bytes()[:4096] if target.is_file() else None
    for route in ROUTES:
        for spelling in spellings(name, target):
            status, body = get(app_server, route.format(spelling))
            leaked = status == 200 and secret is not None and len(secret) > 0 and secret[:256] in body
            assert not leaked, f"{route.format(spelling)} served {name}"
            assert status < 500, f"{route.format(spelling)} -> {status}"


def test_server_still_answers(app_server):
    status, _ = get(app_server, "/")
    assert status == 200


def test_weights_holding_a_pickle_are_refused_without_running_it(tmp_path):
    """The facts arrays (weights/*.npz) load with allow_pickle=False: an object array planted in
    them (a pickle that would run code) is refused as damaged, and its code never runs. (Keras
    safe_mode: tests/test_recognizer.py; banned imports such as pickle: ruff's TID251, pyproject.toml.)"""
    from lenet import facts
    from lenet.paths import arrays_path, facts_path
    for path in (facts_path("modern"), arrays_path("modern")):
        shutil.copy(path, tmp_path)
    ran = tmp_path / "ran"
    with np.load(arrays_path("modern"), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["C1/kernel"] = np.array([_Planted(str(ran))], dtype=object)
    np.savez(arrays_path("modern", tmp_path), **arrays, allow_pickle=True)
    with pytest.raises(ValueError):
        facts.load("modern", tmp_path)
    assert not ran.exists()


class _Planted:
    """Unpickled, it writes a file: the proof that a pickle ran."""
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (Path(self.path).touch, ())


def test_share_warns_that_the_link_is_public(root):
    """--share prints the warning before serving (serving itself is stubbed: no tunnel), and makes
    this machine a trusted proxy (the tunnel's client connects from it: lenet/ui/gate/visitors.py)."""
    if not all(keras_path(v).is_file() for v in VARIANTS):
        pytest.skip("weights not trained yet")
    code = ("import sys; sys.argv = ['app.py']; from lenet.ui.gate import server, visitors; "
            "server.serve = lambda demo, host, port, share=False, **k: print('LAUNCH share=%s trusted=%s' % "
            "(share, visitors.trusted('127.0.0.1'))); "
            "import app; sys.exit(app.main(['--share', '--port', '0']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "LAUNCH share=True trusted=True" in done.stdout
    warning = done.stdout.split("LAUNCH")[0].lower()
    assert "public" in warning and "share" in warning, done.stdout
