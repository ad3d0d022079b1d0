"""The boundary: what one anonymous client on a public link (`--share`, a Space) can cost. Every
HTTP request passes `Boundary` (an ASGI middleware) before Gradio sees it, and every queued event
passes `FairQueue` (fair_queue.py) before it runs; uploads are kept account of by `Uploads`
(uploads.py). Installed by `install(demo)` at launch (lenet/ui/page.py).

Each rule answers a finding of issue 14 (figures measured on the 2-core machine, Gradio 6.31):
- Closed routes the page never calls (CLOSED): `component_server` (accept_blobs kept ~780 MB per
  1 KB request with index=1e8; the pad is a plain canvas, the API sketchpad is hidden and never
  uploads blobs), the `proxy=`, `api/`, `stream/`, recording, vibe-edit and run-history routes,
  `deep_link` (it wrote a session's whole page state into the upload folder per call; this page has
  no deep-link button), and `file=` with a URL. A closed route answers 404 with one line.
- `run/<name>` and `run/predict` run outside the queue: only the page's own queue=False steps
  may use them (setting a State, echoing the model switch, loading an example, and the pads'
  updates, which wait in the pads' line instead, pad_line.py); anything else that predicts goes
  through the queue (also `demo.queue(api_open=False)`, Gradio's own switch).
- JSON bodies are at most MAX_JSON bytes, and every base64 data URL in them is sized from its
  header before anything decodes it (a 65 KB PNG can declare 13000x13000 pixels: +1.6-2.1 GB).
- Uploads: a per-client budget (bytes per minute, bytes held), a cap on all uploads held, a
  free-disk floor; uploaded pictures over lenet's pixel limit are deleted before anyone decodes
  them; uploads are removed after RETENTION s (Gradio alone: 13-15 min, and no byte limit).
- FairQueue: every queued event shares the "predict" group (2 at once on 2 cores); heavy work (big
  pictures) holds at most one of the 2 slots, so a stroke always finds one; a free slot goes to
  the client with the fewest running; waiting events are capped per client and per session.
- A fault inside an upload (e.g. an empty file name) answers 400 with one line, no traceback; so
  does a `run/` request whose inputs do not fit its step (Gradio: HTTP 500).

Who is "a client": the peer address; when the peer is this machine (a reverse proxy, or --share's
tunnel, which connects from 127.0.0.1) the last X-Forwarded-For entry, the one the nearest proxy
wrote. A tunnel that passes no address makes every visitor one client: the per-client caps are
sized for a whole room, and the fairness then holds between sessions only.

Limits can be changed by environment variables (LIMITS, read at start) for a hosted Space or tests.
"""
import asyncio
import base64
import binascii
import io
import json
import os
import re
import sys
import traceback
from dataclasses import dataclass, fields

from ...decode import MAX_PIXELS, TOO_MANY_PIXELS, UNREADABLE
from .uploads import DISK_LOW, UPLOAD_HELD, UPLOAD_RATE, Uploads, remove, say  # noqa: F401

API = "/gradio_api"
CLOSED = ("/component_server", "/proxy=", "/api/", "/stream/", "/process_recording", "/vibe-edit",
          "/undo-vibe-edit", "/vibe-code", "/run-history", "/runs", "/dev/reload", "/mcp", "/deep_link")
JSON_ROUTES = ("/queue/join", "/call/", "/run/")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
MB = 2**20

CLOSED_MSG = "This route is closed on this server."
NOT_DOCUMENTED = "No such endpoint; the documented ones are /predict and /predict_image."
NOT_HERE = ("Predictions do not run on this route; use gradio_client (api_name='/predict' or "
            "'/predict_image') or POST /gradio_api/call/predict.")
TOO_BIG_BODY = "That request is too large; a drawing from the pad is under 0.5 MB."
NO_LENGTH = "Uploads must say their size (Content-Length)."
UPLOAD_FAILED = "That upload could not be stored; send one picture file with a name."
NOT_THESE_INPUTS = "That request does not fit this step's inputs; use the page, or the documented /predict."


@dataclass(frozen=True)
class Limits:
    max_json: int = 2 * MB                 # a pad drawing is 4-12 KB (400 KB at most); a webcam data URL < 1 MB
    upload_per_minute: int = 40 * MB       # per client: two of the largest pictures lenet reads (20 MB)
    upload_held: int = 60 * MB             # per client, until RETENTION removes them
    upload_cache: int = 512 * MB           # every client's uploads together
    disk_floor: int = 1024 * MB            # uploads pause, and the oldest go, below this much free disk
    retention: float = 600.0               # s an upload is kept (the page re-reads it on a model switch)
    waiting_per_client: int = 32           # queued events per client (a room behind one address)
    waiting_per_session: int = 6           # queued events per page (a real page has 1-3)

    @classmethod
    def from_env(cls, env=os.environ):
        """LENET_<FIELD> overrides a field; sizes are given in MB (LENET_UPLOAD_CACHE=64)."""
        values = {}
        for f in fields(cls):
            raw = env.get("LENET_" + f.name.upper())
            if raw:
                scale = MB if f.name in ("max_json", "upload_per_minute", "upload_held", "upload_cache",
                                         "disk_floor") else 1
                values[f.name] = type(f.default)(float(raw) * scale)
        return cls(**values)


# ------------------------------------------------------------------ pure checks

def client_key(scope):
    """The address a request stands for (see the module docstring)."""
    host = (scope.get("client") or ("?", 0))[0]
    if host in LOOPBACK:
        # Every X-Forwarded-For line, in order, as one list (RFC 9110 5.3: repeated lines are one comma
        # list): a proxy that adds its own line after the visitor's wrote the last entry, not the visitor.
        lines = [value for name, value in scope.get("headers") or () if name == b"x-forwarded-for"]
        forwarded = b",".join(lines).decode("latin-1").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return host


def picture_size(head):
    """(width, height) of an image from its first bytes, without decoding a pixel; None if unknown."""
    from PIL import Image
    try:
        with Image.open(io.BytesIO(head)) as im:
            return im.size
    except Exception:   # not an image, or its header lies past `head`
        return None


_DATA_URL = re.compile(r"data:[\w/+.-]*;base64,([A-Za-z0-9+/=\s]{0,262144})")


def data_url_problem(text):
    """The sentence refusing the first base64 data URL in `text` that is not a picture within
    MAX_PIXELS (its header read from at most 192 KB), or None."""
    for match in _DATA_URL.finditer(text):
        b64 = re.sub(r"\s", "", match.group(1))
        b64 = b64[:len(b64) // 4 * 4]
        try:
            head = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            return UNREADABLE
        size = picture_size(head)
        if size is None:
            return UNREADABLE
        if size[0] * size[1] > MAX_PIXELS:
            return TOO_MANY_PIXELS
    return None


def strings(value):
    """Every string in a decoded JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def body_problem(body):
    """The sentence refusing a JSON request body, or None (a body that is not JSON is Gradio's to refuse)."""
    if b"data:" not in body:
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return None
    for s in strings(value):
        if "data:" in s:
            problem = data_url_problem(s)
            if problem:
                return problem
    return None


# ------------------------------------------------------------------ the middleware

async def answer(send, status, message):
    body = json.dumps({"detail": message, "error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def read_body(receive, limit):
    """The request body, or None when it is over `limit` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def replay(body, receive):
    sent = False

    async def again():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return again


class Boundary:
    """ASGI middleware: closed routes, the run/ routes, JSON bodies and uploads (module docstring)."""

    def __init__(self, app, demo=None, limits: Limits = None, uploads: Uploads = None):
        self.app, self.demo = app, demo
        self.limits = limits or Limits()
        self.uploads = uploads

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        root = scope.get("root_path") or ""
        if root and path.startswith(root):
            path = path[len(root):]
        api = path[len(API):] if path.startswith(API + "/") else None
        if api is None and path.startswith(("/proxy=", "/file=http", "/api/", "/component_server")):
            api = path   # Gradio also answers some routes without the /gradio_api prefix
        if api is None:
            return await self.app(scope, receive, send)
        if api.startswith(CLOSED) or api.startswith("/file=http"):
            return await answer(send, 404, CLOSED_MSG)
        if scope["method"] == "POST" and api.startswith(JSON_ROUTES):
            return await self.json_route(api, scope, receive, send)
        if scope["method"] == "POST" and api.rstrip("/") == "/upload" and self.uploads is not None:
            return await self.upload(scope, receive, send)
        return await self.app(scope, receive, send)

    async def json_route(self, api, scope, receive, send):
        body = await read_body(receive, self.limits.max_json)
        if body is None:
            return await answer(send, 413, TOO_BIG_BODY)
        if api.startswith("/run/") and not self.light(api, body):
            return await answer(send, 403, NOT_HERE)
        if api.startswith("/call/") and not self.documented(api):
            return await answer(send, 404, NOT_DOCUMENTED)
        if len(body) > 1024:   # a data URL needs more; the page's small steps skip the parse
            problem = await asyncio.to_thread(body_problem, body) if len(body) > 65536 else body_problem(body)
            if problem:
                return await answer(send, 413 if problem == TOO_MANY_PIXELS else 400, problem)
        if api.startswith("/run/"):
            return await self.run_route(scope, replay(body, receive), send)
        return await self.app(scope, replay(body, receive), send)

    async def run_route(self, scope, receive, send):
        """A queue=False step (small JSON answers): Gradio answers inputs that do not fit the step (too
        few, a model name not in the list) with HTTP 500 and {"error": null}; here with 400 and one
        sentence."""
        messages = []

        async def keep(message):
            messages.append(message)
        await self.app(scope, receive, keep)
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None or start["status"] >= 500:
            say("run-fault", "a run/ request did not fit its step's inputs", every=10.0)
            return await answer(send, 400, NOT_THESE_INPUTS)
        for m in messages:
            await send(m)

    def documented(self, api):
        """Whether a call/ request names a documented endpoint (/predict, /predict_image): the page
        itself never uses call/, and the private events are the page's (reachable by the queue)."""
        parts = [p for p in api.split("/") if p]
        name = parts[2] if len(parts) > 2 and parts[1] == "v2" else parts[1] if len(parts) > 1 else ""
        return self.demo is None or any(f.api_name == name and getattr(f, "api_visibility", "public") == "public"
                                        for f in self.demo.fns.values())

    def light(self, api, body):
        """Whether a run/ request names one of the page's own queue=False steps."""
        if self.demo is None:
            return False
        try:
            sent = json.loads(body)
            index = sent.get("fn_index")
        except (ValueError, AttributeError):
            return False
        name = api[len("/run/"):].strip("/")
        fns = self.demo.fns
        if index is not None:
            fn = fns.get(index) if isinstance(index, int) else None
        else:
            fn = next((f for f in fns.values() if f.api_name == name), None)
        return fn is not None and not fn.queue

    async def upload(self, scope, receive, send):
        key = client_key(scope)
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is None or not length.isdigit():
            return await answer(send, 411, NO_LENGTH)
        refused = self.uploads.admit(key, int(length))
        if refused:
            say("upload-" + refused[:12], f"refused an upload from {key}: {refused}")
            return await answer(send, 507 if refused == DISK_LOW else 429, refused)
        messages = []

        async def keep(message):
            messages.append(message)
        try:
            await self.app(scope, receive, keep)
        except Exception as err:   # e.g. an empty file name: Gradio raises inside its parser
            say("upload-fault", f"an upload from {key} failed: {type(err).__name__}")
            return await answer(send, 400, UPLOAD_FAILED)
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None:
            return await answer(send, 400, UPLOAD_FAILED)
        if start["status"] == 200:
            body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
            try:
                paths = [str(p) for p in json.loads(body)]
            except (ValueError, TypeError):
                paths = []
            self.uploads.record(key, paths)
            if any(too_many_pixels(p) for p in paths):
                for p in paths:
                    self.uploads.forget(p)
                    remove(p)
                return await answer(send, 413, TOO_MANY_PIXELS)
        elif start["status"] >= 500:
            return await answer(send, 400, UPLOAD_FAILED)
        for m in messages:
            await send(m)


def too_many_pixels(path):
    try:
        with open(path, "rb") as f:
            size = picture_size(f.read(262144))
    except OSError:
        return False
    return size is not None and size[0] * size[1] > MAX_PIXELS


# ------------------------------------------------------------------ installing it

def return_big_buffers():
    """glibc keeps freed memory in per-thread arenas once its mmap threshold has grown (up to 32 MB
    after a big free), and Pillow allocates pictures in 16 MB blocks, so a 49 MP picture's ~200 MB
    stayed with the worker thread that decoded it (six through the queue: +592 MB peak). A fixed
    1 MB threshold hands every such block back to the system when it is freed (Linux/glibc only)."""
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, 1 << 20)   # M_MMAP_THRESHOLD = 1 MB (also stops its dynamic growth)
    except (OSError, AttributeError, TypeError):
        pass   # not glibc: nothing to set


class OneLine:
    """Stands in for the `traceback` module in Gradio's queue and routes: a client's bad input to
    an event (e.g. a text where an example index goes) printed 30-75 lines each time; now one line
    per kind of fault every 10 s. LENET_TRACEBACKS=1 keeps Gradio's full tracebacks."""

    def __getattr__(self, name):
        return getattr(traceback, name)

    @staticmethod
    def print_exc(*args, **kwargs):
        err = sys.exc_info()[1]
        cause = (err.__cause__ or err) if err is not None else None
        text = str(cause).strip().splitlines()[0][:200] if cause is not None and str(cause).strip() else ""
        say("fault-" + type(cause).__name__, f"a request failed: {type(cause).__name__}: {text}", every=10.0)


def install(demo, limits: Limits = None, group="predict", concurrency=2):
    """Put `demo` behind the boundary: every queued event in one concurrency group, the fair queue,
    the upload sweeper.
    Returns the `app_kwargs` for demo.launch (the middleware)."""
    from gradio.utils import get_upload_folder
    from starlette.middleware import Middleware

    from .fair_queue import FairQueue
    limits = limits or Limits.from_env()
    for fn in demo.fns.values():
        if fn.batch:
            raise ValueError(f"{fn.name}: batched events are not supported by the fair queue")
        if fn.queue:
            fn.concurrency_id, fn.concurrency_limit = group, concurrency
    FairQueue(demo._queue, limits)   # fair_queue.py
    return_big_buffers()
    if not os.environ.get("LENET_TRACEBACKS"):
        import gradio.queueing
        import gradio.routes
        gradio.queueing.traceback = gradio.routes.traceback = OneLine()
    uploads = Uploads(limits, get_upload_folder())
    uploads.sweeper()
    return {"middleware": [Middleware(Boundary, demo=demo, limits=limits, uploads=uploads)]}
