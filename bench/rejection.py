"""Section 7b: "that is not a digit" as the served Recognizer says it (issue 26): the share of
generated non-digits refused, by family, on draws never trained or calibrated on (lenet/rejection.py),
and the share of drawn digits still read right and accepted, against the issue's bars."""
import numpy as np

from lenet import nondigits, rejection, synthetic

from .report import Bar

SECTION = "7b. Not a digit (REJECT), served Recognizer"


def run(rec, results, count=800, digits=500, seed=7):
    """Refusal on the HELD-OUT families (fonts, shapes and pen/font digits never trained on) and
    the REPORT draw of the training families cut from lenet/synthetic.py's pen digits; acceptance
    on `digits` pen-drawn digits (seed `seed`, not the handsets' seed 0)."""
    pens = [255 - synthetic.draw(d % 10, canvas=112)[..., 0] for d in range(300)]   # ink, 255 = ink
    refused = {}
    for kind, sets in (("held-out families", rejection.nondigit_sets("held_out", None, None, count)),
                       ("training families, report draw",
                        rejection.nondigit_sets("report", np.stack(pens), np.arange(300) % 10, count,
                                                mix=nondigits.training_mix(rec.variant),
                                                fonts=nondigits.training_fonts(rec.variant)))):
        for family, x in sets.items():
            if len(x):
                share = float(np.mean(rec.run(x)["REJECT"][:, 0] > 0.5))
                refused.setdefault(kind, []).append((share, len(x)))
                results.add(SECTION, f"refused: {family} ({kind})", f"{100 * share:.1f} % of {len(x)}")
    pictures = synthetic.drawings(digits, canvas=280, seed=seed)
    preds = rec.predict_batch([p for p, _ in pictures])
    ok = np.mean([p.is_digit and p.digit == d for p, (_, d) in zip(preds, pictures)])
    results.add(SECTION, f"pen-drawn digits read right and accepted (seed {seed})", f"{100 * ok:.2f} % of {digits}")
    held = refused["held-out families"]
    share = sum(s * n for s, n in held) / sum(n for _, n in held)
    results.bars.append(Bar("not a digit: held-out non-digits refused >= 80 %", 100 * share, 80.0,
                            higher_is_better=True, unit=" %"))
    results.bars.append(Bar("not a digit: drawn digits read and accepted >= 99 %", 100 * ok, 99.0,
                            higher_is_better=True, unit=" %"))
