"""The first tab, "Draw & see": the pad (or an uploaded photo), the predicted digit, the class
probabilities and the C1 and C3 maps, on one screen and live while the pen moves.

What it shows is lenet/ui/readings/draw.py's; this module lays the tab out and wires its events."""
from pathlib import Path

import anyio

from ... import answer
from ... import visualize as viz
from ...preprocess import InvalidDrawing
from ..gate import gradio_internals, pad_line, visitors
from ..gate.pad_line import Line
from ..gate.worker import Worker
from ..readings import pad as sent
from ..readings.draw import page_view, read_pad, read_upload, rerun
from ..readings.room import Room
from . import pad as pad_
from .events import LIVE, PAD, PRIVATE

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


def build(gr, room: Room, line: Line, reader: Worker):
    """Lay the tab out inside the current gr.Tab and wire its events (the pad's updates wait in
    `line`, and `reader` reads them). Returns the components other tabs read (pad, upload, variant,
    source)."""
    # Which input the person used last ("pad" or "upload"): a hidden textbox the browser sets itself
    # (js-only events), so a pad update costs no extra request.
    source = gr.Textbox("pad", visible=False, elem_id="source")
    with gr.Row(elem_id="stage", equal_height=False):
        with gr.Column(elem_id="pad-col", min_width=0):
            pad = pad_.component("pad")
            with gr.Accordion("Upload a photo, or pick an example (no mouse needed)", open=False,
                              elem_id="upload-box"):
                upload = gr.Image(label="Dark ink on a light background", sources=["upload", "webcam", "clipboard"],
                                  type="numpy", image_mode="RGB", height=220, elem_id="upload")
                examples = sorted(EXAMPLES.glob("*.png")) if EXAMPLES.is_dir() else []
                with gr.Row(elem_id="examples"):
                    picks = [(gr.Button(f"Example {p.stem.split('_')[-1]}", size="sm", min_width=60,
                                        elem_classes="example"), str(p)) for p in examples]
        with gr.Column(elem_id="answer-col", min_width=0):
            digit = gr.HTML(answer.digit_html(None), elem_id="digit")
            probs = gr.HTML(elem_id="probs")
            variant = gr.Radio(list(room.variants), value=room.variant, label="Model", elem_id="model",
                               info="classic: tanh (1998) · modern: ReLU, max-pool · paper: 1998 RBF ending")
        with gr.Column(elem_id="maps-col", min_width=0) as maps_col:
            pre = gr.Checkbox(False, label="Before squashing (the sums)",
                              elem_id="pre", container=False)
            c1 = gr.HTML(elem_id="c1")
            c3 = gr.HTML(elem_id="c3")
            rbf_box = gr.HTML(elem_id="rbf")   # the paper model's F6 picture, code and distances; "" otherwise
    more = gr.State(False)   # is the accordion below open? Closed, live updates leave its pictures out
    with gr.Accordion("Pipeline stages and the smaller layers (S2, S4, C5, F6)", open=False,
                      elem_id="more") as more_box:
        stages = gr.HTML(elem_id="stages")
        gr.Markdown(viz.LEGEND_MD)
        small = gr.HTML(elem_id="small")
    gradio_internals.pass_files_undecoded(upload)

    outputs = [digit, probs, stages, c1, c3, small, rbf_box]

    # Every update of the pad waits its turn in the pads' line (pad_line.py: pen-ups first, one per
    # page, live updates shed when late), outside Gradio's queue. What the pad really sends (a 280 px
    # PNG) goes to the prediction process (gate/worker.py: the event loop stays free for everyone's
    # requests); anything bigger (up to readings.pad.MAX_SIDE) to a worker thread here, so no client
    # can stall the loop or the process.
    async def on_pad(value, variant, more, pre, request: gr.Request):
        session, variant, pre = visitors.session_of(request), room.model(variant), pre is True
        quick = sent.light(value)

        def job():   # called by the line when this update's turn comes
            if not quick:
                return anyio.to_thread.run_sync(read_pad, room, value, variant, session, more, pre)
            return (reader.submit("read_pad", value, variant, None, more, pre)
                    or reader.read_pad(value, variant, session, more, pre))
        try:
            answer = await line.read(visitors.client_of(request), session, sent.is_live(value), not quick, job,
                                     first=sent.is_first(value))
        except ChildProcessError:          # the prediction process died while reading it (a new one starts)
            answer = read_pad(room, value, variant, session, more, pre)
        if answer is pad_line.SHED:        # replaced by a newer update, or live and late: no change
            return gr.skip()
        if answer is pad_line.FULL:
            return page_view(room, InvalidDrawing("busy", pad_line.TOO_MANY_WAITING), variant)
        return answer

    def on_upload(image, variant, pre):      # any size up to the decoder's limits: a worker thread, not the loop
        return read_upload(room, image, variant, pre)

    def on_switch(pad_value, upload, variant, source, more, pre, request: gr.Request):
        return rerun(room, pad_value, upload, variant, source, visitors.session_of(request), more, pre)

    # queue=False: one POST per update, answered in its response (pad_line.py); preprocess=False: the
    # inputs arrive as sent (on_pad checks them), with no worker-thread hop per input
    pad.change(on_pad, [pad, variant, more, pre], outputs, queue=False, preprocess=False, postprocess=False,
               **PAD, **PRIVATE)
    pad.change(None, None, source, js="() => 'pad'", queue=False, show_progress="hidden", **PRIVATE)
    upload.change(on_upload, [upload, variant, pre], outputs, postprocess=False, **LIVE, **PRIVATE)
    upload.change(None, None, source, js="() => 'upload'", queue=False, show_progress="hidden", **PRIVATE)
    for button, path in picks:   # an example drawing, read as an upload: the keyboard's way in
        button.click(lambda path=path: path, None, upload, queue=False, show_progress="hidden", **PRIVATE)
    switched = [pad, upload, variant, source, more, pre]
    variant.change(on_switch, switched, outputs, postprocess=False, **LIVE, **PRIVATE)
    pre.change(on_switch, switched, outputs, postprocess=False, **LIVE, **PRIVATE)
    more_box.expand(lambda: True, None, more, queue=False, show_progress="hidden", **PRIVATE).then(
        on_switch, switched, outputs, postprocess=False, **LIVE, **PRIVATE)
    more_box.collapse(lambda: False, None, more, queue=False, show_progress="hidden", **PRIVATE)
    return {"pad": pad, "upload": upload, "variant": variant, "source": source, "maps": maps_col}
