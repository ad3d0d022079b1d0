"""The fair queue: Gradio's queue, in front of the model, made fair between clients (issue 14).
Installed by boundary.install on the demo's queue (its push, get_events and process_events, checked
with Gradio 6.31: re-check on upgrade). Who is a client: boundary.client_key."""
import os
import random
from collections import OrderedDict, defaultdict

from .boundary import Limits, client_key, picture_size, say

TOO_MANY_WAITING = "Too many requests waiting from your address; wait for the answers first."
MAX_TRACKED = 10_000   # queued events whose weight is remembered (cancelled ones are never started)


HEAVY_CHARS = 65_536        # a string this long (a pad value over ~64 KB) is heavy work
HEAVY_BYTES = 256 * 1024    # so is a picture file this large,
HEAVY_PIXELS = 1_500_000    # or one with this many pixels (a 1.5 MP picture: ~50 ms; 49 MP: ~2-4 s)


def heavy(value):
    """Whether an event's inputs (decoded JSON) hold heavy work: a long string, or a picture file
    (Gradio FileData path) or data URL that is large or has many pixels. Read from headers only."""
    if isinstance(value, dict):
        path = value.get("path")
        if isinstance(path, str) and path:
            try:
                if os.path.getsize(path) > HEAVY_BYTES:
                    return True
                with open(path, "rb") as f:
                    size = picture_size(f.read(65536))
            except OSError:
                return False
            return size is not None and size[0] * size[1] > HEAVY_PIXELS
        return any(heavy(v) for v in value.values())
    if isinstance(value, list):
        return any(heavy(v) for v in value)
    return isinstance(value, str) and len(value) > HEAVY_CHARS


class FairQueue:
    """Gradio's queue runs the oldest event of a concurrency group. This one, per group of limit L:
    - heavy events (see `heavy`) hold at most L-1 slots together, so one slot is always there for
      light ones (a client looping 49 MP pictures took every slot: strokes 19 ms -> 1.2 s median);
    - among the events that may start, the one whose client has the fewest running goes first
      (oldest first among equals);
    - a client may have at most `waiting_per_client` events waiting, a session `waiting_per_session`.
    The pads' updates do not come here: they wait in the pads' line (pad_line.py), which also
    answers pen-ups before live updates."""

    def __init__(self, queue, limits: Limits):
        self.queue, self.limits = queue, limits
        self.running = defaultdict(int)    # client -> events running
        self.heavy_running = defaultdict(int)   # concurrency id -> heavy events running
        self.started = {}                  # event id -> (client, heavy)
        self.weight = OrderedDict()        # event id -> heavy (set when it is queued)
        self._push, self._process = queue.push, queue.process_events
        queue.push, queue.get_events, queue.process_events = self.push, self.get_events, self.process_events

    @staticmethod
    def key(event_or_request):
        request = getattr(event_or_request, "request", event_or_request)
        try:
            return client_key(request.scope)
        except AttributeError:
            return "?"

    async def push(self, body, request, username):
        key, session = self.key(request), getattr(body, "session_hash", None)
        waiting = [e for q in self.queue.event_queue_per_concurrency_id.values() for e in q.queue]
        if sum(self.key(e) == key for e in waiting) >= self.limits.waiting_per_client or (
                session is not None
                and sum(e.session_hash == session for e in waiting) >= self.limits.waiting_per_session):
            say("waiting", f"refused a queued event from {key}: too many waiting")
            return False, TOO_MANY_WAITING, "queue_full"
        is_heavy = heavy(getattr(body, "data", None))
        result = await self._push(body, request, username)
        if result[0] and isinstance(result[1], str):
            self.weight[result[1]] = is_heavy
            while len(self.weight) > MAX_TRACKED:
                self.weight.popitem(last=False)
        return result

    def get_events(self):
        ids = list(self.queue.event_queue_per_concurrency_id)
        random.shuffle(ids)
        for cid in ids:
            q = self.queue.event_queue_per_concurrency_id[cid]
            limit = q.concurrency_limit
            if not q.queue or (limit is not None and q.current_concurrency >= limit):
                continue
            heavy_full = limit is not None and self.heavy_running[cid] >= max(1, limit - 1)
            best = None
            for position, event in enumerate(q.queue):
                if heavy_full and self.weight.get(event._id, False):
                    continue
                k = self.key(event)
                rank = (self.running[k], position)
                if best is None or rank < best[0]:
                    best = (rank, event, k)
            if best is None:
                continue
            _, event, k = best
            q.queue.remove(event)
            is_heavy = self.weight.pop(event._id, False)
            self.running[k] += 1
            self.heavy_running[cid] += is_heavy
            self.started[event._id] = (k, is_heavy, cid)
            return [event], False, cid
        return None

    async def process_events(self, events, batch, begin_time, fn):
        try:
            return await self._process(events, batch, begin_time, fn)
        finally:
            for event in events:
                k, is_heavy, cid = self.started.pop(event._id, (None, False, None))
                if k is not None:
                    self.running[k] -= 1
                    if self.running[k] <= 0:
                        del self.running[k]
                    self.heavy_running[cid] -= is_heavy
