"""Before the squashing function (issue 15.2): the sums C1 and C3 compute before their activation,
Σ patch·kernel + bias at every pixel, recomputed in numpy from what the layer reads (the scaled
input for C1, S2 for C3) and the recogniser's kernels and biases (either backend: lenet/facts.py
holds them). Activation(sums) is the map the network produced (tests/test_preactivation.py); the
first tab shows one or the other.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .network import activate


def correlate(x, kernel, bias):
    """A 'valid' convolution as Keras computes it (cross-correlation, stride 1): (H, W, in) input,
    (k, k, in, out) kernel, (out,) bias -> (H-k+1, W-k+1, out) float32 sums. C3's kernel is zero
    where the paper's table disconnects, so the same sum holds for the sparse layer."""
    x = np.asarray(x, dtype="float32")
    k = np.asarray(kernel, dtype="float32")
    windows = sliding_window_view(x, k.shape[:2], axis=(0, 1))        # (H', W', in, k, k)
    return np.einsum("hwcij,ijco->hwo", windows, k, optimize=True) + np.asarray(bias, "float32")


def sums(rec, prediction):
    """{"C1": (28, 28, 6), "C3": (10, 10, 16)}: the pre-activation sums behind a Prediction's maps."""
    scale, offset = rec.facts.scale
    x = prediction.input.astype("float32")[..., None] * np.float32(scale) + np.float32(offset)
    return {"C1": correlate(x, rec.kernels("C1"), rec.bias("C1")),
            "C3": correlate(prediction.feature_maps["S2"], rec.kernels("C3"), rec.bias("C3"))}


def squashed(rec, pre):
    """The layers' own activations applied to `sums` (what the network's maps should be)."""
    return {name: activate(rec.facts.activations[name], a) for name, a in pre.items()}
