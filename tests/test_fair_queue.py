"""lenet/ui/gate/fair_queue.py's scheduling, on a stand-in for Gradio's queue (the same attributes
FairQueue reads: event_queue_per_concurrency_id -> .queue, .concurrency_limit, .current_concurrency;
events with ._id, .data.data, .enqueue_time, .request). Which event starts next is checked against
the rules written in FairQueue's docstring: fewest running per client, then oldest. (The pads'
updates wait in the pads' line instead: tests/test_pad_line.py.)"""
import asyncio
import time
from types import SimpleNamespace

from lenet.ui.gate.boundary import Limits
from lenet.ui.gate.fair_queue import FairQueue
from lenet.ui.readings.pad import value_of


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


def test_among_equals_the_client_with_fewest_running_goes_first():
    q = GradioQueue(limit=4)
    fq = FairQueue(q, Limits())
    push(fq, "10.0.0.1", value_of(PNG, 1), session="a")
    push(fq, "10.0.0.1", value_of(PNG, 2), session="b")
    other = push(fq, "10.0.0.9", value_of(PNG, 1))
    assert started(fq).request.scope["client"][0] == "10.0.0.1"
    assert started(fq)._id == other               # 10.0.0.1 has one running: the other client first
