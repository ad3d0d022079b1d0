"""What a pad sends and a tab shows, built here for the tests of lenet/ui/readings and the page:
a drawing as the pad's value, the answer a tab shows, a figure's pictures, C1's sums by a loop."""
import io
import re

import numpy as np
from PIL import Image

from lenet.decode import MESSAGES
from lenet.synthetic import draw
from lenet.ui.readings import pad

SENTENCES = {pad.NOT_A_DRAWING, *MESSAGES.values()}   # everything the page may say instead of a digit


def png_bytes(rgba):
    buf = io.BytesIO()
    Image.fromarray(np.asarray(rgba, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def pad_value(digit, seq=1, canvas=280):
    """What the pad sends for `digit` drawn with the pen: a PNG of the canvas, in its JSON."""
    return pad.value_of(png_bytes(draw(digit, canvas=canvas, background="transparent")), seq)


def shown(outputs):
    """The digit the first output (the answer HTML) shows, or the sentence shown instead."""
    found = re.search(r'data-digit="(\d)"', outputs[0])
    return int(found.group(1)) if found else re.sub(r"<[^>]+>", "", outputs[0])


def figures(page):
    """A tab's HTML -> [(title, its pictures' HTML)] per figure (lenet/visualize's .lf blocks)."""
    parts = re.split(r'<div class="lf[ "]', page)[1:]
    return [(re.search(r'<div class="lf-title">([^<]*)</div>', p).group(1), p) for p in parts]


def pictures(inline_images, page):
    return [np.asarray(im.convert("RGB")) for _, _, im in inline_images(page)]


def c1_sums_by_loop(rec, x32):
    """C1's sums before squashing, one pixel at a time: the scaled input's 5×5 patch · kernel + bias."""
    x = 1.275 * np.asarray(x32, "float64") - 0.1
    k, b = rec.kernels("C1")[:, :, 0, :].astype("float64"), rec.bias("C1")
    return np.array([[[np.sum(x[r:r + 5, c:c + 5] * k[:, :, m]) + b[m] for m in range(6)]
                      for c in range(28)] for r in range(28)])

