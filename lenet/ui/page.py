"""The whole page: a one-line header (title, the layer shapes, presenter controls) and, when drawings
are kept, the notice saying so (re-read every NOTICE_EVERY s: it says when saving stops), the tabs,
the API endpoints and the queue. The tabs live in their own modules; the CSS and the page's
JavaScript are files in static/; how the page is served is the gate's (gate/server.py)."""
from pathlib import Path

from .. import visualize as viz
from ..architecture import shapes_html
from .gate.pad_line import Line
from .gate.worker import Worker
from .readings.room import Room
from .tabs import about, api, compare, draw, lab, learning, number, walkthrough, why

STATIC = Path(__file__).resolve().parent / "static"
TITLE = "LeNet-5: draw a digit, watch it think"
# How many events run at once is set in one place: gate/server.py puts every queued event in one group.
QUEUE = dict(max_size=256,                # a lecture hall: each person has at most one update waiting
             status_update_rate=2,         # queue positions every 2 s, not after every job to every client
             api_open=False)               # run/<name> would skip the queue and its limits; see boundary.py

HEADER = """
<header class="top">
  <h1>LeNet-5 <span class="sub">· draw a digit, watch it think</span></h1>
  <div id="shapes">{shapes}</div>
  <div class="presenter">
    <button type="button" id="large-text" aria-pressed="false">Large text</button>
    <span class="theme-links"><a href="?__theme=dark">dark theme</a> · <a href="?__theme=light">light theme</a></span>
  </div>
  <p id="answer-said" class="sr-only" role="status" aria-live="polite" aria-atomic="true"></p>
</header>
"""
COLLECTING = ('<p class="collecting" role="status">The presenter is keeping the drawings made on this page '
              '(saved on their computer with what the model said).</p>')
NOT_KEPT = ('<p class="collecting" role="status">The drawings made on this page are no longer being kept: '
            'the presenter\'s folder {cause}.</p>')
NOTICE_EVERY = 30   # s: how often a collecting page re-reads whether drawings are still being kept


def collecting_notice(room):
    """The notice a visitor's page shows while the room collects: COLLECTING, or NOT_KEPT with the
    cause once saving has stopped (lenet/collect.py: a cap, a full disk, a read-only folder)."""
    from html import escape

    from .. import collect
    cause = collect.stopped(room.collect_dir)
    return COLLECTING if cause is None else NOT_KEPT.format(cause=escape(cause))

# Presenter comfort: the whole page larger (static/page.css) (browser-side only), remembered in this browser.
LARGE_TEXT_JS = """
const root = document.documentElement, button = element.querySelector('#large-text');
const set = (on) => { root.classList.toggle('large-text', on); button.setAttribute('aria-pressed', String(on));
                      try { localStorage.setItem('lenet-large-text', on ? '1' : ''); } catch (e) {} };
button.addEventListener('click', () => set(!root.classList.contains('large-text')));
try { set(localStorage.getItem('lenet-large-text') === '1'); } catch (e) {}
// The answer, announced: once the first tab's answer has settled (not every live update while the
// pen moves), its sentence (#digit [data-say]) goes into the status line above.
const said = element.querySelector('#answer-said');
let settle = null;
new MutationObserver(() => {
  clearTimeout(settle);
  settle = setTimeout(() => {
    const say = document.querySelector('#digit [data-say]')?.dataset.say || '';
    if (say && said.textContent !== say) said.textContent = say;
  }, 400);
}).observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ['data-say']});
"""


def css():
    return (STATIC / "page.css").read_text(encoding="utf-8") + viz.FIGURE_CSS


def build(room: Room):
    """The page for `room` (gr.Blocks, queue configured)."""
    import gradio as gr

    line = Line()          # where both pads' updates wait their turn (pad_line.py)
    reader = Worker(room)  # the prediction process: reads the pads' drawings and the API's pictures
    with gr.Blocks(title=TITLE, delete_cache=(300, 600)) as demo:  # cached uploads older than 10 min, every 5 min
        shapes = shapes_html(room.recognizers[room.variant].model)   # the layer shapes, orienting every tab
        gr.HTML(HEADER.replace("{shapes}", shapes), js_on_load=LARGE_TEXT_JS, elem_id="header", padding=False)
        if room.collecting:   # its own component: refreshing it leaves the header's button bound
            notice = gr.HTML(collecting_notice(room), elem_id="collecting")
            gr.Timer(NOTICE_EVERY).tick(lambda: collecting_notice(room), outputs=notice, queue=False,
                                        show_progress="hidden", api_visibility="private")
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("Draw & see", id="main"):
                first = draw.build(gr, room, line, reader)
                why.build(gr, room, first)
            with gr.Tab("Walk-through", id="walkthrough") as tab:
                walkthrough.build(gr, room, tab, first)
            with gr.Tab("Number", id="number"):
                number.build(gr, room, first, line)
            with gr.Tab("Invariance lab", id="lab") as tab:
                lab.build(gr, room, tab, first)
            with gr.Tab("Compare", id="compare") as tab:
                compare.build(gr, room, tab, first)
            with gr.Tab("Learning", id="learning") as tab:
                learning.build(gr, room, tab, first)
            with gr.Tab("About", id="about"):
                about.build(gr, room)
        api.build(gr, room, reader)
    demo.queue(**QUEUE)
    return demo

