"""The page in a real browser (lenet/ui and its pad, static/pad.js): Playwright drives Debian's
Chromium, draws digits with mouse and touch strokes and reads what the page shows.

- every natural drawing is read: strokes onto each edge, starting outside the square, a stroke
  50 ms after Clear, quick successive strokes;
- one screen: the pad, #digit, #probs, #c1 and #c3 inside the viewport at 1280x720, at 1920x1080
  with Large text, and on a phone (390x844, touch strokes through CDP touch events);
- live: answers arrive while the pen moves; pen-up -> answer is printed;
- the Walk-through and Compare tabs, the presenter's Large text and dark theme.
Saves docs/screenshot.png (1280x720), docs/phone.png, docs/walkthrough.png, docs/side_by_side.png.
Needs /usr/bin/chromium and playwright; skipped when absent, except under CI=true (fails instead).
"""
import math
import re
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent


# The app, Chromium and fresh pages come from tests/conftest.py (browser_app, chromium, open_page).


# ------------------------------------------------------------------ drawing

# Strokes per digit in square units (0..1, y down), drawn as a person would.
DIGITS = {
    1: [[(0.52, 0.15), (0.5, 0.85)]],
    7: [[(0.25, 0.2), (0.75, 0.2), (0.42, 0.85)]],
    0: [[(0.5 + 0.22 * math.sin(t), 0.5 - 0.32 * math.cos(t)) for t in np.linspace(0, 2 * math.pi, 40)]],
    4: [[(0.55, 0.15), (0.25, 0.6), (0.78, 0.6)], [(0.6, 0.35), (0.6, 0.88)]],
}


def square(page):
    return page.locator("#pad canvas").bounding_box()


def mouse_stroke(page, points, box=None, step_px=10, pause=0.0):
    box = box or square(page)
    pts = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*pts[0])
    page.mouse.down()
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        steps = max(1, int(math.hypot(x1 - x0, y1 - y0) // step_px))
        for i in range(1, steps + 1):
            page.mouse.move(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
            if pause:
                time.sleep(pause)
    page.mouse.up()


def touch_stroke(page, points, box=None, step_px=10):
    """A finger stroke through Chrome's DevTools protocol (real touch events, not mouse)."""
    box = box or square(page)
    cdp = page.context.new_cdp_session(page)
    pts = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": pts[0][0], "y": pts[0][1]}]})
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        steps = max(1, int(math.hypot(x1 - x0, y1 - y0) // step_px))
        for i in range(1, steps + 1):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
                {"x": x0 + (x1 - x0) * i / steps, "y": y0 + (y1 - y0) * i / steps}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def draw(page, digit, stroke=mouse_stroke):
    for points in DIGITS[digit]:
        stroke(page, points)


def clear(page):
    from playwright.sync_api import expect
    page.get_by_role("button", name="Clear canvas").click()
    expect(page.locator("#digit")).to_contain_text("Draw a digit")
    expect(page.locator("#digit .big")).to_have_count(0)


def shown(page, digit, model="modern"):
    """Wait until the page shows the answer to the pad's latest update: `digit` from `model`, with
    all of C1's and C3's maps."""
    from playwright.sync_api import expect
    page.wait_for_function("() => !window.lenetPad.seq || "
                           "document.querySelector('#digit [data-seq]')?.dataset.seq == window.lenetPad.seq")
    expect(page.locator("#pad .pad-example")).to_be_hidden()   # the test's drawing, not the preloaded example
    expect(page.locator(f'#digit .big[data-model="{model}"]')).to_have_text(str(digit))
    expect(page.locator("#c1 img.lf-map")).to_have_count(6)
    expect(page.locator("#c3 img.lf-map")).to_have_count(16)
    page.wait_for_function("""() => [...document.querySelectorAll('#c1 img.lf-map, #c3 img.lf-map')].every(
        e => e.complete && e.naturalWidth > 0)""")


def shown_number(page):
    return page.evaluate("() => { const e = document.querySelector('#digit .big'); return e ? e.textContent : null; }")


# ------------------------------------------------------------------ 1. every natural drawing is read

EDGE_DIGITS = {
    # a 7 whose bar runs along the top edge; an 8-like 0 touching the bottom; a 1 on the left and right edges
    "7 along the top edge": (7, [[(0.2, 0.0), (0.8, 0.0), (0.45, 0.8)]]),
    "0 touching the bottom edge": (0, [[(0.5 + 0.2 * math.sin(t), 0.7 - 0.3 * math.cos(t))
                                        for t in np.linspace(0, 2 * math.pi, 40)]]),
    "1 on the left edge": (1, [[(0.02, 0.15), (0.0, 0.85)]]),
    "1 on the right edge": (1, [[(0.98, 0.15), (1.0, 0.85)]]),
    "7 whose bar starts above the square": (7, [[(0.2, -0.05), (0.3, 0.1), (0.8, 0.1), (0.45, 0.85)]]),
    "7 whose stroke leaves the square at the bottom": (7, [[(0.25, 0.2), (0.75, 0.2), (0.42, 0.95), (0.38, 1.2)]]),
}


@pytest.mark.parametrize("name", list(EDGE_DIGITS))
def test_drawings_on_and_past_the_edges_are_read(open_page, name):
    page = open_page()
    digit, strokes = EDGE_DIGITS[name]
    for points in strokes:
        mouse_stroke(page, points)
    shown(page, digit)


def _coil(loops=5, steps=40):
    """A pen going round and round, drifting right and down: something scribbled out."""
    t = np.linspace(0, 2 * math.pi * loops, steps * loops)
    return [(0.28 + 0.4 * k / len(t) + 0.2 * math.cos(a), 0.4 + 0.2 * k / len(t) + 0.28 * math.sin(a))
            for k, a in enumerate(t)]


SCRIBBLES = {
    "a coil": [_coil()],
    "a hatch": [[(0.2 + 0.6 * (k % 2), 0.2 + 0.6 * k / 9) for k in range(10)]],
}


@pytest.mark.parametrize("name", list(SCRIBBLES))
def test_a_scribble_is_called_not_a_digit_with_the_bars_still_shown(open_page, name):
    """Real mouse strokes that are no digit: the page says so (a best guess, not an answer, and the
    sentence a screen reader hears), keeps the ten bars, and reads the next digit as before."""
    from playwright.sync_api import expect
    page = open_page()
    for points in SCRIBBLES[name]:
        mouse_stroke(page, points, step_px=6)
    page.wait_for_function("document.querySelector('#digit [data-seq]')?.dataset.seq == window.lenetPad.seq")
    expect(page.locator("#digit")).to_contain_text("doesn't look like a digit")
    expect(page.locator("#digit .big.guess")).to_have_count(1)
    assert page.locator("#digit [data-say]").get_attribute("data-say").startswith("That doesn't look like a digit")
    expect(page.locator("#probs")).to_contain_text("probability")
    if name == "a coil":
        page.screenshot(path=str(ROOT / "docs" / "not_a_digit.png"))
    page.locator("#model").get_by_text("paper", exact=True).click()      # the RBF ending says no too
    expect(page.locator('#digit .big.guess[data-model="paper"]')).to_have_count(1)
    page.locator("#model").get_by_text("modern", exact=True).click()
    clear(page)
    draw(page, 7)
    shown(page, 7)
    expect(page.locator("#digit .big.guess")).to_have_count(0)


def test_a_stroke_right_after_clear_and_quick_strokes_are_drawn(open_page):
    page = open_page()
    draw(page, 7)
    shown(page, 7)
    size_before = square(page)
    page.get_by_role("button", name="Clear canvas").click()
    time.sleep(0.05)                                   # a stroke 50 ms after Clear
    draw(page, 1)
    shown(page, 1)
    assert square(page) == size_before                 # Clear keeps the square's size
    clear(page)
    for points in DIGITS[4]:                           # a 4 in two quick strokes, no pause between them
        mouse_stroke(page, points, step_px=25)
    shown(page, 4)
    page.get_by_role("button", name="Undo").click()    # undo the second stroke: no longer a 4
    page.wait_for_function("() => document.querySelector('#digit .big')?.textContent !== '4'")


# ------------------------------------------------------------------ 2. one screen

def _inside(page, selector, width, height):
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    assert box["x"] >= -1 and box["y"] >= -1, (selector, box)
    assert box["x"] + box["width"] <= width + 1, (selector, box, width)
    assert box["y"] + box["height"] <= height + 1, (selector, box, height)
    return box


def _map_widths(page):
    return page.evaluate("""() => [...document.querySelectorAll('#c1 img.lf-map, #c3 img.lf-map')]
        .map(e => e.getBoundingClientRect().width)""")


@pytest.mark.parametrize("width,height,large", [(1280, 720, False), (1920, 1080, True)])
def test_pad_answer_and_maps_fit_one_screen(open_page, width, height, large):
    page = open_page(width, height)
    if large:
        page.locator("#large-text").click()
        page.wait_for_function("() => document.documentElement.classList.contains('large-text')")
    draw(page, 7)
    shown(page, 7)
    for selector in ("#pad canvas", "#digit", "#probs", "#c1", "#c3"):
        _inside(page, selector, width, height)
    assert page.evaluate("document.documentElement.scrollWidth") <= width       # nothing off to the side
    assert min(_map_widths(page)) >= 24
    if (width, height) == (1280, 720):
        page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
    else:
        assert min(_map_widths(page)[:6]) >= 100                                 # big screens: big maps


def test_phone_touch_draws_and_shows_the_digit_beside_the_pad(open_page):
    page = open_page(390, 844, touch=True)
    draw(page, 7, stroke=touch_stroke)
    shown(page, 7)
    pad = _inside(page, "#pad canvas", 390, 844)
    _inside(page, "#digit", 390, 844)
    assert pad["width"] >= 250
    assert page.evaluate("window.scrollY") == 0                           # nothing scrolled while drawing
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert min(_map_widths(page)) >= 24
    small = page.evaluate("""() => [...document.querySelectorAll(
        '#pad button, #model label, #header a, #header button')]
        .filter(e => e.offsetParent !== null).map(e => [e.textContent.trim(), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 40)""")
    assert small == []                                                    # touch targets at least 40 px tall
    # the C1 captions do not overlap one another
    boxes = page.evaluate("""() => [...document.querySelectorAll('#c1 figcaption')].map(e => {
        const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] + 0.5 or b[2] <= a[0] + 0.5 or a[3] <= b[1] + 0.5 or b[3] <= a[1] + 0.5, (a, b)
    page.screenshot(path=str(ROOT / "docs" / "phone.png"))


# ------------------------------------------------------------------ 3. live

def test_answers_arrive_while_the_pen_moves_and_pen_up_is_quick(open_page):
    page = open_page()
    sent = []   # what the page posts to Gradio: bench/people.py must send the same
    page.on("request", lambda r: sent.append((r.url, r.post_data or "")) if r.method == "POST" else None)
    box = square(page)
    x, y = box["x"], box["y"]
    s = box["width"]
    page.mouse.move(x + 0.25 * s, y + 0.2 * s)
    page.mouse.down()
    for i in range(1, 21):                                 # the bar of a 7, at a person's pace
        page.mouse.move(x + (0.25 + 0.5 * i / 20) * s, y + 0.2 * s)
        time.sleep(0.02)
    page.wait_for_function("() => document.querySelector('#digit [data-seq]') !== null")   # answered mid-stroke
    seen_during = page.evaluate("Number(document.querySelector('#digit [data-seq]').dataset.seq)")
    for i in range(1, 21):
        page.mouse.move(x + (0.75 - 0.33 * i / 20) * s, y + (0.2 + 0.65 * i / 20) * s)
        time.sleep(0.02)
    page.mouse.up()
    shown(page, 7)
    assert seen_during >= 1
    # Each update is one POST run/predict (the pad's event is queue=False: lenet/ui/gate/pad_line.py),
    # the ones sent while the pen moved marked live; none goes through Gradio's queue
    updates = [(url, body) for url, body in sent if '\\"seq\\"' in body]
    assert updates and all(url.endswith("/gradio_api/run/predict") for url, _ in updates), [u for u, _ in updates]
    assert any('\\"live\\":true' in body for _, body in updates)
    assert '\\"live\\":true' not in updates[-1][1]   # the pen-up
    # pen-up -> answer painted, as the page measures it (pad.js), over a few more strokes
    for k in range(6):
        clear(page)
        draw(page, (1, 7, 0)[k % 3])
        shown(page, (1, 7, 0)[k % 3])
    page.wait_for_function("() => window.lenetPad.latencies.length >= 7")
    ms = page.evaluate("window.lenetPad.latencies")
    print(f"\npen-up -> answer in this browser: p50 {np.percentile(ms, 50):.0f} ms, max {max(ms):.0f} ms "
          f"over {len(ms)} strokes (python -m bench measures it against Gradio's echo floor)")


# ------------------------------------------------------------------ presenter, other tabs

def _contrast(page, selector):
    """WCAG contrast ratio of an element's text colour against the page background behind it."""
    return page.locator(selector).evaluate("""(e) => {
        const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        const lum = ([r, g, b]) => 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        let bg = null, n = e;
        while (n && !bg) {
            const c = getComputedStyle(n).backgroundColor;
            if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') bg = c;
            n = n.parentElement; }
        const cs = getComputedStyle(e);
        const fg = rgb(cs.color), op = Number(cs.opacity), b = rgb(bg || 'rgb(255,255,255)');
        const mixed = fg.map((v, i) => v * op + b[i] * (1 - op));
        const [l1, l2] = [lum(mixed), lum(b)].sort((a, c) => c - a);
        return (l1 + 0.05) / (l2 + 0.05); }""")


def test_dark_theme_text_meets_wcag_aa(open_page):
    page = open_page(query="?__theme=dark")
    page.wait_for_function("() => document.body.classList.contains('dark') "
                           "|| document.documentElement.classList.contains('dark')")
    draw(page, 7)
    shown(page, 7)
    for selector in ("#digit .conf", "#digit .big", "#probs .pb-d >> nth=0", "#c1 .lf-title"):
        ratio = _contrast(page, selector)
        assert ratio >= 4.5, (selector, ratio)


def test_large_text_keeps_the_about_tab_on_screen(open_page):
    page = open_page(1280, 720)
    page.locator("#large-text").click()
    page.get_by_role("tab", name="About").click()
    page.locator("#table-modern").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


@pytest.fixture(scope="module")
def models():
    from lenet import VARIANTS, Recognizer
    return {v: Recognizer.load(v, backend="tensorflow").model for v in VARIANTS}   # Keras models: get_layer


def click_map_pixel(page, layer, shape, fmap, row, col):
    """Click the centre of feature-map pixel (row, col) of map `fmap` on the layer's grid image."""
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
    shown_sum = float(page.locator("#wt-value").inner_text())
    shown_fm = float(page.locator("#wt-fm").inner_text())
    assert abs(shown_sum - shown_fm) <= 1e-4, (shown_sum, shown_fm)
    return shown_fm


def check_rows(page, model):
    from playwright.sync_api import expect

    from lenet import walkthrough as wt
    for name in wt.ROWS:
        params = 0 if name == "input" else model.get_layer(name).count_params()
        md = page.locator(f"#wt-md-{name}")
        expect(md).to_contain_text(re.compile(rf"trainable parameters\s*{params:,}(?![\d,])"))
        md.scroll_into_view_if_needed()
        expect(page.locator(f"#wt-img-{name} img")).to_be_visible()
    expect(page.locator("#wt-total")).to_contain_text(f"{model.count_params():,} trainable parameters")


def test_walkthrough_explains_a_pixel_and_follows_the_model_switch(open_page, models):
    from playwright.sync_api import expect
    page = open_page(1400, 1000)
    draw(page, 1)
    shown(page, 1)
    page.get_by_role("tab", name="Walk-through").click()
    check_rows(page, models["modern"])
    click_map_pixel(page, "C1", (28, 28, 6), 2, 14, 13)
    check_sum(page, "C1", 2, 14, 13)
    click_map_pixel(page, "C3", (10, 10, 16), 9, 5, 4)
    check_sum(page, "C3", 9, 5, 4)
    page.locator("#wt-model").get_by_text("classic", exact=True).click()
    check_rows(page, models["classic"])
    click_map_pixel(page, "C3", (10, 10, 16), 4, 5, 5)
    check_sum(page, "C3", 4, 5, 5)
    expect(page.locator("#wt-explain")).to_contain_text("S2 maps #1, #5, #6")   # the paper's table, C3 map #5
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ROOT / "docs" / "walkthrough.png"), full_page=True)
    page.get_by_role("tab", name="Draw & see").click()
    expect(page.locator("#model input[value=classic]")).to_be_checked()
    shown(page, 1, "classic")
    page.get_by_role("tab", name="Compare").click()
    for v in models:
        expect(page.locator(f'#cmp-digit-{v} .big[data-model="{v}"]')).to_have_text("1")
        expect(page.locator(f"#cmp-c1-{v} img.lf-map")).to_have_count(6)
        expect(page.locator(f"#cmp-c3-{v} img.lf-map")).to_have_count(16)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ROOT / "docs" / "side_by_side.png"), full_page=True)


def test_live_updates_keep_the_pace_the_servers_answers_ask_for(open_page):
    """The server's answers set the lenet-pace cookie (gate/boundary.py, pad_line.py); here every answer
    asks for 1000 ms, as a crowded server would: a stroke of T s then sends at most 1 + T live updates
    (~10 T at the page's own 100 ms), the first marked so the line reads it before later ones, and its
    pen-up still goes at once and is answered."""
    page = open_page()
    slow = "lenet-pace=1000; Path=/; SameSite=Lax"

    def paced(route):    # fetched over plain HTTP: route.fetch() would store the server's own cookie
        asked = route.request  # in the page's cookie jar too, racing the one set here
        sent = urllib.request.Request(asked.url, data=asked.post_data_buffer, method=asked.method,
                                      headers={k: v for k, v in asked.headers.items() if k.lower() != "content-length"})
        with urllib.request.urlopen(sent, timeout=60) as response:
            body, status = response.read(), response.status
            headers = {k: v for k, v in response.headers.items()
                       if k.lower() not in ("set-cookie", "transfer-encoding", "content-length")}
        route.fulfill(status=status, body=body, headers={**headers, "set-cookie": slow})
    page.route("**/gradio_api/run/predict", paced)
    clear(page)                                            # one answer through the route: the cookie is set
    page.wait_for_function("() => document.cookie.includes('lenet-pace=1000')")
    sent = []
    page.on("request", lambda r: sent.append(r.post_data or "") if r.url.endswith("/run/predict") else None)
    box = square(page)
    x, y, s = box["x"], box["y"], box["width"]
    page.mouse.move(x + 0.5 * s, y + 0.15 * s)
    began = time.perf_counter()
    page.mouse.down()
    for i in range(1, 41):                                 # a ~1 s stroke: a 1
        page.mouse.move(x + 0.5 * s, y + (0.15 + 0.7 * i / 40) * s)
        time.sleep(0.03)
    page.mouse.up()
    took = time.perf_counter() - began
    shown(page, 1)
    updates = [b for b in sent if '\\"seq\\"' in b]
    live = [b for b in updates if '\\"live\\":true' in b]
    assert 1 <= len(live) <= 1 + took and '\\"live\\":true' not in updates[-1], (len(live), took)
    first = [b for b in live if '\\"first\\":true' in b]
    assert first == live[:1], len(first)                   # the stroke's first live update says so, alone
