"""Sections 2 and 3: Recognizer.predict on a sketchpad-sized drawing, split into its stages,
and the page's per-update handler called directly (lenet.ui.draw.read_pad)."""
from lenet import Recognizer, preprocess

from .report import Bar, fmt_ms
from .timing import measure, measure_steps

SECTION_2 = "2. Recognizer.predict, 800x800 RGBA drawing"
SECTION_3 = "3. The app's per-stroke handler, called directly"


def recognizer_predict(rec, results, image, repeats):
    whole = measure(lambda: rec.predict(image), repeats)
    h, w = image.shape[:2]
    results.add(SECTION_2, f"Recognizer.predict ({w}x{h} RGBA)", fmt_ms(whole, 50, 95))
    stages = measure_steps([
        ("preprocess (lenet.preprocess.preprocess)", lambda _: preprocess(image)),
        ("model (Recognizer.run)", lambda p: (p, rec.run(p.input[None]))),
        # Recognizer's own assembly step: probabilities, feature maps, stages -> Prediction.
        ("assemble Prediction (feature maps)", lambda po: Recognizer.predictions(po[1], [po[0]])),
    ], repeats)
    total = sum(s.ms(50) for s in stages.values())
    for name, s in stages.items():
        results.add(SECTION_2, f"  {name}", fmt_ms(s, 50, 95), f"{100 * s.ms(50) / total:.0f}% of the stages' p50 sum")
    results.bars.append(Bar("Recognizer.predict p50 <= 5 ms", whole.ms(50), 5.0, unit=" ms"))


# ---------------------------------------------------------------- the handler

def handler(root, results, repeats, variant="modern", side=280):
    """The page's per-update handler (lenet.ui.draw.read_pad) on what the pad sends: a
    `side`-px PNG of a drawing, as a live update (the closed accordion's figures left out) and
    with every figure. Returns the canvas (side, side)."""
    import io

    from PIL import Image

    from lenet.synthetic import draw
    from lenet.ui.readings import draw as reading
    from lenet.ui.readings import pad
    from lenet.ui.readings.room import Room
    buf = io.BytesIO()
    Image.fromarray(draw(3, canvas=side), "RGBA").save(buf, "PNG")
    value = pad.value_of(buf.getvalue())
    room = Room({variant: Recognizer.load(variant)}, variant)
    live = measure(lambda: reading.read_pad(room, value, variant, more=False), repeats)
    full = measure(lambda: reading.read_pad(room, value, variant, more=True), repeats)
    results.add(SECTION_3, f"read_pad, a live update ({side}x{side} PNG from the pad)", fmt_ms(live, 50, 95),
                "digit, probabilities, C1 and C3 figures")
    results.add(SECTION_3, "read_pad with every figure", fmt_ms(full, 50, 95),
                "also the pipeline stages and S2-F6 (when their accordion is open)")
    results.bars.append(Bar("per-stroke handler p50 <= 15 ms", full.ms(50), 15.0, unit=" ms"))
    return side, side


def learning_step(results, repeats, variant="modern", weights_dir=None):
    """The Learning tab (lenet.ui.readings.learning): one slider step (a snapshot's numpy forward and its
    figures, step_view) and reading the drawing when the tab opens (drawing_input +
    step_view), on the example drawing; each step a different snapshot, as Play moves."""
    from pathlib import Path

    from lenet import learning
    from lenet.paths import WEIGHTS
    from lenet.ui.readings import learning as learning_tab
    from lenet.ui.readings.room import Room
    room = Room({variant: Recognizer.load(variant, weights_dir)}, variant, Path(weights_dir or WEIGHTS))
    snaps = learning_tab.snapshots(room, variant)
    if isinstance(snaps, learning.SnapshotsError):
        results.add(SECTION_3, "Learning tab: one slider step", "not measured", str(snaps))
        return
    import io

    from PIL import Image

    from lenet.synthetic import draw
    from lenet.ui.readings import pad
    buf = io.BytesIO()
    Image.fromarray(draw(3, canvas=280), "RGBA").save(buf, "PNG")
    value = pad.value_of(buf.getvalue())                        # a drawing as the pad sends it
    x, whose = learning_tab.drawing_input(room, value, None, "pad", variant)
    steps = iter(range(10 ** 9))
    step = measure(lambda: learning_tab.step_view(room, variant, x, whose, next(steps) % len(snaps)), repeats)
    opened = measure(lambda: learning_tab.step_view(room, variant, *learning_tab.drawing_input(
        room, value, None, "pad", variant), 0), max(10, repeats // 3))
    results.add(SECTION_3, f"Learning tab: one slider step ({len(snaps)} snapshots)", fmt_ms(step, 50, 95),
                "one snapshot's numpy forward, answer, C1/C3 and curves HTML")
    results.add(SECTION_3, "Learning tab: opening it (read the drawing + a step)", fmt_ms(opened, 50, 95))
    results.bars.append(Bar("Learning slider step (handler) p50 <= 100 ms", step.ms(50), 100.0, unit=" ms"))
