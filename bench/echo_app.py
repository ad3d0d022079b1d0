"""Gradio's floor for the page: the app's own drawing pad (lenet/ui/tabs/pad.py, the same JS) whose
handler only echoes the update's number into #digit. Pen-up -> answer here is what Gradio and the
browser cost with no model, no figures. `python -m bench.echo_app --port P`"""
import lenet.ui.gate.tuning  # noqa: F401, I001  (the app's process settings, before gradio loads)

import argparse  # noqa: E402
import json  # noqa: E402

import gradio as gr  # noqa: E402

from lenet.ui.tabs import pad as pad_  # noqa: E402
from lenet.ui import page  # noqa: E402


async def echo(value):   # a coroutine, as the app's per-update handler
    try:
        seq = int(json.loads(value).get("seq", 0))
    except (ValueError, TypeError, AttributeError):
        seq = 0
    return f'<div class="big" data-seq="{seq}">·</div>'


def build():
    """The pad and #digit laid out as on the app's first tab (same CSS, so the same pad size)."""
    with gr.Blocks() as demo:
        with gr.Row(elem_id="stage", equal_height=False):
            with gr.Column(elem_id="pad-col", min_width=0):
                pad = pad_.component("pad")
            with gr.Column(elem_id="answer-col", min_width=0):
                digit = gr.HTML(elem_id="digit")
        pad.change(echo, pad, digit, queue=False, trigger_mode="always_last", show_progress="hidden",
                   postprocess=False)   # as the app's pad event (lenet/ui/tabs/draw.py: one POST per update)
    demo.queue(max_size=256, default_concurrency_limit=2, status_update_rate=2)   # the app's queue settings
    return demo


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7861)
    args = p.parse_args()
    build().launch(server_name=args.host, server_port=args.port, quiet=True, css=page.css())
