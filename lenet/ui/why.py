""""Why this digit" on the first tab: a switch in the answer column (off by default) and, when on,
the occlusion saliency map of the current drawing over its 32x32 input (lenet/saliency.py: one
batch of 256 occluded inputs per update). Off, it costs the live path nothing: the pad's updates
reach it through a browser-side check of the switch, not the server."""
import base64
import io

from .. import saliency
from ..preprocess import InvalidDrawing
from .draw_tab import LIVE, current_picture
from .room import Room

CAPTION = ("Red: ink that pushed toward this digit; blue: ink that argued against it "
           "(hiding each 2x2 patch of the input, one batch).")
# Runs in the browser on every pad or upload change: asks the server only when the switch is on.
PASS_ON = "(on) => { if (on) document.querySelector('#why-go')?.click(); return []; }"


def why_html(room: Room, pad_value, upload, source, variant):
    """Current drawing -> HTML: the occlusion map over the input, at 8 px per input pixel, with its legend."""
    from PIL import Image
    rec = room.recognizers.get(variant) or room.recognizers[room.variant]
    try:
        p = rec.predict(current_picture(pad_value, upload, source))
    except InvalidDrawing as err:
        return f'<div class="why-empty">{err}</div>'
    picture = saliency.render(p.input, saliency.occlusion(rec, p), scale=6)
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    return (f'<figure class="why-fig" data-digit="{int(p.digit)}" style="margin:0">'
            f'<img src="{uri}" alt="saliency map for {int(p.digit)}" style="width:100%;max-width:192px;'
            f'image-rendering:pixelated;display:block;margin:0 auto">'
            f'<figcaption style="font-size:0.75rem">Why a {int(p.digit)}? {CAPTION}</figcaption></figure>')


def build(gr, room: Room, first):
    """Add the switch and the map at the end of the first tab's answer column."""
    with first["variant"].parent:
        on = gr.Checkbox(False, label="Why this digit?", elem_id="why-on", container=False)
        go = gr.Button("why", visible="hidden", elem_id="why-go")
        figure = gr.HTML("", elem_id="why", visible=False)
    inputs = [first["pad"], first["upload"], first["source"], first["variant"]]
    private = dict(api_visibility="private")

    def on_go(pad_value, upload, source, variant):
        return why_html(room, pad_value, upload, source, variant)

    def on_switch(on, pad_value, upload, source, variant):
        if not on:
            return gr.update(value="", visible=False)
        return gr.update(value=why_html(room, pad_value, upload, source, variant), visible=True)

    on.change(on_switch, [on, *inputs], figure, show_progress="hidden", **private)
    go.click(on_go, inputs, figure, **LIVE, **private)
    for component in (first["pad"], first["upload"], first["variant"]):
        component.change(None, [on], None, js=PASS_ON, queue=False, **private)
