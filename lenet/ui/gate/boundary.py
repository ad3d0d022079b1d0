"""The boundary: an ASGI middleware every HTTP request passes before Gradio sees it, so that one
anonymous visitor on a public link (`--share`, a Space) costs a bounded share of the server.

- Closed routes: those the page never calls (gradio_internals.CLOSED: the blob store, proxies,
  deep links, recordings, the monitoring dashboard...) answer 404 with one line.
- `run/` runs a step outside the queue: only the page's own queue=False steps may use it; `call/`
  only names the documented endpoints (/predict, /predict_image). Each `run/` answer sets the
  cookie PACE_COOKIE: the ms the pads' line asks pages to wait between live updates (pad_line.py).
  A later live pad update (not a stroke's first) that the crowded line would shed is answered "no
  change" here, before Gradio parses it: the answer Gradio itself gave the step's last shed update
  (learned, never made up).
- JSON bodies: at most `max_json` bytes and `max_depth` levels; every base64 data URL is sized
  from its header before anything decodes it; the documented endpoints' inputs are checked, so a
  wrong one gets a sentence instead of Gradio's bare {"error": null}.
- Sessions: a visitor may start `sessions_per_minute` new ones (each request can name one).
- Event streams (heartbeat, queue data): at most `streams_per_client` open per visitor.
- Rate: every API request waits its turn in the visitor's token bucket (rate.py).
- Uploads: the ledger's budgets (uploads.py); pictures over lenet's pixel limit are deleted at once.
Who a visitor is: visitors.client_key. The numbers: limits.Limits.
"""
import asyncio
import base64
import binascii
import json
import re
import time
from collections import OrderedDict, defaultdict, deque

from ...decode import MAX_PIXELS, TOO_MANY_PIXELS, UNREADABLE, picture_size
from ..readings.pad import is_first, is_live
from .gradio_internals import API, CLOSED, JSON_ROUTES, STREAMS, UNPREFIXED
from .limits import Limits
from .log import say
from .pad_line import shed_early, suggested_ms
from .rate import TOO_FAST, Rate
from .uploads import DISK_LOW, UPLOAD_HELD, UPLOAD_RATE, remove  # noqa: F401  (the sentences tests read)
from .visitors import client_key, known

CLOSED_MSG = "This route is closed on this server."
NOT_DOCUMENTED = "No such endpoint; the documented ones are /predict and /predict_image."
NOT_HERE = ("Predictions do not run on this route; use gradio_client (api_name='/predict' or "
            "'/predict_image') or POST /gradio_api/call/predict.")
TOO_BIG_BODY = "That request is too large; a drawing from the pad is under 0.5 MB."
TOO_DEEP = "That request is nested too deeply to hold a drawing; send the inputs the API documents."
NO_LENGTH = "Uploads must say their size (Content-Length)."
UPLOAD_FAILED = "That upload could not be stored; send one picture file with a name."
NOT_THESE_INPUTS = "That request does not fit this step's inputs; use the page, or the documented /predict."
BAD_DRAWING = ("/predict takes a drawing {\"background\": null, \"layers\": [], \"composite\": <a picture "
               "file>} and a model name; /predict_image a picture file and a model name.")
UNKNOWN_MODEL = "There is no model called {name}; choose one of {names}."
TOO_MANY_SESSIONS = "Too many new sessions from your address; wait a minute and reload the page."
TOO_MANY_STREAMS = "Too many open connections from your address; close some pages and try again."
PACE_COOKIE = "lenet-pace"   # read by static/pad.js before each live update
KNOWN_SESSIONS = 4096   # session names remembered, to tell a new one from one seen before


# ------------------------------------------------------------------ pure checks

_DATA_URL = re.compile(r"data:[\w/+.-]*;base64,([A-Za-z0-9+/=\s]{0,262144})")


def data_url_problem(text):
    """The sentence refusing the first base64 data URL in `text` that is not a picture within
    MAX_PIXELS (its header read from at most 192 KB), or None."""
    for match in _DATA_URL.finditer(text):
        b64 = re.sub(r"\s", "", match.group(1))
        try:
            head = base64.b64decode(b64[:len(b64) // 4 * 4], validate=True)
        except (binascii.Error, ValueError):
            return UNREADABLE
        size = picture_size(head)
        if size is None:
            return UNREADABLE
        if size[0] * size[1] > MAX_PIXELS:
            return TOO_MANY_PIXELS
    return None


def depth_and_strings(value, limit):
    """(deepest nesting, every string) of a decoded JSON value, walking no deeper than limit + 1."""
    deepest, found, todo = 0, [], [(value, 1)]
    while todo:
        v, d = todo.pop()
        deepest = max(deepest, d)
        if d > limit:
            break
        if isinstance(v, str):
            found.append(v)
        elif isinstance(v, dict):
            todo += [(x, d + 1) for x in v.values()]
        elif isinstance(v, list):
            todo += [(x, d + 1) for x in v]
    return deepest, found


def file_like(v):
    return isinstance(v, dict) and isinstance(v.get("path") or v.get("url"), str)


def inputs_problem(name, data, models):
    """The sentence refusing the inputs of a documented endpoint (`name`), or None."""
    if not isinstance(data, list) or len(data) != 2:
        return BAD_DRAWING
    picture, model = data
    if name == "predict" and not (isinstance(picture, dict) and (picture.get("composite") is None
                                                                  or file_like(picture.get("composite")))):
        return BAD_DRAWING
    if name == "predict_image" and not (picture is None or file_like(picture)):
        return BAD_DRAWING
    if model not in models:
        shown = json.dumps(model)[:40] if isinstance(model, (str, int, float)) else "like that"
        return UNKNOWN_MODEL.format(name=shown, names=", ".join(models))
    return None


def pad_value(sent):
    """The first input of a run/ body (a pad's value for the pads' steps), or None."""
    data = sent.get("data") if isinstance(sent, dict) else None
    return data[0] if isinstance(data, list) and data else None


def first_live(sent):
    """Whether a run/ body carries a stroke's first live pad update (never shed before the line)."""
    return is_first(pad_value(sent))


# ------------------------------------------------------------------ ASGI helpers

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


async def kept(app, scope, receive):
    """Run `app` and keep what it sends: (status or None, messages)."""
    messages = []

    async def keep(message):
        messages.append(message)
    await app(scope, receive, keep)
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    return (start["status"] if start else None), messages


# ------------------------------------------------------------------ the middleware

class Boundary:
    """ASGI middleware (module docstring). `endpoints`: gradio_internals.endpoints(demo) plus the
    fn_index -> api name of the documented ones; `models`: the room's model names."""

    def __init__(self, app, limits: Limits = None, uploads=None, public=(), light=(), named=None, models=()):
        self.app, self.limits, self.uploads = app, limits or Limits(), uploads
        self.public, self.light, self.named, self.models = set(public), set(light), dict(named or {}), tuple(models)
        self.sessions = OrderedDict()           # session name -> None, most recent last
        self.new_sessions = defaultdict(deque)  # visitor -> times of their new sessions (last minute)
        self.streams = defaultdict(int)         # visitor -> event streams open
        self.no_change = {}                     # run/ step -> Gradio's "no change" answer to a live update
        self.rate = Rate(self.limits.requests_per_second, self.limits.request_burst, self.limits.request_wait)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, root = scope.get("path", ""), scope.get("root_path") or ""
        path = path[len(root):] if root and path.startswith(root) else path
        api = path[len(API):] if path.startswith(API + "/") else path if path.startswith(UNPREFIXED) else None
        if api is None:
            return await self.app(scope, receive, send)
        if api.startswith(CLOSED) or path.startswith("/monitoring"):
            return await answer(send, 404, CLOSED_MSG)
        method, key = scope["method"], client_key(scope)
        wait = self.rate.wait(key, 1.0 if known(key) else self.limits.room_rate)
        if wait is None:
            say("rate", f"refused a request from {key}: over {self.limits.requests_per_second:g} a second")
            return await answer(send, 429, TOO_FAST)
        if wait:
            await asyncio.sleep(wait)
        if method == "POST" and api.rstrip("/") == "/upload" and self.uploads is not None:
            return await self.upload(key, scope, receive, send)
        if method == "POST":
            return await self.json_route(api, key, scope, receive, send)
        if method == "GET" and api.startswith(STREAMS):
            return await self.stream(api, key, scope, receive, send)
        return await self.app(scope, receive, send)

    # -- sessions and streams

    def new_session_refused(self, key, session):
        """Whether `key` may not start `session` now (it is new and they started too many)."""
        if not isinstance(session, str) or session in self.sessions:
            if session in self.sessions:
                self.sessions.move_to_end(session)
            return False
        now, times = time.monotonic(), self.new_sessions[key]
        while times and now - times[0] > 60:
            times.popleft()
        cap = self.limits.sessions_per_minute if known(key) else self.limits.room_sessions_per_minute
        if len(times) >= cap:
            say("sessions", f"refused new sessions from {key}: over {cap} a minute")
            return True
        times.append(now)
        self.sessions[session] = None
        while len(self.sessions) > KNOWN_SESSIONS:
            self.sessions.popitem(last=False)
        if len(self.new_sessions) > KNOWN_SESSIONS:
            for k in [k for k, t in self.new_sessions.items() if not t or now - t[-1] > 60]:
                del self.new_sessions[k]
        return False

    async def stream(self, api, key, scope, receive, send):
        session = api.split("/")[2] if api.startswith("/heartbeat/") else None
        if session is None and api.startswith("/queue/data"):
            found = re.search(rb"session_hash=([^&]*)", scope.get("query_string") or b"")
            session = found.group(1).decode("latin-1") if found else None
        if self.new_session_refused(key, session):
            return await answer(send, 429, TOO_MANY_SESSIONS)
        cap = self.limits.streams_per_client if known(key) else self.limits.room_streams
        if self.streams[key] >= cap:
            say("streams", f"refused an event stream from {key}: {cap} open")
            return await answer(send, 429, TOO_MANY_STREAMS)
        self.streams[key] += 1
        try:
            return await self.app(scope, receive, send)
        except asyncio.CancelledError:   # the server is stopping: an open stream ends quietly
            return None
        finally:
            self.streams[key] -= 1
            if self.streams[key] <= 0:
                del self.streams[key]

    # -- JSON routes

    async def json_route(self, api, key, scope, receive, send):
        length = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limits.max_json:
            return await answer(send, 413, TOO_BIG_BODY)
        body = await read_body(receive, self.limits.max_json)
        if body is None:
            return await answer(send, 413, TOO_BIG_BODY)
        if not api.startswith(JSON_ROUTES):
            return await self.app(scope, replay(body, receive), send)
        if api.startswith("/call/") and self.call_name(api) not in self.public:
            return await answer(send, 404, NOT_DOCUMENTED)
        try:
            sent = json.loads(body) if body else None
        except RecursionError:
            return await answer(send, 400, TOO_DEEP)
        except ValueError:
            sent = None   # not JSON: Gradio's to refuse
        if isinstance(sent, dict):
            problem = await self.body_problem(api, key, sent, len(body))
            if problem:
                status = 413 if problem == TOO_MANY_PIXELS else 429 if problem == TOO_MANY_SESSIONS else \
                    403 if problem == NOT_HERE else 400
                return await answer(send, status, problem)
        elif api.startswith("/run/"):
            return await answer(send, 403, NOT_HERE)
        if api.startswith("/run/"):
            live = self.live_step(api, sent)
            if live in self.no_change and not first_live(sent) and shed_early():
                return await self.paced(send, self.no_change[live])
            return await self.run_route(scope, replay(body, receive), send, live)
        return await self.app(scope, replay(body, receive), send)

    async def body_problem(self, api, key, sent, size):
        deep, texts = depth_and_strings(sent, self.limits.max_depth)
        if deep > self.limits.max_depth:
            return TOO_DEEP
        index = sent.get("fn_index")
        if api.startswith("/run/") and not self.is_light(api, index):
            return NOT_HERE
        if self.new_session_refused(key, sent.get("session_hash")):
            return TOO_MANY_SESSIONS
        name = self.call_name(api) if api.startswith("/call/") else self.named.get(index) \
            if isinstance(index, int) else None
        if name in ("predict", "predict_image"):
            problem = inputs_problem(name, sent.get("data"), self.models)
            if problem:
                return problem
        if size > 1024 and any("data:" in t for t in texts):   # a data URL needs more; small steps skip it
            check = [t for t in texts if "data:" in t]
            problems = await asyncio.to_thread(lambda: [data_url_problem(t) for t in check]) if size > 65536 \
                else [data_url_problem(t) for t in check]
            return next((p for p in problems if p), None)
        return None

    @staticmethod
    def call_name(api):
        parts = [p for p in api.split("/") if p]
        return parts[2] if len(parts) > 2 and parts[1] == "v2" else parts[1] if len(parts) > 1 else ""

    def is_light(self, api, index):
        """Whether a run/ request names one of the page's own queue=False steps."""
        if index is not None:
            return isinstance(index, int) and index in self.light
        return api[len("/run/"):].strip("/") in self.light

    @staticmethod
    def live_step(api, sent):
        """The run/ step a live pad update is sent to (its fn_index or name), or None."""
        if not is_live(pad_value(sent)):
            return None
        index = sent.get("fn_index")
        return index if isinstance(index, int) else api

    async def run_route(self, scope, receive, send, live=None):
        """A queue=False step: inputs that do not fit it (Gradio: HTTP 500, {"error": null}) get 400.
        A live update's "no change" answer (uncompressed) is kept for shedding the next ones early."""
        status, messages = await kept(self.app, scope, receive)
        if status is None or status >= 500:
            say("run-fault", "a run/ request did not fit its step's inputs", every=10.0)
            return await answer(send, 400, NOT_THESE_INPUTS)
        if live is not None and live not in self.no_change and status == 200:
            self.learn(live, messages)
        await self.paced(send, messages)

    def learn(self, live, messages):
        start = next(m for m in messages if m["type"] == "http.response.start")
        if any(k.lower() == b"content-encoding" for k, _ in start.get("headers", ())):
            return
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        if len(body) > 4096:   # a reading (15-150 KB), not "no change": not worth parsing
            return
        try:
            data = json.loads(body).get("data")
        except (ValueError, AttributeError):
            return
        if isinstance(data, list) and data and all(d == {"__type__": "update"} for d in data):
            self.no_change[live] = [start, {"type": "http.response.body", "body": body}]

    @staticmethod
    async def paced(send, messages):
        """Send a run/ answer with the pads' pace cookie."""
        for m in messages:
            if m["type"] == "http.response.start":
                cookie = f"{PACE_COOKIE}={suggested_ms()}; Path=/; SameSite=Lax".encode()
                m = {**m, "headers": [*m.get("headers", ()), (b"set-cookie", cookie)]}
            await send(m)

    # -- uploads

    async def upload(self, key, scope, receive, send):
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is None or not length.isdigit():
            return await answer(send, 411, NO_LENGTH)
        refused = self.uploads.admit(key, int(length))
        if refused:
            say("upload-" + refused[:12], f"refused an upload from {key}: {refused}")
            return await answer(send, 507 if refused == DISK_LOW else 429, refused)
        try:
            status, messages = await kept(self.app, scope, receive)
        except Exception as err:   # e.g. an empty file name: Gradio raises inside its parser
            say("upload-fault", f"an upload from {key} failed: {type(err).__name__}")
            return await answer(send, 400, UPLOAD_FAILED)
        if status is None or status >= 500:
            return await answer(send, 400, UPLOAD_FAILED)
        if status == 200:
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
        for m in messages:
            await send(m)


def too_many_pixels(path):
    try:
        with open(path, "rb") as f:
            size = picture_size(f.read(262144))
    except OSError:
        return False
    return size is not None and size[0] * size[1] > MAX_PIXELS
