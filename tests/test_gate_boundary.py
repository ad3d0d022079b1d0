"""lenet/ui/gate/boundary.py, attacked as a stranger on a public link would: plain HTTP against a
running `python app.py`, one test per finding of issue 14, each asserting its bound (server memory
from /proc/<pid>/status, other clients' latency, bytes on disk, the exact sentence)."""
import base64
import concurrent.futures as cf
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
import requests
from conftest import ROOT
from PIL import Image

from bench.http import Server
from lenet import synthetic
from lenet.decode import EMPTY, TOO_MANY_PIXELS
from lenet.ui.gate import boundary
from lenet.ui.readings import pad

pytestmark = pytest.mark.slow
MB = 2**20
ATTACKER, VISITOR = {"X-Forwarded-For": "203.0.113.66"}, {"X-Forwarded-For": "198.51.100.7"}


class App(Server):
    """`python app.py *args` as bench/http.py's Server starts it: a free port, a private Gradio cache,
    output to a file, and this machine a trusted proxy (LENET_TRUSTED_PROXIES), so X-Forwarded-For
    tells the tests' visitors apart. Plus the page's config, to call its events as a stranger would."""

    def __init__(self, *args, env=None, timeout=120):
        super().__init__(ROOT, *args, env=env, timeout=timeout)
        self.url = self.url.rstrip("/")
        self.config = requests.get(self.url + "/config", timeout=10).json()

    def rss_mb(self):
        """The server process alone (VmRSS), not the bench's figure with its children."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def fn_index(self, name):
        return next(d["id"] for d in self.config["dependencies"] if d.get("api_name") == name)

    def component(self, elem_id):
        return next(c["id"] for c in self.config["components"] if c.get("props", {}).get("elem_id") == elem_id)

    def upload(self, data, name="digit.png", headers=None):
        return requests.post(self.url + "/gradio_api/upload", files={"files": (name, data, "image/png")},
                             headers=headers, timeout=60)

    def call(self, name, data, headers=None, timeout=120):
        """Gradio's REST route: POST /call/<name>, then read its event stream -> (event, data)."""
        r = requests.post(f"{self.url}/gradio_api/call/{name}", json={"data": data}, headers=headers, timeout=30)
        if r.status_code != 200:
            return "refused", r
        event_id = r.json()["event_id"]
        stream = requests.get(f"{self.url}/gradio_api/call/{name}/{event_id}", headers=headers, stream=True,
                              timeout=timeout)
        event = None
        for line in stream.iter_lines(decode_unicode=True):
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                return event, json.loads(line[5:])
        return "closed", None

    def join(self, name, data, headers=None, timeout=120):
        """What the page does: POST queue/join with the event's fn_index, then read the session's
        event stream -> (event, output) or ("refused", response)."""
        dep = next(d for d in self.config["dependencies"] if d.get("api_name") == name)
        data = list(data) + [None] * (len(dep["inputs"]) - len(data))
        session = uuid.uuid4().hex[:10]
        r = requests.post(f"{self.url}/gradio_api/queue/join", headers=headers, timeout=30,
                          json={"data": data, "fn_index": dep["id"], "session_hash": session, "trigger_id": None})
        if r.status_code != 200:
            return "refused", r
        stream = requests.get(f"{self.url}/gradio_api/queue/data", params={"session_hash": session},
                              headers=headers, stream=True, timeout=timeout)
        for line in stream.iter_lines(decode_unicode=True):
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    out = msg.get("output") or {}
                    return ("complete", out.get("data")) if msg.get("success") else ("error", out)
        return "closed", None

    def pad(self, data, headers=None, session=None):
        """What the page does for a pad's update (a queue=False event, pad_line.py): one POST
        run/predict with the event's fn_index -> ("complete", output) or ("refused", response)."""
        dep = next(d for d in self.config["dependencies"] if d.get("api_name") == "on_pad")
        data = list(data) + [None] * (len(dep["inputs"]) - len(data))
        r = requests.post(f"{self.url}/gradio_api/run/predict", headers=headers, timeout=120,
                          json={"data": data, "fn_index": dep["id"], "event_data": None, "trigger_id": None,
                                "session_hash": session or uuid.uuid4().hex[:10]})
        return ("complete", r.json()["data"]) if r.status_code == 200 else ("refused", r)


@pytest.fixture(scope="module")
def app():
    # Room for the upload tests: 40 MB a minute and 60 MB held per client, 64 MB of uploads in all.
    a = App(env={"LENET_UPLOAD_CACHE": "64"})
    yield a
    a.stop()


def png(array, **save):
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG", **save)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb():
    """65 KB of PNG declaring 13000 x 13000 pixels (1-bit white): 169 megapixels."""
    buf = io.BytesIO()
    Image.new("1", (13000, 13000), 1).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


@pytest.fixture(scope="module")
def heavy():
    """The heaviest picture lenet accepts: 7000 x 7000 RGBA (49 MP, just under its 50 MP limit)."""
    im = np.full((7000, 7000, 4), 255, np.uint8)
    im[1000:6000, 3300:3700, :3] = 0
    return png(im, compress_level=1)


def path_of(uploaded):
    return {"path": uploaded.json()[0], "meta": {"_type": "gradio.FileData"}}


def digit_png(digit=7, side=280):
    return png(synthetic.draw(digit, side))


# ------------------------------------------------------------------ 1. accept_blobs

def test_1_accept_blobs_is_refused_and_costs_nothing(app):
    before = app.rss_mb()
    sketch = app.component("api-sketchpad")
    statuses = []
    for i in range(5):
        r = requests.post(app.url + "/gradio_api/component_server", timeout=60, files={"file": ("b", b"x" * 100)},
                          data={"session_hash": "s1", "component_id": str(sketch), "fn_name": "accept_blobs",
                                "type": "layer", "index": "100000000", "id": f"blob{i}"})
        statuses.append(r.status_code)
    growth = app.rss_mb() - before
    print(f"accept_blobs x5 (index 1e8): statuses {statuses}, server +{growth:.0f} MB")
    assert set(statuses) == {404}
    assert growth < 100


# ------------------------------------------------------------------ 2. pixels checked before decoding

def test_2_a_pixel_bomb_is_refused_before_decoding_by_every_route(app, bomb):
    before, peak = app.rss_mb(), 0.0
    # As a blob (what the sketchpad sent): the blob store is closed, so an id names nothing.
    event, out = app.call("predict", [{"id": "bomb", "background": None, "layers": [], "composite": None}, "modern"])
    assert event == "complete" and EMPTY in out[0]
    # As a data URL in a JSON body (gr.Image decodes those itself).
    url = "data:image/png;base64," + base64.b64encode(bomb).decode()
    r = requests.post(app.url + "/gradio_api/call/predict_image", json={"data": [{"url": url, "path": None,
                      "meta": {"_type": "gradio.FileData"}}, "modern"]}, timeout=60)
    assert r.status_code == 413 and r.json()["detail"] == TOO_MANY_PIXELS
    peak = max(peak, app.rss_mb() - before)
    # Inside the pad's value.
    event, r = app.pad([pad.value_of(bomb), "modern"])
    assert event == "refused" and r.status_code == 413 and r.json()["detail"] == TOO_MANY_PIXELS
    # As an upload: deleted before anyone reads it.
    r = app.upload(bomb, "bomb.png")
    assert r.status_code == 413 and r.json()["detail"] == TOO_MANY_PIXELS
    assert not any(p.is_file() for p in Path(app.cache.name).rglob("bomb.png"))
    growth = max(peak, app.rss_mb() - before)
    print(f"13000x13000 PNG by blob, data URL, pad, upload: server +{growth:.0f} MB")
    assert growth < 500


# ------------------------------------------------------------------ 3. nothing heavy skips the queue

def test_3_run_routes_refuse_predictions_and_the_queue_bounds_memory(app, heavy):
    heavy_file = path_of(app.upload(heavy, "heavy.png", ATTACKER))
    queued = [d["id"] for d in app.config["dependencies"] if d.get("queue") is not False]
    for index in queued:
        r = requests.post(app.url + "/gradio_api/run/predict", json={"data": [], "fn_index": index}, timeout=30)
        assert r.status_code == 403, (index, r.status_code)
    for name in ("predict", "predict_image"):
        r = requests.post(f"{app.url}/gradio_api/run/{name}", json={"data": [heavy_file, "modern"]}, timeout=30)
        assert r.status_code == 403 and r.json()["detail"] == boundary.NOT_HERE
    one = peak_growth(app, lambda: [app.call("predict_image", [heavy_file, "modern"], ATTACKER)])
    with cf.ThreadPoolExecutor(6) as pool:
        answers = []
        six = peak_growth(app, lambda: answers.extend(
            pool.map(lambda _: app.call("predict_image", [heavy_file, "modern"], ATTACKER), range(6))))
    print(f"49 MP RGBA pictures through the queue: one alone +{one:.0f} MB peak, six at once +{six:.0f} MB peak")
    assert all(event == "complete" and 'data-digit="1"' in out[0] for event, out in answers), answers
    assert six <= 1.15 * one + 20   # the queue runs heavy work one at a time: six cost what one costs


def peak_growth(app, work):
    """The server's peak memory growth (MB) while `work()` runs, sampled every 20 ms."""
    before, peak, done = app.rss_mb(), [0.0], threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], app.rss_mb() - before)
            time.sleep(0.02)   # sampling the server's memory
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        work()
    finally:
        done.set()
        watcher.join()
    return peak[0]


def test_3_the_heaviest_picture_costs_under_500_mb(app, heavy):
    """A 49 MP RGBA PNG: the decoded picture and Pillow's premultiplied copy while shrinking (196 MB
    each); lenet/decode.py no longer copies it before the shrink (it peaked at ~590 MB)."""
    heavy_file = path_of(app.upload(heavy, "heavy3.png", ATTACKER))
    peak = peak_growth(app, lambda: app.call("predict_image", [heavy_file, "modern"], ATTACKER))
    print(f"\npeak server growth for one 49 MP RGBA picture: {peak:.0f} MB")
    assert peak < 500


# ------------------------------------------------------------------ 4. one client cannot stall the others

def stroke_times(app, n, headers, every=0.1):
    """n strokes of one person's page, one every `every` s at most (pad.js's live-update interval)."""
    value = pad.value_of(digit_png(3))
    times = []
    for _ in range(n):
        t = time.perf_counter()
        event, out = app.pad([value, "modern"], headers)
        times.append(time.perf_counter() - t)
        assert event == "complete" and 'data-digit' in out[0], out
        time.sleep(max(0.0, every - times[-1]))
    return np.array(times)


def test_4_a_client_looping_the_heaviest_input_leaves_others_strokes_within_2x(app, heavy):
    """Strokes never wait behind heavy work (asserted against the heavy answers' own duration, which
    holds on a busy machine); the issue's bar, p95 under attack <= 2x idle, is asserted when the
    machine is not already overloaded by others (1-min load average under its core count) and is
    measured by `python -m bench` (section 4b) either way."""
    heavy_file = path_of(app.upload(heavy, "heavy4.png", ATTACKER))
    stroke_times(app, 5, VISITOR)   # warm-up
    idle = stroke_times(app, 40, VISITOR)
    stop, heavy_times = threading.Event(), []

    def attack():
        while not stop.is_set():
            t = time.perf_counter()
            app.call("predict_image", [heavy_file, "modern"], ATTACKER)
            heavy_times.append(time.perf_counter() - t)
    attackers = [threading.Thread(target=attack) for _ in range(4)]
    for t in attackers:
        t.start()
    time.sleep(2)   # let the attack fill the queue
    attacked = stroke_times(app, 40, VISITOR)
    stop.set()
    for t in attackers:
        t.join()
    p95_idle, p95_attacked = np.percentile(idle, 95), np.percentile(attacked, 95)
    one_heavy = float(np.max(heavy_times))   # the first decode; the decoder keeps its answer for repeats
    load = os.getloadavg()[0]
    print(f"per-stroke p95 idle {p95_idle * 1e3:.0f} ms, under attack {p95_attacked * 1e3:.0f} ms; "
          f"{len(heavy_times)} heavy answers, the slowest {one_heavy:.1f} s; load average {load:.1f}")
    assert len(heavy_times) >= 2
    assert p95_attacked < 0.5 * one_heavy   # before: p95 15.1 s, strokes queued behind several heavy answers
    if load < (os.cpu_count() or 1):
        assert p95_attacked <= 2 * max(p95_idle, 0.05)   # 50 ms: below it scheduling noise dominates


def test_29_a_script_looping_cheap_requests_gets_a_person_s_rate(app):
    """A request answered from memory (the 49 MP picture after its first decode) let one client with 4
    connections send ~300 requests a second, each a slice of the server's one event loop: other people's
    stroke p95 rose 2.0-2.3x. Now a visitor's requests wait their turn at Limits.requests_per_second
    (lenet/ui/gate/rate.py) and past Limits.request_wait are refused in one sentence."""
    from lenet.ui.gate.limits import Limits
    from lenet.ui.gate.rate import TOO_FAST
    limits, who = Limits(), {"X-Forwarded-For": "203.0.113.99"}
    answers, began = [], time.perf_counter()
    stop = began + 4

    def loop():
        with requests.Session() as http:
            while time.perf_counter() < stop:
                r = http.get(app.url + "/gradio_api/info", headers=who, timeout=30)
                answers.append((r.status_code, r.json().get("detail") if r.status_code == 429 else None))
    threads = [threading.Thread(target=loop) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(1)
    others = stroke_times(app, 10, VISITOR)   # another person draws meanwhile
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    served = sum(status == 200 for status, _ in answers)
    refused = [detail for status, detail in answers if status == 429]
    print(f"\n8 connections looping /info for {elapsed:.1f} s: {served} served, {len(refused)} refused; "
          f"another person's stroke p95 {np.percentile(others, 95) * 1e3:.0f} ms")
    assert served <= limits.request_burst + limits.requests_per_second * elapsed + 1
    assert served >= limits.request_burst       # paced, not shut out
    assert all(d == TOO_FAST for d in refused) and len(answers) == served + len(refused)
    assert len(others) == 10


# ------------------------------------------------------------------ 5. 16-bit greyscale

def test_5_a_16_bit_greyscale_picture_gets_a_sentence_not_an_error(app):
    blank = png(np.full((4096, 4096), 65535, np.uint16))
    event, out = app.call("predict_image", [path_of(app.upload(blank, "blank16.png")), "modern"])
    assert event == "complete" and EMPTY in out[0], out
    ink = synthetic.draw(7, 4096)[..., 0].astype(np.uint16) * 257
    event, out = app.call("predict_image", [path_of(app.upload(png(ink), "seven16.png")), "modern"])
    assert event == "complete" and 'data-digit="7"' in out[0], out


# ------------------------------------------------------------------ 6. private events change nothing

def test_6_no_event_reachable_from_outside_writes_a_file(app):
    collected = ROOT / "collected"
    existed = sorted(collected.rglob("*")) if collected.exists() else None
    names = {d["api_name"] for d in app.config["dependencies"]}
    assert not {"set_collect", "gallery", "collected"} & names
    value = pad.value_of(digit_png(4))
    for d in app.config["dependencies"]:
        r = requests.post(app.url + "/gradio_api/run/predict", json={"data": [value, "modern"], "fn_index": d["id"]},
                          timeout=30)
        assert r.status_code == 403 or d.get("queue") is False, d
        if d.get("api_name"):
            event, r = app.call(d["api_name"], [value, "modern"])   # a pad value is not /predict's drawing:
            assert event != "refused" or d.get("api_visibility", "public") != "public" or (
                r.status_code == 400 and r.json()["detail"] == boundary.BAD_DRAWING)   # one sentence (issue 29)
            app.join(d["api_name"], [value, "modern"])
    assert (sorted(collected.rglob("*")) if collected.exists() else None) == existed
    assert "Traceback" not in app.output()   # a stranger's garbage gets one line, not 30-75


# ------------------------------------------------------------------ 7. collect: bytes, disk, errors

def test_7_collect_stops_at_its_byte_cap_and_says_so_once(tmp_path):
    folder = tmp_path / "collected"
    a = App("--collect", "--collect-dir", str(folder), env={"LENET_COLLECT_MB": "0.5"})
    try:
        rng = np.random.default_rng(0)
        for i in range(6):   # noise pictures: ~230 KB each as PNG (a 0.29 MB JPEG was kept as 3.47 MB)
            a.call("predict_image", [path_of(a.upload(png(rng.integers(0, 256, (280, 280, 3), np.uint8)),
                                                      f"n{i}.png")), "modern"])
    finally:
        a.stop()
    kept = sum(p.stat().st_size for p in folder.iterdir())
    lines = [line for line in a.output().splitlines() if line.startswith("collect:")]
    print(f"collect with a 0.5 MB cap: {kept / 1e3:.0f} KB kept in {len(list(folder.glob('*.png')))} PNGs; "
          f"said: {lines}")
    assert 0 < kept <= 0.5 * MB
    assert lines == [f"collect: {folder} is full (0.5 MB): drawings are not being saved."]


def test_7_an_unwritable_collect_folder_is_reported_once_and_nothing_breaks(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    a = App("--collect", "--collect-dir", str(blocker / "collected"))
    try:
        answers = [a.pad([pad.value_of(digit_png(d)), "modern"]) for d in (1, 2, 3)]
    finally:
        a.stop()
    assert all(event == "complete" and "data-digit" in out[0] for event, out in answers)
    lines = [line for line in a.output().splitlines() if str(blocker) in line]
    assert len(lines) == 1 and "not being saved" in lines[0], lines
    assert "Traceback" not in a.output()


# ------------------------------------------------------------------ 8. uploads cannot fill the disk

def cache_bytes(app):
    return sum(p.stat().st_size for p in Path(app.cache.name).rglob("*") if p.is_file())


def test_8_uploads_have_a_budget_per_client_and_in_all(app):
    rng = np.random.default_rng(1)
    accepted = {}
    for who, headers in (("first", {"X-Forwarded-For": "192.0.2.1"}), ("second", {"X-Forwarded-For": "192.0.2.2"})):
        accepted[who], refused = 0, None
        for i in range(15):   # 60 MB offered, 4 MB at a time
            r = app.upload(rng.bytes(4 * MB), f"{who}{i}.bin", headers)
            if r.status_code == 200:
                accepted[who] += 4
            else:
                refused = r.json()["detail"]
                break
        assert refused == boundary.UPLOAD_RATE, refused
    held = cache_bytes(app) / MB
    print(f"uploads accepted: {accepted} MB; cache holds {held:.0f} MB")
    assert all(mb <= 40 for mb in accepted.values())
    assert held <= 64 + 1


# ------------------------------------------------------------------ 10. foreseeable faults, one line

def test_10_proxy_with_a_nul_and_an_empty_file_name_answer_without_a_traceback(app):
    r = requests.get(app.url + "/gradio_api/proxy=http://127.0.0.1%00/x", timeout=30)
    assert r.status_code == 404 and r.json()["detail"] == boundary.CLOSED_MSG
    # A form field named "files" without a file name: Gradio raised TypeError (500, a traceback).
    r = requests.post(app.url + "/gradio_api/upload", files={"files": (None, b"\x89PNG")}, timeout=30)
    assert r.status_code == 400 and r.json()["detail"] == boundary.UPLOAD_FAILED
    assert "Traceback" not in app.output()


def test_6_inputs_that_do_not_fit_a_run_step_get_a_sentence_not_a_500(app):
    """The page's queue=False steps over run/predict with too few inputs or a model name not in the
    list: Gradio answered HTTP 500 with {"error": null}."""
    steps = [d for d in app.config["dependencies"] if d.get("queue") is False and d.get("backend_fn")]
    assert steps
    for d in steps:
        for data in ([], [123] * len(d["inputs"]), ["not a drawing", "no model"] + [None] * len(d["inputs"])):
            r = requests.post(app.url + "/gradio_api/run/predict", json={"data": data, "fn_index": d["id"],
                              "session_hash": "garbage"}, timeout=30)
            assert r.status_code in (200, 400), (d.get("api_name"), data, r.status_code, r.text[:100])
            if r.status_code == 400:
                assert r.json()["detail"] == boundary.NOT_THESE_INPUTS
    assert "Traceback" not in app.output()


# ------------------------------------------------------------------ 11. sessions a client makes up

def test_11_sessions_a_client_makes_up_cost_little(app):
    """Any request may name a new session (run/, queue/join, each call/ request). Gradio copied the
    page's whole config into each (~280 KB, kept for up to 10,000 sessions: ~2.8 GB); now a session
    keeps only its changed outputs, at most lenet.ui.gate.server.SESSIONS of them. The deep-link route,
    which wrote a session's state to disk per call, is closed."""
    value = pad.value_of(digit_png(5))
    for i in range(20):   # warm-up: the allocator's first growth is not the sessions'
        app.pad([value, "modern"], session=f"warm-{i}")
    before = app.rss_mb()
    for i in range(300):
        event, out = app.pad([value, "modern"], session=f"made-up-{i}")
        assert event == "complete" and 'data-digit="5"' in out[0]
    growth = app.rss_mb() - before
    print(f"300 made-up sessions: server +{growth:.1f} MB")
    assert growth < 30   # with Gradio's own sessions: +100 MB for these 300
    r = requests.get(app.url + "/gradio_api/deep_link", params={"session_hash": "made-up-1"}, timeout=30)
    assert r.status_code == 404 and r.json()["detail"] == boundary.CLOSED_MSG


def test_10_a_port_in_use_names_the_port_option():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=ROOT, timeout=120,
                           env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}, capture_output=True, text=True)
    out = (r.stdout + r.stderr).strip().splitlines()
    assert r.returncode != 0
    assert "Traceback" not in r.stdout + r.stderr
    assert f"port {port}" in out[-1] and "--port" in out[-1], out[-1]


# ------------------------------------------------------------------ the documented API still works

def test_documented_api_still_works(app, tmp_path):
    from gradio_client import Client, handle_file
    path = tmp_path / "seven.png"
    path.write_bytes(digit_png(7))
    client = Client(app.url + "/", verbose=False)
    sketch = client.predict({"background": None, "layers": [], "composite": handle_file(str(path))}, "modern",
                            api_name="/predict")
    picture = client.predict(handle_file(str(path)), "classic", api_name="/predict_image")
    event, rest = app.call("predict", [{"background": None, "layers": [], "composite": path_of(
        app.upload(path.read_bytes()))}, "modern"])
    assert 'data-digit="7"' in sketch[0] and 'data-digit="7"' in picture[0]
    assert event == "complete" and 'data-digit="7"' in rest[0]


# ------------------------------------------------------------------ issue 29, round two

def test_29_3_sessions_keep_no_raw_input(app):
    """Made-up sessions each sent a ~400 KB input (under the 0.5 MB body cap): Gradio kept every raw
    value per session (+1,864 MB in 22 s); now a session keeps none of them."""
    big = "x" * 390_000
    dep = next(d for d in app.config["dependencies"] if d.get("api_name") == "on_pad")
    for i in range(10):
        requests.post(app.url + "/gradio_api/run/predict", timeout=60, json={
            "data": [big, "modern"] + [None] * (len(dep["inputs"]) - 2), "fn_index": dep["id"],
            "session_hash": f"warm-big-{i}"})
    before = app.rss_mb()
    for i in range(200):
        requests.post(app.url + "/gradio_api/run/predict", timeout=60, json={
            "data": [big, "modern"] + [None] * (len(dep["inputs"]) - 2), "fn_index": dep["id"],
            "session_hash": f"big-{i}"}, headers=ATTACKER)
    growth = app.rss_mb() - before
    print(f"200 made-up sessions x 390 KB input: server +{growth:.0f} MB (kept, it would be ~78 MB)")
    assert growth < 40


def test_29_7_small_points_answer_one_sentence(app):
    r = requests.get(app.url + "/monitoring", timeout=30)
    assert r.status_code == 404 and r.json()["detail"] == boundary.CLOSED_MSG
    assert requests.get(app.url + "/monitoring/summary", timeout=30).status_code == 404
    assert "Monitoring URL" not in app.output()
    deep = "[" * 100_000 + "]" * 100_000
    r = requests.post(app.url + "/gradio_api/call/predict", data='{"data": ' + deep + "}", timeout=30,
                      headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["detail"] == boundary.TOO_DEEP
    for bad in (5, "abc", [], {"composite": 5}):
        event, r = app.call("predict", [bad, "modern"])
        assert event == "refused" and r.status_code == 400 and r.json()["detail"] == boundary.BAD_DRAWING, bad
    event, r = app.call("predict", [{"background": None, "layers": [], "composite": None}, {"a": 1}])
    assert event == "refused" and "no model called" in r.json()["detail"] and "dict" not in r.json()["detail"]
    r = requests.post(app.url + "/gradio_api/call/predict", json={"data": ["x" * (MB // 2 + 10)]}, timeout=30)
    assert r.status_code == 413 and r.json()["detail"] == boundary.TOO_BIG_BODY


def test_29_4_a_forged_x_forwarded_for_buys_no_budget():
    """Without --trusted-proxies, X-Forwarded-For from a client on this machine is not believed: 32 x
    19 MB uploads with fresh addresses were all accepted; now they share one budget."""
    a = App(env={"LENET_TRUSTED_PROXIES": "", "LENET_ROOM_SESSIONS_PER_MINUTE": "30"})
    try:
        rng = np.random.default_rng(2)
        accepted = sum(a.upload(rng.bytes(8 * MB), f"f{i}.bin", {"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                       == 200 for i in range(8))
        print(f"8 x 8 MB uploads with forged addresses: {accepted} accepted")
        assert accepted * 8 <= 40
        # Session creation is bounded per address (here 30 a minute for an address that stands for a room).
        value = pad.value_of(digit_png(2))
        answers = [a.pad([value, "modern"], session=f"new-{i}") for i in range(40)]
        refused = [r for event, r in answers if event == "refused"]
        assert 5 <= len(refused) <= 12 and all(r.status_code == 429 and r.json()["detail"] ==
                                               boundary.TOO_MANY_SESSIONS for r in refused)
    finally:
        a.stop()


def children_rss_mb(app):
    """Resident memory of the server's child processes (the prediction process, decoders)."""
    import psutil
    return sum(c.memory_info().rss for c in psutil.Process(app.proc.pid).children(recursive=True)) / MB


def progressive_jpeg(side, repeats):
    """A progressive JPEG of a digit whose smallest scan is repeated `repeats` times (issue 29 point
    1: 249 KB, 1220 px, 1,450 passes took 1.2-1.5 s to decode and was called light)."""
    buf = io.BytesIO()
    Image.fromarray(synthetic.draw(7, side)).convert("RGB").save(buf, "JPEG", progressive=True, quality=90)
    data = buf.getvalue()
    starts = [i for i in range(len(data) - 1) if data[i:i + 2] == b"\xff\xda"] + [len(data) - 2]
    scans = [data[a:b] for a, b in zip(starts, starts[1:])]
    return data[:-2] + min(scans, key=len) * repeats + b"\xff\xd9"


def test_29_1_pictures_light_by_size_cannot_hold_up_the_pads(app):
    """Two clients loop /predict_image with pictures under every size threshold that cost seconds:
    a progressive JPEG of 1,450 passes (refused from its markers), one of 60 passes and a 16-bit
    7000x7000 deflate TIFF (decoded in their own niced process under a CPU limit, fresh bytes each
    time so nothing is answered from memory). Another person's strokes are timed side by side."""
    from lenet.decode import TOO_COSTLY
    event, out = app.call("predict_image", [path_of(app.upload(progressive_jpeg(1220, 1450), "p.jpg", ATTACKER)),
                                            "modern"], ATTACKER)
    assert event == "complete" and TOO_COSTLY in out[0], out
    tif = io.BytesIO()
    Image.new("I;16", (7000, 7000), 40000).save(tif, "TIFF", compression="tiff_adobe_deflate")
    pictures = [progressive_jpeg(1220, 60), tif.getvalue()]   # 60 passes: under the 64 refused at once
    stroke_times(app, 5, VISITOR)   # warm-up
    idle = stroke_times(app, 40, VISITOR)
    children_before = children_rss_mb(app)
    stop, answers = threading.Event(), []

    def attack(who):
        i = 0
        while not stop.is_set():
            data = pictures[i % 2] + bytes([i % 256])   # a trailing byte: new bytes, the same picture
            name = "a.jpg" if i % 2 == 0 else "a.tif"
            i += 1
            up = app.upload(data, name, {"X-Forwarded-For": who})
            if up.status_code != 200:
                time.sleep(0.5)
                continue
            t = time.perf_counter()
            answers.append((app.call("predict_image", [path_of(up), "modern"], {"X-Forwarded-For": who})[0],
                            time.perf_counter() - t))
    attackers = [threading.Thread(target=attack, args=(f"203.0.113.{k}",)) for k in (70, 71)]
    for t in attackers:
        t.start()
    time.sleep(2)
    attacked = stroke_times(app, 40, VISITOR)
    children_during = children_rss_mb(app)
    stop.set()
    for t in attackers:
        t.join()
    p95_idle, p95_attacked = np.percentile(idle, 95), np.percentile(attacked, 95)
    load = os.getloadavg()[0]
    print(f"\npen-up p95 idle {p95_idle * 1e3:.0f} ms, while two clients loop costly pictures {p95_attacked * 1e3:.0f}"
          f" ms; {len(answers)} answers ({sum(e == 'complete' for e, _ in answers)} complete), slowest "
          f"{max((d for _, d in answers), default=0):.1f} s; children RSS {children_before:.0f} -> "
          f"{children_during:.0f} MB; load average {load:.1f}")
    assert answers and all(e == "complete" for e, _ in answers)
    if load < (os.cpu_count() or 1):
        assert p95_attacked <= 2 * max(p95_idle, 0.05)


def test_29_5_event_streams_per_visitor_are_capped(app):
    """1,000 heartbeat streams with made-up sessions from one visitor: each was held open forever
    (+30 MB, +1,000 descriptors); now a visitor holds at most `streams_per_client`."""
    import socket as so
    host, port = "127.0.0.1", app.port
    held, refused = [], 0
    for i in range(100):
        s = so.create_connection((host, port))
        s.sendall(f"GET /gradio_api/heartbeat/hb-{i} HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.90\r\n"
                  f"\r\n".encode())
        s.settimeout(5)
        head = s.recv(200)
        if head.startswith(b"HTTP/1.1 429"):
            refused += 1
            s.close()
        else:
            held.append(s)
    other = requests.get(app.url + "/gradio_api/heartbeat/someone-else", stream=True, timeout=10, headers=VISITOR)
    print(f"100 heartbeat streams from one visitor: {len(held)} held, {refused} refused")
    assert other.status_code == 200
    other.close()
    assert len(held) <= 32 and refused >= 68
    for s in held:
        s.close()


def test_29_4_one_address_filling_the_pads_line_leaves_other_visitors_answered(app):
    """Issue 29 point 4 / issue 28 part 2: 160 pen-ups at once from one visitor behind a trusted
    proxy filled the pads' 128 waiting places of the one client everybody was; now each visitor
    (their X-Forwarded-For from the named proxy) has their own, and nobody else is refused."""
    value = pad.value_of(digit_png(6))
    results = {}

    def pen_up(who, i):
        event, out = app.pad([value, "modern"], {"X-Forwarded-For": who}, session=f"{who}-{i}")
        results[(who, i)] = event == "complete" and "Too many drawings" not in (out[0] if event == "complete" else "")
    threads = [threading.Thread(target=pen_up, args=("203.0.113.80", i)) for i in range(160)]
    threads += [threading.Thread(target=pen_up, args=(f"198.51.100.{k}", 0)) for k in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    others = [ok for (who, _), ok in results.items() if not who.startswith("203.")]
    attacker = [ok for (who, _), ok in results.items() if who.startswith("203.")]
    print(f"160 pen-ups from one visitor: {sum(attacker)} answered; 20 other visitors: {sum(others)} answered")
    assert len(others) == 20 and all(others)


def test_29_6_files_written_for_answers_stay_under_the_ledgers_cap():
    """The Lab's answers are pictures Gradio writes into its cache (4 files a sweep): 120 requests
    left 437-849 files for 10-15 min, outside every cap. The ledger's sweep (every 5 s) keeps them
    under `cache_files` (here 20). Gradio names its files by content: each drawing differs."""
    a = App(env={"LENET_CACHE_FILES": "20"})
    try:
        done = [a.join("on_sweep", [pad.value_of(digit_png(d)), None, "pad", "modern", k])[0]
                for d in range(6) for k in ("rotation", "scale", "shift", "stroke")]
        written = sum(1 for p in Path(a.cache.name).rglob("*") if p.is_file())
        time.sleep(7)   # one sweep of the ledger
        held = sum(1 for p in Path(a.cache.name).rglob("*") if p.is_file())
        print(f"24 Lab sweeps: {done.count('complete')} answered, {written} files written, {held} kept after a sweep")
        assert done.count("complete") == 24 and written > 20 >= held
    finally:
        a.stop()
