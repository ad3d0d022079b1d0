"""Sections 1 and 6: the model alone — the ways to run the probe on one input, and batch throughput."""
import time

import numpy as np

from lenet import LAYERS

from .report import Bar, fmt_ms
from .tflite import TFLiteProbe
from .timing import measure

SECTION_1 = "1. Model only: one 32x32 input, probabilities + all feature maps"
SECTION_6 = "6. Batch throughput"
APP_PATH = "Recognizer.run (the app's path)"


def _candidates(rec):
    """name -> zero-argument callable returning every output as numpy for one fixed input;
    name -> note (a reason when the path could not be built); the TFLite model or None."""
    import tensorflow as tf

    x = np.random.default_rng(0).random((1, 32, 32), dtype="float32")
    x4 = x.reshape(1, 32, 32, 1)
    to_numpy = lambda outs: [o.numpy() for o in outs]
    fresh = tf.function(rec.probe)
    paths = {
        APP_PATH: lambda: rec.run(x),
        "probe.predict(x)": lambda: rec.probe.predict([x4], verbose=0),
        "probe(x)": lambda: to_numpy(rec.probe([x4], training=False)),
        "fresh tf.function(probe)": lambda: to_numpy(fresh([x4])),
    }
    notes, lite = {}, None
    try:
        t0 = time.perf_counter()
        lite = TFLiteProbe(rec.probe, LAYERS)
        built = time.perf_counter() - t0
        name = f"TFLite interpreter ({lite.runtime})"
        paths[name] = lambda: lite(x)
        # The same numbers, or the comparison means nothing.
        err = max(float(np.abs(lite(x)[n] - rec.run(x)[n]).max()) for n in LAYERS)
        notes[name] = (f"max abs diff vs Recognizer.run {err:.1e}; {lite.size / 1024:.0f} KiB; "
                       f"converted in {built:.1f} s")
    except Exception as err:  # conversion or interpreter missing in this TF build
        notes["TFLite interpreter"] = f"n/a: {type(err).__name__}: {str(err).splitlines()[0][:120]}"
    return paths, notes, lite


def model_only(rec, results, repeats, budget):
    """Returns the TFLite model for section 6 (None when it could not be built)."""
    paths, notes, lite = _candidates(rec)
    samples = {name: measure(fn, repeats, warmup=20, budget=budget) for name, fn in paths.items()}
    fastest = min(s.ms(50) for s in samples.values())
    for name, s in samples.items():
        results.add(SECTION_1, name, f"{fmt_ms(s, 50)} · {s.ms(50) / fastest:.1f}x the fastest", notes.get(name, ""))
    for name in notes.keys() - samples.keys():
        results.add(SECTION_1, name, notes[name])
    ratio = samples[APP_PATH].ms(50) / fastest
    results.bars.append(Bar("model-only path the app uses within 2x of the fastest (p50 ratio)", ratio, 2.0, unit="x"))
    return lite


def batches(rec, results, image_sets, repeats, lite=None):
    """predict_batch (preprocessing included) on each named list of images, then Recognizer.run
    (and the TFLite interpreter, when there is one) on 1000 ready 32x32 inputs. The bar is judged
    on the first set."""
    ready = np.random.default_rng(1).random((1000, 32, 32), dtype="float32")
    runs = [(f"predict_batch: {label}", len(images), lambda images=images: rec.predict_batch(images))
            for label, images in image_sets.items()]
    runs.append(("Recognizer.run(1000 x 32x32), no preprocessing", len(ready), lambda: rec.run(ready)))
    if lite is not None:
        runs.append(("TFLite interpreter(1000 x 32x32), for comparison", len(ready), lambda: lite(ready)))
    rates = []
    for name, count, fn in runs:
        s = measure(fn, repeats, warmup=2)
        rates.append(count / (s.ms(50) / 1e3))
        results.add(SECTION_6, name, f"{rates[-1]:,.0f} images/s at p50 · {fmt_ms(s, 50, 95)} per batch")
    results.bars.append(Bar(f"batch >= 5,000 images/s ({runs[0][0]})", rates[0], 5000,
                            higher_is_better=True, unit=" img/s"))
