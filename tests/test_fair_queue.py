"""lenet/ui/fair_queue.py's scheduling, on a stand-in for Gradio's queue (the same attributes
FairQueue reads: event_queue_per_concurrency_id -> .queue, .concurrency_limit, .current_concurrency;
events with ._id, .data.data, .enqueue_time, .request). Which event starts next is checked against
the rules written in FairQueue's docstring: pen-ups before live updates, stale live updates shed
(their input replaced by pad.STALE), fewest running per client, then oldest."""
import asyncio
import time
from types import SimpleNamespace

from lenet.ui import fair_queue
from lenet.ui.boundary import Limits
from lenet.ui.fair_queue import FairQueue
from lenet.ui.pad import STALE, is_live, value_of


class GradioQueue:
    def __init__(self, limit=2):
        self.group = SimpleNamespace(queue=[], concurrency_limit=limit, current_concurrency=0)
        self.event_queue_per_concurrency_id = {"predict": self.group}

    async def push(self, body, request, username):
        event = SimpleNamespace(_id=f"e{len(self.group.queue)}-{id(body)}", data=body, request=request,
                                session_hash=body.session_hash, enqueue_time=time.monotonic())
        self.group.queue.append(event)
        return True, event._id

    async def process_events(self, events, batch, begin_time, fn):
        return None


def client(address):
    return SimpleNamespace(scope={"type": "http", "client": (address, 1), "headers": []})


def push(fq, address, value, session=None):
    body = SimpleNamespace(data=[value, "modern"], session_hash=session or address)
    return asyncio.run(fq.push(body, client(address), None))[1]


def started(fq):
    events, _, _ = fq.get_events()
    return events[0]


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_the_pads_live_flag_is_read_from_the_first_characters():
    assert is_live(value_of(PNG, 3, live=True))
    assert not is_live(value_of(PNG, 3))
    assert not is_live("") and not is_live(None) and not is_live(STALE)
    assert not is_live('{"seq":1,"png":"data:image/png;base64,","live":true}')   # where pad.js never puts it


def test_a_pen_up_starts_before_live_updates_that_came_first():
    q = GradioQueue()
    fq = FairQueue(q, Limits(), live=is_live, stale=STALE)
    first_live = push(fq, "10.0.0.1", value_of(PNG, 1, live=True))
    push(fq, "10.0.0.2", value_of(PNG, 1, live=True))
    pen_up = push(fq, "10.0.0.3", value_of(PNG, 2))
    assert started(fq)._id == pen_up
    assert started(fq)._id == first_live          # then the oldest live update
    assert fq.shed == 0


def test_a_live_update_that_waited_too_long_is_shed_first_with_stale_in_its_place():
    q = GradioQueue()
    fq = FairQueue(q, Limits(), live=is_live, stale=STALE)
    push(fq, "10.0.0.2", value_of(PNG, 5))
    old = push(fq, "10.0.0.1", value_of(PNG, 4, live=True))
    q.group.queue[-1].enqueue_time -= fair_queue.LIVE_PATIENCE + 0.01
    event = started(fq)
    assert event._id == old and event.data.data[0] == STALE and event.data.data[1] == "modern"
    assert fq.shed == 1
    assert started(fq).data.data[0] == value_of(PNG, 5)   # a pen-up is never shed, however old


def test_without_a_live_test_every_event_is_first_come_first_served():
    q = GradioQueue()
    fq = FairQueue(q, Limits())
    ids = [push(fq, f"10.0.0.{i}", value_of(PNG, 1, live=True)) for i in range(3)]
    for e in q.group.queue:
        e.enqueue_time -= 10
    assert [started(fq)._id for _ in ids] == ids and fq.shed == 0


def test_among_equals_the_client_with_fewest_running_goes_first():
    q = GradioQueue(limit=4)
    fq = FairQueue(q, Limits(), live=is_live, stale=STALE)
    push(fq, "10.0.0.1", value_of(PNG, 1), session="a")
    push(fq, "10.0.0.1", value_of(PNG, 2), session="b")
    other = push(fq, "10.0.0.9", value_of(PNG, 1))
    assert started(fq).request.scope["client"][0] == "10.0.0.1"
    assert started(fq)._id == other               # 10.0.0.1 has one running: the other client first
