"""The drawing pad: a plain 2-D <canvas> in a gr.HTML (mouse, pen and touch through pointer
events; pen, eraser, undo, Clear), live while the pen moves, and the decoding of what it sends.

The browser side is static/pad.js. The pad's value is a small JSON text,
`{"seq": <stroke update number>, "live": true, "png": "data:image/png;base64,..."}` (a 280x280 PNG
the browser already downscaled, ~3-8 KB; a wide pad's is 280 px high), or "" for a cleared pad.
`seq` comes back in the answer (`#digit [data-seq]`) so the page can tell which update an answer
belongs to. `live` marks an update sent while the pen is still down (pen-up, undo and clear send
none): under a crowd the pads' line reads pen-ups first and answers live updates that waited too
long with "no change" (pad_line.py)."""
import base64
import binascii
import json
import struct
from pathlib import Path

from ..preprocess import EMPTY, InvalidDrawing

STATIC = Path(__file__).resolve().parent / "static"
EXPORT = 280          # px: the side of the picture the pad sends (~10x MNIST's 28 px field)
MAX_VALUE = 400_000   # characters: a 280 px drawing is ~4-12 KB; anything bigger is not from the pad
MAX_SIDE = 1024       # px: the pad path decodes on the event loop, so its pictures stay small
NOT_A_DRAWING = "That is not a drawing from the pad; draw a digit, or upload a picture file."

TEMPLATE = """
<div class="pad-wrap" data-aspect="{aspect}">
  <div class="pad-area"><canvas class="pad-canvas" role="img"{style}
       aria-label="Drawing pad: draw {what} with the mouse, a pen or a finger"></canvas></div>
  <div class="pad-tools" role="toolbar" aria-label="Drawing tools">
    <button type="button" class="pad-tool" data-tool="pen" aria-pressed="true" aria-label="Pen">✎ Pen</button>
    <button type="button" class="pad-tool" data-tool="eraser" aria-pressed="false" aria-label="Eraser">⌫ Eraser</button>
    <button type="button" data-act="undo" aria-label="Undo">↶ Undo</button>
    <button type="button" data-act="clear" aria-label="Clear canvas">✕ Clear</button>
  </div>
</div>
"""


# A wide pad carries its own look (the square one's is #pad's, in static/page.css).
WIDE_CSS = """
.pad-wrap { display: flex; flex-direction: column; gap: 6px;
             max-width: max(300px, calc((100vh - 420px) * 3)); }   /* the answer shows under it */
.pad-area { touch-action: none; user-select: none; -webkit-user-select: none; cursor: crosshair; }
.pad-canvas { display: block; width: 100%; background: #fff; touch-action: none; border: 2px solid #8a8a8a;
              border-radius: 6px; box-sizing: border-box; }
.pad-tools { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6px; max-width: 36rem; }
.pad-tools button { min-height: 40px; border-radius: 8px; cursor: pointer;
                    border: 1px solid var(--border-color-primary);
                    color: var(--body-text-color); background: var(--button-secondary-background-fill); }
.pad-tools button[aria-pressed="true"] { background: var(--button-primary-background-fill);
                                         color: var(--button-primary-text-color); }
"""


def component(elem_id="pad", aspect=1):
    """The pad as a gr.HTML; its `.change` fires for every throttled update and at pen-up. `aspect`
    (width / height) makes a wide pad that sends EXPORT * aspect x EXPORT px (3: 840x280, a number)."""
    import gradio as gr
    wide = aspect != 1
    html = (TEMPLATE.replace("{aspect}", f"{aspect:g}").replace("{what}", "a number" if wide else "one digit")
            .replace("{style}", f' style="aspect-ratio: {aspect:g}"' if wide else ""))
    return gr.HTML("", html_template=html, js_on_load=(STATIC / "pad.js").read_text(encoding="utf-8"),
                   css_template=WIDE_CSS if wide else "", elem_id=elem_id, elem_classes="pad",
                   apply_default_css=False)


def parse(value):
    """The pad's value -> (PNG bytes, or None for a cleared pad; seq). Raises InvalidDrawing
    (NOT_A_DRAWING) for anything the pad would not send, checked before any pixel is decoded."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        raise InvalidDrawing(NOT_A_DRAWING)
    try:
        sent = json.loads(value)
        seq, uri = int(sent.get("seq", 0)), sent.get("png") or ""
    except (ValueError, TypeError, AttributeError, OverflowError):
        raise InvalidDrawing(NOT_A_DRAWING) from None
    seq = min(max(0, seq), 2**53)
    if uri == "":
        return None, seq
    head, _, data = str(uri).partition(",")
    if head != "data:image/png;base64":
        raise InvalidDrawing(NOT_A_DRAWING)
    try:
        png = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidDrawing(NOT_A_DRAWING) from None
    width, height = png_size(png)
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise InvalidDrawing(NOT_A_DRAWING)
    return png, seq


def is_live(value):
    """Whether a pad value is a live update (the pen still down), from its first characters
    (pad.js writes `live` right after `seq`): nothing decoded."""
    return isinstance(value, str) and value.startswith('{"seq":') and '"live":true' in value[:48]


def picture(value):
    """The pad's drawing as PNG bytes; InvalidDrawing (EMPTY) for a cleared pad."""
    png, _ = parse(value)
    if png is None:
        raise InvalidDrawing(EMPTY)
    return png


def png_size(png):
    """(width, height) from a PNG's IHDR chunk without decoding it; (0, 0) if it is not a PNG."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        return 0, 0
    return struct.unpack(">II", png[16:24])


def value_of(png_bytes, seq=1, live=False):
    """What the pad sends for a picture (tests and the load generator speak the pad's protocol)."""
    sent = {"seq": seq, "live": True} if live else {"seq": seq}
    sent["png"] = "data:image/png;base64," + base64.b64encode(png_bytes).decode()
    return json.dumps(sent, separators=(",", ":"))
