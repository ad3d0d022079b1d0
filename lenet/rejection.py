"""Saying "that is not a digit": the data REJECT learns from, its calibration, and its figures.

Three disjoint draws of generated non-digits (lenet/nondigits.py), each from its own seed and its
own digits: TRAINING (cut from MNIST training digits and training-font digits), CALIBRATION (from
the 5,000 validation digits train.py holds out) and REPORT (from MNIST test digits), plus HELD-OUT
families never used to train or calibrate (other fonts, other shapes, digits drawn by another pen).
`calibrate` sets REJECT's one threshold so that KEEP of the calibration digits are still read:
the decision is P(not a digit) > 0.5 after calibration, and Prediction.digit_score = 1 - that.
"""
import numpy as np

from . import nondigits as nd
from .network import REJECT

KEEP = 0.995                  # share of held-out calibration digits that must still read as digits
PRINTED_DIGITS = 5000         # typeset digits in the training fonts, labelled, beside them
SEEDS = {"training": 101, "calibration": 202, "report": 303, "held_out": 404}


def _inks_of(images28, labels):
    return [nd.digit_ink(a) for a in images28], np.asarray(labels)


def _with_fonts(rng, digits, font_files, count):
    inks, labels = nd.font_digits(count, font_files, rng)
    return list(digits[0]) + list(inks), np.concatenate([digits[1], labels])


def training_extra(images28, labels, seed=0, scale=1.0, mix=nd.TRAINING_MIX, count=nd.TRAINING_COUNT, fonts=None):
    """Extra training data: (inputs (n, 32, 32) float32, labels (n,) int32): printed digits in the
    training fonts (their digit) and `count` non-digits (label 10), cut from these MNIST training
    digits. `scale` shrinks every count (smoke tests); `mix` the families' shares and `count` the
    non-digits drawn, `fonts` the font files (nondigits.training_mix, training_count and training_fonts of
    the variant)."""
    rng = np.random.default_rng(SEEDS["training"] + seed)
    fonts = fonts or nd.training_fonts()
    n = lambda count: max(20, int(count * scale))  # noqa: E731
    printed, printed_y = nd.font_digits(n(PRINTED_DIGITS), fonts, rng)
    take = rng.choice(len(images28), min(len(images28), n(4000)), replace=False)
    digits = _with_fonts(rng, _inks_of(images28[take], labels[take]), fonts, n(1000))
    inks, _ = nd.make(n(count), rng, digits, fonts, nd.SHAPES, mix)
    xd, kd = nd.inputs(np.stack(printed))
    xn, _ = nd.inputs(inks)
    return (np.concatenate([xd, xn]).astype("float32"),
            np.concatenate([printed_y[kd], np.full(len(xn), 10)]).astype("int32"))


def nondigit_sets(kind, images28, labels, count=2000, mix=nd.TRAINING_MIX, fonts=None):
    """{family: inputs (n, 32, 32)} of one draw. kind "calibration" / "report": the training
    families and fonts, cut from the given digits; "held_out": families never trained on (other
    fonts' letters and signs, other shapes, pieces and pairs of pen-drawn and other-font digits)."""
    rng = np.random.default_rng(SEEDS[kind])
    if kind == "held_out":
        fonts = nd.fonts(nd.HELD_OUT_FONTS)
        pens = [nd.pen_digit(d % 10, rng) for d in range(300)]
        typed, typed_y = nd.font_digits(300, fonts, rng)
        out = {}
        for name, digits, mix in (
                ("letters_other_fonts", None, {"letters": 1}),
                ("shapes_other", None, {"shapes": 1}),
                ("pieces_of_pen_digits", (pens, np.arange(300) % 10), {"pieces": 1}),
                ("pairs_of_pen_digits", (pens, np.arange(300) % 10), {"pairs": 1}),
                ("pieces_of_other_font_digits", (typed, typed_y), {"pieces": 1}),
                ("pairs_of_other_font_digits", (typed, typed_y), {"pairs": 1})):
            inks, _ = nd.make(count // 4, rng, digits or (pens, np.arange(300) % 10), fonts, nd.HELD_OUT_SHAPES, mix)
            out[name] = nd.inputs(inks)[0]
        return out
    fonts = fonts or nd.training_fonts()
    digits = _with_fonts(rng, _inks_of(images28, labels), fonts, 300)
    inks, fams = nd.make(count, rng, digits, fonts, nd.SHAPES, mix)
    x, kept = nd.inputs(inks)
    return {f: x[fams[kept] == f] for f in mix}


def calibration_digits(images28, labels, x_validation, seed=0, fonts=None):
    """Held-out digits the threshold is set on: the validation digits as MNIST gives them, the same
    shrunk to 8 px and blown up (lenet/handsets.py's low-resolution recipe), digits typeset in the
    training fonts and pen-drawn digits (another draw than handsets'). (inputs, labels)."""
    from .handsets import lowres
    from .preprocess import preprocess_batch
    rng = np.random.default_rng(SEEDS["calibration"] + seed)
    small = [p.input for p in preprocess_batch(lowres(images28[:1000], 8))]
    printed, printed_y = nd.font_digits(1000, fonts or nd.training_fonts(), rng)
    xp, kp = nd.inputs(np.stack(printed))
    pens = np.stack([nd._fit(nd.pen_digit(d % 10, rng), rng) for d in range(500)])
    xe, ke = nd.inputs(pens)
    x = np.concatenate([x_validation.reshape(-1, 32, 32), np.stack(small), xp, xe])
    y = np.concatenate([labels, labels[:1000], printed_y[kp], (np.arange(500) % 10)[ke]])
    return x.astype("float32"), y.astype("int32")


# ---------------------------------------------------------------- calibration

def evidence(model, x):
    """Model (Keras) on (N, 32, 32) inputs -> (OUT, e): e grows with "not a digit", e = REJECT's
    logit plus its threshold: OUT's surprise (-log of the best probability) for a softmax OUT, eq. 9's
    soft nearest distance (-log sum e^-y_i) for the paper's distances."""
    from .model import digit_outputs, has_rbf_output
    out, _ = digit_outputs(model, np.asarray(x, "float32").reshape(-1, 32, 32, 1))
    out = out.astype("float64")
    if has_rbf_output(model):
        m = (-out).max(axis=1)
        return out, -(m + np.log(np.exp(-out - m[:, None]).sum(axis=1)))
    return out, -np.log(out.max(axis=1) + 1e-12)


def calibrate(model, x_digits, x_nondigits, keep=KEEP):
    """Set REJECT's threshold so that `keep` of `x_digits` read as digits (their evidence below it),
    and for softmax variants the slope of its score by likelihood on digits and non-digits. Changes
    the model's REJECT layer in place; returns what it set and what it gives on these sets."""
    _, ed = evidence(model, x_digits)
    _, en = evidence(model, x_nondigits)
    threshold = float(np.quantile(ed, keep))
    layer = model.get_layer(REJECT)
    if hasattr(layer, "j"):          # the paper's eq. 9: rubbish wins past the distance j
        layer.j = threshold
        slope = 1.0
    else:
        e = np.concatenate([ed, en]) - threshold
        t = np.concatenate([np.zeros(len(ed)), np.ones(len(en))])
        grid = np.geomspace(0.25, 50, 60)
        nll = [np.mean(np.logaddexp(0, -s * e) * t + np.logaddexp(0, s * e) * (1 - t)) for s in grid]
        slope = float(grid[int(np.argmin(nll))])
        layer.even, layer.scale = threshold, slope
    model.predict_function = None    # traced with the old constants
    return {"threshold": round(threshold, 5), "slope": round(slope, 4), "keep": keep,
            "calibration_digits_read_as_digits": round(float(np.mean(ed <= threshold)), 4),
            "calibration_nondigits_refused": round(float(np.mean(en > threshold)), 4),
            "calibration_sizes": {"digits": int(len(ed)), "nondigits": int(len(en))}}


def refused(model, x):
    """Share of inputs whose P(not a digit) is over 0.5 (the calibrated decision)."""
    from .model import digit_outputs
    if len(x) == 0:
        return float("nan")
    _, p = digit_outputs(model, np.asarray(x, "float32").reshape(-1, 32, 32, 1))
    return float(np.mean(p > 0.5))


def measure(model, test_images28, test_labels, x_test, y_test, mix=nd.TRAINING_MIX, fonts=None):
    """Refusal figures on data never trained or calibrated on: MNIST test digits (read right and
    accepted), the REPORT draw of the training families and the HELD-OUT families."""
    from .model import digit_outputs, has_rbf_output, predicted_digits
    out, p = digit_outputs(model, x_test)
    right = predicted_digits(out, has_rbf_output(model)) == y_test
    result = {"mnist_test_accepted": round(float(np.mean(p <= 0.5)), 4),
              "mnist_test_read_right_and_accepted": round(float(np.mean(right & (p <= 0.5))), 4)}
    for kind in ("report", "held_out"):
        sets = nondigit_sets(kind, test_images28, test_labels, mix=mix, fonts=fonts)
        per = {f: round(refused(model, x), 4) for f, x in sets.items()}
        sizes = {f: int(len(x)) for f, x in sets.items()}
        result[f"{kind}_nondigits_refused"] = round(float(np.mean(np.concatenate(
            [np.full(sizes[f], per[f]) for f in per if sizes[f]]))), 4)
        result[f"{kind}_per_family"] = per
        result[f"{kind}_sizes"] = sizes
    return result
