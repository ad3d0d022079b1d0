"""Printed digits in type faces no model trained on: Debian font packages beyond the machine's own
(`make fonts` installs them), 100 digits a face at random height, weight, slant and place, read
through the served Recognizer. Reports read, read and accepted, and each face's share per variant.

Run from the repository root: python -m scripts.printed_faces [--per-face N] [--weights-dir D]
"""
import argparse

import numpy as np

from lenet import Recognizer, handsets, nondigits

# Faces in none of the training fonts (nondigits.TRAINING_FONTS), by design family: a face counts
# only if no face of its family trains.
HELD_OUT_FACES = ("FreeMono.ttf", "NimbusMonoPS-Regular.otf", "C059-Roman.otf", "P052-Roman.otf",
                  "URWBookman-Light.otf", "NotoSerif-Regular.ttf",
                  "OpenSans-Regular.ttf", "Cantarell-Regular.otf")


def pictures(per_face, seed=12):
    """[(RGBA, digit, face)] for the held-out faces found on this machine (lenet/handsets.py's recipe)."""
    faces = [(name, path) for name in HELD_OUT_FACES for path in nondigits.fonts([name])]
    return handsets.font_digits(seed, per_face, faces=faces)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m scripts.printed_faces", description=__doc__.split("\n\n")[0])
    p.add_argument("--per-face", type=int, default=100)
    p.add_argument("--weights-dir", default=None)
    args = p.parse_args(argv)
    assert not set(HELD_OUT_FACES) & set(nondigits.TRAINING_FONTS)
    data = pictures(args.per_face)
    faces = sorted({f for _, _, f in data})
    print(f"{len(faces)} held-out faces found of {len(HELD_OUT_FACES)}; {len(data)} digits")
    truth = np.array([d for _, d, _ in data])
    names = np.array([f for _, _, f in data])
    for variant in ("classic", "modern", "paper"):
        preds = Recognizer.load(variant, weights_dir=args.weights_dir).predict_batch([pic for pic, _, _ in data])
        right = np.array([getattr(q, "digit", None) == d for q, d in zip(preds, truth)])
        kept = np.array([bool(getattr(q, "is_digit", False)) for q in preds])
        worst = ", ".join(f"{f} {100 * right[names == f].mean():.0f} %" for f in faces if right[names == f].mean() < 1)
        print(f"{variant}: read {100 * right.mean():.2f} %, read and accepted {100 * (right & kept).mean():.2f} %"
              f"; below 100 %: {worst or 'none'}")


if __name__ == "__main__":
    main()
