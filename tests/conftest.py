"""Shared fixtures: the repository root, the recognisers and a Room of them, MNIST (skipped when
absent), weights folders broken on purpose, and the app as a process (`app_server`, `run_app`)
with a client that reads its answers.

One test module per source module: lenet/x.py and lenet/ui/x.py -> tests/test_x.py; a module of a
package under lenet/ui -> tests/test_<package>_<module>.py (lenet/ui/gate/worker.py ->
test_gate_worker.py); app.py -> test_app.py. A module without one is in test_layout's EXEMPT with
its reason; an end-to-end suite (browser, HTTP corpus, soak...) is in its SUITES with its reason."""
import os

# As the app (lenet/ui/gate/tuning.py), before numpy loads: OpenBLAS on one thread. Its default thread per
# core made the pipeline ~17x slower on a busy 2-core machine (spinning workers).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import functools
import html
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
MNIST = ROOT.parent / "shared" / "mnist" / "mnist.npz"


# ------------------------------------------------------------------ the fast loop

SERVING = {"app_server", "app_url", "client", "run_app", "browser_app", "chromium", "open_page"}
# Modules and tests that start `python app.py`, `python -m lenet` or another interpreter themselves
PROCESSES = {"test_startup.py", "test_cli.py", "test_gate_tuning.py", "test_train.py", "test_replicas.py",
             "test_load_with_one_runtime_blocked", "test_share_warns_that_the_link_is_public"}


def pytest_collection_modifyitems(config, items):
    """A test that starts the app (a fixture of SERVING) or another process (PROCESSES) is marked
    `server`: `make check` leaves these, `slow` and `browser` out; `make test` runs everything."""
    for item in items:
        if (SERVING & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("slow")
                or item.path.name in PROCESSES or item.originalname in PROCESSES):
            item.add_marker(pytest.mark.server)


# ------------------------------------------------------------------ paths

@pytest.fixture(scope="session")
def root():
    """The checkout: app.py, lenet/, weights/."""
    return ROOT


@pytest.fixture(scope="session")
def mnist_path():
    """Where MNIST is read from (outside the repository; it may be absent)."""
    return MNIST


@pytest.fixture(scope="session")
def mnist_test():
    """(x_test uint8 (10000, 28, 28), y_test): never committed, read from ../shared."""
    if not MNIST.is_file():
        pytest.skip(f"MNIST not found at {MNIST} (the tests read it, the repo never holds it)")
    with np.load(MNIST) as f:
        return f["x_test"], f["y_test"].astype(int)


# ------------------------------------------------------------------ recognisers and the room

@functools.lru_cache(maxsize=None)
def _load(variant, backend="tensorflow"):
    """Each committed model loaded once per test session and backend, whichever fixture asks first.
    The recogniser fixtures hold the Keras model (backend "tensorflow": tests read its layers); the
    room is what the app serves (backend "auto": LiteRT where it is installed)."""
    from lenet import Recognizer
    return Recognizer.load(variant, backend=backend)


@pytest.fixture(scope="session", params=["modern", "classic"])
def recognizer(request):
    return _load(request.param)


@pytest.fixture(scope="session")
def modern():
    return _load("modern")


@pytest.fixture(scope="session")
def classic():
    return _load("classic")


@pytest.fixture(scope="session")
def room():
    """The room `python app.py` makes: every variant loaded, modern selected, nothing collected."""
    from lenet import VARIANTS
    from lenet.ui.readings.room import Room
    return Room({v: _load(v, "auto") for v in VARIANTS}, "modern")


@pytest.fixture
def fresh_collect():
    """lenet.collect's per-folder usage and reported problems, cleared before and after a test."""
    from lenet import collect
    collect._usage.clear()
    collect._problems.clear()
    yield
    collect._usage.clear()
    collect._problems.clear()


@pytest.fixture
def collecting_room(room, tmp_path):
    """The room `python app.py --collect --collect-dir <tmp>/collected` makes."""
    from lenet.ui.readings.room import Room
    return Room(room.recognizers, room.variant, room.weights_dir, tmp_path / "collected")


@pytest.fixture
def broken_weights(tmp_path):
    """broken_weights(how, variant) -> a weights folder where `variant` is broken in the given way
    ("missing", "truncated", "wrong variant", "not a model") and every other variant is intact."""
    from lenet import VARIANTS
    from lenet.paths import keras_path

    def real(variant):
        path = keras_path(variant)
        if not path.is_file():
            pytest.skip(f"{path} not trained yet")
        return path

    def make(how, variant):
        folder = tmp_path / f"weights-{how.replace(' ', '-')}-{variant}"
        folder.mkdir()
        for other in VARIANTS:
            if other != variant:
                shutil.copy(real(other), keras_path(other, folder))
        target = keras_path(variant, folder)
        donor = next(v for v in VARIANTS if v != variant)
        if how == "truncated":
            data = real(variant).read_bytes()
            target.write_bytes(data[: len(data) // 2])
        elif how == "wrong variant":
            shutil.copy(real(donor), target)
        elif how == "not a model":
            target.write_text("not a keras file\n")
        elif how != "missing":
            raise ValueError(how)
        return folder

    return make


# ------------------------------------------------------------------ the app as a process

@pytest.fixture
def free_port():
    """A TCP port on 127.0.0.1 nothing listens on (at the time of asking)."""
    from bench.http import free_port
    return free_port()


# Every test here uploads from 127.0.0.1, so the whole suite is one "client" to the boundary's
# per-address upload budget (40 MB a minute): these servers get a budget for a test suite (unless the
# environment sets one). tests/test_gate_boundary.py starts its own servers to test the real limits.
SUITE_BUDGET = {"LENET_UPLOAD_PER_MINUTE": "100000", "LENET_UPLOAD_HELD": "100000"}


def start_app(*args, timeout=90):
    """`python app.py *args` on a free loopback port, started as the bench starts it (bench/http.py's
    Server, without trusting this machine as a proxy); returns the Server once it answers: .proc,
    .url, .port, .output(), .stop(). (Tests use the fixtures below.)"""
    from bench.http import Server
    env = {k: os.environ.get(k, v) for k, v in SUITE_BUDGET.items()}
    return Server(ROOT, *args, timeout=timeout, env=env, proxy=False)


@pytest.fixture
def run_app():
    """run_app(*args) -> the Server of `python app.py *args` on a free port (.proc, .url,
    .output()), stopped when the test ends."""
    started = []

    def run(*args, timeout=90):
        started.append(start_app(*args, timeout=timeout))
        return started[-1]

    yield run
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def app_server():
    """The URL of one `python app.py` (default arguments) shared by the session."""
    server = start_app()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def app_url(app_server):
    """Older name of app_server (tests/test_bad_input.py uses it)."""
    return app_server


@pytest.fixture(scope="session")
def client(app_server):
    """A gradio_client Client on app_server (answers' files not downloaded)."""
    from gradio_client import Client
    return Client(app_server, verbose=False, download_files=False)


def _read_answer(result):
    """The app's /predict reply -> (digit, message): the digit HTML holds data-digit="7" or the
    sentence shown instead."""
    page = result[0] if isinstance(result, (list, tuple)) else result
    found = re.search(r'data-digit="(\d)"', page or "")
    if found:
        return int(found.group(1)), None
    text = html.unescape(re.sub(r"<[^>]+>", "", page or "")).strip()
    return None, text or None


@pytest.fixture(scope="session")
def read_answer():
    """read_answer(result of /predict) -> (digit or None, sentence or None)."""
    return _read_answer


@pytest.fixture(scope="session")
def ask():
    """ask(client, path or None, variant=None) -> (digit or None, sentence or None): a file sent as
    the sketchpad composite of /predict, as the README shows. A transport or app error comes back
    as a sentence starting "AppError"; an upload the server refuses for its size as "Upload refused"."""
    def call(client, path, variant=None):
        import httpx
        from gradio_client import handle_file
        from gradio_client.exceptions import AppError

        from lenet.synthetic import sketchpad_value
        value = sketchpad_value(handle_file(str(path)) if path is not None else None)
        args = (value,) if variant is None else (value, variant)
        try:
            result = client.predict(*args, api_name="/predict")
        except AppError as err:
            return None, f"AppError: {err}"
        except httpx.HTTPStatusError as err:
            if err.response.status_code == 413:  # launch(max_file_size=...): the server refuses it
                return None, "Upload refused: that file is too large."
            raise
        except ValueError as err:
            if "exceeds the maximum file size" in str(err):  # gradio_client checks the app's limit first
                return None, "Upload refused: that file is too large."
            raise
        return _read_answer(result)

    return call


# ------------------------------------------------------------------ reading the app's figures

def _inline_images(page):
    """The pictures a figure's HTML carries: [(alt, displayed (w, h), decoded PIL image)]."""
    import base64
    import io

    from PIL import Image
    found = re.findall(r'<img class="[^"]*" src="data:image/png;base64,([^"]+)" width="(\d+)" height="(\d+)" '
                       r'alt="([^"]*)">', page or "")
    return [(alt, (int(w), int(h)), Image.open(io.BytesIO(base64.b64decode(data))))
            for data, w, h, alt in found]


@pytest.fixture(scope="session")
def inline_images():
    """inline_images(html) -> [(alt, displayed (w, h), PIL image)] for every map a figure carries
    (decoded with Pillow, independently of lenet.visualize)."""
    return _inline_images


# ------------------------------------------------------------------ the page in a real browser

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"]
BROWSER_TIMEOUT = 60_000   # ms


def _require_browser():
    """Skip when Chromium or Playwright is missing; under CI=true fail instead."""
    missing = []
    if not Path(CHROMIUM).is_file():
        missing.append(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright is not installed (pip install playwright)")
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser test cannot run in CI: {'; '.join(missing)}")
        pytest.skip("; ".join(missing))


@pytest.fixture(scope="session")
def browser_app():
    """The URL of one `python app.py --variant modern` for the browser tests (their own, so the
    HTTP attack tests never share its queue)."""
    _require_browser()
    server = start_app("--variant", "modern")
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def chromium(browser_app):
    """Module-scoped: Playwright's sync API keeps an event loop running in this thread while it is
    open, and later tests that call asyncio.run() (tests/test_replicas.py) must not find it."""
    yield from launch_chromium()


def launch_chromium():
    """Debian's Chromium under Playwright, for a module's tests (a generator: yield from it)."""
    from playwright.sync_api import expect, sync_playwright
    expect.set_options(timeout=BROWSER_TIMEOUT)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium, browser_app):
    """open_page(width, height, touch=False, query="") -> a fresh page of the app, ready to draw
    (its own browser context, closed after the test)."""
    contexts = []

    def opener(width=1280, height=720, touch=False, query=""):
        ctx = chromium.new_context(viewport={"width": width, "height": height}, has_touch=touch, is_mobile=touch,
                                   device_scale_factor=1)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(BROWSER_TIMEOUT)
        page.goto(browser_app + query)
        page.wait_for_selector("#pad canvas")
        page.wait_for_function("() => window.lenetPad !== undefined")
        # As a person does, draw once the page has shown its example's answer: a test stroke that
        # raced the example's drawing (a loaded machine) left the example on the pad
        page.wait_for_function("() => document.querySelector('#digit [data-seq]') !== null")
        return page

    yield opener
    for ctx in contexts:
        ctx.close()
