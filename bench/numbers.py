"""Section 7: whole numbers (time to read 5 digits; accuracy on the generated number set), the
invariance sweeps (21 steps, one model call each) and the saliency maps, against issue 16's bars."""
import numpy as np

from lenet import invariance, saliency, synthetic
from lenet.numbers import predict_number

from .report import Bar, fmt_ms
from .timing import measure

SECTION = "7. Whole numbers, invariance sweeps, saliency"


def run(rec, results, repeats, count=300, seed=0, keras_rec=None):
    """Time predict_number on 5-digit numbers (pen, and a font when installed), every sweep and
    both saliency maps; read the `count` generated numbers of synthetic.numbers(count, seed)."""
    pictures = {"pen": synthetic.number("20261", 80, gaps=0.3, slant=6)[0]}
    font = synthetic.find_font("DejaVuSans.ttf")
    if font:
        pictures["DejaVu Sans"] = synthetic.number("20261", 80, font=font, gaps=0.3)[0]
    worst = 0.0
    for name, picture in pictures.items():
        h, w = picture.shape[:2]
        s = measure(lambda: predict_number(rec, picture), repeats)
        worst = max(worst, s.ms(50))
        results.add(SECTION, f"predict_number, 5 digits, {name} ({w}x{h})", fmt_ms(s, 50, 95))
    results.bars.append(Bar("number: 5 digits read p50 <= 15 ms", worst, 15.0, unit=" ms"))

    seven = rec.predict(synthetic.draw(7))
    slowest = 0.0
    for name in invariance.SWEEPS:
        s = measure(lambda: invariance.sweep(rec, seven, name), repeats)
        slowest = max(slowest, s.ms(50))
        results.add(SECTION, f"sweep {name}, {invariance.STEPS} steps", fmt_ms(s, 50, 95),
                    invariance.sweep(rec, seven, name).reading)
    results.bars.append(Bar(f"sweep: {invariance.STEPS} steps p50 <= 50 ms (slowest sweep)", slowest, 50.0, unit=" ms"))
    occ = measure(lambda: saliency.occlusion(rec, seven), max(20, repeats // 10))
    results.add(SECTION, "saliency: occlusion (256 patches, one call)", fmt_ms(occ, 50, 95))
    if keras_rec is not None:   # input gradients need the TensorFlow backend
        seven_tf = keras_rec.predict(synthetic.draw(7))
        grad = measure(lambda: saliency.gradient(keras_rec, seven_tf, patch=saliency.PATCH), max(20, repeats // 10))
        results.add(SECTION, "saliency: gradient x input (tf.GradientTape)", fmt_ms(grad, 50, 95))

    styles = {}
    for rgba, text, _, style, touching in synthetic.numbers(count, seed=seed):
        got = predict_number(rec, rgba).text
        right = sum(a == b for a, b in zip(got, text)) if len(got) == len(text) else 0
        for key in (style, "touching" if touching else "separated", "all"):
            t = styles.setdefault(key, np.zeros(4, int))
            t += (got == text, 1, right, len(text))
    for key, (ok, n, right, digits) in sorted(styles.items(), key=lambda kv: kv[0] == "all"):
        results.add(SECTION, f"numbers ({key})", f"strings {ok}/{n} = {100 * ok / n:.1f} %, "
                    f"digits {right}/{digits} = {100 * right / digits:.2f} %")
    ok, n, right, digits = styles["all"]
    results.bars.append(Bar(f"number: exact strings >= 95 % ({n} generated, seed {seed})", 100 * ok / n, 95.0,
                            higher_is_better=True, unit=" %"))
    results.bars.append(Bar(f"number: digits >= 98.5 % ({digits} digits)", 100 * right / digits, 98.5,
                            higher_is_better=True, unit=" %"))
