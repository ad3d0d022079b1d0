"""The fair queue's rules: which queued event (an upload, a model switch, the API, the Compare
and Number tabs) runs next, and which is refused. Pure: it sees events as (id, visitor, session)
and is hooked into Gradio's queue by gradio_internals.hook_queue. The pads' updates do not come
here: they wait in the pads' line (pad_line.py).

Per concurrency group of limit L:
- heavy events (see `heavy`) hold at most L-1 slots together, so a light one always finds one;
- among the events that may start, the one whose visitor has the fewest running goes first,
  oldest first among equals;
- a visitor may have at most `waiting_per_client` events waiting, a session `waiting_per_session`.
"""
from collections import OrderedDict, defaultdict

from ...decode import InvalidDrawing, weigh
from .limits import Limits

TOO_MANY_WAITING = "Too many requests waiting from your address; wait for the answers first."
MAX_TRACKED = 10_000        # queued events whose weight is remembered (cancelled ones never start)
HEAVY_CHARS = 65_536        # a string this long (a pad value over ~64 KB) is heavy work


def heavy(value):
    """Whether an event's inputs (decoded JSON) hold heavy work: a long string, or a picture file
    (a FileData path) that decode.weigh does not call light."""
    if isinstance(value, dict):
        path = value.get("path")
        if isinstance(path, str) and path:
            try:
                return weigh(path) != "light"
            except InvalidDrawing:   # refused when it is read
                return True
        return any(heavy(v) for v in value.values())
    if isinstance(value, list):
        return any(heavy(v) for v in value)
    return isinstance(value, str) and len(value) > HEAVY_CHARS


class Fairness:
    """The bookkeeping behind the rules (module docstring); ids are Gradio's event ids."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.running = defaultdict(int)         # visitor -> events running
        self.heavy_running = defaultdict(int)   # group -> heavy events running
        self.started = {}                       # event id -> (visitor, heavy, group)
        self.weight = OrderedDict()             # event id -> heavy (set when it is queued)

    def refuse(self, key, session, waiting):
        """The sentence refusing a new event of `key`/`session`, given the (visitor, session) of
        every event waiting; None to admit it."""
        if sum(k == key for k, _ in waiting) >= self.limits.waiting_per_client:
            return TOO_MANY_WAITING
        if session is not None and sum(s == session for _, s in waiting) >= self.limits.waiting_per_session:
            return TOO_MANY_WAITING
        return None

    def queued(self, event_id, is_heavy):
        self.weight[event_id] = is_heavy
        while len(self.weight) > MAX_TRACKED:
            self.weight.popitem(last=False)

    def pick(self, group, limit, waiting):
        """The position in `waiting` [(event id, visitor), oldest first] of the event to start
        now, or None (only heavy ones wait and their share is taken)."""
        heavy_full = limit is not None and self.heavy_running[group] >= max(1, limit - 1)
        best = None
        for position, (event_id, key) in enumerate(waiting):
            if heavy_full and self.weight.get(event_id, False):
                continue
            rank = (self.running[key], position)
            if best is None or rank < best[0]:
                best = (rank, position)
        return None if best is None else best[1]

    def start(self, event_id, key, group):
        is_heavy = self.weight.pop(event_id, False)
        self.running[key] += 1
        self.heavy_running[group] += is_heavy
        self.started[event_id] = (key, is_heavy, group)

    def finish(self, event_id):
        key, is_heavy, group = self.started.pop(event_id, (None, False, None))
        if key is not None:
            self.running[key] -= 1
            if self.running[key] <= 0:
                del self.running[key]
            self.heavy_running[group] -= is_heavy

