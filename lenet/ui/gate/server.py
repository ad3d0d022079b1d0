"""Serving the page: the Blocks mounted into an app of the project's own (gr.mount_gradio_app),
behind the boundary (an ASGI middleware), on a uvicorn server whose connections are timed out
and counted, bound to a socket opened here so that a bad or busy port is one line.

The connection rules (limits.Limits), per TCP connection, before any request reaches Python's web
framework: its request line and headers within `header_timeout`, its body within `body_timeout`,
idle between requests at most `idle_timeout`; beyond `max_connections` open (kept under the
process's file-descriptor limit, raised to its hard limit at start), a new one is closed at once.
"""
import os
import resource
import socket
import sys
import threading

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from . import decoder, gradio_internals, worker
from .boundary import Boundary
from .fair_queue import Fairness
from .limits import Limits
from .uploads import Uploads
from .visitors import client_key, known

SESSIONS = 1_000   # sessions Gradio keeps (the least recently used goes first); a few KB each
GROUP, SLOTS = "predict", 2   # every queued event in one group: 2 at once on 2 cores


class Guarded(HttpToolsProtocol):
    """uvicorn's HTTP protocol with the connection rules of the module docstring."""
    limits = Limits()
    most = Limits().max_connections
    _timer = None

    def connection_made(self, transport):
        super().connection_made(transport)
        if len(self.connections) > self.most:
            transport.close()
            return
        self._deadline(self.limits.header_timeout)

    def _deadline(self, seconds):
        self._cancel()
        self._timer = self.loop.call_later(seconds, self._expired)

    def _cancel(self):
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self):
        self._timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def on_message_begin(self):
        super().on_message_begin()
        self._deadline(self.limits.header_timeout)

    def on_headers_complete(self):
        super().on_headers_complete()
        self._deadline(self.limits.body_timeout)

    def on_message_complete(self):
        super().on_message_complete()
        self._cancel()

    def connection_lost(self, exc):
        self._cancel()
        super().connection_lost(exc)


def open_files(wanted):
    """Raise the soft limit on open files towards `wanted` (up to the hard limit); the limit held."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def bind(host, port):
    """A listening socket on host:port, or exit with one line naming the fix."""
    if not 0 <= port <= 65535:
        sys.exit(f"error: --port must be between 1 and 65535 (0 picks a free port); got {port}.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as err:
        if getattr(err, "errno", None) == 98 or "in use" in str(err).lower():
            sys.exit(f"error: port {port} is in use on {host}; start with --port <another port> (or set LENET_PORT).")
        sys.exit(f"error: cannot serve on {host}:{port} ({err.strerror or err}); check --host and --port.")
    sock.set_inheritable(True)
    return sock


def temp_dir_problem():
    """None when Gradio's temporary folder (GRADIO_TEMP_DIR, else <tmp>/gradio) can be written;
    else one line naming the fix (Gradio keeps every upload and answer picture there)."""
    import tempfile
    from pathlib import Path
    folder = "GRADIO_TEMP_DIR"
    try:
        folder = Path(gradio_internals.upload_folder())
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        return (f"Gradio's temporary folder {folder} cannot be written ({err.strerror or type(err).__name__}); "
                f"set GRADIO_TEMP_DIR to a folder you can write to, e.g. GRADIO_TEMP_DIR=$HOME/.cache/gradio")
    return None


def key_of(scope, session):
    """Who a queued event is for fairness: its address, or its session behind an unnamed proxy."""
    key = client_key(scope)
    return key if known(key) or session is None else f"session {session}"


def app_for(demo, css="", max_file_size=None, models=(), limits=None):
    """The ASGI app serving `demo` behind the boundary (what `serve` runs; tests may mount it)."""
    import gradio as gr
    from fastapi import FastAPI
    limits = limits or Limits.from_env()
    gradio_internals.group_events(demo, GROUP, SLOTS)
    gradio_internals.hook_queue(demo, Fairness(limits), key_of)
    gradio_internals.cheap_skips(demo)     # shed live updates are answered gr.skip(): cheaply
    gradio_internals.lean_sessions()       # a session keeps no copies of the page nor of its inputs
    gradio_internals.session_capacity(demo, SESSIONS)
    if not os.environ.get("LENET_TRACEBACKS"):
        gradio_internals.quiet_tracebacks()
    decoder.install()
    uploads = Uploads(limits, gradio_internals.upload_folder())
    uploads.sweeper()
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    gr.mount_gradio_app(app, demo, path="/", css=css, footer_links=["api"], show_error=False,
                        max_file_size=max_file_size)
    public, light, named = gradio_internals.endpoints(demo)
    return Boundary(app, limits, uploads, public, light, named, models)


def serve(demo, host, port, share=False, css="", max_file_size=None, models=(), started=None):
    """Serve `demo` until stopped. `started(url)` is called once the socket is bound."""
    import uvicorn
    limits = Limits.from_env()
    sock = bind(host, port)
    port = sock.getsockname()[1]
    Guarded.limits = limits
    Guarded.most = min(limits.max_connections, open_files(limits.max_connections + 256) - 128)
    # proxy_headers=False: uvicorn would otherwise take X-Forwarded-For from any peer on this machine
    # as the client's address; who a visitor is, is visitors.py's to say.
    config = uvicorn.Config(app_for(demo, css, max_file_size, models, limits), http=Guarded, ws="none",
                            lifespan="on", log_level="warning", timeout_keep_alive=int(limits.idle_timeout),
                            timeout_graceful_shutdown=2, proxy_headers=False, server_header=False)
    server = uvicorn.Server(config)
    if started:
        started(f"http://{host}:{port}/")

    def after_start():
        while not server.started and not server.should_exit:
            threading.Event().wait(0.1)   # waiting for uvicorn's startup, not timing anything
        worker.start_all()   # the prediction process loads once the page is served (worker.py)
        if share:
            try:
                print(f"Public link: {gradio_internals.open_tunnel(demo, host, port)}", flush=True)
            except Exception as err:
                print(f"Could not create a share link ({type(err).__name__}); serving locally only.", flush=True)
    threading.Thread(target=after_start, name="lenet-after-start", daemon=True).start()
    server.run(sockets=[sock])
