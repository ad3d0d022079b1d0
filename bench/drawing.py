"""Synthetic inputs: digits drawn with Pillow like a sketchpad stroke (black on white RGBA),
saved as PNGs for HTTP, and wrapped as the Sketchpad's dict value."""
import numpy as np
from PIL import Image, ImageDraw

# Each digit as strokes of (x, y) points in a unit square; enough shapes for varied batches.
STROKES = {
    1: [[(0.35, 0.25), (0.55, 0.1), (0.55, 0.9)]],
    2: [[(0.25, 0.25), (0.45, 0.1), (0.7, 0.15), (0.72, 0.4), (0.25, 0.9), (0.78, 0.9)]],
    3: [[(0.25, 0.15), (0.7, 0.15), (0.45, 0.45), (0.72, 0.6), (0.65, 0.85), (0.25, 0.88)]],
    4: [[(0.6, 0.9), (0.6, 0.1), (0.22, 0.65), (0.8, 0.65)]],
    7: [[(0.22, 0.12), (0.78, 0.12), (0.42, 0.9)]],
}


def draw_digit(size=800, digit=3, jitter=0.0, seed=0):
    """(size, size, 4) uint8 RGBA: a thick black digit on opaque white, as a sketchpad composite."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGBA", (size, size), (255, 255, 255, 255))
    pen = ImageDraw.Draw(image)
    width = max(2, size // 25)
    margin, span = 0.15 * size, 0.7 * size
    for stroke in STROKES[digit]:
        points = [(margin + span * (x + rng.normal(0, jitter)), margin + span * (y + rng.normal(0, jitter)))
                  for x, y in stroke]
        pen.line(points, fill=(0, 0, 0, 255), width=width, joint="curve")
        for x, y in points:  # round caps, like a brush
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=(0, 0, 0, 255))
    return np.asarray(image)


def drawings(count, size, jitter=0.03):
    """`count` varied digits of `size` px."""
    digits = list(STROKES)
    return [draw_digit(size, digits[i % len(digits)], jitter, seed=i) for i in range(count)]


def sketchpad_value(composite):
    """What gr.Sketchpad hands its .change handler."""
    return {"background": None, "layers": [], "composite": composite}


def save_png(array, path):
    Image.fromarray(array, "RGBA").save(path)
    return path
