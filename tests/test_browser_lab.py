"""The Number tab, the Invariance lab and "Why this digit" in a real browser (Playwright + Debian's
Chromium): "42" drawn on the wide pad reads "42" with a box per digit; the lab's chart changes when
the transformation changes; the why-map appears only when switched on. Saves docs/number.png,
docs/lab.png and docs/why.png. Skipped without Chromium/playwright, except under CI=true."""
import math
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def page(open_page):
    return open_page(1280, 720)


def stroke(page, box, points, step_px=8):
    """A mouse stroke through `points` in the box's units (0..1 across, 0..1 down)."""
    pts = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*pts[0])
    page.mouse.down()
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        steps = max(1, int(math.hypot(x1 - x0, y1 - y0) // step_px))
        for i in range(1, steps + 1):
            page.mouse.move(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
    page.mouse.up()


# "42" on a 3:1 pad: the 4 in two strokes, the 2 in one, each digit ~2/3 of the pad's height.
FOUR = [[(0.20, 0.15), (0.11, 0.6), (0.27, 0.6)], [(0.22, 0.35), (0.22, 0.87)]]
TWO = [[(0.36, 0.3)] + [(0.42 + 0.07 * math.cos(t), 0.32 - 0.17 * math.sin(t)) for t in
                        [math.pi * (1 - k / 10) for k in range(11)]][1:] + [(0.36, 0.85), (0.5, 0.85)]]
SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.42, 0.85)]]


def test_number_mode_reads_42(page):
    from playwright.sync_api import expect
    page.get_by_role("tab", name="Number").click()
    canvas = page.locator("#number-pad canvas")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert 2.7 < box["width"] / box["height"] < 3.3          # the wide pad
    for points in FOUR + TWO:
        stroke(page, box, points)
    expect(page.locator("#number-pad .pad-example")).to_be_hidden()    # the test's 42, not the example's
    page.wait_for_function("() => document.querySelector('#number-answer .num-text') && window.lenetWidePad.sent >= 3")
    expect(page.locator("#number-answer .num-text")).to_have_attribute("data-text", "42")
    expect(page.locator("#number-answer .num-box")).to_have_count(2)
    expect(page.locator("#number-pad .num-overlay .num-box")).to_have_count(2)   # the boxes on the pad itself
    assert page.locator("#number-answer .num-box").nth(0).get_attribute("data-digit") == "4"
    page.screenshot(path=str(ROOT / "docs" / "number.png"), full_page=True)


def _draw_seven(page):
    box = page.locator("#pad canvas").bounding_box()
    for points in SEVEN:
        stroke(page, box, points)
    from playwright.sync_api import expect
    expect(page.locator("#pad .pad-example")).to_be_hidden()           # the test's 7, not the example's
    page.wait_for_function("() => document.querySelector('#digit [data-seq]')?.dataset.seq == window.lenetPad.seq")
    expect(page.locator("#digit .big")).to_have_text("7")


def test_lab_plot_changes_with_the_transformation(page):
    from playwright.sync_api import expect
    _draw_seven(page)
    page.get_by_role("tab", name="Invariance lab").click()
    chart = page.locator("#lab-chart-0 img")
    expect(chart).to_be_visible()
    expect(page.locator("#lab-reading")).to_contain_text("rotation")
    first = chart.get_attribute("src")
    page.locator("#lab-sweep").get_by_text("Noise").click()
    expect(page.locator("#lab-reading")).to_contain_text("noise")
    page.wait_for_function("(old) => document.querySelector('#lab-chart-0 img')?.src !== old", arg=first)
    expect(page.locator("#lab-strip img")).to_be_visible()
    page.locator("#lab-sweep").get_by_text("Rotation").click()
    expect(page.locator("#lab-reading")).to_contain_text("rotation")
    page.screenshot(path=str(ROOT / "docs" / "lab.png"), full_page=True)


def test_why_map_is_off_by_default_and_shows_when_switched_on(page):
    from playwright.sync_api import expect
    expect(page.locator("#why .why-fig")).to_have_count(0)
    _draw_seven(page)
    expect(page.locator("#why .why-fig")).to_have_count(0)           # off: nothing computed or shown
    for sel in ("#pad canvas", "#digit", "#probs", "#c1", "#c3"):    # and the first screen is untouched
        b = page.locator(sel).bounding_box()
        assert b["y"] + b["height"] <= 720 + 1 and b["x"] + b["width"] <= 1280 + 1, sel
    page.locator("#why-on input").check()
    expect(page.locator('#why .why-fig[data-digit="7"]')).to_have_count(1)
    box = page.locator("#pad canvas").bounding_box()
    stroke(page, box, [(0.3, 0.55), (0.6, 0.55)])                    # a bar across: the map follows the pen
    page.wait_for_function("() => document.querySelector('#why .why-fig')?.dataset.digit")
    page.set_viewport_size({"width": 1280, "height": 960})      # on, the map sits under the model switch
    page.screenshot(path=str(ROOT / "docs" / "why.png"))
