"""`python -m bench`: parse the options, run the six sections in order, print the table and
write bench/RESULTS.md."""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# As the app (lenet/ui/gate/tuning.py): OpenBLAS on one thread. With its default of one per core, the
# pipeline's small matrix products ran ~17x slower on a busy 2-core machine (40 vs 2.3 ms a drawing).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

MNIST = ROOT.parent / "shared" / "mnist" / "mnist.npz"


def parse(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench", description="Benchmark the LeNet-5 app (model paths, "
                                "Recognizer, per-stroke handler, HTTP, cold start, batches) against the issue's "
                                "bars; prints a table and writes bench/RESULTS.md.",
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--variant", default="modern", help="weights variant the Recognizer loads")
    p.add_argument("--weights-dir", default=None,
                   help="directory holding lenet5_<variant>.keras; None means the repo's weights/")
    p.add_argument("--repeats", type=int, default=300, help="timed repeats per in-process measurement")
    p.add_argument("--budget", type=float, default=8.0,
                   help="seconds at most per model-only path (slow paths stop early)")
    p.add_argument("--batch", type=int, default=256, help="images per predict_batch call")
    p.add_argument("--requests", type=int, default=100, help="sequential HTTP requests from one client")
    p.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    p.add_argument("--seconds", type=float, default=30.0, help="duration of the concurrent HTTP run")
    p.add_argument("--soak", type=int, default=1000, help="predictions served before the second memory reading")
    p.add_argument("--strokes", type=int, default=30, help="strokes drawn in Chromium per app (section 9)")
    p.add_argument("--skip-http", action="store_true", help="skip the sections that start servers (4, 5, 8, 9)")
    p.add_argument("--quick", action="store_true", help="a smoke run: 30 repeats, small batch, skips HTTP")
    p.add_argument("--section", choices=["8"], help="run one section alone (8: the lecture hall) and print it; "
                   "bench/RESULTS.md is written only with --output")
    p.add_argument("--people", type=int, nargs="+", default=[100, 200, 300, 500], help="section 8's room sizes")
    p.add_argument("--room-seconds", type=float, default=60.0, help="section 8: each room's length")
    p.add_argument("--output", type=Path, default=None, help="where the results go (default bench/RESULTS.md, "
                   "unless --section)")
    args = p.parse_args(argv)
    if args.output is None and args.section is None:
        args.output = ROOT / "bench" / "RESULTS.md"
    if args.quick:
        args.repeats, args.budget, args.batch, args.skip_http = 30, 2.0, 64, True
    return args


def batch_sets(count):
    """The images predict_batch is timed on: MNIST test digits (28x28, as a batch user would send),
    and sketchpad-sized drawings (280x280 RGBA) for comparison."""
    from lenet.synthetic import drawings
    sets = {}
    if MNIST.is_file():
        import numpy as np
        with np.load(MNIST) as f:
            sets[f"{count} MNIST test digits 28x28"] = list(f["x_test"][:count])
    else:
        sets[f"{count} drawings 28x28"] = [d[::10, ::10] for d, _ in drawings(count, 280)]
    sets[f"{count} drawings 280x280 RGBA"] = [d for d, _ in drawings(count, 280)]
    return sets


def main(argv=None):
    args = parse(argv)
    if args.section == "8":
        return section_8(args, argv)
    from lenet import Recognizer
    from lenet.synthetic import draw, drawings, save_png

    from . import http, model_paths, pipeline, report

    began, load_start = time.perf_counter(), report.load_average()
    progress = lambda what: print(f"[{time.perf_counter() - began:5.0f} s] {what} ...", flush=True)
    results = report.Results()
    rec = Recognizer.load(args.variant, args.weights_dir)               # what the app serves with
    keras_rec = Recognizer.load(args.variant, args.weights_dir, backend="tensorflow")   # section 1's other paths
    results.notes.append(f"weights: {args.variant} from {args.weights_dir or ROOT / 'weights'}; "
                         f"serving backend {rec.backend}")
    sketch = draw(3, canvas=800)

    progress("1/6 model only")
    lite = model_paths.model_only(keras_rec, results, args.repeats, args.budget)
    progress("2/6 Recognizer.predict")
    pipeline.recognizer_predict(rec, results, sketch, args.repeats)
    progress("3/6 per-stroke handler")
    canvas = pipeline.handler(ROOT, results, args.repeats, args.variant)
    pipeline.learning_step(results, args.repeats, args.variant, args.weights_dir)
    progress("6/6 batches")
    model_paths.batches(rec, results, batch_sets(args.batch), max(3, args.repeats // 60), lite)
    progress("7 whole numbers, invariance sweeps, saliency")
    from . import numbers
    numbers.run(rec, results, max(20, args.repeats // 3), keras_rec=keras_rec)
    progress("7b not a digit")
    from . import rejection
    rejection.run(rec, results)

    if args.skip_http:
        http.skipped(results, "--skip-http" if not args.quick else "--quick")
    elif not (ROOT / "app.py").is_file():
        http.skipped(results, "app.py does not exist yet")
    else:
        progress("4-5/6 HTTP, cold start, memory")
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            # What browsers send: PNGs of the app's canvas (800 px, gradio's default, if unknown), a
            # different drawing per client as in a room full of people.
            side = max(canvas or (800,))
            pngs = [save_png(d, Path(tmp) / f"digit{i}.png")
                    for i, (d, _) in enumerate(drawings(args.clients + 1, side))]
            try:
                http.served(ROOT, results, pngs, args.requests, args.clients, args.seconds, args.soak)
            except RuntimeError as err:  # the app would not start (e.g. its weights are not there yet)
                http.skipped(results, f"the app did not start: {str(err).splitlines()[0][:150]}")
        progress("4b/6 isolation under attack")
        try:
            from . import attack
            attack.under_attack(ROOT, results)
        except RuntimeError as err:
            results.notes.append(f"isolation under attack not measured: {str(err).splitlines()[0][:150]}")
        progress("8 a lecture hall: serving paths, rooms of people, replicas")
        try:
            from . import room
            room.run(ROOT, results, args.people, args.room_seconds)
        except RuntimeError as err:
            results.notes.append(f"section 8 not measured: {str(err).splitlines()[0][:150]}")
        progress("9 the page in Chromium: pen-up -> answer, beside Gradio's echo floor")
        from . import browser
        browser.run(ROOT, results, args.strokes)

    busy = max(os.getloadavg()[0], float(load_start.split(" / ")[0]) if load_start[0].isdigit() else 0.0)
    if busy > 0.5 * (os.cpu_count() or 1):
        results.notes.append(f"the machine was busy (1-min load average up to {busy:.1f} on {os.cpu_count()} cores): "
                             "timings are pessimistic; re-run on a quiet machine for final figures")
    results.rows.sort(key=lambda r: r.section[:2])  # sections in their numbered order; rows keep theirs
    results.bars.sort(key=lambda b: next((i for i, word in enumerate(BAR_ORDER) if word in b.text), len(BAR_ORDER)))
    context = {"command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
               "date": report.now_utc(), "duration": time.perf_counter() - began,
               "load_start": load_start, "load_end": report.load_average()}
    _finish(args, results, context)


def _finish(args, results, context):
    from . import report
    print(report.console(results))
    print(f"\n{context['duration']:.0f} s; load average at start {context['load_start']}, at end {context['load_end']}")
    if args.output is not None:
        args.output.write_text(report.markdown(results, context))
        print(f"wrote {args.output}")


def section_8(args, argv):
    """`python -m bench --section 8`: the lecture hall alone (bench/room.py)."""
    from . import report, room
    began, load_start, results = time.perf_counter(), report.load_average(), report.Results()
    room.run(ROOT, results, args.people, args.room_seconds)
    _finish(args, results, {"command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
                            "date": report.now_utc(), "duration": time.perf_counter() - began,
                            "load_start": load_start, "load_end": report.load_average()})


BAR_ORDER = ["model-only", "Recognizer.predict", "handler", "HTTP single", "clients", "cold start", "memory", "batch"]

if __name__ == "__main__":
    main()
