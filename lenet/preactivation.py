"""Before the squashing function: the sums each layer of LeNet-5 computes before its
activation, recomputed in numpy from what the layer reads (the network's own output of the layer
before it; the scaled input for C1) and the recogniser's weights (either backend: lenet/facts.py
holds them):

  C1, C3, C5   Σ patch·kernel + bias at every pixel (C3's kernel is zero where the table disconnects)
  S2, S4       the paper's subsampling: the mean of each 2×2 block × coefficient + bias
  F6           Σ weight·C5 + bias

Max-pooling (the modern variant's S2 and S4) has no squashing function, so no sums: `sums` leaves it
out and `shown` says so in its title. Activation(sums) is the map the network produced
(tests/test_preactivation.py). `shown` is what every tab's switch draws: the maps or the sums, and
the title suffix that says which.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .network import activate

SHOWN = ("C1", "S2", "C3", "S4", "C5", "F6")     # the layers the page draws as maps or strips
READS = {"C1": "scale", "S2": "C1", "C3": "S2", "S4": "C3", "C5": "S4", "F6": "C5"}   # what each layer reads
BEFORE = " · before squashing"
NO_SQUASHING = " · max-pooling has no squashing function: its output as is"


def correlate(x, kernel, bias):
    """A 'valid' convolution as Keras computes it (cross-correlation, stride 1): (H, W, in) input,
    (k, k, in, out) kernel, (out,) bias -> (H-k+1, W-k+1, out) float32 sums. C3's kernel is zero
    where the paper's table disconnects, so the same sum holds for the sparse layer."""
    x = np.asarray(x, dtype="float32")
    k = np.asarray(kernel, dtype="float32")
    windows = sliding_window_view(x, k.shape[:2], axis=(0, 1))        # (H', W', in, k, k)
    return np.einsum("hwcij,ijco->hwo", windows, k, optimize=True) + np.asarray(bias, "float32")


def squashes(rec, layer):
    """Whether `layer` has a squashing function (max-pooling has none: nothing to show before it)."""
    return rec.facts.activations.get(layer, "") not in ("", "linear")


def scaled_input(rec, x32):
    """(32, 32) ink -> (32, 32, 1) what C1 reads: the model's scale layer, in float32 as Keras does."""
    scale, offset = rec.facts.scale
    return np.asarray(x32, "float32")[..., None] * np.float32(scale) + np.float32(offset)


def layer_sums(rec, layer, before):
    """What `layer` adds up before its squashing function, from `before` (the output of the layer it
    reads, READS, no batch axis). C1..S4 keep their maps' shape, C5 and F6 are flat (120,) and (84,)
    as Prediction.feature_maps holds them. None for a layer with no squashing (max-pooling)."""
    if not squashes(rec, layer):
        return None
    x = np.asarray(before, "float32")
    kind = rec.facts.layer_class(layer)
    if kind in ("Conv2D", "SparseConv2D"):
        z = correlate(x, rec.kernels(layer), rec.bias(layer))
        return z.reshape(-1) if layer == "C5" else z
    if kind == "Subsampling":
        h, w, c = x.shape
        mean = x[:h // 2 * 2, :w // 2 * 2].reshape(h // 2, 2, w // 2, 2, c).mean(axis=(1, 3), dtype="float32")
        return mean * np.asarray(rec.facts.arrays[f"coefficient/{layer}"], "float32") + rec.bias(layer)
    if kind == "Dense":
        return x.reshape(-1) @ np.asarray(rec.kernels(layer), "float32") + rec.bias(layer)
    raise ValueError(f"no sums for {layer} ({kind})")


def sums(rec, prediction, layers=SHOWN):
    """{layer: its sums before squashing} behind a Prediction's maps, for each of `layers` that has a
    squashing function (the max-pooling layers are left out): C1 (28, 28, 6), S2 (14, 14, 6),
    C3 (10, 10, 16), S4 (5, 5, 16), C5 (120,), F6 (84,)."""
    fm = prediction.feature_maps
    out = {}
    for name in layers:
        before = scaled_input(rec, prediction.input) if name == "C1" else fm[READS[name]]
        z = layer_sums(rec, name, before)
        if z is not None:
            out[name] = z
    return out


def squashed(rec, pre):
    """The layers' own activations applied to `sums` (what the network's maps should be)."""
    return {name: activate(rec.facts.activations[name], a) for name, a in pre.items()}


def shown(rec, prediction, pre, layers=SHOWN):
    """What a figure of `layers` shows for the switch `pre`: ({layer: the network's output, or with
    pre=True its sums before squashing}, {layer: the title's suffix saying which: "" after squashing,
    BEFORE for sums, NO_SQUASHING for a max-pooling layer, shown as it is})."""
    fm = prediction.feature_maps
    if not pre:
        return {n: fm[n] for n in layers}, {n: "" for n in layers}
    z = sums(rec, prediction, layers)
    return {n: z.get(n, fm[n]) for n in layers}, {n: BEFORE if n in z else NO_SQUASHING for n in layers}
