"""The Learning tab in a real browser (Playwright + Debian's Chromium) and /learn over HTTP, on an app
whose weights folder holds modern's snapshots (weights/'s own file when there is one, else one made
as tests/test_learning.py makes it) and none for classic: a 7 drawn on the first tab is what the tab
reads; the slider and Play move through the snapshots; chart text is at least 14 px; the classic model
says in one sentence that it has no snapshots. Saves docs/learning.png (1280x720) when it ran on the
committed snapshots. Skipped without Chromium/playwright, except under CI=true."""
import io
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import BROWSER_TIMEOUT, _require_browser, launch_chromium
from PIL import Image
from test_learning import make_snapshots

from lenet import learning, synthetic

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.42, 0.85)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """weights/ (linked) + modern's snapshots; classic's left out on purpose."""
    _require_browser()
    out = tmp_path_factory.mktemp("weights")
    for f in (ROOT / "weights").iterdir():
        if f.is_file() and not f.name.endswith("_snapshots.npz"):
            (out / f.name).symlink_to(f)
    real = learning.path("modern")
    if real.is_file():
        (out / real.name).symlink_to(real)
    else:
        make_snapshots(out, "modern")
    return out


@pytest.fixture(scope="module")
def app(folder):
    from conftest import start_app
    server = start_app("--variant", "modern", "--weights-dir", str(folder))
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def browser(app):
    yield from launch_chromium()


@pytest.fixture
def page(browser, app):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, device_scale_factor=1)
    page = ctx.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT)
    page.goto(app)
    page.wait_for_selector("#pad canvas")
    page.wait_for_function("() => window.lenetPad !== undefined")
    yield page
    ctx.close()


def _draw_seven(page):
    from playwright.sync_api import expect
    box = page.locator("#pad canvas").bounding_box()
    pts = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in SEVEN]
    page.mouse.move(*pts[0])
    page.mouse.down()
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        steps = max(1, int(math.hypot(x1 - x0, y1 - y0) // 8))
        for i in range(1, steps + 1):
            page.mouse.move(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
    page.mouse.up()
    expect(page.locator("#digit .big")).to_have_text("7")


def _go_to(page, at):
    box = page.locator("#learn-slider input[type=number]")
    box.fill(str(at))
    box.press("Enter")


def test_the_tab_reads_the_drawing_through_training(page, folder):
    from playwright.sync_api import expect
    snaps = learning.load(learning.path("modern", folder))
    last = len(snaps) - 1
    page.get_by_role("tab", name="Learning").click()       # before any drawing: the pad's example 7
    expect(page.locator("#learn-answer .big")).to_be_visible()
    expect(page.locator("#learn-words")).to_contain_text("the drawing on the first tab")
    page.get_by_role("tab", name="Draw & see").click()
    _draw_seven(page)
    page.get_by_role("tab", name="Learning").click()
    expect(page.locator("#learn-words")).to_contain_text("the drawing on the first tab")
    expect(page.locator("#learn-where")).to_contain_text(f"Snapshot 1 of {len(snaps)}")
    expect(page.locator("#learn-words")).to_contain_text("at the start")
    _go_to(page, last)
    expect(page.locator("#learn-where")).to_contain_text(f"Snapshot {len(snaps)} of {len(snaps)}")
    expect(page.locator("#learn-answer .big")).to_have_text("7")
    expect(page.locator("#learn-maps img")).to_have_count(6 + 6 + 16)
    sizes = page.eval_on_selector_all("#learn-curves svg text", "els => els.map(e => parseFloat(getComputedStyle(e)"
                                      ".fontSize) * e.getScreenCTM().a)")
    assert sizes and min(sizes) >= 14                          # readable from the back of the room
    _go_to(page, 0)
    expect(page.locator("#learn-where")).to_contain_text("random start")
    page.locator("#learn-play").click()                       # Play runs to the end and stops
    expect(page.locator("#learn-play")).to_have_text("⏸ Pause")
    expect(page.locator("#learn-where")).to_contain_text(f"Snapshot {len(snaps)} of {len(snaps)}")
    expect(page.locator("#learn-play")).to_have_text("▶ Play")
    if learning.path("modern").is_file():                     # the committed run: the README's picture
        _go_to(page, min(last, max(1, round(0.6 * last))))
        page.wait_for_timeout(800)
        page.screenshot(path=str(ROOT / "docs" / "learning.png"))


def test_a_model_without_snapshots_says_so(page):
    from playwright.sync_api import expect
    page.locator("#model").get_by_text("classic", exact=True).click()
    page.get_by_role("tab", name="Learning").click()
    expect(page.locator("#learn-where")).to_contain_text("no training snapshots for the classic model")
    expect(page.locator("#learn-answer .big")).to_have_count(0)


def test_learn_over_http(app, folder, tmp_path):
    from gradio_client import Client, handle_file
    client = Client(app, verbose=False, download_files=False)
    seven = tmp_path / "seven.png"
    buf = io.BytesIO()
    Image.fromarray(synthetic.draw(7)).convert("RGB").save(buf, "PNG")
    seven.write_bytes(buf.getvalue())
    out = client.predict(handle_file(str(seven)), "modern", api_name="/learn")
    snaps = learning.load(learning.path("modern", folder))
    assert [r["step"] for r in out["readings"]] == [int(s) for s in snaps.step]
    assert out["readings"][-1]["digit"] == 7
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((50, 50, 3), 255, "uint8")).save(blank)
    error = client.predict(handle_file(str(blank)), "modern", api_name="/learn")["error"]
    assert error and "Traceback" not in error
    assert "no training snapshots" in client.predict(handle_file(str(seven)), "classic", api_name="/learn")["error"]
