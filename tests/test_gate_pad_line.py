"""lenet/ui/gate/pad_line.py, driven with plain coroutines and futures standing in for the readings:
each rule of its docstring (slots, one waiting update per page, pen-ups first, late live updates
shed, fewest reading per client, per-client and total caps, heavy work in at most slots - 1), and
the property the design rests on: the next reading starts in the callback that sees one end,
without waiting for any request's coroutine to run."""
import asyncio

import pytest

from lenet.ui.gate import pad_line
from lenet.ui.gate.pad_line import FULL, SHED, Line
from lenet.ui.readings.pad import is_live, value_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


class Readings:
    """Jobs whose answers the test gives by hand: `started` lists the names in the order the line
    started them; finish(name) completes one."""

    def __init__(self):
        self.started, self.futures = [], {}

    def job(self, name):
        def start():
            self.started.append(name)
            self.futures[name] = asyncio.get_running_loop().create_future()
            return self.futures[name]
        return start

    def finish(self, name, answer=None):
        self.futures[name].set_result(answer if answer is not None else f"answer {name}")


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


def ask(line, readings, name, client="10.0.0.1", session=None, live=False, heavy=False, first=False):
    return asyncio.ensure_future(line.read(client, session or name, live, heavy, readings.job(name), first=first))


def test_the_pads_live_flag_is_read_from_the_first_characters():
    assert is_live(value_of(PNG, 3, live=True))
    assert not is_live(value_of(PNG, 3))
    assert not is_live("") and not is_live(None)
    assert not is_live('{"seq":1,"png":"data:image/png;base64,","live":true}')   # where pad.js never puts it


def test_at_most_slots_are_read_at_once_and_each_caller_gets_its_own_answer():
    async def go():
        line, r = Line(slots=2), Readings()
        calls = [ask(line, r, n, client=f"10.0.0.{i}") for i, n in enumerate("abc")]
        await settle()
        assert r.started == ["a", "b"]
        r.finish("b")
        await settle()
        assert r.started == ["a", "b", "c"] and await calls[1] == "answer b"
        r.finish("a")
        r.finish("c")
        assert [await c for c in calls] == ["answer a", "answer b", "answer c"]
        assert line.reading == 0 and not line.waiting
    asyncio.run(go())


def test_the_next_reading_starts_in_the_callback_that_sees_one_end():
    """One loop iteration after a reading ends the next one has started: the waiting request's own
    coroutine (which a busy loop runs late) plays no part."""
    async def go():
        line, r = Line(slots=1), Readings()
        ask(line, r, "a")
        ask(line, r, "b", client="10.0.0.2")
        await settle()
        assert r.started == ["a"]
        loop = asyncio.get_running_loop()
        seen = []
        r.finish("a")
        loop.call_soon(lambda: loop.call_soon(lambda: seen.append(list(r.started))))
        await settle()
        assert seen == [["a", "b"]]
    asyncio.run(go())


def test_a_pen_up_is_read_before_live_updates_that_came_first():
    async def go():
        line, r = Line(slots=1), Readings()
        ask(line, r, "busy", client="10.0.0.9")
        ask(line, r, "live1", client="10.0.0.1", live=True)
        ask(line, r, "live2", client="10.0.0.2", live=True)
        ask(line, r, "penup", client="10.0.0.3")
        await settle()
        r.finish("busy")
        await settle()
        assert r.started == ["busy", "penup"]
        r.finish("penup")
        await settle()
        assert r.started[-1] == "live1" and line.shed == 0   # then the oldest live update
    asyncio.run(go())


def test_a_stroke_s_first_live_update_is_read_before_later_ones_and_waits_longer():
    """Every stroke shows a live answer: its first live update goes after pen-ups but before other
    live updates, and is shed only after FIRST_PATIENCE, not the later ones' patience."""
    async def go():
        line, r = Line(slots=1, patience=0.02), Readings()
        ask(line, r, "busy", client="10.0.0.9")
        later = ask(line, r, "later", client="10.0.0.1", live=True)
        first = ask(line, r, "first", client="10.0.0.2", live=True, first=True)
        ask(line, r, "penup", client="10.0.0.3")
        await asyncio.sleep(0.05)                          # over the patience, under FIRST_PATIENCE
        r.finish("busy")
        await settle()
        assert r.started == ["busy", "penup"] and await later is SHED
        r.finish("penup")
        await settle()
        assert r.started[-1] == "first"
        r.finish("first")
        assert await first == "answer first"
        ask(line, r, "busy2", client="10.0.0.9")
        late_first = ask(line, r, "first2", client="10.0.0.2", live=True, first=True)
        await asyncio.sleep(pad_line.FIRST_PATIENCE + 0.05)
        r.finish("busy2")
        await settle()
        assert await late_first is SHED                    # it too has a limit: the pen has moved on
    asyncio.run(go())


def test_a_first_flag_sooner_than_a_new_stroke_could_begin_is_not_believed():
    """A script marking every live update `first` gets no priority: a page's `first` flag is believed at
    most once per FIRST_EVERY."""
    async def go():
        line, r = Line(slots=1, patience=0.02), Readings()
        ask(line, r, "busy", client="10.0.0.9")
        ask(line, r, "honest", client="10.0.0.1", live=True, first=True)       # a stroke's first: believed
        await settle()
        assert line.waiting[-1].first
        r.finish("busy")
        await settle()
        r.finish("honest")
        await settle()
        ask(line, r, "busy2", client="10.0.0.9")
        cheat = ask(line, r, "cheat", client="10.0.0.1", session="honest", live=True, first=True)  # same page again
        await asyncio.sleep(0.05)                          # over the later ones' patience
        r.finish("busy2")
        await settle()
        assert await cheat is SHED                         # treated as a later live update
        await asyncio.sleep(pad_line.FIRST_EVERY)
        ask(line, r, "busy3", client="10.0.0.9")
        ask(line, r, "next", client="10.0.0.1", session="honest", live=True, first=True)   # a new stroke: believed
        await settle()
        assert line.waiting[-1].first
    asyncio.run(go())


def test_the_first_flag_is_read_from_the_first_characters():
    from lenet.ui.readings.pad import is_first
    assert is_first(value_of(PNG, 3, live=True, first=True)) and is_live(value_of(PNG, 3, live=True, first=True))
    assert not is_first(value_of(PNG, 3, live=True)) and not is_first(value_of(PNG, 3))
    assert not is_first(value_of(PNG, 3, first=True))     # a pen-up is never a live update
    assert not is_first('{"seq":1,"live":true,"png":"data:image/png;base64,","first":true}')


def test_a_live_update_that_waited_too_long_is_shed_and_a_pen_up_never_is():
    async def go():
        line, r = Line(slots=1, patience=0.05), Readings()
        ask(line, r, "busy", client="10.0.0.9")
        live = ask(line, r, "live", client="10.0.0.1", live=True)
        penup = ask(line, r, "penup", client="10.0.0.2")
        await asyncio.sleep(0.1)
        r.finish("busy")
        await settle()
        assert await live is SHED and line.shed == 1 and "live" not in r.started
        assert r.started == ["busy", "penup"]
        r.finish("penup")
        assert await penup == "answer penup"
    asyncio.run(go())


def test_a_pages_newer_update_replaces_its_waiting_one():
    async def go():
        line, r = Line(slots=1), Readings()
        ask(line, r, "busy", client="10.0.0.9")
        old = ask(line, r, "old", session="page")
        new = ask(line, r, "new", session="page")
        await settle()
        assert await old is SHED and line.replaced == 1
        r.finish("busy")
        await settle()
        r.finish("new")
        assert await new == "answer new" and "old" not in r.started
    asyncio.run(go())


def test_among_equals_the_client_with_fewest_being_read_goes_first():
    async def go():
        line, r = Line(slots=2), Readings()
        ask(line, r, "a1", client="10.0.0.1")
        ask(line, r, "x", client="10.0.0.9")
        ask(line, r, "a2", client="10.0.0.1")
        ask(line, r, "b", client="10.0.0.2")
        await settle()
        r.finish("x")
        await settle()
        assert r.started == ["a1", "x", "b"]   # 10.0.0.1 has one being read: 10.0.0.2 first
    asyncio.run(go())


def test_a_client_over_its_cap_gets_a_sentence_for_pen_ups_and_no_change_for_live_ones():
    async def go():
        line, r = Line(slots=1, per_client=2), Readings()
        ask(line, r, "busy", client="10.0.0.9")
        waiting = [ask(line, r, f"w{i}") for i in range(2)]
        refused = ask(line, r, "penup")
        live = ask(line, r, "live", live=True)
        other = ask(line, r, "other", client="10.0.0.2")
        await settle()
        assert await refused is FULL and await live is SHED and line.refused == 1
        assert not other.done() and not any(w.done() for w in waiting)
        assert pad_line.TOO_MANY_WAITING.endswith(".")
    asyncio.run(go())


def test_the_line_holds_at_most_most_updates_in_all():
    async def go():
        line, r = Line(slots=1, most=3), Readings()
        ask(line, r, "busy")
        calls = [ask(line, r, f"c{i}", client=f"10.0.1.{i}") for i in range(5)]
        await settle()
        assert [c.done() for c in calls] == [False, False, False, True, True] and len(line.waiting) == 3
    asyncio.run(go())


def test_heavy_work_holds_at_most_all_slots_but_one():
    async def go():
        line, r = Line(slots=2), Readings()
        ask(line, r, "h1", client="10.0.0.1", heavy=True)
        ask(line, r, "h2", client="10.0.0.2", heavy=True)
        ask(line, r, "stroke", client="10.0.0.3")
        await settle()
        assert r.started == ["h1", "stroke"]
    asyncio.run(go())


def test_a_request_that_leaves_while_waiting_leaves_the_line():
    async def go():
        line, r = Line(slots=1), Readings()
        ask(line, r, "busy")
        gone = ask(line, r, "gone", client="10.0.0.2")
        await settle()
        gone.cancel()
        await settle()
        assert not line.waiting and not line.waiting_of
        r.finish("busy")
        await settle()
        assert r.started == ["busy"] and line.reading == 0
    asyncio.run(go())


def test_a_failing_reading_fails_its_own_request_and_frees_its_slot():
    async def go():
        line, r = Line(slots=1), Readings()
        bad = ask(line, r, "bad")
        good = ask(line, r, "good", client="10.0.0.2")
        await settle()
        r.futures["bad"].set_exception(ChildProcessError("gone"))
        with pytest.raises(ChildProcessError):
            await bad
        await settle()
        r.finish("good")
        assert await good == "answer good" and line.reading == 0
    asyncio.run(go())


def _only(*lines):
    """Make `lines` the only ones the module's pace and early shedding look at (earlier tests' may live on)."""
    for other in [x for x in pad_line._lines if x not in lines]:
        pad_line._lines.discard(other)
    return lines


def _window(line, live_in, shed, now):
    """One judged window: `live_in` live updates arrived, `shed` of them shed (as the line counts)."""
    line._window_at, line._live_in, line._live_shed = now - pad_line.PACE_WINDOW, live_in, shed
    line._judge(now)


def test_the_pace_grows_while_live_updates_are_shed_and_returns_to_the_pads_throttle():
    line = Line()
    now = pad_line.time.monotonic()
    assert line.pace == pad_line.PACE_MIN == 0.1          # pad.js's THROTTLE_MS: a quiet server asks nothing
    for _ in range(20):
        _window(line, 50, 40, now)                        # 80 % shed: swamped
    assert line.pace == pad_line.PACE_MAX
    _window(line, 50, 4, now)                             # 8 %: between the bounds, held
    assert line.pace == pad_line.PACE_MAX
    for _ in range(30):
        _window(line, 50, 0, now)
    assert line.pace == pad_line.PACE_MIN
    line.pace = pad_line.PACE_MAX
    line._window_at, line._live_in, line._live_shed = now - 5 * pad_line.PACE_WINDOW, 0, 0
    line._judge(now)                                      # five quiet windows at once shrink it five steps
    assert line.pace == pytest.approx(pad_line.PACE_MAX * pad_line.PACE_DOWN ** 5)


def test_every_page_is_told_the_slowest_lines_pace_in_ms():
    lines = _only(Line(), Line())
    lines[1].pace = 0.42
    assert pad_line.suggested_ms() == 420
    lines[1].pace = pad_line.PACE_MIN
    assert pad_line.suggested_ms() == 100


def test_sheds_count_toward_the_pace_and_a_pen_up_that_waited_makes_the_line_crowded():
    async def go():
        line, r = Line(slots=1, patience=0.05), Readings()
        _only(line)
        ask(line, r, "busy", client="10.0.0.9")
        live = ask(line, r, "live", client="10.0.0.1", live=True)
        penup = ask(line, r, "penup", client="10.0.0.2")
        await settle()
        assert not line.crowded() and not pad_line.shed_early()
        await asyncio.sleep(0.08)                         # the pen-up has now waited over the patience
        assert line.crowded() and pad_line.shed_early()   # a live update arriving now would wait behind it
        assert line.shed == 1 and line._live_shed == 1 and line._live_in == 2
        r.finish("busy")
        await settle()
        assert await live is SHED and line._live_shed == 2   # the late one counts too
        r.finish("penup")
        assert await penup == "answer penup"
        assert not line.crowded()
    asyncio.run(go())


def test_the_boundary_sheds_a_crowded_lines_live_updates_with_gradios_own_no_change_answer():
    """boundary.py, with a stand-in ASGI app for Gradio: every run/ answer carries the pace cookie;
    a live update's "no change" answer is learned from the app, then given without calling it while
    the line is crowded; pen-ups always reach the app."""
    import json

    from lenet.ui.gate.boundary import PACE_COOKIE, Boundary
    no_change = json.dumps({"data": [{"__type__": "update"}] * 3, "is_generating": False}).encode()
    calls = []

    async def app(scope, receive, send):
        body = json.loads((await receive())["body"])
        calls.append(body["data"][0])
        out = no_change if is_live(body["data"][0]) else b'{"data": ["<div data-seq=\\"2\\"></div>"]}'
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(out)).encode())]})
        await send({"type": "http.response.body", "body": out})

    async def post(boundary, value):
        body = json.dumps({"data": [value, "modern"], "fn_index": 5, "session_hash": "s1"}).encode()
        scope = {"type": "http", "method": "POST", "path": "/gradio_api/run/predict", "root_path": "",
                 "headers": [(b"content-length", str(len(body)).encode())], "client": ("127.0.0.1", 1)}
        got = []

        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(m):
            got.append(m)
        await boundary(scope, receive, send)
        head = dict(got[0]["headers"])
        return got[0]["status"], head.get(b"set-cookie", b"").decode(), b"".join(m.get("body", b"") for m in got[1:])

    async def go():
        line, r = Line(slots=1, patience=0.01), Readings()
        _only(line)
        boundary = Boundary(app, light={5})
        live, penup = value_of(PNG, 1, live=True), value_of(PNG, 2)
        status, cookie, body = await post(boundary, live)    # the first: through the app, its answer learned
        assert status == 200 and body == no_change and cookie.startswith(f"{PACE_COOKIE}=100;")
        assert len(calls) == 1
        ask(line, r, "busy", client="10.0.0.9")
        ask(line, r, "penup", client="10.0.0.2")
        line.pace = 0.3
        await asyncio.sleep(0.03)                             # crowded: a pen-up waited over the patience
        status, cookie, body = await post(boundary, live)
        assert (status, body, len(calls)) == (200, no_change, 1) and cookie.startswith(f"{PACE_COOKIE}=300;")
        status, _, body = await post(boundary, penup)       # a pen-up is never shed here
        assert status == 200 and b"data-seq" in body and len(calls) == 2
        status, _, body = await post(boundary, value_of(PNG, 3, live=True, first=True))   # nor a stroke's first:
        assert status == 200 and len(calls) == 3                                          # the app reads it
        r.finish("busy")
        await settle()
        r.finish("penup")
        await settle()
        await post(boundary, live)                           # not crowded: the app reads it
        assert len(calls) == 4
    asyncio.run(go())
