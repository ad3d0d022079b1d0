"""The drawing pad on the page: a plain 2-D <canvas> in a gr.HTML (mouse, pen and touch through
pointer events; pen, eraser, undo, Clear), live while the pen moves. Its browser side is
static/pad.js; what it sends is read by lenet/ui/readings/pad.py."""
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "static"


TEMPLATE = """
<div class="pad-wrap" data-aspect="{aspect}">
  <div class="pad-area"><canvas class="pad-canvas" role="img"{style}
       aria-label="Drawing pad: draw {what} with the mouse, a pen or a finger"></canvas>
    <div class="pad-example" hidden>Example · draw to start your own</div></div>
  <div class="pad-tools" role="toolbar" aria-label="Drawing tools">
    <button type="button" class="pad-tool" data-tool="pen" aria-pressed="true" aria-label="Pen">✎ Pen</button>
    <button type="button" class="pad-tool" data-tool="eraser" aria-pressed="false" aria-label="Eraser">⌫ Eraser</button>
    <button type="button" data-act="undo" aria-label="Undo">↶ Undo</button>
    <button type="button" data-act="clear" aria-label="Clear canvas">✕ Clear</button>
  </div>
</div>
"""


WIDE_CSS = """
.pad-wrap { display: flex; flex-direction: column; gap: 6px;
             max-width: max(300px, calc((100vh - 420px) * 3)); }   /* the answer shows under it */
.pad-area { touch-action: none; user-select: none; -webkit-user-select: none; cursor: crosshair; position: relative; }
.pad-example { position: absolute; right: 8px; bottom: 6px; font-size: 15px; color: #333; background: #fff;
               padding: 0 4px; pointer-events: none; }
.pad-canvas { display: block; width: 100%; background: #fff; touch-action: none; border: 2px solid #8a8a8a;
              border-radius: 6px; box-sizing: border-box; }
.pad-tools { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6px; max-width: 36rem; }
.pad-tools button { min-height: 44px; font-size: 15px; border-radius: 8px; cursor: pointer;
                    border: 1px solid var(--border-color-primary);
                    color: var(--body-text-color); background: var(--button-secondary-background-fill); }
.pad-tools button[aria-pressed="true"] { background: #b93e0b; border-color: #b93e0b;
                                         color: #fff; }
"""


def component(elem_id="pad", aspect=1):
    """The pad as a gr.HTML; its `.change` fires for every throttled update and at pen-up. `aspect`
    (width / height) makes a wide pad that sends readings.pad.EXPORT * aspect x EXPORT px (3: 840x280, a number)."""
    import gradio as gr
    wide = aspect != 1
    html = (TEMPLATE.replace("{aspect}", f"{aspect:g}").replace("{what}", "a number" if wide else "one digit")
            .replace("{style}", f' style="aspect-ratio: {aspect:g}"' if wide else ""))
    return gr.HTML("", html_template=html, js_on_load=(STATIC / "pad.js").read_text(encoding="utf-8"),
                   css_template=WIDE_CSS if wide else "", elem_id=elem_id, elem_classes="pad",
                   apply_default_css=False)

