"""The prediction worker: a second process that reads the pads' drawings and the API's small
pictures, so that the server's event loop only moves bytes and the machine's second core does the
reading.

Every live update and pen-up costs decoding, the MNIST pipeline, the model and the map pictures
(readings.draw.read_pad) on top of Gradio's own request handling; on the one event loop, a room kept
it busy and every request waited for it. Here read_pad runs in a child process holding its own
recognisers (the same weights, loaded by the same open_room), over a pipe the event loop watches
(no thread in between: a pool's feeder and result threads each wait for the GIL under load): the
loop sends the pad's small value, receives the tab's HTML when the pipe is readable, and is free
meanwhile. Figures: docs/performance.md.

- The child is started once the server answers (server.serve; a fresh `python`, no copy of the
  server's threads or memory) and takes a moment to load; until it answers, and whenever it fails, drawings
  are read in the server process as before: a person never waits on a dead worker.
- A room that collects drawings reads them in the server process: collecting keeps state
  (caps, a stopped folder the page reports) that lives there.
- Only on the lean path (LiteRT): a second TensorFlow would double the server's memory.
- LENET_READER=server turns it off (every drawing read in the server process, as before):
  `python -m bench` measures a room both ways in one run.
- Pictures bigger than the pad sends are not read here but in a worker thread of the server
  (tabs/draw.py, tabs/api.py), and heavy ones are decoded by decoder.py's own process: no picture
  holds up everyone's strokes in the child.
- What the child can be asked (JOBS): readings.draw.read_pad, and readings.api.predict for /predict and
  /predict_image (their reading in a thread of the server held the GIL against the event loop)."""
import asyncio
import collections
import json
import os
import socket
import subprocess
import sys
import threading
import weakref
from multiprocessing.connection import Connection

from ...paths import REPO
from ..readings.room import Room

MAX_FAILURES = 3   # child processes that may die (or fail to load) before the server reads every drawing itself
READY = "ready"    # the child's first message: its models are loaded
STARTING = "starting"   # Worker.proc while the child is being started
_made = weakref.WeakSet()   # every Worker (start_all)


def start_all():
    """Start the child of every Worker made so far (server.serve, once it serves)."""
    for worker in list(_made):
        worker.start()


def _jobs():
    """What the child can be asked: name -> function of (room, *args)."""
    from ..readings.api import predict
    from ..readings.draw import read_pad
    return {"read_pad": read_pad, "predict": predict}


def main(argv=None):
    """The child's entry point: `python -c "...worker import main; main()" FD SETTINGS` (see _spawn)."""
    fd, settings = (argv or sys.argv[1:])[:2]
    settings = json.loads(settings)
    _serve(Connection(int(fd)), tuple(settings["variants"]), settings["variant"], settings["weights_dir"])


def _serve(conn, variants, variant, weights_dir):
    """The child: load the recognisers as the server did, say READY, then answer each request
    (job name, args) with the job's outputs, in order, until the pipe closes."""
    import lenet.ui.gate.tuning  # (one OpenBLAS thread, as in the server)

    from ..readings.room import open_room
    lenet.ui.gate.tuning.keep_freed_memory()   # one small picture after another: no page faults for each
    jobs = _jobs()
    room = open_room(variants, variant, weights_dir)
    conn.send(READY)
    while True:
        try:
            name, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = jobs[name](room, *args)
        except Exception as err:   # the jobs answer every input; this is a bug, said by the server
            answer = err
        conn.send(answer)


class Worker:
    """read_pad in a child process for `room` (see the module's docstring)."""

    def __init__(self, room: Room):
        self.room = room
        self.proc = self.conn = None
        self.started = None                  # (process, pipe end) once up, until attached to the loop
        self.ready = False
        self.waiting = collections.deque()   # futures of the requests sent, oldest first
        lean = all(rec.backend == "litert" for rec in room.recognizers.values())
        wanted = lean and not room.collecting and os.environ.get("LENET_READER", "process") != "server"
        self.failures = 0 if wanted else MAX_FAILURES   # at MAX_FAILURES, every drawing is read here
        _made.add(self)

    def start(self):
        """Start the child from a thread: starting Python and importing take ~1-2 s of CPU that must
        not stall the event loop nor the first drawings (server.serve calls this once it serves). The
        child is attached to the event loop at the first drawing after it is up."""
        if self.proc is None and self.failures < MAX_FAILURES:
            self.proc = STARTING
            threading.Thread(target=self._spawn, name="lenet-reader-start", daemon=True).start()
        return self

    def _spawn(self):
        """A fresh `python` (not a fork of the server, whose threads and memory it must not copy; and not
        multiprocessing's forkserver, whose server and resource tracker processes hold memory of their own),
        given one end of a socket pair: multiprocessing's Connection on both ends."""
        ours, theirs = socket.socketpair()
        settings = json.dumps({"variants": list(self.room.variants), "variant": self.room.variant,
                               "weights_dir": str(self.room.weights_dir)})
        code = f"import sys; sys.path.insert(0, {str(REPO)!r}); from lenet.ui.gate.worker import main; main()"
        try:
            proc = subprocess.Popen([sys.executable, "-c", code, str(theirs.fileno()), settings],
                                    pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        except Exception as err:   # no resources to start it: read in the server
            print(f"worker: cannot start the prediction process ({err}); drawings are read in the server",
                  file=sys.stderr, flush=True)
            self.failures = MAX_FAILURES
            return
        finally:
            theirs.close()
        self.started = (proc, Connection(ours.detach()))

    def _attach(self):
        """On the event loop: watch the started child's pipe."""
        (proc, conn), self.started = self.started, None
        if self.proc is not STARTING:      # stopped while it started
            proc.kill()
            conn.close()
            return
        self.proc, self.conn, self.ready = proc, conn, False
        asyncio.get_running_loop().add_reader(conn.fileno(), self._answer)
        # uvloop made the socket non-blocking; a message arrives in pieces (an answer is a page of HTML) and
        # Connection.recv must wait for the rest of one it has begun: only ever read when readable.
        os.set_blocking(conn.fileno(), True)

    def _answer(self):
        """The pipe is readable: the next answer (in request order), READY, or the child is gone."""
        try:
            answer = self.conn.recv()
        except (EOFError, OSError):
            return self._lost()
        if not self.ready:
            self.ready = answer == READY
            return
        future = self.waiting.popleft()
        if not future.done():
            future.set_exception(answer) if isinstance(answer, Exception) else future.set_result(answer)

    def _lost(self):
        self.failures += 1
        again = self.failures < MAX_FAILURES
        print("worker: the prediction process stopped; "
              + ("starting another; drawings are read in the server meanwhile" if again
                 else f"{MAX_FAILURES} times: drawings are read in the server from now on"),
              file=sys.stderr, flush=True)
        self.stop()
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(ChildProcessError("the prediction process stopped"))

    def submit(self, job, *args):
        """Send one job (see _jobs: "read_pad" or "predict", args after the room) to the child at once
        -> the future of its outputs (it fails with ChildProcessError if the child dies first); None
        when no child is ready: do it here."""
        if self.failures >= MAX_FAILURES:
            return None
        if self.started is not None:
            self._attach()
        if self.proc is None:
            self.start()
        if self.proc is STARTING or self.conn is None or not self.ready:
            return None
        future = asyncio.get_running_loop().create_future()
        self.waiting.append(future)
        try:
            self.conn.send((job, args))   # a pad's small value: the pipe takes it at once
        except OSError:
            self._lost()                                  # fails `future` too
        return future

    async def call(self, job, *args, here):
        """`job` (see _jobs) with `args` in the child once it is ready; else, or if the child dies
        while at it, `await here()`: the same work in this process."""
        future = self.submit(job, *args)
        if future is not None:
            try:
                return await future
            except ChildProcessError:
                pass
        return await here()

    async def read_pad(self, value, variant, drawing=None, more=True, pre=False):
        """readings.draw.read_pad(room, value, variant, drawing, more, pre): in the child once it is ready,
        else here (`drawing` only matters here: the child's room does not collect)."""
        from ..readings.draw import read_pad

        async def here():
            return read_pad(self.room, value, variant, drawing, more, pre)
        return await self.call("read_pad", value, variant, None, more, pre, here=here)

    def stop(self):
        if self.conn is not None:
            try:
                asyncio.get_running_loop().remove_reader(self.conn.fileno())
            except (RuntimeError, ValueError, OSError):
                pass
            self.conn.close()
        if self.proc not in (None, STARTING) and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = self.conn = None
        self.ready = False
