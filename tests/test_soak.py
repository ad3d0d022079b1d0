"""Load and soak (issue 7): 16 concurrent clients, mixed valid and invalid requests, for
LENET_SOAK_SECONDS (default 120). Every valid request gets the answer the same image gets
alone, no server errors, server RSS grows < 50 MB, Gradio's cache stays bounded."""
import os
import random
import re
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, start_app, stop_app
from test_bad_input import (ONE, SIDE, draw, gradient_seven, noise, png, predict_http,
                            red_on_yellow, truncated_png)

CLIENTS = 16
SECONDS = float(os.environ.get("LENET_SOAK_SECONDS", 120))
RSS_GROWTH = 50 * 2**20
SAMPLE = 5.0   # seconds between memory readings
CACHE_BOUND = 200 * 2**20


def corpus(folder):
    """(path or None, valid?) pairs: clear digits in several styles, and junk."""
    from PIL import Image
    valid = {
        "seven": draw(), "one": draw(ONE), "inverted": draw(ink=255, paper=0), "red": red_on_yellow(),
        "gradient": Image.fromarray(gradient_seven()),
        "four": draw([(0.6, 0.85), (0.6, 0.15), (0.2, 0.6), (0.8, 0.6)]),
        "small": draw(box=(0.3, 0.3, 0.7, 0.7)),
    }
    invalid = {"white": png(Image.new("L", (SIDE, SIDE), 255)), "noise": png(Image.fromarray(noise(3))),
               "truncated": truncated_png(), "text": b"hello, not a picture\n"}
    items = []
    for name, image in valid.items():
        (folder / f"{name}.png").write_bytes(png(image))
        items.append((folder / f"{name}.png", True))
    for name, data in invalid.items():
        (folder / f"{name}.png").write_bytes(data)
        items.append((folder / f"{name}.png", False))
    items.append((None, False))  # the empty sketchpad
    return items


def folder_size(path):
    files = [p for p in Path(path).rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


@pytest.mark.slow
def test_soak(tmp_path, monkeypatch):
    import psutil
    from gradio_client import Client

    cache = tmp_path / "gradio-cache"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(cache))
    proc, url = start_app()
    try:
        server = psutil.Process(proc.pid)
        items = corpus(tmp_path)
        # The answer each valid image gets alone, and a warm-up of every path through the app.
        alone = Client(url, verbose=False, download_files=False)
        expected = {}
        for path, ok in items:
            digit, message = predict_http(alone, path)
            assert message is None or not message.startswith("AppError"), (path, message)
            if ok:
                assert digit is not None, (path, message)
                expected[path] = digit
        rss0 = server.memory_info().rss
        cache0 = folder_size(cache)

        counts = {"valid": 0, "invalid": 0}
        failures = []
        lock = threading.Lock()
        deadline = time.monotonic() + SECONDS

        def worker(seed):
            rng = random.Random(seed)
            client = Client(url, verbose=False, download_files=False)
            while time.monotonic() < deadline and len(failures) < 20:
                path, ok = rng.choice(items)
                try:
                    digit, message = predict_http(client, path)
                except Exception as err:  # a transport error is a server failure too
                    digit, message = None, f"AppError: {type(err).__name__}: {err}"
                with lock:
                    counts["valid" if ok else "invalid"] += 1
                    if message and message.startswith("AppError"):
                        failures.append((path, message))
                    elif ok and digit != expected[path]:
                        failures.append((path, f"got {digit} / {message!r}, alone {expected[path]}"))
                    elif not ok and message is None:
                        failures.append((path, f"junk read as {digit}"))

        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(CLIENTS)]
        # The server's memory, sampled every SAMPLE seconds while the clients run: a leak shows as a
        # rising line, a one-off step (allocator arenas and sessions filling once 16 threads run) does not.
        samples, started = [(0.0, rss0)], time.monotonic()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            next_sample = started + len(samples) * SAMPLE
            for t in threads:
                t.join(timeout=max(0.0, next_sample - time.monotonic()))
                if time.monotonic() >= next_sample:
                    break
            samples.append((time.monotonic() - started, server.memory_info().rss))
        rss1 = samples[-1][1]
        peak = max(rss for _, rss in samples)
        half = [rss for t, rss in samples if t >= SECONDS / 2]
        second_half_growth = (half[-1] - half[0]) if len(half) > 1 else 0
        cache1 = folder_size(cache)
        series = " ".join(f"{t:.0f}s:{rss / 2**20:.0f}" for t, rss in samples[::max(1, len(samples) // 12)])
        report = (f"{CLIENTS} clients, {SECONDS:.0f} s: {counts['valid']} valid + {counts['invalid']} invalid "
                  f"requests ({sum(counts.values()) / SECONDS:.1f}/s); RSS {rss0 / 2**20:.0f} -> "
                  f"{rss1 / 2**20:.0f} MB (peak {peak / 2**20:.0f}; second half {second_half_growth / 2**20:+.0f} MB); "
                  f"cache {cache0[0]} files {cache0[1] / 2**20:.1f} MB -> {cache1[0]} files "
                  f"{cache1[1] / 2**20:.1f} MB\nRSS MB over time: {series}")
        print(report)
        (tmp_path / "soak.txt").write_text(report + "\n")
        assert not failures, failures[:5]
        assert counts["valid"] > 0 and counts["invalid"] > 0
        assert rss1 - rss0 < RSS_GROWTH, report       # from the single-client warm-up to the end
        assert second_half_growth < RSS_GROWTH / 2, report  # and no steady climb
        assert cache1[1] < CACHE_BOUND, report
        assert proc.poll() is None, "the server died"
    finally:
        stop_app(proc)


def test_app_cleans_gradio_cache():
    """Uploads and output images land in Gradio's cache; a long-running public app must
    delete them (gr.Blocks(delete_cache=(frequency, age)))."""
    text = (ROOT / "app.py").read_text()
    assert re.search(r"delete_cache\s*=\s*\(", text), "app.py: gr.Blocks(..., delete_cache=(600, 600))"


def test_queue_is_bounded():
    text = (ROOT / "app.py").read_text()
    found = re.search(r"\.queue\([^)]*max_size\s*=\s*(\d+)", text)
    assert found and 0 < int(found.group(1)) <= 256, "app.py: demo.queue(max_size=...)"


def test_uploads_are_size_limited():
    text = (ROOT / "app.py").read_text()
    assert re.search(r"max_file_size\s*=", text), "app.py: demo.launch(max_file_size=...)"
