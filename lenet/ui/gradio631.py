"""Every workaround tied to Gradio 6.31 (checked with gradio 6.31.0 and gradio_client 2.7.2).

Re-check each on upgrade:
- `pass_files_undecoded`: gr.Image / gr.Sketchpad decode any uploaded file before the handler
  runs, so a junk or bomb file got Gradio's error instead of lenet's limits and sentences. Their
  `preprocess` is patched on the instances (a subclass would need a front end of its own).
- `label_inline`: with postprocess=False an event skips Gradio's per-output worker-thread hop
  (16 clients: 38 -> 51 requests/s); the one real postprocess (gr.Label's) is then done here.
- `session_of`: gr.Request is None for some internal calls; the session names a drawing in progress.
- Elsewhere, and tied to 6.31 just as much (kept beside the boundary they serve, listed here so an
  upgrade checks them): fair_queue.py replaces the queue's `push`, `get_events` and
  `process_events`; boundary.py swaps the `traceback` module seen by `gradio.queueing` and
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


def label_inline(label, values, index):
    """`values` with item `index` (a {class: probability} dict or None) as gr.Label's client value."""
    values = list(values)
    probs = values[index]
    values[index] = label.postprocess(probs).model_dump() if probs else {}
    return tuple(values)


def session_of(request):
    return getattr(request, "session_hash", None)
