"""Every workaround tied to Gradio 6.31 (checked with gradio 6.31.0 and gradio_client 2.7.2).

Re-check each on upgrade:
- `pass_files_undecoded`: gr.Image / gr.Sketchpad decode any uploaded file before the handler
  runs, so a junk or bomb file got Gradio's error instead of lenet's limits and sentences. Their
  `preprocess` is patched on the instances (a subclass would need a front end of its own).
- `label_inline`: with postprocess=False an event skips Gradio's per-output worker-thread hop
  (16 clients: 38 -> 51 requests/s); the one real postprocess (gr.Label's) is then done here.
- `cheap_skips`: an event answering gr.skip() for its N outputs had Gradio build N new components
  for the "update" (constructor, signature inspection, session config): ~1/6 of the server's time
  with a room of 100 drawing, whose shed live updates are answered that way (pad_line.py).
- `lean_sessions`: every new session (a page, a gradio_client, each `call/` request, any
  session_hash a client makes up) copied the config of all 154 blocks of the page: ~280 KB and
  ~11 ms of CPU a session, kept for up to `state_session_capacity` (10,000) sessions, i.e. ~2.8 GB a client could
  fill by inventing session hashes. Only the outputs an event changes are ever read back (and the
  deep-link route, which the boundary closes), so a session keeps those only.
- `session_of`, `client_of`: gr.Request is None for some internal calls; the session names a
  drawing in progress (and a page in the pads' line), the client its address (its `.request` is the
  HTTP request, for queued and queue=False events alike).
- Elsewhere, and tied to 6.31 just as much (kept beside the boundary they serve, listed here so an
  upgrade checks them): fair_queue.py replaces the queue's `push`, `get_events` and
  `process_events`; the pads' events are queue=False, which the page's client sends as one POST
  /gradio_api/run/predict with the event's fn_index (pad_line.py); boundary.py swaps the
  `traceback` module seen by `gradio.queueing` and
  `gradio.routes`, and knows Gradio's route names (`/gradio_api/...`).
"""


def pass_files_undecoded(image, sketch=None):
    """Hand files from API clients to lenet undecoded, so its size limits and friendly messages
    apply. Data URLs (webcam/clipboard) still go Gradio's way; a failure there becomes b"" (lenet
    answers: not a picture we can read)."""
    from gradio.data_classes import FileData

    def path_of(value):
        return value.path if isinstance(value, FileData) else value

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
            return {"background": None, "layers": [], "composite": path_of(payload.composite)}

        sketch.preprocess = sketch_preprocess


def cheap_skips(demo):
    """Answer an event's gr.skip() as the "no change" updates it ends up as, without Gradio's
    per-output component construction (`Blocks.postprocess_data`, patched on this instance)."""
    import gradio as gr
    postprocess = demo.postprocess_data
    nothing = gr.skip()   # {"__type__": "update"}: the front end changes nothing

    async def postprocess_data(block_fn, predictions, state):
        if (isinstance(predictions, dict) and predictions == nothing and not block_fn.batch
                and not any(block.stateful for block in block_fn.outputs)):
            return [dict(nothing) for _ in block_fn.outputs]
        return await postprocess(block_fn, predictions, state)

    demo.postprocess_data = postprocess_data


def lean_sessions():
    """Sessions keep only the configs of the outputs their events change (see the module's
    docstring); Gradio's SessionState builds the others on demand (`_update_value_in_config`).
    Patched on the class, once per process."""
    from gradio import state_holder
    made = state_holder.SessionState.__init__
    if getattr(made, "lean", False):
        return

    def __init__(self, blocks):
        made(self, _Unlisted(blocks))   # Gradio's own __init__, with no block's config to copy

    __init__.lean, __init__.gradios = True, made
    state_holder.SessionState.__init__ = __init__


class _Unlisted:
    """A Blocks seen with no blocks listed: Gradio's SessionState.__init__ builds the config of
    every block `blocks.blocks` lists (this page's 154: ~11 ms of CPU per new session, all thrown
    away by lean_sessions); every other attribute is the real Blocks'."""
    blocks = {}

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)


def label_inline(label, values, index):
    """`values` with item `index` (a {class: probability} dict or None) as gr.Label's client value."""
    values = list(values)
    probs = values[index]
    values[index] = label.postprocess(probs).model_dump() if probs else {}
    return tuple(values)


def session_of(request):
    return getattr(request, "session_hash", None)


def client_of(request):
    """The address a gr.Request stands for (boundary.client_key of its HTTP request); "?" without one."""
    from .boundary import client_key
    scope = getattr(getattr(request, "request", None), "scope", None)
    return client_key(scope) if isinstance(scope, dict) else "?"
