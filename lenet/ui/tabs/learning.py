"""The "Learning" tab: a slider and a Play button over the training snapshots, the
current drawing read at each (lenet/ui/readings/learning.py), plain words for a student; the layout,
its CSS and the wiring of its events. It follows the first tab's drawing and model switch."""
from ..readings.learning import drawing_input, intro, slider_range, step_view
from ..readings.room import Room

PLAY_EVERY = 0.8   # s between snapshots while playing

CSS = """
.ln-answer .big { font-size: 3.6rem; font-weight: 700; line-height: 1; text-align: center; margin: 0.05em 0; }
.ln-answer .conf, .ln-answer .ln-nd { text-align: center; font-size: 1.05rem; opacity: 0.9; }
.ln-answer .empty { font-size: 1.2rem; font-weight: 600; text-align: center; margin: 0.6em 0; }
.ln-answer .pb-title { font-size: 0.9rem; text-align: center; opacity: 0.9; }
.ln-answer .pb-row { display: grid; grid-template-columns: repeat(10, minmax(0, 1fr)); gap: 3px; align-items: end; }
.ln-answer .pb { display: flex; flex-direction: column; align-items: center; font-variant-numeric: tabular-nums; }
.ln-answer .pb-v { font-size: 0.8rem; opacity: 0.9; }
.ln-answer .pb-bar { display: flex; align-items: flex-end; width: 100%; height: 70px;
                     background: var(--background-fill-secondary); border-radius: 3px; }
.ln-answer .pb-bar span { display: block; width: 100%; background: var(--color-accent); border-radius: 3px; }
.ln-answer .pb-d { font-weight: 700; font-size: 1.05rem; }
.ln-answer .pb-top .pb-d { text-decoration: underline; }
.lf { margin-bottom: 10px; overflow: visible; }
.lf .lf-title { font-size: 1rem; margin: 0 0 2px; }
.lf .lf-bar { margin-top: 2px; font-size: 0.85rem; }
.lf figcaption { font-size: 0.8rem; white-space: normal; text-align: center; line-height: 1.15; }
.lf-c1 .lf-grid { grid-template-columns: repeat(3, minmax(0, 1fr)) !important; gap: 4px 10px; }
.lf-c1 .lf-pair { display: grid; grid-template-columns: 1fr 2.2fr; gap: 4px; width: 100%; align-items: center; }
.lf-c3 .lf-grid { grid-template-columns: repeat(8, minmax(0, 1fr)) !important; gap: 3px 5px; }
.lf img { width: 100%; height: auto; }
.lf figure { width: 100%; }
"""

CHART_CSS = """
.ln-chart { display: block; max-width: 100%; height: auto; overflow: visible; }   /* a phone: scaled down */
.ln-chart text { font-size: 15px; fill: currentColor; }
.ln-chart .t { font-weight: 600; }
.ln-chart .ax { stroke: currentColor; stroke-width: 1.5; }
.ln-chart .grid { stroke: currentColor; stroke-opacity: 0.15; }
.ln-chart .cur { stroke: #d62728; stroke-width: 2.5; }
.ln-chart .ep { stroke: currentColor; stroke-opacity: 0.5; stroke-dasharray: 2 4; }
.ln-chart .ept { opacity: 0.75; }
.ln-chart polyline { fill: none; stroke-width: 2.5; }
.ln-chart .s0 { stroke: #1f77b4; } .ln-chart .d0 { fill: #1f77b4; }
.ln-chart .s1 { stroke: #c2570c; } .ln-chart .d1 { fill: #c2570c; }
"""


def build(gr, room: Room, tab, first):
    """Lay the tab out; `tab` is its gr.Tab, `first` the draw tab's components (pad, upload, source, variant)."""
    last, info = slider_range(room, room.variant)
    with gr.Row(equal_height=False):
        slider = gr.Slider(0, max(last, 1), value=0, step=1, label="Training snapshot", info=info,
                           elem_id="learn-slider", scale=5, interactive=last > 0)
        with gr.Column(scale=1, min_width=200):
            play = gr.Button("▶ Play", elem_id="learn-play", variant="primary", size="md")
            again = gr.Button("Read the current drawing", elem_id="learn-refresh", size="sm")
    here = gr.HTML(elem_id="learn-where", js_on_load=None, padding=False)
    with gr.Row(equal_height=False):
        with gr.Column(min_width=300, scale=4):
            answer = gr.HTML(elem_id="learn-answer", css_template=CSS, js_on_load=None)
            words = gr.Markdown(elem_id="learn-words")
        with gr.Column(min_width=420, scale=4):
            curves = gr.HTML(elem_id="learn-curves", css_template=CHART_CSS, js_on_load=None)
        with gr.Column(min_width=300, scale=4):
            maps = gr.HTML(elem_id="learn-maps", css_template=CSS, js_on_load=None)   # C1 and C3
    head = gr.Markdown(intro(room, room.variant), elem_id="learn-intro")
    drawing = gr.State(None)     # (32x32 input, whose) of the drawing being shown
    playing = gr.State(False)
    timer = gr.Timer(PLAY_EVERY, active=False)
    shown = [here, words, answer, curves, maps]
    private = dict(api_visibility="private", show_progress="hidden")

    def on_drawing(pad_value, upload, source, variant, at):
        variant = room.model(variant)
        x, whose = drawing_input(room, pad_value, upload, source, variant)
        last, info = slider_range(room, variant)
        at = min(int(at or 0), last)
        return ((x, whose), intro(room, variant), gr.update(maximum=max(last, 1), value=at, info=info,
                                                             interactive=last > 0),
                *step_view(room, variant, x, whose, at))

    def on_step(variant, state, at):
        if state is None:
            return [gr.skip()] * len(shown)
        return step_view(room, room.model(variant), *state, at)

    def on_play(is_playing, variant, at):
        if is_playing:
            return False, gr.Timer(active=False), gr.update(value="▶ Play"), gr.skip()
        last = slider_range(room, room.model(variant))[0]
        return (True, gr.Timer(active=True), gr.update(value="⏸ Pause"),
                0 if int(at or 0) >= last else gr.skip())

    def on_tick(variant, at):
        last = slider_range(room, room.model(variant))[0]
        nxt = int(at or 0) + 1
        if nxt >= last:
            return min(nxt, last), False, gr.Timer(active=False), gr.update(value="▶ Play")
        return nxt, True, gr.skip(), gr.skip()

    inputs = [first["pad"], first["upload"], first["source"], first["variant"], slider]
    gr.on([tab.select, again.click, first["variant"].change], on_drawing, inputs,
          [drawing, head, slider, *shown], trigger_mode="always_last", **private)
    slider.change(on_step, [first["variant"], drawing, slider], shown, trigger_mode="always_last", **private)
    play.click(on_play, [playing, first["variant"], slider], [playing, timer, play, slider], **private)
    timer.tick(on_tick, [first["variant"], slider], [slider, playing, timer, play], **private)
