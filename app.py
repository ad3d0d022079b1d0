"""LeNet-5: draw a digit, watch it think.  `python app.py [--host H] [--port P] [--model classic|modern] [--share]`

UI wiring only: the recogniser lives in lenet/, the pictures and tables in lenet/visualize.py.
"""
import argparse
import os
import sys
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry / version check, before gradio loads
# Gradio's queue keeps a record of the last 10,000 events for a monitoring dashboard this app does not
# open, and rebuilds a pandas summary of all of them after every event: under a room's load that was
# ~8 % of the server's CPU, growing with every stroke. Keep 200 records, summarised never.
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "200")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**62))
# The drawing pipeline's matrix products are small; OpenBLAS would hand them to a worker thread that
# then spins on the other core between calls (~0.6 of a core under a room's load, measured with
# per-thread CPU times). One thread, set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _bound_malloc_arenas(arenas=2):
    """glibc gives each thread that allocates its own malloc arena (up to 8 per core), and each
    keeps the memory it once held: under 16 clients the server's resident memory crept up ~30 MB
    in 90 s; with 2 arenas ~20 MB, then flat. Same as MALLOC_ARENA_MAX=2, but it also applies when
    a host runs `python app.py` directly. No effect (and no error) off glibc."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8 = M_ARENA_MAX
    except (OSError, AttributeError):
        pass


_bound_malloc_arenas()
_T0 = time.monotonic()

from lenet import MAX_BYTES, VARIANTS, WEIGHTS, InvalidDrawing, Recognizer, WeightsError  # noqa: E402
from lenet import collect  # noqa: E402
from lenet import visualize as viz  # noqa: E402
from lenet import walkthrough as walk  # noqa: E402

CANVAS = 280            # drawing resolution: small PNGs per stroke, ~10x MNIST's 28 px field
BRUSH_SIZE = 12         # pen radius in canvas px: about MNIST's stroke width relative to the digit
LOW_CONFIDENCE = 0.6    # below this top probability the app says it is not sure
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "docs", "examples")
COLLECTED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "collected")


def parse_args(argv=None):
    env = os.environ.get
    p = argparse.ArgumentParser(description="LeNet-5 digit recogniser: draw a digit, watch it think.")
    p.add_argument("--host", default=env("LENET_HOST") or env("GRADIO_SERVER_NAME") or "127.0.0.1",
                   help="address to serve on (env LENET_HOST or GRADIO_SERVER_NAME; default 127.0.0.1)")
    p.add_argument("--port", type=int, default=int(env("LENET_PORT") or env("GRADIO_SERVER_PORT") or 7860),
                   help="port (env LENET_PORT or GRADIO_SERVER_PORT; default 7860)")
    p.add_argument("--model", choices=VARIANTS, default=env("LENET_MODEL") or "modern",
                   help="model selected at start (env LENET_MODEL; default modern)")
    p.add_argument("--share", action="store_true", default=env("LENET_SHARE", "").lower() in ("1", "true", "yes"),
                   help="also create a PUBLIC gradio.live link (env LENET_SHARE=1)")
    p.add_argument("--weights-dir", default=env("LENET_WEIGHTS_DIR") or str(WEIGHTS),
                   help="folder holding lenet5_<variant>.keras (env LENET_WEIGHTS_DIR; default weights/)")
    p.add_argument("--collect", action="store_true", default=env("LENET_COLLECT", "").lower() in ("1", "true", "yes"),
                   help="start with 'collect drawings' on: save each drawing and prediction (env LENET_COLLECT=1)")
    p.add_argument("--collect-dir", default=env("LENET_COLLECT_DIR") or COLLECTED,
                   help="folder for collected drawings (env LENET_COLLECT_DIR; default collected/ beside app.py)")
    args = p.parse_args(argv)
    if args.model not in VARIANTS:
        p.error(f"--model must be one of {', '.join(VARIANTS)}")
    return args


# ------------------------------------------------------------------ handlers (no array maths here)

RECOGNIZERS = {}
# The presenter's "collect drawings" switch: app-level (one room, one switch), so the predict API is unchanged.
COLLECT = {"on": False, "dir": COLLECTED}


def set_collect(on):
    COLLECT["on"] = bool(on)


def show_collected():
    return collect.gallery(COLLECT["dir"])


def empty_result(message):
    return (viz.digit_html(None, message), "", None, None, None, None, None)


def analyse(image, variant, drawing=None):
    """Any drawing/picture + model name -> (digit html, note, label, stages, C1, C3, smaller layers).
    `drawing`: which sketchpad drawing in progress this is (see collect.save_stroke), if any."""
    rec = RECOGNIZERS[variant]
    try:
        p = rec.predict(image)
    except InvalidDrawing as err:
        if COLLECT["on"]:
            collect.save_stroke(COLLECT["dir"], image, err, variant, drawing)
        return empty_result(str(err))
    if COLLECT["on"]:
        collect.save_stroke(COLLECT["dir"], image, p, variant, drawing)
    fm = p.feature_maps
    return (viz.digit_html(p.digit, None, p.confidence, variant),
            viz.confidence_note(p.confidence, LOW_CONFIDENCE),
            {str(d): float(v) for d, v in enumerate(p.probabilities)},
            viz.stages_html(p.stages),
            viz.c1_html(fm["C1"], rec.kernels("C1")),
            viz.c3_html(fm["C3"]),
            viz.small_layers_html(fm))


def rerun(drawing, upload, variant, source, session=None):
    """Model switch: re-read whatever was used last (the drawing or the uploaded picture)."""
    if source == "upload":
        return analyse(upload, variant)
    return analyse(drawing, variant, session)


# ------------------------------------------------------------------ walk-through and side by side (issue 8)

def walkthrough(drawing, upload, variant, source):
    """Current drawing -> the Walk-through tab: remembered input, totals, a (markdown, image) per
    row, the kernels, and the explanation panel reset."""
    rec = RECOGNIZERS[variant]
    try:
        p = rec.predict(upload if source == "upload" else drawing)
    except InvalidDrawing as err:
        md = {name: walk.row_markdown(r) for name, r in zip(walk.ROWS, walk.layer_rows(rec.model))}
        return (None, f"**{err}** Draw a digit on the first tab, then come back.",
                *[md[n] for n in walk.ROWS], *[None] * len(walk.ROWS), None, None, walk.EXPLAIN_PROMPT)
    x32, total, md, images, kernels = walk.tab_view(rec, p)
    return (x32, total, *[md[n] for n in walk.ROWS], *[images[n] for n in walk.ROWS], kernels,
            None, walk.EXPLAIN_PROMPT)


def explain_pixel(layer):
    """Click on a C1 or C3 map (evt.index = [x, y] in image pixels) -> explanation figure and sum."""
    import gradio as gr

    def handler(x32, variant, evt: gr.SelectData):
        return walk.click_view(RECOGNIZERS[variant], x32, layer, evt.index)
    return handler


def side_by_side(drawing, upload, source):
    """Both models on the same drawing: per model (digit, probabilities, C1, C3), then the facts."""
    out, preds = [], {}
    for v, rec in RECOGNIZERS.items():
        try:
            p = rec.predict(upload if source == "upload" else drawing)
        except InvalidDrawing as err:
            return (*[viz.digit_html(None, str(err)), None, None, None] * len(RECOGNIZERS), "")
        preds[v] = p
        out += [viz.digit_html(p.digit, None, p.confidence, v), {str(d): float(q) for d, q in enumerate(p.probabilities)},
                viz.c1_html(p.feature_maps["C1"], rec.kernels("C1")), viz.c3_html(p.feature_maps["C3"])]
    return (*out, walk.comparison_markdown(preds))


# ------------------------------------------------------------------ UI

# Gradio 6.31 opens the sketchpad with no tool selected (a drag selects text), and "Clear canvas"
# drops back to that state. Whenever the pad shows "select the draw tool", pick the brush.
ACTIVATE_BRUSH = """
() => {
  const ensureBrush = () => {
    const pad = document.querySelector('#pad');
    if (!pad || !pad.innerText.toLowerCase().includes('select the draw tool')) return;
    const brush = pad.querySelector('button[aria-label="Brush"]');
    if (brush) brush.click();
  };
  let timer = null;
  new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(ensureBrush, 60); })
    .observe(document.body, {childList: true, subtree: true, characterData: true});
  ensureBrush();
}
"""

# Presenter comfort: the whole page 30 % larger (browser-side only, nothing sent to the server).
LARGE_TEXT = "(on) => { document.documentElement.classList.toggle('large-text', on); return []; }"

CSS = """
.large-text .gradio-container { zoom: 1.3; }
.theme-links { font-size: 1rem; padding-top: 0.6em; }
#digit .big { font-size: 7rem; font-weight: 700; line-height: 1; text-align: center; margin: 0.2em 0; }
#digit .empty { font-size: 2.2rem; font-weight: 600; text-align: center; color: #666; margin: 1.2em 0; }
#digit .conf { text-align: center; color: #555; font-size: 1.1rem; }
#note { text-align: center; font-size: 1.1rem; }
.fig img { image-rendering: pixelated; }
#wt-explain-html table.wt-sum td { padding: 2px 10px; font-family: monospace; font-size: 1.05rem; }
.wt-row { border-top: 1px solid #ddd; padding-top: 0.4em; }
.cmp-digit .big { font-size: 5rem; font-weight: 700; text-align: center; line-height: 1; }
.cmp-digit .empty { text-align: center; font-size: 1.4rem; }
"""


def pass_files_undecoded(pad, upload):
    """Hand files from API clients to lenet undecoded, so its size limits and friendly
    messages apply (Gradio would decode any upload first and answer a junk or bomb file with
    an error). The browser's own canvas goes the usual way. Patched on the instances, since a
    subclass would need a front end of its own."""
    from gradio.data_classes import FileData

    def path_of(value):
        return value.path if isinstance(value, FileData) else value

    decode_pad, decode_upload = pad.preprocess, upload.preprocess

    def pad_preprocess(payload):
        if payload is None or payload.id is not None:  # the browser canvas, via blob storage
            return decode_pad(payload)
        return {"background": None, "layers": [], "composite": path_of(payload.composite)}

    def upload_preprocess(payload):
        if payload is None or payload.path is None:  # webcam/clipboard data URLs
            try:
                return decode_upload(payload)
            except Exception:
                return b""  # lenet answers: not a picture we can read
        return payload.path

    pad.preprocess, upload.preprocess = pad_preprocess, upload_preprocess


def build(default_variant, weights_dir):
    import gradio as gr

    with gr.Blocks(title="LeNet-5: draw a digit, watch it think",
                   delete_cache=(300, 600)) as demo:  # drop cached files older than 10 min, every 5 min
        gr.Markdown("# LeNet-5 · draw a digit, watch it think\n"
                    "Draw one digit (0–9) with the mouse or a finger; the network reads it after every stroke.")
        source = gr.State("pad")
        with gr.Row(elem_id="presenter"):
            large = gr.Checkbox(False, label="Large text (for the back of the room)", elem_id="large-text",
                                scale=0, min_width=300)
            gr.HTML('<div class="theme-links">Projector: <a href="?__theme=dark">dark theme</a> · '
                    '<a href="?__theme=light">light theme</a></div>')
        large.change(None, large, None, js=LARGE_TEXT)
        with gr.Tabs():
            with gr.Tab("Draw & see", id="main"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=5, min_width=320):
                        with gr.Tabs():
                            with gr.Tab("Draw", id="draw"):
                                pad = gr.Sketchpad(
                                    elem_id="pad", label="Draw a digit here", type="numpy",
                                    canvas_size=(CANVAS, CANVAS), fixed_canvas=True, format="png",
                                    image_mode="RGBA", layers=False, height=420,
                                    brush=gr.Brush(default_size=BRUSH_SIZE, colors=["#000000"],
                                                   default_color="#000000", color_mode="fixed"),
                                    eraser=gr.Eraser(default_size=24), buttons=[])
                                gr.Markdown("The brush is ready: just draw. Toolbar: **⊘ Brush Size** (pen width slider), "
                                            "**Erase**, **Undo**, and the bin **Clear canvas**.")
                            with gr.Tab("Upload / photo", id="upload"):
                                upload = gr.Image(label="A digit on paper: dark ink on a light background",
                                                  sources=["upload", "webcam", "clipboard"], type="numpy",
                                                  image_mode="RGB", height=320, elem_id="upload")
                                pass_files_undecoded(pad, upload)
                                gr.Examples([[os.path.join(EXAMPLES, f)] for f in sorted(os.listdir(EXAMPLES))
                                             if f.endswith(".png")] if os.path.isdir(EXAMPLES) else [],
                                            inputs=[upload], label="Examples drawn by scripts/make_examples.py")
                        variant = gr.Radio(list(VARIANTS), value=default_variant, label="Model",
                                           info="classic = the 1998 paper (tanh, trainable subsampling, sparse C3); "
                                                "modern = ReLU + max-pooling", elem_id="model")
                        collecting = gr.Checkbox(COLLECT["on"], label="Collect drawings to collected/ (off)",
                                                 info="saves each drawing and what the model said, on this "
                                                      "computer, to show the misses later", elem_id="collect")
                        with gr.Accordion("Show collected", open=False):
                            show = gr.Button("Show collected drawings (newest first)", elem_id="show-collected")
                            gallery = gr.Gallery(columns=6, height=300, show_label=False, elem_id="collected")
                    with gr.Column(scale=4, min_width=280):
                        digit = gr.HTML(viz.digit_html(None), elem_id="digit")
                        note = gr.Markdown("", elem_id="note")
                        label = gr.Label(num_top_classes=10, label="Class probabilities", elem_id="probs")
                gr.Markdown("### What the network sees")
                # Per-stroke figures are HTML with the maps inline at their own resolution (lenet.visualize).
                stages = gr.HTML(elem_id="stages")
                gr.Markdown(viz.LEGEND_MD)
                with gr.Row():
                    c1 = gr.HTML(elem_id="c1", scale=5)
                    c3 = gr.HTML(elem_id="c3", scale=3)
                with gr.Accordion("Smaller layers: S2, S4, C5, F6", open=False):
                    small = gr.HTML(elem_id="small")
            with gr.Tab("Walk-through", id="walkthrough") as wt_tab:
                wt = walkthrough_tab(gr, default_variant)
            with gr.Tab("Classic vs modern", id="compare") as cmp_tab:
                cmp = compare_tab(gr)
            with gr.Tab("About the model", id="about"):
                about(gr, weights_dir)

        outputs = [digit, note, label, stages, c1, c3, small]
        # postprocess=False: Gradio would hand each of the 7 outputs to a worker thread for a
        # postprocess that is the identity for HTML and Markdown; only the Label's is real, and
        # served() runs it inline.
        live = dict(trigger_mode="always_last", show_progress="hidden", concurrency_limit=2,
                    concurrency_id="predict", postprocess=False)

        def served(result):
            """analyse()'s values as the browser and API clients receive them."""
            html, text, probs, *figures = result
            return (html, text, label.postprocess(probs).model_dump() if probs else {}, *figures)

        # The session names the drawing in progress, for the collect switch (gr.Request is filled in
        # by Gradio; the API keeps its two parameters).
        # The per-stroke handlers are coroutines: Gradio then runs them on its event loop instead of
        # handing each to a worker thread. A stroke is ~3 ms of CPU that holds the GIL anyway; the
        # thread hand-offs and GIL convoys between worker and loop cost more than that under load
        # (16 clients: 38 -> 51 requests/s, measured with python -m bench).
        async def predict(image, variant, request: gr.Request = None):
            return served(analyse(image, variant, getattr(request, "session_hash", None)))

        async def predict_image(image, variant):
            return served(analyse(image, variant))

        async def switch_model(drawing, upload, variant, source, request: gr.Request = None):
            return served(rerun(drawing, upload, variant, source, getattr(request, "session_hash", None)))

        pad.change(predict, [pad, variant], outputs, api_name="predict", **live)
        pad.change(lambda: "pad", None, source, queue=False, show_progress="hidden", api_visibility="private")
        upload.change(predict_image, [upload, variant], outputs, api_name="predict_image", **live)
        upload.change(lambda: "upload", None, source, queue=False, show_progress="hidden",
                      api_visibility="private")
        variant.change(switch_model, [pad, upload, variant, source], outputs, api_visibility="private", **live)
        collecting.change(set_collect, collecting, None, queue=False, api_visibility="private")
        demo.load(lambda: COLLECT["on"], None, collecting, queue=False, api_visibility="private")  # the room's state
        show.click(show_collected, None, gallery, api_visibility="private")

        # The Walk-through's model switch and the first tab's are one choice: a person's change of
        # either sets the other (.input fires for people only, so the two do not echo).
        wt["variant"].input(lambda v: v, wt["variant"], variant, queue=False, api_visibility="private")
        variant.change(lambda v: v, variant, wt["variant"], queue=False, api_visibility="private")
        wt_out = [wt["x32"], wt["total"], *wt["md"], *wt["img"], wt["kernels"], wt["fig"], wt["html"]]
        for trigger in (wt_tab.select, wt["refresh"].click, variant.change):
            trigger(walkthrough, [pad, upload, variant, source], wt_out, api_visibility="private",
                    show_progress="minimal")
        for layer in walk.CLICKABLE:
            wt["clickable"][layer].select(explain_pixel(layer), [wt["x32"], variant], [wt["fig"], wt["html"]],
                                          api_visibility="private", show_progress="minimal")
        for trigger in (cmp_tab.select, cmp["refresh"].click):
            trigger(side_by_side, [pad, upload, source], cmp["outputs"], api_visibility="private",
                    show_progress="minimal")
    return demo


def walkthrough_tab(gr, default_variant):
    gr.Markdown("## The network, top to bottom\nThe current drawing (from the first tab) through every layer of "
                "the selected model. All shapes and counts are read from the loaded model. "
                "**Click any pixel of a C1 or C3 map** to see the sum that gives its value.")
    wt = {"x32": gr.State(None), "md": [], "img": [], "clickable": {}}
    with gr.Row():
        wt["refresh"] = gr.Button("Walk the current drawing through the network", variant="primary",
                                  elem_id="wt-refresh", scale=0, min_width=380)
        wt["variant"] = gr.Radio(list(VARIANTS), value=default_variant, label="Model", elem_id="wt-model",
                                 scale=0, min_width=220)   # the same switch as the first tab's
        wt["total"] = gr.Markdown(elem_id="wt-total")
    for name in walk.ROWS:
        with gr.Row(equal_height=False, elem_id=f"wt-row-{name}", elem_classes="wt-row"):
            wt["md"].append(gr.Markdown(elem_id=f"wt-md-{name}", scale=2))
            img = gr.Image(type="pil", format="png", interactive=False, show_label=False, buttons=[],
                           elem_id=f"wt-img-{name}", elem_classes="fig", scale=3)
            wt["img"].append(img)
            if name in walk.CLICKABLE:
                wt["clickable"][name] = img
        if name == "C3":
            with gr.Group(elem_id="wt-explain-box"):
                wt["html"] = gr.HTML(walk.EXPLAIN_PROMPT, elem_id="wt-explain-html")
                wt["fig"] = gr.Image(type="pil", format="png", interactive=False, show_label=False, buttons=[],
                                     elem_id="wt-explain-fig", elem_classes="fig")
            with gr.Accordion("Kernels: C1's 6 and C3's 16×6, with the C3 connection table", open=False):
                wt["kernels"] = gr.Image(type="pil", format="png", interactive=False, show_label=False,
                                         elem_id="wt-kernels", elem_classes="fig")
    return wt


def compare_tab(gr):
    gr.Markdown("## Classic vs modern on the same drawing\n" + walk.COMPARISON_NOTE)
    refresh = gr.Button("Compare on the current drawing", variant="primary", elem_id="cmp-refresh")
    outputs = []
    with gr.Row(equal_height=False):
        for v in RECOGNIZERS:
            with gr.Column(elem_id=f"cmp-{v}"):
                gr.Markdown(f"### {v}")
                outputs += [gr.HTML(viz.digit_html(None), elem_id=f"cmp-digit-{v}",
                                    elem_classes="cmp-digit"),
                            gr.Label(num_top_classes=3, label="Top probabilities", elem_id=f"cmp-probs-{v}"),
                            gr.HTML(elem_id=f"cmp-c1-{v}"), gr.HTML(elem_id=f"cmp-c3-{v}")]
    outputs.append(gr.Markdown(elem_id="cmp-facts"))
    return {"refresh": refresh, "outputs": outputs}


def about(gr, weights_dir):
    gr.Markdown("## LeNet-5, layer by layer\nComputed from the loaded models (parameters are the trainable "
                "weights; connections count every multiply-add, as LeCun et al. 1998 tabulate them).")
    for v, rec in RECOGNIZERS.items():
        gr.Markdown(f"### {v}")
        gr.Dataframe(value=viz.table_values(rec.model), headers=viz.TABLE_HEADERS, interactive=False,
                     elem_id=f"table-{v}", wrap=True)
    gr.Markdown("## Kernels\nBlue = negative weight, white = 0, red = positive. The classic C3 follows the "
                "paper's connection table: each C3 map reads only some S2 maps (empty cells).")
    with gr.Row():
        for v, rec in RECOGNIZERS.items():
            gr.Image(viz.kernels_figure(rec.kernels("C1"), rec.kernels("C3"), viz.c3_connection_table(rec.model),
                                        f"{v}: C1 and C3 kernels"), type="pil", format="png", interactive=False,
                     show_label=False, buttons=["fullscreen"], elem_classes="fig", elem_id=f"kernels-{v}")
    gr.Markdown("## Test results")
    with gr.Row():
        for v in RECOGNIZERS:
            card, png = viz.model_card(weights_dir, v)
            with gr.Column():
                gr.Markdown(viz.card_markdown(card, v))
                if png is not None:
                    gr.Image(str(png), label=f"{v}: confusion matrix on the test set", interactive=False,
                             buttons=[])


def main(argv=None):
    args = parse_args(argv)
    try:
        for v in VARIANTS:
            RECOGNIZERS[v] = Recognizer.load(v, args.weights_dir)
    except WeightsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    COLLECT.update(on=args.collect, dir=args.collect_dir)
    demo = build(args.model, args.weights_dir)
    # status_update_rate: queue positions every 2 s, not to every waiting client after every job (the
    # per-stroke events hide progress anyway; "auto" sent 16 messages per job with 16 clients waiting).
    demo.queue(max_size=32, default_concurrency_limit=2, status_update_rate=2)
    if args.share:
        print("WARNING: --share makes a PUBLIC gradio.live link: anyone with it can use this app.", flush=True)
    print(f"LeNet-5 app: http://{args.host}:{args.port}/  (models loaded, UI built in "
          f"{time.monotonic() - _T0:.1f} s)", flush=True)
    demo.launch(server_name=args.host, server_port=args.port, share=args.share, css=CSS + viz.FIGURE_CSS, js=ACTIVATE_BRUSH,
                footer_links=["api"], show_error=False, quiet=False,
                max_file_size=MAX_BYTES)  # bigger uploads get HTTP 413 before they are stored
    return 0


if __name__ == "__main__":
    sys.exit(main())
