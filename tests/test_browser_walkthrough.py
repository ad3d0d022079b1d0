"""Issue 8 in a real browser: draw a digit, open the Walk-through tab, check every layer row with
the parameter counts the loaded model reports, click a C1 (and a C3) pixel and check that the
displayed sum patch·kernel + bias → activation equals the displayed feature-map value.
Then the Classic vs modern tab. Saves docs/walkthrough.png and docs/side_by_side.png.

Reuses tests/test_browser.py's helpers; skipped only when Chromium/Playwright are absent, and
never skipped under CI=true (it fails instead).
"""
import re

import pytest

from conftest import ROOT
from test_browser import draw, open_app, shown_digit

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def page():
    yield from open_app("browser_walkthrough_last.png")


@pytest.fixture(scope="module")
def models():
    from lenet import VARIANTS, Recognizer
    return {v: Recognizer.load(v).model for v in VARIANTS}


def click_map_pixel(page, layer, shape, fmap, row, col):
    """Click the centre of feature-map pixel (row, col) of map `fmap` on the layer's grid image,
    mapping image pixels to the page through the img element's rendered (object-fit) box."""
    from lenet import walkthrough as wt
    img = page.locator(f"#wt-img-{layer} img")
    img.scroll_into_view_if_needed()
    geo = img.evaluate("""(el) => { const r = el.getBoundingClientRect();
        const s = Math.min(r.width / el.naturalWidth, r.height / el.naturalHeight);
        return {x: r.left + (r.width - el.naturalWidth * s) / 2, y: r.top + (r.height - el.naturalHeight * s) / 2,
                s: s}; }""")
    x, y = wt.pixel_centre(layer, shape, fmap, row, col)
    page.mouse.click(geo["x"] + (x + 0.5) * geo["s"], geo["y"] + (y + 0.5) * geo["s"])


def check_sum(page, layer, fmap, row, col):
    from playwright.sync_api import expect
    box = page.locator("#wt-explain")
    expect(box).to_have_attribute("data-layer", layer)
    expect(box).to_have_attribute("data-map", str(fmap))
    expect(box).to_have_attribute("data-row", str(row))
    expect(box).to_have_attribute("data-col", str(col))
    expect(page.locator("#wt-explain-fig img")).to_be_visible()
    shown_sum = float(page.locator("#wt-value").inner_text())
    shown_fm = float(page.locator("#wt-fm").inner_text())
    assert abs(shown_sum - shown_fm) <= 1e-4, (shown_sum, shown_fm)
    assert abs(float(box.get_attribute("data-sum")) - float(box.get_attribute("data-fm"))) <= 1e-4
    return shown_fm


def check_rows(page, model):
    from playwright.sync_api import expect
    from lenet import walkthrough as wt
    for name in wt.ROWS:
        params = 0 if name == "input" else model.get_layer(name).count_params()
        md = page.locator(f"#wt-md-{name}")
        expect(md).to_contain_text(re.compile(rf"trainable parameters\s*{params:,}(?![\d,])"))
        expect(md).to_contain_text("shape")
        md.scroll_into_view_if_needed()          # the row images load lazily, when scrolled to
        expect(page.locator(f"#wt-img-{name} img")).to_be_visible()
    expect(page.locator("#wt-total")).to_contain_text(f"{model.count_params():,} trainable parameters")


def test_walkthrough_rows_and_explain_a_pixel(page, models):
    from playwright.sync_api import expect
    draw(page, 1)
    shown_digit(page, 1, "modern")
    page.get_by_role("tab", name="Walk-through").click()
    check_rows(page, models["modern"])
    expect(page.locator("#wt-explain")).to_contain_text("Click any pixel")
    # a C1 pixel on the stroke of the "1" (the middle of the 28x28 map), then a C3 pixel
    click_map_pixel(page, "C1", (28, 28, 6), 2, 14, 13)
    check_sum(page, "C1", 2, 14, 13)
    click_map_pixel(page, "C3", (10, 10, 16), 9, 5, 4)
    check_sum(page, "C3", 9, 5, 4)

    # the classic model, chosen with the tab's own switch: sparse C3, tanh (values rarely exactly 0)
    page.locator("#wt-model").get_by_text("classic", exact=True).click()
    check_rows(page, models["classic"])
    expect(page.locator("#wt-explain")).to_contain_text("Click any pixel")
    click_map_pixel(page, "C1", (28, 28, 6), 0, 14, 13)
    value = check_sum(page, "C1", 0, 14, 13)
    assert value != 0.0
    click_map_pixel(page, "C3", (10, 10, 16), 4, 5, 5)
    check_sum(page, "C3", 4, 5, 5)
    expect(page.locator("#wt-explain")).to_contain_text("S2 maps #1, #5, #6")   # the paper's table, C3 map #5
    page.locator("#wt-explain").scroll_into_view_if_needed()
    click_map_pixel(page, "C1", (28, 28, 6), 0, 14, 13)
    check_sum(page, "C1", 0, 14, 13)
    page.evaluate("window.scrollTo(0, 0)")
    (ROOT / "docs").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "docs" / "walkthrough.png"), full_page=True)
    # the first tab followed the switch
    page.get_by_role("tab", name="Draw & see").click()
    expect(page.locator("#model input[value=classic]")).to_be_checked()
    shown_digit(page, 1, "classic")
    # and the other way round
    page.locator("#model").get_by_text("modern", exact=True).click()
    shown_digit(page, 1, "modern")
    page.get_by_role("tab", name="Walk-through").click()
    expect(page.locator("#wt-model input[value=modern]")).to_be_checked()
    check_rows(page, models["modern"])


def test_classic_vs_modern_side_by_side(page):
    from playwright.sync_api import expect
    page.get_by_role("tab", name="Classic vs modern").click()
    for v in ("classic", "modern"):
        expect(page.locator(f'#cmp-digit-{v} .big[data-model="{v}"]')).to_have_text("1")
        expect(page.locator(f"#cmp-c1-{v} img.lf-map")).to_have_count(6)
        expect(page.locator(f"#cmp-c3-{v} img.lf-map")).to_have_count(16)
    expect(page.locator("#cmp-facts")).to_contain_text("C1 exactly zero")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ROOT / "docs" / "side_by_side.png"), full_page=True)
