"""Sections 2 and 3: Recognizer.predict on a sketchpad-sized drawing, split into its stages,
and the app's per-stroke handler called directly (found in app.py by its api_name)."""
import asyncio
import importlib.util
import inspect
import sys

from lenet import Recognizer, preprocess

from .drawing import sketchpad_value
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

def find_handler(root, api_name="predict"):
    """Set up root/app.py as its main() would, minus the server, and return (fn, inputs) of the
    event registered with `api_name`; raise LookupError saying why when there is none."""
    path = root / "app.py"
    if not path.is_file():
        raise LookupError("app.py does not exist yet")
    import gradio as gr

    spec = importlib.util.spec_from_file_location("bench_app_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # Gradio inspects the source of component classes app.py defines
    sys.path.insert(0, str(root))
    try:
        spec.loader.exec_module(module)
        demos = [v for v in vars(module).values() if isinstance(v, gr.Blocks)] or _run_main(module, gr)
    except Exception as err:  # app.py half-written, or its weights not there yet
        raise LookupError(f"app.py could not be set up ({type(err).__name__}: {str(err)[:120]})") from None
    finally:
        sys.path.remove(str(root))
    for demo in demos:
        for block_fn in demo.fns.values():
            if block_fn.api_name == api_name:
                return block_fn.fn, block_fn.inputs
    raise LookupError(f"app.py registers no event with api_name={api_name!r}")


def _run_main(module, gr):
    """app.py builds its Blocks inside main(): run main() with default arguments, catching the
    Blocks it launches instead of serving them."""
    launched = []
    original = gr.Blocks.launch
    gr.Blocks.launch = lambda self, *a, **k: launched.append(self)
    saved_argv, sys.argv = sys.argv, [module.__file__]
    try:
        module.main()
    finally:
        gr.Blocks.launch, sys.argv = original, saved_argv
    return launched


def _canvas(inputs):
    """(width, height) of the handler's Sketchpad/ImageEditor input; gradio's default otherwise."""
    for comp in inputs:
        if getattr(comp, "canvas_size", None):
            return tuple(comp.canvas_size)
    return (800, 800)


_LOOP = asyncio.new_event_loop()   # for coroutine handlers: one loop, as Gradio runs them on its own


def _call(fn, args):
    out = fn(*args)
    if inspect.iscoroutine(out):
        out = _LOOP.run_until_complete(out)
    if inspect.isgenerator(out):  # a streaming handler: everything it yields is work for the stroke
        out = list(out)
    return out


def handler(root, results, draw, repeats):
    """`draw(size)` makes the composite. Returns the canvas (width, height) app.py uses, or None
    (with a note in the table) when the handler is not there yet."""
    try:
        fn, inputs = find_handler(root)
    except LookupError as why:
        results.add(SECTION_3, "per-stroke handler", f"skipped: {why}")
        results.bars.append(Bar("per-stroke handler p50 <= 15 ms", None, 15.0, unit=" ms"))
        return None
    width, height = _canvas(inputs)
    composite = draw(width) if width == height else draw(max(width, height))[:height, :width]
    # The sketchpad gets our drawing; any other input (a variant choice, state, ...) its default value.
    args = [sketchpad_value(composite) if hasattr(comp, "canvas_size") else getattr(comp, "value", None)
            for comp in inputs]
    s = measure(lambda: _call(fn, args), repeats)
    name = getattr(fn, "__name__", repr(fn))
    results.add(SECTION_3, f"{name}(sketchpad {width}x{height} RGBA)", fmt_ms(s, 50, 95),
                f"{len(inputs)} input(s); outputs rendered by the handler included")
    results.bars.append(Bar("per-stroke handler p50 <= 15 ms", s.ms(50), 15.0, unit=" ms"))
    return width, height
