"""Section 7: whole numbers (time to read 5 digits; accuracy on the generated number set the reader
was tuned on, and on the held-out families it never was: docs/numbers.md), the invariance sweeps
(21 steps, one model call each) and the saliency maps, against issue 16's and issue 26's bars.
`python -m bench.numbers` runs the number rows alone (the timing and both sets)."""
import argparse

import numpy as np

from lenet import invariance, saliency, synthetic
from lenet.numbers import predict_number

from .report import Bar, Results, console, fmt_ms
from .timing import measure

SECTION = "7. Whole numbers, invariance sweeps, saliency"


def run(rec, results, repeats, count=300, seed=0, keras_rec=None):
    """Time predict_number on 5-digit numbers, every sweep and both saliency maps; read the `count`
    numbers of both number sets (see number_rows)."""
    number_rows(rec, results, repeats, count, seed)
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


def number_rows(rec, results, repeats, count=300, seed=0, held_out_seed=101):
    """predict_number's time on 5-digit numbers (pen, and a font when installed), then the `count`
    numbers of synthetic.numbers(count, seed) (the family the reader was tuned on) and of
    synthetic.held_out_numbers(count, held_out_seed) (never tuned on): strings and digits per kind."""
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

    for family, items in ((f"generated, tuned on, seed {seed}", synthetic.numbers(count, seed=seed)),
                          (f"held-out families, seed {held_out_seed}",
                           synthetic.held_out_numbers(count, seed=held_out_seed))):
        table = accuracy(rec, items)
        for key, (ok, n, right, digits) in table.items():
            results.add(SECTION, f"numbers {family} ({key})", f"strings {ok}/{n} = {100 * ok / n:.1f} %, "
                        f"digits {right}/{digits} = {100 * right / digits:.2f} %")
        ok, n, right, digits = table["all"]
        results.bars.append(Bar(f"number: exact strings >= 95 % ({n} {family})", 100 * ok / n, 95.0,
                                higher_is_better=True, unit=" %"))
        results.bars.append(Bar(f"number: digits >= 98.5 % ({digits} digits, {family})", 100 * right / digits,
                                98.5, higher_is_better=True, unit=" %"))


def accuracy(rec, items):
    """[(RGBA, text, boxes, style, touching)] -> {kind: (strings right, strings, digits right, digits)}
    for "all", printed and pen, separated and touching. A digit is right where the string has the right
    length and that digit matches (a string read one digit too long counts none of its digits)."""
    table = {key: np.zeros(4, int) for key in ("printed", "pen", "separated", "touching", "all")}
    for rgba, text, _, style, touching in items:
        got = predict_number(rec, rgba).text
        right = sum(a == b for a, b in zip(got, text)) if len(got) == len(text) else 0
        for key in ("pen" if style.startswith("pen") else "printed", "touching" if touching else "separated", "all"):
            table[key] += (got == text, 1, right, len(text))
    return {key: tuple(int(v) for v in t) for key, t in table.items() if t[1]}


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.numbers", description=number_rows.__doc__)
    p.add_argument("--variant", default="modern")
    p.add_argument("--weights-dir", default=None, help="directory of the weights; None: the repo's weights/")
    p.add_argument("--count", type=int, default=300, help="numbers per set")
    p.add_argument("--repeats", type=int, default=100, help="timed readings of each 5-digit number")
    args = p.parse_args(argv)
    from lenet import Recognizer
    results = Results()
    number_rows(Recognizer.load(args.variant, args.weights_dir), results, args.repeats, args.count)
    print(console(results))


if __name__ == "__main__":
    main()
