"""lenet/ui/gate/uploads.py, the upload ledger: its running totals against sums recomputed from its
files after every step of a random sequence of uploads, expiries and evictions; the budgets per
client; the order files go in (expired first, then the oldest while the cache is over its cap).
(Over HTTP, with Gradio's upload route: tests/test_gate_boundary.py, finding 8.)"""
import random
from collections import defaultdict

from lenet.ui.gate import uploads
from lenet.ui.gate.limits import MB, Limits
from lenet.ui.gate.uploads import UPLOAD_HELD, UPLOAD_RATE, Uploads


def ledger(tmp_path, **limits):
    book = Uploads(Limits(disk_floor=0, **limits), tmp_path)
    book.free_disk = lambda: 10**15
    return book


def upload(book, tmp_path, client, size, now, name):
    path = tmp_path / name
    path.write_bytes(b"\0" * size)
    refused = book.admit(client, size, now)
    if refused is None:
        book.record(client, [path], now)
    return refused, path


def consistent(book):
    held = defaultdict(int)
    for _, size, client in book.files.values():
        held[client] += size
    times = [t for t, _, _ in book.files.values()]
    assert book.total == sum(held.values())
    assert {c: b for c, b in book.held.items() if b} == dict(held)
    assert times == sorted(times)   # oldest first, which the sweep relies on
    for client, sent in book.sent.items():
        assert book.sent_bytes[client] == sum(b for _, b in sent)


def test_running_totals_match_the_files_after_every_step(tmp_path):
    rng = random.Random(0)
    book = ledger(tmp_path, upload_cache=200_000, upload_held=60_000, upload_per_minute=80_000, retention=30.0)
    now = 0.0
    for i in range(600):
        now += rng.uniform(0, 0.5)
        client = f"10.0.0.{rng.randrange(4)}"
        if rng.random() < 0.1 and book.files:                # a picture refused after its upload
            path = rng.choice(list(book.files))
            book.forget(path)
            uploads.remove(path)
        elif rng.random() < 0.05 and book.files:             # the same content uploaded again
            path = rng.choice(list(book.files))
            book.record(client, [path], now)
        else:
            upload(book, tmp_path, client, rng.randrange(100, 20_000), now, f"f{i}.png")
        if rng.random() < 0.1:
            book.sweep(now)
        consistent(book)
        assert book.total <= 200_000
    assert len(book.files) > 5


def test_budgets_per_client(tmp_path):
    book = ledger(tmp_path, upload_per_minute=4 * MB, upload_held=2 * MB)
    assert upload(book, tmp_path, "a", MB, 0.0, "a1")[0] is None
    assert upload(book, tmp_path, "a", MB, 1.0, "a2")[0] is None
    assert upload(book, tmp_path, "a", MB, 2.0, "a3")[0] == UPLOAD_HELD      # 2 MB held
    assert upload(book, tmp_path, "b", MB, 2.0, "b1")[0] is None             # another client
    book.forget(tmp_path / "a1")
    assert upload(book, tmp_path, "a", MB, 3.0, "a4")[0] is None
    assert upload(book, tmp_path, "a", 10, 4.0, "a5")[0] == UPLOAD_HELD
    book.forget(tmp_path / "a2")
    book.forget(tmp_path / "a4")
    assert upload(book, tmp_path, "a", 3 * MB // 2, 5.0, "a6")[0] == UPLOAD_RATE   # 3 MB sent this minute
    assert upload(book, tmp_path, "a", 3 * MB // 2, 62.0, "a7")[0] is None         # a1 and a2 out of it
    consistent(book)


def test_expired_files_go_first_then_the_oldest_while_over_the_cap(tmp_path):
    book = ledger(tmp_path, upload_cache=3000, retention=100.0)
    paths = [upload(book, tmp_path, "a", 1000, t, f"p{t}")[1] for t in (0.0, 10.0, 20.0)]
    book.sweep(105.0)                                   # the first has expired
    assert list(book.files) == [str(p) for p in paths[1:]] and not paths[0].exists()
    upload(book, tmp_path, "b", 1500, 106.0, "big")     # needs room: the oldest left goes
    assert list(book.files) == [str(paths[2]), str(tmp_path / "big")] and not paths[1].exists()
    consistent(book)


def test_files_gradio_writes_for_answers_are_kept_under_the_ledgers_caps(tmp_path):
    """Issue 29 point 6: the Lab and Walk-through answers left 437-849 files per 120 requests in
    Gradio's cache, kept 10-15 min, outside any cap. The sweep keeps them under `cache_files` and
    `cache_bytes`, oldest first, and leaves uploads (the ledger's own) to their budgets."""
    import os
    import time
    ledger = Uploads(Limits(cache_files=10, cache_bytes=50_000, retention=600), tmp_path)
    now = time.time()
    for i in range(30):   # Gradio's layout: <cache>/<hash>/<name>
        folder = tmp_path / f"h{i:02d}"
        folder.mkdir()
        (folder / "figure.png").write_bytes(b"x" * 3000)
        os.utime(folder / "figure.png", (now - 100 + i, now - 100 + i))
    upload = tmp_path / "up" / "photo.png"
    upload.parent.mkdir()
    upload.write_bytes(b"y" * 3000)
    ledger.record("192.0.2.1", [str(upload)])
    files, size = ledger.sweep_outputs(now)
    kept = sorted(p.parent.name for p in tmp_path.rglob("figure.png"))
    assert files == 10 and size == 30_000 and kept == [f"h{i:02d}" for i in range(20, 30)]   # the newest
    assert upload.is_file()
    ledger = Uploads(Limits(retention=50), tmp_path)
    assert ledger.sweep_outputs(now)[0] == 1 and not list(tmp_path.rglob("figure.png"))   # all older than 50 s
