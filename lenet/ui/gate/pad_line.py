"""The pads' line: where every update a drawing pad sends waits for its turn to be read.

The pads' events skip Gradio's queue (queue=False): the page sends each update as one POST
/gradio_api/run/predict and gets the answer in its response. Gradio's queue (queue/join, the
event stream, its scheduler) costs the event loop more per update than a room of people drawing
can wait for; its run route costs a fraction of that (docs/performance.md; `python -m bench`
section 8 measures the room both ways). What the queue did for the pads' updates is done here, in
front of the reading (worker.py):

- at most SLOTS updates are read at once (2 cores), heavy ones (pictures bigger than the pad
  sends) in at most SLOTS - 1 of them, so a stroke always finds a slot;
- a page has at most one update waiting: a newer one from its session replaces it (the replaced
  one is answered "no change"; the page itself sends one at a time and keeps only its newest);
- pen-ups (and undo, clear) are read before live updates (sent while the pen moves), a stroke's
  first live update before its later ones; a live update that waited over LIVE_PATIENCE (a first
  one: FIRST_PATIENCE) is answered "no change" (shed): the pen has moved on, and the person's pen-up
  comes next;
- among updates of a kind, the client (address, boundary.client_key) with the fewest being read
  goes first, then the oldest;
- a client has at most `per_client` updates waiting, all clients together `most`; beyond, a live
  update is shed at once and a pen-up is answered with a sentence (never an error);
- the pace: how long a page should wait between a stroke's live updates (Line.pace, suggested_ms()), from the
  line's recent load: it grows while many live updates are shed and shrinks back to the page's own
  throttle when few are, so a crowd sends only the live updates the line can read (boundary.py tells
  every page in a cookie; static/pad.js waits at least that long, never for a stroke's first live
  update or a pen-up: every stroke gets a live answer, a crowd fewer of them);
- while a pen-up has waited over the patience (crowded()), a later live update arriving would be
  shed: boundary.py answers it "no change" before Gradio handles it (shed_early()).

Pure asyncio: no Gradio here (tests/test_gate_pad_line.py drives it with plain coroutines)."""
import asyncio
import itertools
import time
import weakref
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field

SLOTS = 2              # updates read at once: the prediction process reads one while the next waits in its pipe
LIVE_PATIENCE = 0.1    # s a live update may wait before it is shed: the page's pen-up waits behind it (one
                       # update in flight per page); the choice against 0.25 s: docs/performance.md
FIRST_PATIENCE = 0.6   # s for a stroke's first live update: about a stroke and the pause after it
PER_CLIENT = 128       # updates waiting per address: a room behind one address is one client
MOST = 1024            # updates waiting in all (a few seconds of reading)
FIRST_EVERY = 0.25     # s: a page's strokes begin at most this often (a stroke and a pause), so a `first` flag
SESSIONS = 4096        # sooner after the page's last one is not believed; pages remembered for it

PACE_MIN = 0.1         # s between a page's live updates on a quiet line: pad.js's own throttle
PACE_MAX = 0.8         # s at most: strokes ~0.3-1 s apart still each send their first live update
PACE_WINDOW = 1.0      # s of arrivals the pace is judged on
PACE_UP, PACE_DOWN = 1.4, 0.85        # its steps, per window: up fast when swamped, down slowly
SHED_HIGH, SHED_LOW = 0.25, 0.05      # share of live updates shed in a window above which it grows, below shrinks:
                                      # a quiet 100-person room sheds 16-18 % (LIVE_PATIENCE) and keeps its pace

SHED, FULL = "shed", "full"   # what Line.read answers for an update it does not read: "no change"; the sentence
TOO_MANY_WAITING = "Too many drawings are waiting from your address; lift the pen again in a moment."


@dataclass(eq=False)
class Turn:
    client: str
    session: object
    live: bool
    heavy: bool
    job: object                     # () -> an awaitable of the answer, called when the turn comes
    order: int
    first: bool = False             # a stroke's first live update
    answer: asyncio.Future = None
    at: float = field(default_factory=time.monotonic)
    reading: bool = False


class Line:
    """The line (see the module's docstring). `await line.read(client, session, live, heavy, job)`
    waits for the update's turn, then returns what `job()` gives, or SHED or FULL.

    `job` is called by the line itself the moment a slot is free, and the next turn starts in the
    callback that sees a job end: with a room's requests in flight an event loop iteration is
    slow, and the hops of a coroutine waking to start its own reading left the prediction process
    idle most of the time while updates waited (docs/performance.md)."""

    def __init__(self, slots=SLOTS, per_client=PER_CLIENT, most=MOST, patience=LIVE_PATIENCE):
        self.slots, self.per_client, self.most, self.patience = slots, per_client, most, patience
        self.waiting = []                      # Turns, oldest first
        self.waiting_of = defaultdict(int)     # client -> Turns waiting
        self.session_waiting = {}              # session -> its Turn waiting
        self.first_at = OrderedDict()          # session -> when its last believed `first` arrived
        self.reading_of = defaultdict(int)     # client -> Turns being read
        self.reading = self.heavy_reading = 0
        self.shed = self.replaced = self.refused = 0   # counts, for the bench and tests
        self._order = itertools.count()
        self.pace = PACE_MIN                   # s a page should wait between live updates
        self._window_at, self._live_in, self._live_shed = time.monotonic(), 0, 0
        _lines.add(self)

    async def read(self, client, session, live, heavy, job, first=False):
        t = Turn(client, session, bool(live), bool(heavy), job, next(self._order), bool(live and first))
        t.answer = asyncio.get_running_loop().create_future()
        self._arrive(t)
        try:
            return await asyncio.shield(t.answer)
        except asyncio.CancelledError:         # the client left: a waiting turn leaves the line
            if not t.reading and not t.answer.done():
                self._leave(t)
                t.answer.cancel()
            raise

    def crowded(self):
        """Whether a live update arriving now would be shed: a pen-up has waited over the patience
        already, and a live update would wait behind it."""
        now = time.monotonic()
        return any(not t.live and now - t.at > self.patience for t in self.waiting)

    def shed_early(self):
        """Count a live update answered "no change" before it reached the line (boundary.py)."""
        self._judge(time.monotonic())
        self._live_in += 1
        self._live_shed += 1
        self.shed += 1

    def _judge(self, now):
        """At most once a PACE_WINDOW: grow the pace if many live updates were shed, shrink it if few
        (a quiet window, or several, shrink it once each)."""
        windows = int((now - self._window_at) / PACE_WINDOW)
        if windows < 1:
            return
        shed = self._live_shed / self._live_in if self._live_in else 0.0
        if shed > SHED_HIGH:
            self.pace = min(PACE_MAX, self.pace * PACE_UP)
        elif shed < SHED_LOW:
            self.pace = max(PACE_MIN, self.pace * PACE_DOWN ** windows)
        self._window_at, self._live_in, self._live_shed = now, 0, 0

    def _shed(self, t):
        t.answer.set_result(SHED)
        self.shed += 1
        self._live_shed += t.live

    def _believe_first(self, t):
        """A `first` flag is believed at most once per FIRST_EVERY per page: a script marking every
        live update `first` gets no more priority than a person starting strokes."""
        if not t.first or t.session is None:
            return t.first
        last = self.first_at.get(t.session)
        if last is not None and t.at - last < FIRST_EVERY:
            return False
        self.first_at.pop(t.session, None)
        self.first_at[t.session] = t.at
        if len(self.first_at) > SESSIONS:
            self.first_at.popitem(last=False)
        return True

    def _arrive(self, t):
        t.first = self._believe_first(t)
        self._judge(time.monotonic())
        self._live_in += t.live
        old = self.session_waiting.get(t.session) if t.session is not None else None
        if old is not None:                     # a page's newer update replaces its waiting one
            self._leave(old)
            old.answer.set_result(SHED)
            self._live_shed += old.live
            self.replaced += 1
        if self.waiting_of[t.client] >= self.per_client or len(self.waiting) >= self.most:
            self.refused += not t.live
            if t.live:
                self._shed(t)
            else:
                t.answer.set_result(FULL)
            return
        self.waiting.append(t)
        self.waiting_of[t.client] += 1
        if t.session is not None:
            self.session_waiting[t.session] = t
        self._dispatch()

    def _leave(self, t):
        if t in self.waiting:
            self.waiting.remove(t)
            self.waiting_of[t.client] -= 1
            if self.waiting_of[t.client] <= 0:
                del self.waiting_of[t.client]
        if t.session is not None and self.session_waiting.get(t.session) is t:
            del self.session_waiting[t.session]

    def _start(self, t):
        self._leave(t)
        t.reading = True
        self.reading += 1
        self.heavy_reading += t.heavy
        self.reading_of[t.client] += 1
        try:
            running = asyncio.ensure_future(t.job())
        except Exception as err:               # a job that fails to start fails its own request only
            running = asyncio.get_running_loop().create_future()
            running.set_exception(err)
        running.add_done_callback(lambda done: self._finish(t, done))

    def _finish(self, t, done):
        self.reading -= 1
        self.heavy_reading -= t.heavy
        self.reading_of[t.client] -= 1
        if self.reading_of[t.client] <= 0:
            del self.reading_of[t.client]
        if not t.answer.done():
            if done.cancelled():
                t.answer.cancel()
            elif done.exception() is not None:
                t.answer.set_exception(done.exception())
            else:
                t.answer.set_result(done.result())
        self._dispatch()

    def _dispatch(self):
        """Shed the live updates that waited too long, then start the best waiting ones while slots are free."""
        now = time.monotonic()
        for t in [t for t in self.waiting if t.live and now - t.at > self.patience_of(t)]:
            self._leave(t)
            self._shed(t)
        while self.reading < self.slots and self.waiting:
            heavy_full = self.heavy_reading >= max(1, self.slots - 1)
            ready = [t for t in self.waiting if not (heavy_full and t.heavy)]
            if not ready:
                return
            self._start(min(ready, key=lambda t: (t.live + (t.live and not t.first), self.reading_of[t.client],
                                                  t.order)))

    def patience_of(self, t):
        return max(self.patience, FIRST_PATIENCE) if t.first else self.patience


_lines = weakref.WeakSet()   # every Line alive (one per page; tests make their own)


def shed_early():
    """Whether a live update arriving now should be answered "no change" at once, before anything
    reads it (a line is crowded(); that line counts it as shed)."""
    line = next((line for line in list(_lines) if line.crowded()), None)
    if line is not None:
        line.shed_early()
    return line is not None


def suggested_ms():
    """The pace every page is told, in ms: the slowest of the lines' (PACE_MIN on a quiet server)."""
    return round(1000 * max((line.pace for line in list(_lines)), default=PACE_MIN))
