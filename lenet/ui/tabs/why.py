""""Why this digit" on the first tab: a switch in the answer column (off by default) and, when on,
beside the maps, the occlusion saliency map of the current drawing over its 32x32 input (lenet/saliency.py: one
batch of 256 occluded inputs per update). Off, it costs the live path nothing: the pad's updates
reach it through a browser-side check of the switch, not the server."""
from ..readings.room import Room
from ..readings.why import why_html
from .events import LIVE, PRIVATE

# Runs in the browser on every pad or upload change: asks the server only when the switch is on.
PASS_ON = "(on) => { if (on) document.querySelector('#why-go')?.click(); return []; }"


def build(gr, room: Room, first):
    """Add the switch at the end of the first tab's answer column, and the map in its maps column
    (beside C1 and C3, on the same screen)."""
    with first["variant"].parent:
        on = gr.Checkbox(False, label="Why this digit?", elem_id="why-on", container=False)
        go = gr.Button("why", visible="hidden", elem_id="why-go")
    with first["maps"]:
        figure = gr.HTML("", elem_id="why", visible=False)
    inputs = [first["pad"], first["upload"], first["source"], first["variant"]]

    def on_go(pad_value, upload, source, variant):
        return why_html(room, pad_value, upload, source, variant)

    def on_switch(on, pad_value, upload, source, variant):
        if not on:
            return gr.update(value="", visible=False)
        return gr.update(value=why_html(room, pad_value, upload, source, variant), visible=True)

    on.change(on_switch, [on, *inputs], figure, show_progress="hidden", **PRIVATE)
    go.click(on_go, inputs, figure, **LIVE, **PRIVATE)
    for component in (first["pad"], first["upload"], first["variant"]):
        component.change(None, [on], None, js=PASS_ON, queue=False, **PRIVATE)
