"""The first tab, "Draw & see": the pad (or an uploaded photo), the predicted digit, the class
probabilities and the C1 and C3 maps, on one screen and live while the pen moves.

Handlers are plain functions of the room and the inputs (testable without Gradio); `build`
lays the tab out and wires its events."""
import base64
from pathlib import Path

import anyio

from .. import collect, preactivation, rbf
from .. import visualize as viz
from ..preprocess import EMPTY, InvalidDrawing
from . import pad as pad_
from .gate import pad_line
from .gate.pad_line import Line
from .gate.worker import Worker
from .room import Room

LOW_CONFIDENCE = 0.6    # below this top probability the page says it is not sure
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
# Every prediction event shares one concurrency group: at most 2 run at once (2 cores), and a
# person's newer drawing replaces their waiting one (always_last).
LIVE = dict(trigger_mode="always_last", show_progress="hidden", concurrency_limit=2, concurrency_id="predict")
# The pads' updates skip Gradio's queue and wait in the pads' line instead (pad_line.py); the page
# still sends one at a time, and only the newest waiting (always_last).
PAD = dict(trigger_mode="always_last", show_progress="hidden")


# ------------------------------------------------------------------ handlers

def analyse(room: Room, image, variant, drawing=None):
    """Any picture + model -> its Prediction, or the InvalidDrawing that says why not. When the
    room collects drawings, this one is kept (`drawing` names a pad drawing in progress)."""
    rec = room.recognizers.get(variant) or room.recognizers[room.variant]
    try:
        result = rec.predict(image)
    except InvalidDrawing as err:
        result = err
    if room.collecting:
        collect.save_stroke(room.collect_dir, image, result, variant, drawing)
    return result


def page_view(room: Room, result, variant, seq=None, more=True, pre=False):
    """A Prediction (or InvalidDrawing) -> the tab's outputs: digit, probabilities, stages, C1, C3,
    smaller layers, the paper's RBF ending (HTML; the stages and smaller layers only with more=True;
    the RBF panel only for a model that ends in distances, "" otherwise). pre=True: C1, C3 and the
    smaller layers show the sums before the squashing function (lenet/preactivation.py) instead of
    the activations (max-pooling, which has none, as it is, and its title says so)."""
    if isinstance(result, InvalidDrawing):
        return viz.digit_html(None, str(result), seq=seq), "", "", "", "", "", ""
    rec = room.recognizers[variant]
    fm = result.feature_maps
    maps, stage = (preactivation.sums(rec, result, ("C1", "C3")), " · before squashing") if pre else (fm, "")
    return (viz.digit_html(result.digit, None, result.confidence, variant, seq=seq,
                           note=viz.confidence_note(result.confidence, LOW_CONFIDENCE)),
            viz.probs_html(result.probabilities),
            viz.stages_html(result.stages) if more else "",
            viz.c1_html(maps["C1"], rec.kernels("C1"), stage=stage),
            viz.c3_html(maps["C3"], stage=stage),
            viz.small_layers_html(*preactivation.shown(rec, result, pre, viz.SMALL_LAYERS)) if more else "",
            rbf.prediction_html(result))


def read_pad(room: Room, value, variant, drawing=None, more=True, pre=False):
    """The pad's value (see pad.parse) -> the tab's outputs. more=False leaves the stages and the
    smaller layers out (their accordion is closed: ~half the pictures an update carries)."""
    try:
        png, seq = pad_.parse(value)
    except InvalidDrawing as err:
        return page_view(room, err, variant)
    if png is None:
        empty = InvalidDrawing(EMPTY)
        if room.collecting:
            collect.save_stroke(room.collect_dir, None, empty, variant, drawing)   # a cleared pad ends a drawing
        return page_view(room, empty, variant, seq)
    return page_view(room, analyse(room, png, variant, drawing), variant, seq, more, pre)


INLINE_CHARS = 40_000   # a 280 px pad drawing is 4-12 KB of data URL; a noisy one up to ~30 KB


def light(value):
    """Whether a pad value is small enough to read on the event loop: at most INLINE_CHARS long and
    a PNG of at most pad.EXPORT px a side (read from its header: no pixel decoded)."""
    if not isinstance(value, str) or len(value) > INLINE_CHARS:
        return False
    head = value.partition("base64,")[2][:32]
    try:
        width, height = pad_.png_size(base64.b64decode(head[:len(head) // 4 * 4]))
    except ValueError:
        return False
    return width <= pad_.EXPORT and height <= pad_.EXPORT


def read_upload(room: Room, image, variant, pre=False):
    return page_view(room, analyse(room, image, variant), variant, pre=pre)


def current_picture(pad_value, upload, source):
    """What the person last gave the page: the uploaded picture or the pad's drawing (PNG bytes).
    Raises InvalidDrawing when there is none."""
    if source == "upload":
        return upload
    return pad_.picture(pad_value)


def rerun(room: Room, pad_value, upload, variant, source, drawing=None, more=True, pre=False):
    """Model switch (or the accordion opening): read whatever was used last again. A pad drawing's
    answer carries the pad's update number, as every answer to the pad does."""
    if source == "upload":
        return page_view(room, analyse(room, upload, variant), variant, None, more, pre)
    return read_pad(room, pad_value, variant, drawing, more, pre)


# ------------------------------------------------------------------ layout and events

def build(gr, room: Room, line: Line, reader: Worker):
    """Lay the tab out inside the current gr.Tab and wire its events (the pad's updates wait in
    `line`, and `reader` reads them). Returns the components other tabs read (pad, upload, variant,
    source)."""
    from .gate import gradio_internals, visitors
    # Which input the person used last ("pad" or "upload"): a hidden textbox the browser sets itself
    # (js-only events), so a pad update costs no extra request.
    source = gr.Textbox("pad", visible=False, elem_id="source")
    with gr.Row(elem_id="stage", equal_height=False):
        with gr.Column(elem_id="pad-col", min_width=0):
            pad = pad_.component("pad")
            with gr.Accordion("Or upload a photo of a digit", open=False, elem_id="upload-box"):
                upload = gr.Image(label="Dark ink on a light background", sources=["upload", "webcam", "clipboard"],
                                  type="numpy", image_mode="RGB", height=220, elem_id="upload")
                examples = sorted(str(p) for p in EXAMPLES.glob("*.png")) if EXAMPLES.is_dir() else []
                gr.Examples([[p] for p in examples], inputs=[upload], label="Examples (scripts/make_examples.py)")
        with gr.Column(elem_id="answer-col", min_width=0):
            digit = gr.HTML(viz.digit_html(None), elem_id="digit")
            probs = gr.HTML(elem_id="probs")
            variant = gr.Radio(list(room.variants), value=room.variant, label="Model", elem_id="model",
                               info="classic: 1998 table, softmax · modern: ReLU, max-pooling · "
                                    "paper: 1998 ending, distances to 7×12 codes")
        with gr.Column(elem_id="maps-col", min_width=0):
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
    # PNG, ~4 ms to read) goes to the prediction process (worker.py: the event loop stays free for
    # everyone's requests); anything bigger (up to pad.MAX_SIDE) to a worker thread here, so no client
    # can stall the loop or the process (issue 14).
    async def on_pad(value, variant, more, pre, request: gr.Request):
        session, variant, pre, quick = visitors.session_of(request), room.model(variant), pre is True, light(value)

        def job():   # called by the line when this update's turn comes
            if not quick:
                return anyio.to_thread.run_sync(read_pad, room, value, variant, session, more, pre)
            return (reader.submit("read_pad", value, variant, None, more, pre)
                    or reader.read_pad(value, variant, session, more, pre))
        try:
            answer = await line.read(visitors.client_of(request), session, pad_.is_live(value), not quick, job)
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

    private = dict(api_visibility="private")
    # queue=False: one POST per update, answered in its response (pad_line.py); preprocess=False: the
    # inputs arrive as sent (on_pad checks them), with no worker-thread hop per input
    pad.change(on_pad, [pad, variant, more, pre], outputs, queue=False, preprocess=False, postprocess=False,
               **PAD, **private)
    pad.change(None, None, source, js="() => 'pad'", queue=False, show_progress="hidden", **private)
    upload.change(on_upload, [upload, variant, pre], outputs, postprocess=False, **LIVE, **private)
    upload.change(None, None, source, js="() => 'upload'", queue=False, show_progress="hidden", **private)
    switched = [pad, upload, variant, source, more, pre]
    variant.change(on_switch, switched, outputs, postprocess=False, **LIVE, **private)
    pre.change(on_switch, switched, outputs, postprocess=False, **LIVE, **private)
    more_box.expand(lambda: True, None, more, queue=False, show_progress="hidden", **private).then(
        on_switch, switched, outputs, postprocess=False, **LIVE, **private)
    more_box.collapse(lambda: False, None, more, queue=False, show_progress="hidden", **private)
    return {"pad": pad, "upload": upload, "variant": variant, "source": source}
