"""Shared fixtures: the recognisers, MNIST (skipped when absent) and a running app."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
MNIST = ROOT.parent / "shared" / "mnist" / "mnist.npz"


@pytest.fixture(scope="session", params=["modern", "classic"])
def recognizer(request):
    from lenet import Recognizer
    return Recognizer.load(request.param)


@pytest.fixture(scope="session")
def modern():
    from lenet import Recognizer
    return Recognizer.load("modern")


@pytest.fixture(scope="session")
def mnist_test():
    """(x_test uint8 (10000, 28, 28), y_test): never committed, read from ../shared."""
    if not MNIST.is_file():
        pytest.skip(f"MNIST not found at {MNIST} (the tests read it, the repo never holds it)")
    with np.load(MNIST) as f:
        return f["x_test"], f["y_test"].astype(int)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(*args, timeout=90):
    """Start `python app.py` on a free loopback port; return (process, url) once it answers."""
    import urllib.request
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port), *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}:\n{proc.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.2)  # polling for the port, not timing anything
    proc.kill()
    raise RuntimeError(f"app did not answer at {url} within {timeout} s")


def stop_app(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def app_url():
    proc, url = start_app()
    yield url
    stop_app(proc)
