"""Small digits enlarged: how the served Recognizer reads digits that were a few pixels high and were
blown up by a viewer, blocky (nearest) or smooth (bilinear, bicubic).

- MNIST test digits shrunk to 8 and 6 px high (area average) and enlarged 10x three ways (the card's
  `lowres_8px` is the bilinear 8 px row);
- with --optdigits, real 8x8 handwriting no model trained on or was tuned on: the UCI "optical
  recognition of handwritten digits" set (1,797 digits by 43 writers, 0-16 ink counts) that
  scikit-learn ships as sklearn/datasets/data/digits.csv.gz (`pip download scikit-learn --no-deps`,
  then unzip that file from the wheel), enlarged to 280 px the same three ways.

Run from the repository root: python -m scripts.small_digits [--optdigits digits.csv.gz] [--limit N] [--weights-dir D]
"""
import argparse
import gzip

import numpy as np
from PIL import Image

from lenet import InvalidDrawing, Recognizer, data, handsets

UPSCALERS = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
             "bicubic": Image.Resampling.BICUBIC}
SIDE = 280        # px, the sketchpad's drawing area


def optdigits(path):
    """UCI optdigits as (counts (N, 8, 8) in 0..16, labels (N,))."""
    with gzip.open(path) as f:
        raw = np.loadtxt(f, delimiter=",")
    return raw[:, :64].reshape(-1, 8, 8), raw[:, 64].astype(int)


def enlarged(counts, upscaler):
    """8x8 ink counts (0..16) -> black-on-white SIDE x SIDE pictures."""
    grey = (255 * (1 - counts / 16)).round().astype(np.uint8)
    return [Image.fromarray(g, "L").resize((SIDE, SIDE), UPSCALERS[upscaler]) for g in grey]


def read(model, pictures, chunk=500):
    """Predictions, None for a picture the pipeline refuses as a drawing (a faint 1 can be a dot)."""
    out = []
    for i in range(0, len(pictures), chunk):
        part = pictures[i:i + chunk]
        try:
            out += model.predict_batch(part)
        except InvalidDrawing:
            for picture in part:
                try:
                    out.append(model.predict(picture))
                except InvalidDrawing:
                    out.append(None)
    return out


def report(name, pictures, truth, models):
    for variant, model in models.items():
        readings = read(model, pictures)
        right = np.array([r is not None and r.digit == t for r, t in zip(readings, truth)])
        kept = np.array([r is not None and bool(r.is_digit) for r in readings])
        print(f"| {name} | {variant} | {100 * right.mean():.2f} % | {100 * (right & kept).mean():.2f} % |", flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m scripts.small_digits", description=__doc__.split("\n\n")[0])
    p.add_argument("--optdigits", help="sklearn/datasets/data/digits.csv.gz (real 8x8 handwriting)")
    p.add_argument("--limit", type=int, default=None, help="MNIST test digits to use (default: all 10,000)")
    p.add_argument("--weights-dir", default=None)
    p.add_argument("--variants", default="classic,modern,paper")
    args = p.parse_args(argv)
    models = {v: Recognizer.load(v, weights_dir=args.weights_dir) for v in args.variants.split(",")}
    print("| set | variant | read | read and accepted |\n|---|---|---|---|")
    if args.optdigits:
        counts, truth = optdigits(args.optdigits)
        for upscaler in UPSCALERS:
            report(f"UCI optdigits 8x8, {upscaler}", enlarged(counts, upscaler), truth, models)
    with np.load(data.DEFAULT_DATA) as d:
        images, truth = d["x_test"][:args.limit], d["y_test"][:args.limit]
    for px in (8, 6):
        for upscaler in UPSCALERS:
            pictures = handsets.lowres(images, px, upscale=UPSCALERS[upscaler])
            report(f"MNIST test, {px} px, {upscaler}", pictures, truth, models)


if __name__ == "__main__":
    main()
