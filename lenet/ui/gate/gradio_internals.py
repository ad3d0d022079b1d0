"""Every use of a Gradio internal, in one module, for the version pinned in requirements.txt
(VERSION). Each is covered by tests/test_gate_gradio_internals.py against the installed Gradio, which
fails naming the version when an upgrade moves what it relies on. Everything else in lenet/ui
uses Gradio's public doors (Blocks, events, gr.Request, mount_gradio_app).

- ROUTES: the HTTP routes Gradio serves (its front end's protocol, not a documented API).
- pass_files_undecoded: gr.Image / gr.Sketchpad decode an uploaded file before the handler runs;
  lenet's own size limits and sentences apply only if the file reaches it undecoded.
- cheap_skips: an event answering gr.skip() had Gradio build one new component per output.
- lean_sessions: a session copied every block's whole config and every raw input value it
  was sent; only the deep-link route (closed) reads them back, so a session keeps neither.
- endpoints, group_events: which events are queued, public or named (BlockFunction attributes).
- hook_queue: the fair queue's rules (fair_queue.py) choose the next queued event.
- quiet_tracebacks: a client's bad input printed a 30-75 line traceback each time.
- session_capacity, open_tunnel: what demo.launch would set and start, for mount_gradio_app.
"""
import random
import traceback

from .fair_queue import heavy

VERSION = "6.31.0"
API = "/gradio_api"
CLOSED = ("/component_server", "/proxy=", "/api/", "/stream/", "/process_recording", "/vibe-edit",
          "/undo-vibe-edit", "/vibe-code", "/run-history", "/runs", "/dev/reload", "/mcp", "/deep_link",
          "/file=http")
UNPREFIXED = ("/proxy=", "/file=http", "/api/", "/component_server", "/monitoring")  # answered without API
JSON_ROUTES = ("/queue/join", "/call/", "/run/")
STREAMS = ("/heartbeat/", "/queue/data", "/call/")   # GET: an event stream held open


def pass_files_undecoded(image, sketch=None):
    """Files from API clients reach lenet as paths; data URLs go Gradio's way (b"" if they fail)."""
    from gradio.data_classes import FileData
    decode_image = image.preprocess

    def image_preprocess(payload):
        if payload is None or payload.path is None:
            try:
                return decode_image(payload)
            except Exception:
                return b""
        return payload.path

    image.preprocess = image_preprocess
    if sketch is not None:
        decode_sketch = sketch.preprocess

        def sketch_preprocess(payload):
            if payload is None or payload.id is not None:   # a browser canvas, via blob storage
                return decode_sketch(payload)
            composite = payload.composite
            return {"background": None, "layers": [],
                    "composite": composite.path if isinstance(composite, FileData) else composite}

        sketch.preprocess = sketch_preprocess


def cheap_skips(demo):
    """gr.skip() answered as N "no change" updates without building N components."""
    import gradio as gr
    postprocess, nothing = demo.postprocess_data, gr.skip()

    async def postprocess_data(block_fn, predictions, state):
        if (isinstance(predictions, dict) and predictions == nothing and not block_fn.batch
                and not any(block.stateful for block in block_fn.outputs)):
            return [dict(nothing) for _ in block_fn.outputs]
        return await postprocess(block_fn, predictions, state)

    demo.postprocess_data = postprocess_data


class _Dropped(dict):
    """A session's config_values: what is written is not kept (only deep links read it)."""

    def __setitem__(self, key, value):
        pass


def lean_sessions():
    """Gradio's SessionState, minus the configs and raw input values it keeps (once per process)."""
    from gradio import state_holder
    cls = state_holder.SessionState
    if getattr(cls.__init__, "lean", False):
        return
    made = cls.__init__

    def __init__(self, blocks):
        made(self, _Unlisted(blocks))
        self.config_values = _Dropped()

    __init__.lean, __init__.gradios = True, made
    cls.__init__ = __init__
    cls._update_value_in_config = cls._update_config = lambda self, *args: None


class _Unlisted:
    """A Blocks with no blocks listed, for SessionState.__init__ (it builds a config per block)."""
    blocks = {}

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)


def label_inline(label, values, index):
    """`values` with item `index` ({class: p} or None) as gr.Label's value (postprocess=False)."""
    values = list(values)
    values[index] = label.postprocess(values[index]).model_dump() if values[index] else {}
    return tuple(values)


def endpoints(demo):
    """(public api names, names and fn_indexes of queue=False events, {fn_index: public name})."""
    public, light, named = set(), set(), {}
    for index, fn in demo.fns.items():
        if fn.api_name and getattr(fn, "api_visibility", "public") == "public":
            public.add(fn.api_name)
            named[index] = fn.api_name
        if not fn.queue:
            light.update({index, fn.api_name} - {None})
    return public, light, named


def group_events(demo, group, limit):
    """Every queued event in one concurrency group of `limit`; batched events are refused."""
    for fn in demo.fns.values():
        if fn.batch:
            raise ValueError(f"{fn.name}: batched events are not supported by the fair queue")
        if fn.queue:
            fn.concurrency_id, fn.concurrency_limit = group, limit


def hook_queue(demo, fairness, key_of):
    """Let `fairness` (fair_queue.Fairness) admit and pick Gradio's queued events; `key_of(scope,
    session)` names an event's visitor."""
    queue = demo._queue
    push, process = queue.push, queue.process_events
    groups = queue.event_queue_per_concurrency_id

    def key(event):
        scope = getattr(getattr(event, "request", None), "scope", None) or {}
        return key_of(scope, getattr(event, "session_hash", None))

    async def fair_push(body, request, username):
        session = getattr(body, "session_hash", None)
        waiting = [(key(e), e.session_hash) for q in groups.values() for e in q.queue]
        refused = fairness.refuse(key_of(getattr(request, "scope", {}) or {}, session), session, waiting)
        if refused:
            return False, refused, "queue_full"
        is_heavy = heavy(getattr(body, "data", None))
        result = await push(body, request, username)
        if result[0] and isinstance(result[1], str):
            fairness.queued(result[1], is_heavy)
        return result

    def get_events():
        ids = list(groups)
        random.shuffle(ids)
        for cid in ids:
            q = groups[cid]
            if not q.queue or (q.concurrency_limit is not None and q.current_concurrency >= q.concurrency_limit):
                continue
            position = fairness.pick(cid, q.concurrency_limit, [(e._id, key(e)) for e in q.queue])
            if position is not None:
                event = q.queue.pop(position)
                fairness.start(event._id, key(event), cid)
                return [event], False, cid
        return None

    async def process_events(events, batch, begin_time, fn):
        try:
            return await process(events, batch, begin_time, fn)
        finally:
            for event in events:
                fairness.finish(event._id)

    queue.push, queue.get_events, queue.process_events = fair_push, get_events, process_events


class _OneLine:
    """Stands in for `traceback` in Gradio's queue and routes: one line per kind of fault."""

    def __getattr__(self, name):
        return getattr(traceback, name)

    @staticmethod
    def print_exc(*args, **kwargs):
        import sys

        from .log import say
        err = sys.exc_info()[1]
        cause = (err.__cause__ or err) if err is not None else None
        text = str(cause).strip().splitlines()[0][:200] if cause is not None and str(cause).strip() else ""
        say("fault-" + type(cause).__name__, f"a request failed: {type(cause).__name__}: {text}", every=10.0)


def quiet_tracebacks():
    import gradio.queueing
    import gradio.routes
    gradio.queueing.traceback = gradio.routes.traceback = _OneLine()


def session_capacity(demo, sessions):
    """Sessions Gradio keeps (launch's state_session_capacity), set before mount_gradio_app."""
    demo.state_session_capacity = sessions


def upload_folder():
    """Where Gradio keeps uploads and answer files (GRADIO_TEMP_DIR, else <tmp>/gradio)."""
    from gradio.utils import get_upload_folder
    return get_upload_folder()


def open_tunnel(demo, host, port):
    """A gradio.live link to host:port (what launch(share=True) starts); raises if there is none."""
    from gradio import networking
    return networking.setup_tunnel(local_host=host, local_port=port, share_token=demo.share_token,
                                   share_server_address=None, share_server_tls_certificate=None)
