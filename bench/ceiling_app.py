"""A Gradio app with app.py's /predict signature (Sketchpad and model choice in, HTML out) that
does no work: what Gradio alone allows in requests/s on this machine, the ceiling for section 4.
`python -m bench.ceiling_app --host 127.0.0.1 --port P`"""
import argparse
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**62))  # as app.py sets them
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "200")

import gradio as gr  # noqa: E402

ANSWER = '<div class="big" data-digit="7">7</div>'

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7861)
    args = p.parse_args()
    with gr.Blocks() as demo:
        pad = gr.Sketchpad(type="numpy")
        pad.preprocess = lambda payload: None  # no decoding either: only Gradio's own work remains
        variant = gr.Radio(["classic", "modern"], value="modern")
        out = gr.HTML()
        pad.change(lambda drawing, model: ANSWER, [pad, variant], out, api_name="predict",
                   trigger_mode="always_last", show_progress="hidden", concurrency_limit=2)
    demo.queue(max_size=32, default_concurrency_limit=2, status_update_rate=2)
    demo.launch(server_name=args.host, server_port=args.port, quiet=True)
