"""Section 7: pen-up -> answer in a real browser (Debian Chromium via Playwright), for the app and
for Gradio's floor (bench/echo_app.py: the same pad, a handler that only echoes), in the same run.
Each stroke is a digit-like polyline drawn with the mouse at a person's pace (~60 points/s); the
page itself records, per pen-up, the time until the answer to that pen-up is painted
(window.lenetPad.latencies, lenet/ui/static/pad.js)."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"]
# A few strokes in square units: the bars and curves of digits.
STROKES = [[(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)], [(0.5, 0.15), (0.5, 0.85)],
           [(0.3, 0.3), (0.5, 0.15), (0.7, 0.3), (0.3, 0.85), (0.75, 0.85)],
           [(0.65, 0.85), (0.6, 0.15), (0.25, 0.6), (0.8, 0.6)]]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(cmd, root, timeout=120):
    """Start a server command with --port; return (process, url) once it answers."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, *cmd, "--host", "127.0.0.1", "--port", str(port)], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{cmd} did not answer within {timeout} s")


def stroke(page, box, points, steps=12, pause=0.016):
    x0, y0, s = box["x"], box["y"], box["width"]
    page.mouse.move(x0 + points[0][0] * s, y0 + points[0][1] * s)
    page.mouse.down()
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        for i in range(1, steps + 1):
            t = i / steps
            page.mouse.move(x0 + (ax + (bx - ax) * t) * s, y0 + (ay + (by - ay) * t) * s)
            time.sleep(pause)   # a person's pace: the pad's throttled live updates happen in between
    page.mouse.up()


def pen_up_latencies(url, strokes=40, settle=0.6):
    """Draw `strokes` strokes (clearing every 4) and return the page's pen-up -> answer times (ms)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(url)
        page.wait_for_selector("#pad canvas")
        box = page.locator("#pad canvas").bounding_box()
        for k in range(strokes):
            if k and k % 4 == 0:
                page.get_by_role("button", name="Clear canvas").click()
                time.sleep(settle)
            stroke(page, box, STROKES[k % len(STROKES)])
            time.sleep(settle)
        page.wait_for_function(f"window.lenetPad.latencies.length >= {strokes}", timeout=30_000)
        out = page.evaluate("window.lenetPad.latencies")
        browser.close()
    return out


def measure(root, strokes=40):
    """{name: [latencies ms]} for the app and the echo app, measured one after the other."""
    out = {}
    for name, cmd in (("Gradio echo app (floor)", ["-m", "bench.echo_app"]), ("the app", ["app.py"])):
        proc, url = serve(cmd, root)
        try:
            pen_up_latencies(url, 4)              # warm-up: first page load, first model call
            out[name] = pen_up_latencies(url, strokes)
        finally:
            proc.terminate()
            proc.wait(10)
    return out


SECTION = "9. The page in Chromium: pen-up -> answer on screen"


def run(root, results, strokes=30):
    """Section 9 of python -m bench: the app and Gradio's echo floor, one after the other."""
    import numpy as np

    from .report import Bar
    if not Path(CHROMIUM).is_file():
        results.notes.append(f"section 9 not measured: no Chromium at {CHROMIUM}")
        return
    try:
        measured = measure(root, strokes)
    except Exception as err:   # a browser that would not start: say so in the table, keep the other sections
        results.notes.append(f"section 9 not measured: {type(err).__name__}: {str(err)[:150]}")
        return
    for name, ms in measured.items():
        results.add(SECTION, name, f"p50 {np.percentile(ms, 50):.0f} ms, p95 {np.percentile(ms, 95):.0f} ms",
                    f"{len(ms)} strokes drawn with the mouse at 1280x720")
    app = measured.get("the app")
    if app:
        results.bars.append(Bar("browser pen-up -> answer p50 <= 150 ms", float(np.percentile(app, 50)), 150.0,
                                unit=" ms"))


if __name__ == "__main__":
    import numpy as np
    root = Path(__file__).resolve().parent.parent
    for name, ms in measure(root, int(sys.argv[1]) if len(sys.argv) > 1 else 40).items():
        print(f"{name}: pen-up -> answer p50 {np.percentile(ms, 50):.0f} ms, p95 {np.percentile(ms, 95):.0f} ms "
              f"(n={len(ms)})")
