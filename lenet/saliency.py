"""Why this digit: saliency maps over the 32x32 input, two independent ways.

- occlusion: slide a small background patch over the input and measure how much the chosen
  digit's probability drops with that patch hidden (every patch in one model call);
- gradient x input: the gradient of the chosen digit's log-probability with respect to each input
  pixel, times the pixel's ink: a first-order estimate of what removing that ink would cost, which
  is what occlusion measures directly (both use the log-probability, so they can be compared).
Positive values: ink that pushed the decision toward the digit; negative: ink that argued against."""
import numpy as np

from .invariance import class_probabilities
from .network import LAYERS
from .preprocess import INPUT

PATCH, STRIDE = 2, 2   # 2x2 patches tiling the input: 16 x 16 = 256 occluded inputs, one call.
# 2x2 agrees with gradient() better than larger patches (docs/performance.md).


GRADIENTS_NEED_TF = ("Input gradients need TensorFlow; this recogniser runs in LiteRT (load it with "
                     "backend=\"tensorflow\" or LENET_BACKEND=tensorflow). Occlusion works on both.")


class GradientsUnavailable(RuntimeError):
    """gradient() on a recogniser without a differentiable model (the LiteRT backend)."""


def occlusion(recognizer, x, digit=None, patch=PATCH, stride=STRIDE, log=True, margin=False):
    """(32, 32) input (or a Prediction) -> (32, 32) float64: at each pixel, the mean drop of `digit`'s
    log-probability (`log`=False: its probability) over the patches covering it; `digit` defaults to
    the digit read. The log keeps a confident reading's map from being all zeros (p = 0.9999 hardly
    drops until the digit is destroyed). margin=True: the drop of its log-odds over the strongest
    other digit, log p(digit) - max log p(other), which does not saturate at all for a confident
    reading (the page's "Why this digit?"). One model call holds the untouched input and every occluded
    one; a patch over blank input leaves the input, and so the reading, unchanged."""
    x, digit, _ = _input(recognizer, x, digit)
    stack, corners = occluded(x, patch, stride)
    probs = class_probabilities(recognizer, recognizer.run(stack)["OUT"])
    if margin:
        logs = np.log(np.maximum(probs.astype("float64"), 1e-300))
        score = logs[:, digit] - np.delete(logs, digit, axis=1).max(axis=1)
    else:
        score = np.log(np.maximum(probs[:, digit], 1e-300)) if log else probs[:, digit]
    return spread(score[0] - score[1:], corners, patch)


def spread(values, corners, patch=PATCH):
    """One value per patch -> (32, 32): each pixel the mean over the patches covering it."""
    total = np.zeros((INPUT, INPUT))
    count = np.zeros((INPUT, INPUT))
    for v, (r, c) in zip(values, corners):
        total[r:r + patch, c:c + patch] += v
        count[r:r + patch, c:c + patch] += 1
    return total / np.maximum(count, 1)


def occluded(x, patch=PATCH, stride=STRIDE):
    """(32, 32) -> ((1 + k, 32, 32) the input then each occluded copy, [(row, col)] the k patches'
    top-left corners). Patches cover the whole input (the last row and column of patches are
    moved in to end at the border)."""
    starts = sorted(set(range(0, INPUT - patch + 1, stride)) | {INPUT - patch})
    corners = [(r, c) for r in starts for c in starts]
    stack = np.repeat(np.asarray(x, np.float32)[None], len(corners) + 1, axis=0)
    for i, (r, c) in enumerate(corners, 1):
        stack[i, r:r + patch, c:c + patch] = 0.0
    return stack, corners


def gradient(recognizer, x, digit=None, patch=None, stride=STRIDE):
    """(32, 32) input (or a Prediction) -> (32, 32) float64 gradient x input of `digit`'s
    log-probability (default digit: the one read), from the Keras model (recognizer.model) with
    tf.GradientTape. With `patch`, each pixel holds instead the mean over the patches covering it
    of the patch's summed gradient x input: the first-order estimate of what occlusion() measures.
    Needs the TensorFlow backend (a LiteRT interpreter has no gradients): on the lean serving path
    it raises GradientsUnavailable, and occlusion() still works."""
    if getattr(recognizer, "probe", None) is None:
        raise GradientsUnavailable(GRADIENTS_NEED_TF)
    import tensorflow as tf
    x, digit, rbf = _input(recognizer, x, digit)
    t = tf.constant(x.reshape(1, INPUT, INPUT, 1))
    with tf.GradientTape() as tape:
        tape.watch(t)
        out = recognizer.probe(t)[LAYERS.index("OUT")]
        # log P(digit): minus the distance less the log-sum for the paper's RBF (the posterior's
        # digit share), the log of the softmax otherwise.
        log_p = tf.nn.log_softmax(-out)[:, digit] if rbf else tf.math.log(tf.maximum(out[:, digit], 1e-30))
    grad = tape.gradient(log_p, t).numpy().reshape(INPUT, INPUT).astype("float64")
    contribution = grad * x
    if patch is None:
        return contribution
    _, corners = occluded(x, patch, stride)
    return spread([contribution[r:r + patch, c:c + patch].sum() for r, c in corners], corners, patch)


def _input(recognizer, x, digit):
    """-> (32, 32) float32 input, the digit to explain, whether OUT is the paper's RBF."""
    rbf = bool(getattr(recognizer, "rbf", False))
    if digit is None and hasattr(x, "digit"):
        digit = x.digit
    x = np.asarray(getattr(x, "input", x), dtype=np.float32).reshape(INPUT, INPUT)
    if digit is None:
        digit = int(class_probabilities(recognizer, recognizer.run(x[None])["OUT"])[0].argmax())
    return x, int(digit), rbf


def agreement(a, b, where, top=0.2):
    """How far two saliency maps agree over the pixels `where` (bool (32, 32), e.g. the ink):
    (Spearman rank correlation, share of the top `top` fraction of pixels by a that are also in b's)."""
    a, b = np.asarray(a)[where], np.asarray(b)[where]
    rank = lambda v: np.argsort(np.argsort(v)).astype(float)
    ra, rb = rank(a), rank(b)
    rho = float(np.corrcoef(ra, rb)[0, 1])
    k = max(1, int(round(top * len(a))))
    overlap = len(set(np.argsort(-a)[:k]) & set(np.argsort(-b)[:k])) / k
    return rho, overlap


# ---------------------------------------------------------------- the picture

def render(x, saliency, scale=8, legend=True):
    """The (32, 32) input in grey with the saliency over it, red where ink pushed toward the digit
    and blue where it pushed away (symmetric scale, strongest = full colour), each input pixel
    `scale` px, and a colour legend under it -> RGB uint8 array."""
    from PIL import Image, ImageDraw, ImageFont
    x = np.clip(np.asarray(getattr(x, "input", x), dtype=np.float64).reshape(INPUT, INPUT), 0, 1)
    s = np.asarray(saliency, dtype=np.float64)
    peak = float(np.abs(s).max())
    v = s / peak if peak > 0 else np.zeros_like(s)
    base = 1.0 - 0.55 * x                      # ink dark grey, background white
    rgb = np.repeat(base[..., None], 3, axis=2)
    rgb = _tint(rgb, v)
    side = INPUT * scale
    im = Image.fromarray((rgb * 255 + 0.5).astype(np.uint8)).resize((side, side), Image.Resampling.NEAREST)
    if not legend:
        return np.asarray(im)
    font = ImageFont.load_default(11)
    w = im.width
    out = Image.new("RGB", (w, im.height + 34), "white")
    out.paste(im, (0, 0))
    ramp = np.linspace(-1, 1, w - 20)
    bar = _tint(np.ones((10, len(ramp), 3)), np.repeat(ramp[None], 10, axis=0))
    out.paste(Image.fromarray((bar * 255 + 0.5).astype(np.uint8)), (10, im.height + 4))
    d = ImageDraw.Draw(out)
    y = im.height + 16
    d.text((10, y), "against", fill="black", font=font, anchor="lt")
    d.text((w // 2, y), "0", fill="black", font=font, anchor="mt")
    d.text((w - 10, y), f"for ({peak:.2g})", fill="black", font=font, anchor="rt")
    return np.asarray(out)


def _tint(rgb, v):
    """Blend red (v > 0) or blue (v < 0) over rgb in proportion to |v| (v in [-1, 1])."""
    red, blue = np.array([0.84, 0.15, 0.16]), np.array([0.13, 0.4, 0.75])
    a = np.abs(v)[..., None]
    colour = np.where(v[..., None] >= 0, red, blue)
    return rgb * (1 - a) + colour * a
