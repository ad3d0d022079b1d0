"""Load and soak (issue 7): 16 concurrent clients, mixed valid and invalid requests, for
LENET_SOAK_SECONDS (default 120). Every valid request gets the answer the same image gets
alone, no server errors, server RSS grows < 50 MB, Gradio's cache stays bounded. (The bounds this
relies on are checked as behaviour elsewhere: cache cleaning and the queue's size on the built page
in test_readings_pad.py, the upload limit as HTTP 413 in test_app.py.)"""
import os
import random
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from lenet.synthetic import draw, save_png

CLIENTS = 16
SECONDS = float(os.environ.get("LENET_SOAK_SECONDS", 120))
RSS_GROWTH = 50 * 2**20
SAMPLE = 5.0   # seconds between memory readings
CACHE_BOUND = 200 * 2**20
SIDE = 280


def on_paper(ink, paper_rgb, ink_rgb):
    """Ink (uint8, 255 = ink) laid on a paper colour or picture: an opaque RGBA array."""
    a = ink.astype("float64")[..., None] / 255
    rgb = np.broadcast_to(np.asarray(paper_rgb, "float64"), ink.shape + (3,)) * (1 - a) + np.asarray(ink_rgb) * a
    return np.dstack([np.clip(rgb, 0, 255).astype(np.uint8), np.full(ink.shape, 255, np.uint8)])


def corpus(folder):
    """(path or None, valid?) pairs: clear digits in several styles, and junk."""
    ink = 255 - draw(7, canvas=SIDE)[..., 0]          # a 7, black on white -> ink map
    y, x = np.mgrid[0:SIDE, 0:SIDE] / SIDE             # a photo-like backdrop: light gradient, sensor noise
    base = 150 + 80 * (0.6 * x + 0.4 * y)
    photo = np.stack([base, base * 0.95, base * 0.85], axis=-1) + np.random.default_rng(1).normal(0, 4, (SIDE, SIDE, 3))
    valid = {
        "seven": draw(7, canvas=SIDE), "one": draw(1, canvas=SIDE), "inverted": draw(7, canvas=SIDE, background="dark"),
        "red": on_paper(ink, (250, 220, 40), (200, 20, 20)), "gradient": on_paper(ink, photo, (40, 40, 40)),
        "four": draw(4, canvas=SIDE), "small": draw(7, canvas=SIDE, height=0.3),
    }
    items = []
    for name, rgba in valid.items():
        items.append((save_png(rgba, folder / f"{name}.png"), True))
    noise = np.random.default_rng(3).integers(0, 256, (SIDE, SIDE, 4), dtype=np.uint8)
    noise[..., 3] = 255
    save_png(noise, folder / "noise.png")
    save_png(np.full((SIDE, SIDE, 4), 255, np.uint8), folder / "white.png")
    truncated = folder / "truncated.png"
    truncated.write_bytes((folder / "seven.png").read_bytes()[:(folder / "seven.png").stat().st_size // 2])
    (folder / "text.png").write_bytes(b"hello, not a picture\n")
    items += [(folder / f"{name}.png", False) for name in ("white", "noise", "truncated", "text")]
    items.append((None, False))  # the empty sketchpad
    return items


def folder_size(path):
    files = [p for p in Path(path).rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


@pytest.mark.slow
def test_soak(tmp_path, monkeypatch, run_app, ask):
    import psutil
    from gradio_client import Client

    cache = tmp_path / "gradio-cache"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(cache))
    app = run_app()
    proc, url = app.proc, app.url
    server = psutil.Process(proc.pid)
    items = corpus(tmp_path)
    # The answer each valid image gets alone, and a warm-up of every path through the app.
    alone = Client(url, verbose=False, download_files=False)
    expected = {}
    for path, ok in items:
        digit, message = ask(alone, path)
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
                digit, message = ask(client, path)
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

