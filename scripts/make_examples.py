"""Draw the app's example digits (docs/examples/digit_<d>.png, 280x280, black on white) with the
project's one drawing helper, lenet/synthetic.py: pen strokes, no MNIST images.

Run from the repository root: python -m scripts.make_examples
"""
from pathlib import Path

from PIL import Image

from lenet.synthetic import draw

SIZE = 280
DIGITS = (0, 1, 2, 3, 4, 7)
OUT = Path(__file__).resolve().parent.parent / "docs" / "examples"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for digit in DIGITS:
        rgba = draw(digit, canvas=SIZE, height=0.68, pen=18)
        path = OUT / f"digit_{digit}.png"
        Image.fromarray(rgba[..., :3]).convert("L").save(path, optimize=True)
        print(path)


if __name__ == "__main__":
    main()
