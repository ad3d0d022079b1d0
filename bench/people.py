"""A room of people drawing, as a load generator: each simulated person opens a session and, for
each digit, draws two strokes 0.6 s apart, sending what the page sends (lenet/ui/static/pad.js):
live updates every ~100 ms while the pen moves, then the pen-up update; like the page's Gradio
client (trigger_mode always_last) a person has at most one update in flight and a newer one
replaces their waiting one. They wait for the answer to their last pen-up, look for 3 s, and
draw the next digit. As pad.js, a person sends each stroke's first live update at once (marked
`first`) and waits between a stroke's later live updates at least the pace the server's answers ask
for (the lenet-pace cookie, lenet/ui/gate/pad_line.py); a live update due sooner is not sent (pad.js
would send the drawing when the pace allows, mostly after the short strokes here end).
What the page's Gradio client sends for the pad's event (queue=False, see
lenet/ui/gate/pad_line.py): one POST /gradio_api/run/predict (the event's fn_index, the session hash),
the answer in its response.

One asyncio loop (aiohttp: a fifth of httpx's CPU per request here; with httpx one loop of 100
people was itself the bottleneck, 4 loops of 25 answered in a third of the time) drives everyone, and
it reports its own CPU use. Each person sends X-Forwarded-For 10.x.y.z (a room of devices behind a proxy, as
nginx passes them); --one-address sends none (a whole room behind one address).

    python -m bench.people --url http://127.0.0.1:7860 --people 100 --seconds 60
"""
import argparse
import asyncio
import io
import json
import random
import resource
import time
import uuid
from dataclasses import dataclass, field

import numpy as np

LIVE_EVERY = 0.1      # s between live updates while the pen moves (pad.js throttle: ~10 a second)
LIVE_PER_STROKE = 3   # live updates per stroke before its pen-up
BUSY = 0.5            # s: an answer slower than this pauses live updates for the stroke (pad.js BUSY_MS)
STROKE_GAP = 0.6      # s between the two strokes' pen-ups
LOOK = 3.0            # s a person looks at the answer before the next digit
TIMEOUT = 30.0        # s without an answer counts as an error


def stroke_pictures(digit, side=280):
    """The PNGs one person's pad sends while drawing `digit` in two strokes: LIVE_PER_STROKE partial
    pictures then the pen-up picture for the top half (stroke 1), then the same for the whole digit
    (stroke 2). Partial strokes reveal the ink from the left; the last picture is the whole digit."""
    from PIL import Image

    from lenet.synthetic import draw
    full = draw(digit, canvas=side)                                  # dark ink on white, RGBA
    ink = full[..., :3].mean(axis=-1) < 128
    rows = np.argwhere(ink.any(axis=1)).ravel()
    mid = (rows.min() + rows.max()) // 2 if len(rows) else side // 2
    shown = []
    for stop_row in (mid, side):
        for part in range(1, LIVE_PER_STROKE + 2):
            mask = np.zeros((side, side), bool)
            mask[:mid] = True
            if stop_row == side:
                mask[mid:, : side * part // (LIVE_PER_STROKE + 1)] = True
            else:
                mask[:, side * part // (LIVE_PER_STROKE + 1):] = False
                mask[:mid, : side * part // (LIVE_PER_STROKE + 1)] = True
            a = full.copy()
            a[~mask] = 255                                           # paper
            buf = io.BytesIO()
            Image.fromarray(a).save(buf, "PNG")
            shown.append(buf.getvalue())
    return shown   # 2 * (LIVE_PER_STROKE + 1) pictures; index LIVE_PER_STROKE and the last are pen-ups


def fn_index(config, elem_id="pad"):
    """(fn_index, number of inputs) of the event on the pad's .change that predicts (the one that
    runs in Python and has outputs)."""
    pad = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id)
    for i, d in enumerate(config["dependencies"]):
        if any(t[0] == pad and t[1] == "change" for t in d["targets"]) and d.get("backend_fn") and len(d["inputs"]) > 1:
            return d["id"], len(d["inputs"])
    raise RuntimeError("the page has no event on the pad's change that predicts")


@dataclass
class Tally:
    finals: list = field(default_factory=list)   # s from the last pen-up to its answer
    penups: list = field(default_factory=list)   # s from any pen-up to its answer (when it was not replaced)
    sent: int = 0
    replaced: int = 0                             # updates a newer one replaced before they were sent
    skipped: int = 0                              # live updates the server answered "no change" (shed)
    first_skipped: int = 0                        # ... of them a stroke's first
    first_unsent: int = 0                         # strokes' first live updates replaced before being sent
    posts: list = field(default_factory=list)    # s from each update's POST to its answer
    held: int = 0                                 # live updates not sent: the last answer was slow (BUSY)
    paced: int = 0                                # live updates not sent: sooner than the server's pace
    strokes: int = 0                              # strokes drawn (with a pen-up answered or not)
    seen: list = field(default_factory=list)     # live answers (readings) per stroke drawn
    answers: int = 0
    wrong: int = 0
    errors: list = field(default_factory=list)
    digits: int = 0


class Person:
    def __init__(self, http, url, index, pictures, fn, inputs, tally, address=True):
        self.http, self.url, self.index, self.pictures, self.fn, self.inputs = http, url, index, pictures, fn, inputs
        self.tally = tally
        self.session = uuid.uuid4().hex[:11]
        self.headers = {"X-Forwarded-For": f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"} \
            if address else {}
        self.seq = 0
        self.pending = None        # (seq, value, sent_at_or_penup) waiting to be sent
        self.busy = False
        self.answered = {}         # seq -> time the answer arrived
        self.penup_at = {}         # seq -> time of its pen-up
        self.wake = asyncio.Event()
        self.sent_at = {}          # seq -> time it was sent
        self.lag = 0.0             # s from sending to the answer, the latest answered (as pad.js keeps it)
        self.pace = LIVE_EVERY     # s the server asks between live updates (its lenet-pace cookie)
        self.last_live = -1e9      # when the last live update was sent
        self.stroke_of = {}        # live seq -> index in self.seen
        self.seen = []             # live readings per stroke
        self.firsts = set()        # seqs of strokes' first live updates

    def update(self, png, penup, first=False):
        from lenet.ui.readings.pad import value_of
        self.seq += 1
        if penup:
            self.penup_at[self.seq] = time.perf_counter()
        if self.pending is not None:
            self.tally.replaced += 1
            self.tally.first_unsent += self.pending[0] in self.firsts
        self.pending = (self.seq, value_of(png, self.seq, live=not penup, first=first))
        if first:
            self.firsts.add(self.seq)
        if not self.busy:
            asyncio.get_running_loop().create_task(self._send_pending())
        return self.seq

    async def _send_pending(self):
        while self.pending is not None and not self.busy:
            seq, value = self.pending
            self.pending = None
            self.busy = True
            try:
                await self._ask(seq, value)
            except Exception as err:   # every failure counts; none stops the person
                self.tally.errors.append(f"{type(err).__name__}: {str(err)[:120]}")
            finally:
                self.busy = False
                self.wake.set()

    async def _ask(self, seq, value):
        data = [value, "modern"] + [None] * (self.inputs - 2)
        self.tally.sent += 1
        self.sent_at[seq] = t0 = time.perf_counter()
        async with self.http.post(f"{self.url}/gradio_api/run/predict", headers=self.headers,
                                  json={"data": data, "event_data": None, "fn_index": self.fn,
                                        "trigger_id": None, "session_hash": self.session}) as r:
            if r.status != 200:
                raise RuntimeError(f"HTTP {r.status}: {(await r.text())[:100]}")
            out = (await r.json())["data"]
            pace = r.cookies.get("lenet-pace")
            if pace is not None and pace.value.isdigit():
                self.pace = max(LIVE_EVERY, int(pace.value) / 1000)
        self.answered[seq] = time.perf_counter()
        self.tally.posts.append(self.answered[seq] - t0)
        self.tally.answers += 1
        head = out[0]
        if isinstance(head, dict) and head.get("__type__") == "update" and seq not in self.penup_at:
            self.tally.skipped += 1      # a live update the server shed (lenet/ui/gate/pad_line.py)
            self.tally.first_skipped += seq in self.firsts
            return
        if not isinstance(head, str) or f'data-seq="{seq}"' not in head:
            raise RuntimeError(f"answer without its seq {seq}: {str(head)[:80]}")
        self.lag = self.answered[seq] - self.sent_at.pop(seq)
        if seq in self.stroke_of:
            self.seen[self.stroke_of.pop(seq)] += 1
        self.last_html = head
        if seq in self.penup_at:
            self.tally.penups.append(self.answered[seq] - self.penup_at[seq])

    async def run(self, until, digits, stagger=True):
        if stagger:
            await asyncio.sleep(random.uniform(0, LOOK))   # people do not start in step
        while time.perf_counter() < until:
            digit = random.choice(digits)
            shown = self.pictures[digit]
            half = len(shown) // 2
            for n, stroke in enumerate((shown[:half], shown[half:])):
                if n:
                    await asyncio.sleep(STROKE_GAP)     # pen-up to the next stroke's pen-down
                self.seen.append(0)
                self.last_live = -1e9                    # pad.js keeps the pace within a stroke
                for i, png in enumerate(stroke):
                    if i:
                        await asyncio.sleep(LIVE_EVERY)
                    penup = i == len(stroke) - 1
                    if not penup and self.lag > BUSY:
                        self.tally.held += 1             # a busy server: live updates wait for the pen-up
                        continue
                    if not penup and time.perf_counter() - self.last_live < self.pace:
                        self.tally.paced += 1            # sooner than the server's pace
                        continue
                    last = self.update(png, penup=penup, first=not penup and self.last_live < 0)
                    if not penup:
                        self.last_live = time.perf_counter()
                        self.stroke_of[last] = len(self.seen) - 1
            deadline = time.perf_counter() + TIMEOUT
            while last not in self.answered:
                if not self.busy and self.pending is None:
                    break                                # the last update failed: its error is counted
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), timeout=max(0.01, deadline - time.perf_counter()))
                except asyncio.TimeoutError:
                    self.tally.errors.append(f"no answer within {TIMEOUT:.0f} s")
                    break
            if last in self.answered:
                self.tally.finals.append(self.answered[last] - self.penup_at[last])
                self.tally.digits += 1
                if f'data-digit="{digit}"' not in self.last_html:
                    self.tally.wrong += 1
            await asyncio.sleep(LOOK)


async def room(url, people, seconds, address=True, digits=range(10), crowd_out=None, stagger=True):
    """`people` people drawing for `seconds` against `url`; returns (Tally, wall s, generator CPU s).
    `crowd_out`: a list that receives the Person objects (their answer times), for tests."""
    import aiohttp
    pictures = {d: stroke_pictures(d) for d in digits}
    url = url.rstrip("/")
    connector = aiohttp.TCPConnector(limit=3 * people + 10)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    # read_bufsize: an answer is ~15-150 KB of JSON (the maps as PNG data URLs)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, read_bufsize=2**22) as http:
        async with http.get(f"{url}/config") as r:
            config = await r.json()
        fn, inputs = fn_index(config)
        tally = Tally()
        cpu0, t0 = _cpu(), time.perf_counter()
        until = t0 + seconds
        crowd = [Person(http, url, i, pictures, fn, inputs, tally, address) for i in range(people)]
        if crowd_out is not None:
            crowd_out.extend(crowd)
        await asyncio.gather(*(p.run(until, list(digits), stagger) for p in crowd))
        for p in crowd:
            tally.seen.extend(p.seen)
        tally.strokes = len(tally.seen)
        return tally, time.perf_counter() - t0, _cpu() - cpu0


def _cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def summary(tally, wall, cpu):
    f = np.array(tally.finals) * 1000
    pct = (lambda q: f"{np.percentile(f, q):.0f}") if len(f) else (lambda q: "-")
    return {"digits answered": len(f), "p50 ms": pct(50), "p95 ms": pct(95), "p99 ms": pct(99),
            "max ms": f"{f.max():.0f}" if len(f) else "-", "errors": len(tally.errors), "wrong": tally.wrong,
            "updates sent": tally.sent, "replaced while waiting": tally.replaced, "live updates shed": tally.skipped,
            "first live updates shed": tally.first_skipped, "first live updates replaced unsent": tally.first_unsent,
            "live updates held back": tally.held, "live updates paced": tally.paced,
            "live answers per stroke": f"{np.mean(tally.seen):.2f}" if tally.seen else "-",
            "strokes without a live answer": f"{np.mean(np.array(tally.seen) == 0) * 100:.1f} %" if tally.seen
            else "-",
            "generator CPU": f"{100 * cpu / wall:.0f} % of one core",
            "update round trip p50/p95 ms": _p(tally.posts),
            "error kinds": sorted(set(tally.errors))[:3]}


def _p(seconds):
    return f"{np.percentile(seconds, 50) * 1000:.0f} / {np.percentile(seconds, 95) * 1000:.0f}" if seconds else "-"


def run(url, people, seconds, address=True):
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    tally, wall, cpu = asyncio.run(room(url, people, seconds, address))
    return tally, wall, cpu, summary(tally, wall, cpu)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.people", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:7860")
    p.add_argument("--people", type=int, default=100)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--one-address", action="store_true", help="no X-Forwarded-For: the room is one client")
    args = p.parse_args(argv)
    *_, s = run(args.url, args.people, args.seconds, not args.one_address)
    print(json.dumps(s, indent=1))


if __name__ == "__main__":
    main()
