"""Section 4b: isolation under attack (issue 14). A normal client's per-stroke latency (the pad's
value through run/predict, as the page sends it) when the server is idle, then while another client
loops the heaviest picture lenet accepts (7000 x 7000, 49 MP) through /predict_image from 4
connections, then while two clients loop pictures light by size that cost seconds to decode (a
progressive JPEG of 60 passes and a 16-bit 7000 x 7000 deflate TIFF, fresh bytes each time; issue 29
point 1). Both run over loopback; X-Forwarded-For names them as separate clients, as a proxy the
server is told to trust would (bench/http.py's Server)."""
import io
import json
import threading
import time
import uuid

import numpy as np
from PIL import Image

from .report import Bar
from .timing import Sample

SECTION = "4b. Isolation under attack (plain HTTP, loopback)"
ATTACKER, VISITOR = {"X-Forwarded-For": "203.0.113.66"}, {"X-Forwarded-For": "198.51.100.7"}


def _png(array, **save):
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG", **save)
    return buf.getvalue()


def _call(http, url, name, data, headers):
    r = http.post(f"{url}/gradio_api/call/{name}", json={"data": data}, headers=headers)
    r.raise_for_status()
    with http.stream("GET", f"{url}/gradio_api/call/{name}/{r.json()['event_id']}", headers=headers) as stream:
        kind = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:") and kind in ("complete", "error"):
                return kind, json.loads(line[5:])
    return "closed", None


def _stroke(http, url, dep, data, headers, session):
    """A stroke as the page sends it (the pad's event is queue=False, lenet/ui/gate/pad_line.py): one POST
    run/predict with the event's fn_index in the page's session, the answer in its response -> (ok, output)."""
    data = list(data) + [None] * (len(dep["inputs"]) - len(data))
    r = http.post(f"{url}/gradio_api/run/predict", headers=headers,
                  json={"data": data, "fn_index": dep["id"], "event_data": None, "trigger_id": None,
                        "session_hash": session})
    return r.status_code == 200, (r.json().get("data") if r.status_code == 200 else r.text)


def _strokes(url, value, n, every=0.1):
    """n strokes of one visitor's page, one every `every` s at most (pad.js's live-update interval)."""
    import httpx
    times = []
    with httpx.Client(timeout=120) as http:
        config = http.get(url + "/config").json()
        dep = next(d for d in config["dependencies"] if d.get("api_name") == "on_pad")
        session = uuid.uuid4().hex[:10]   # one visitor, one page
        for _ in range(n):
            t = time.perf_counter()
            ok, out = _stroke(http, url, dep, [value, "modern"], VISITOR, session)
            if not ok:
                raise RuntimeError(f"stroke failed: {str(out)[:200]}")
            times.append(time.perf_counter() - t)
            time.sleep(max(0.0, every - times[-1]))
    return Sample(np.array(times))


def costly_pictures():
    """Pictures under every size threshold that cost seconds to decode (see the module docstring)."""
    from lenet.synthetic import draw
    buf = io.BytesIO()
    Image.fromarray(draw(7, 1220)).convert("RGB").save(buf, "JPEG", progressive=True, quality=90)
    data = buf.getvalue()
    starts = [i for i in range(len(data) - 1) if data[i:i + 2] == b"\xff\xda"] + [len(data) - 2]
    smallest = min((data[a:b] for a, b in zip(starts, starts[1:])), key=len)
    tif = io.BytesIO()
    Image.new("I;16", (7000, 7000), 40000).save(tif, "TIFF", compression="tiff_adobe_deflate")
    return [data[:-2] + smallest * 60 + b"\xff\xd9", tif.getvalue()]


def _loop_costly(url, stop, answered, who):
    import httpx
    pictures, i = costly_pictures(), 0
    with httpx.Client(timeout=300) as http:
        while not stop.is_set():
            name, data = ("a.jpg", "a.tif")[i % 2], pictures[i % 2] + bytes([i % 256])   # new bytes each time
            i += 1
            up = http.post(url + "/gradio_api/upload", files=[("files", (name, data, "image/png"))], headers=who)
            if up.status_code != 200:
                time.sleep(0.5)
                continue
            _call(http, url, "predict_image", [{"path": up.json()[0], "meta": {"_type": "gradio.FileData"}},
                                               "modern"], who)
            answered[0] += 1


def under_attack(root, results, strokes=100, connections=4):
    """Adds the rows and the bar: attacked per-stroke p95 <= 2x the idle p95."""
    import httpx

    from lenet.synthetic import draw
    from lenet.ui.readings import pad

    from .http import Server
    heavy = np.full((7000, 7000, 4), 255, np.uint8)
    heavy[1000:6000, 3300:3700, :3] = 0
    heavy = _png(heavy, compress_level=1)
    value = pad.value_of(_png(draw(3, 280)))
    server = Server(root)
    try:
        with httpx.Client(timeout=120) as http:
            up = http.post(server.url + "gradio_api/upload", files=[("files", ("heavy.png", heavy, "image/png"))],
                           headers=ATTACKER)
            up.raise_for_status()
        heavy_file = {"path": up.json()[0], "meta": {"_type": "gradio.FileData"}}
        url = server.url.rstrip("/")
        _strokes(url, value, 5)   # warm-up
        idle = _strokes(url, value, strokes)
        stop, answered = threading.Event(), [0]

        def attack():
            with httpx.Client(timeout=300) as http:
                while not stop.is_set():
                    _call(http, url, "predict_image", [heavy_file, "modern"], ATTACKER)
                    answered[0] += 1
        threads = [threading.Thread(target=attack, daemon=True) for _ in range(connections)]
        for t in threads:
            t.start()
        time.sleep(2)   # the attack fills the queue first
        attacked = _strokes(url, value, strokes)
        stop.set()
        for t in threads:
            t.join(300)
        stop, costly = threading.Event(), [0]
        attackers = [{"X-Forwarded-For": f"203.0.113.{k}"} for k in (70, 71)]
        threads = [threading.Thread(target=_loop_costly, args=(url, stop, costly, who), daemon=True)
                   for who in attackers]
        for t in threads:
            t.start()
        time.sleep(2)
        costly_strokes = _strokes(url, value, strokes)
        stop.set()
        for t in threads:
            t.join(300)
    finally:
        server.stop()
    results.add(SECTION, "per-stroke, server idle", f"p50 {idle.ms(50):.0f} ms · p95 {idle.ms(95):.0f} ms (n={idle.n})")
    results.add(SECTION, f"per-stroke, another client looping 49 MP pictures ({connections} connections)",
                f"p50 {attacked.ms(50):.0f} ms · p95 {attacked.ms(95):.0f} ms (n={attacked.n})",
                f"{answered[0]} heavy answers meanwhile")
    results.add(SECTION, "per-stroke, two clients looping costly small pictures (60-pass JPEG, 16-bit TIFF)",
                f"p50 {costly_strokes.ms(50):.0f} ms · p95 {costly_strokes.ms(95):.0f} ms (n={costly_strokes.n})",
                f"{costly[0]} of their answers meanwhile")
    results.bars.append(Bar("stroke p95 under attack <= 2x idle", attacked.ms(95) / idle.ms(95), 2.0, unit="x"))
    results.bars.append(Bar("stroke p95 under costly pictures <= 2x idle", costly_strokes.ms(95) / idle.ms(95), 2.0,
                            unit="x"))
