"""Draw the app's example digits with Pillow polylines (no MNIST images): docs/examples/*.png.

Run: python scripts/make_examples.py
"""
import math
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 280
OUT = Path(__file__).resolve().parent.parent / "docs" / "examples"


def arc(cx, cy, rx, ry, start, end, n=40):
    """Points on an ellipse from `start` to `end` degrees (0 = right, 90 = down)."""
    return [(cx + rx * math.cos(math.radians(start + (end - start) * i / n)),
             cy + ry * math.sin(math.radians(start + (end - start) * i / n))) for i in range(n + 1)]


# Each digit: a list of strokes, each stroke a list of (x, y) points on a 280x280 canvas.
DIGITS = {
    0: [arc(140, 140, 62, 95, 0, 360)],
    1: [[(115, 75), (145, 45), (145, 235)]],
    2: [arc(140, 100, 58, 52, 200, 360) + [(185, 150), (85, 235), (205, 235)]],
    3: [arc(138, 92, 55, 45, 210, 450) + arc(138, 185, 62, 52, 270, 510)],
    4: [[(170, 235), (170, 45), (80, 170), (210, 170)]],
    7: [[(80, 55), (205, 55), (125, 235)]],
}


def render(strokes, width=18):
    im = Image.new("L", (SIZE, SIZE), 255)
    d = ImageDraw.Draw(im)
    for stroke in strokes:
        d.line(stroke, fill=0, width=width, joint="curve")
        r = width // 2
        for x, y in (stroke[0], stroke[-1]):
            d.ellipse((x - r, y - r, x + r, y + r), fill=0)
    return im


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for digit, strokes in DIGITS.items():
        render(strokes).save(OUT / f"digit_{digit}.png", optimize=True)
        print(OUT / f"digit_{digit}.png")


if __name__ == "__main__":
    main()
