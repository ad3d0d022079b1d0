"""Gradio's floor for the page: the app's own drawing pad (lenet/ui/pad.py, the same JS) whose
handler only echoes the update's number into #digit. Pen-up -> answer here is what Gradio and the
browser cost with no model, no figures. `python -m bench.echo_app --port P`"""
import argparse
import json

import gradio as gr  # noqa: E402

import lenet.ui.tuning  # noqa: F401  (the app's process settings)
from lenet.ui import pad as pad_  # noqa: E402


def echo(value):
    try:
        seq = int(json.loads(value).get("seq", 0))
    except (ValueError, TypeError, AttributeError):
        seq = 0
    return f'<div class="big" data-seq="{seq}">·</div>'


def build():
    with gr.Blocks() as demo:
        pad = pad_.component("pad")
        digit = gr.HTML(elem_id="digit")
        pad.change(echo, pad, digit, trigger_mode="always_last", show_progress="hidden", concurrency_limit=2,
                   postprocess=False)
    demo.queue(max_size=256, default_concurrency_limit=2)
    return demo


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7861)
    args = p.parse_args()
    build().launch(server_name=args.host, server_port=args.port, quiet=True)
