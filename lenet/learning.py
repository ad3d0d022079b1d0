"""Watching LeNet-5 learn: the snapshots one training run keeps of its weights
(weights/lenet5_<variant>_snapshots.npz, written by `python -m lenet train --snapshots`) and a numpy
forward of any of them on one drawing's 32x32 input: the digit probabilities, C1's kernels and maps,
C3's maps. Pure numpy: no Keras, so the app reads a snapshot in ~1 ms on its lean path.

The forward follows the weights it finds: a Subsampling S-layer (coefficient and bias) or max-pooling
(no weights); C3 as the paper's sparse table ((5, 5, 60) kernels) or a full convolution; OUT as a
softmax Dense (more than 10 units: the first 10 are the digits, the rest "not a digit") or, with no
weights at all, the paper's Euclidean RBF over the fixed codes (eq. 9). Weights of any other layer
(say an extra head) are ignored. The activations are the variant's (lenet/model.py)."""
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .codes import CODES, code_matrix
from .network import C3_TABLE, activate, posterior
from .paths import WEIGHTS

SCALE = (1.275, -0.1)   # the model's input scale layer (lenet/model.py _ink_to_paper_scale)
ACTIVATION = {"classic": "scaled_tanh", "paper": "scaled_tanh", "modern": "relu"}   # lenet/model.py
CURVES = ("step", "epoch", "loss", "train_accuracy", "test_accuracy")
NEEDED = ("C1/kernel", "C1/bias", "C3/kernel", "C3/bias", "C5/kernel", "C5/bias", "F6/kernel", "F6/bias")


class SnapshotsError(ValueError):
    """No usable snapshot file for a variant; the message is one sentence for a person."""


def path(variant, weights_dir=None):
    return Path(weights_dir or WEIGHTS) / f"lenet5_{variant}_snapshots.npz"


@dataclass(frozen=True, eq=False)
class Snapshots:
    """One training run's snapshots: K points, curves (K,) each, weights {"C1/kernel": (K, ...) float32}."""
    variant: str
    step: np.ndarray             # optimizer steps (batches) seen; 0 = initialisation
    epoch: np.ndarray            # step / steps_per_epoch
    loss: np.ndarray             # training loss at that point
    train_accuracy: np.ndarray   # on a fixed training subset
    test_accuracy: np.ndarray    # on MNIST test images
    steps_per_epoch: int
    batch_size: int
    notes: str
    weights: dict

    def __len__(self):
        return len(self.step)

    def kernels_c1(self, at):
        """C1's six 5x5 kernels at snapshot `at`: (5, 5, 1, 6)."""
        return self.weights["C1/kernel"][at]


def _short(name):
    """A Keras weight path ("C1/kernel", or with a model prefix) -> "layer/variable"."""
    return "/".join(str(name).split("/")[-2:])


def load(file, variant=None):
    """Read a snapshot file -> Snapshots (weights as float32). Raises SnapshotsError with one sentence
    when it is missing, unreadable or lacks what the forward needs."""
    file = Path(file)
    if not file.is_file():
        raise SnapshotsError(f"There are no training snapshots for the {variant or 'selected'} model "
                             f"({file.name} is not in the weights folder).")
    try:
        with np.load(file, allow_pickle=False) as f:
            names = [str(n) for n in f["names"]]
            weights = {_short(n): np.asarray(f[f"w:{n}"], "float32") for n in names}
            curves = {k: np.asarray(f[k], "int64" if k == "step" else "float64") for k in CURVES}
            meta = {k: f[k][()] if k in f.files else d for k, d in
                    (("steps_per_epoch", 0), ("batch_size", 0), ("variant", variant or ""), ("notes", ""))}
    except (OSError, KeyError, ValueError) as err:
        raise SnapshotsError(f"The training snapshots in {file.name} cannot be read ({type(err).__name__}).") from err
    k = len(curves["step"])
    missing = [n for n in NEEDED if n not in weights]
    if k == 0 or missing or any(len(v) != k for v in (*curves.values(), *weights.values())):
        raise SnapshotsError(f"The training snapshots in {file.name} are incomplete"
                             f"{' (no ' + ', '.join(missing) + ')' if missing else ''}.")
    return Snapshots(variant=str(meta["variant"]), steps_per_epoch=int(meta["steps_per_epoch"]),
                     batch_size=int(meta["batch_size"]), notes=str(meta["notes"]), weights=weights, **curves)


# ------------------------------------------------------------------ the forward, over snapshots

@dataclass(frozen=True)
class Reading:
    """What the network made of one input at n snapshots (axis 0 = the snapshots asked for)."""
    probabilities: np.ndarray    # (n, 10) the ten digits, each row sums to 1
    not_a_digit: np.ndarray      # (n,) the share of "not a digit" (extra OUT units, the paper's rubbish), or None
    c1: np.ndarray               # (n, 28, 28, 6)
    c3: np.ndarray               # (n, 10, 10, 16)
    kernels: np.ndarray          # (n, 5, 5, 1, 6) C1's kernels

    @property
    def digit(self):
        return np.argmax(self.probabilities, axis=1)

    @property
    def confidence(self):
        return self.probabilities.max(axis=1)


def _sparse_to_full(k):
    """C3's (n, 5, 5, links) kernels in table order -> (n, 5, 5, 6, 16) with zeros where the table
    disconnects (as SparseConv2D.full_kernel)."""
    n, kh, kw, _ = k.shape
    full = np.zeros((n, kh, kw, 6, len(C3_TABLE)), "float32")
    link = 0
    for j, row in enumerate(C3_TABLE):
        for i in row:
            full[..., i, j] = k[..., link]
            link += 1
    return full


def _conv(x, kernel, bias):
    """'valid' cross-correlation per snapshot: x (n, H, W, in), kernel (n, k, k, in, out), bias (n, out)."""
    windows = sliding_window_view(x, kernel.shape[1:3], axis=(1, 2))       # (n, H', W', in, k, k)
    return np.einsum("nhwcij,nijco->nhwo", windows, kernel, optimize=True) + bias[:, None, None, :]


def _pool(x, w, layer, act):
    """S2/S4: the paper's Subsampling (2x2 mean x coefficient + bias, squashed) when it has weights,
    else 2x2 max-pooling."""
    n, h, wd, c = x.shape
    blocks = x[:, :h // 2 * 2, :wd // 2 * 2].reshape(n, h // 2, 2, wd // 2, 2, c)
    if f"{layer}/coefficient" not in w:
        return blocks.max(axis=(2, 4))
    mean = blocks.mean(axis=(2, 4), dtype="float32")
    return activate(act, mean * w[f"{layer}/coefficient"][:, None, None, :] + w[f"{layer}/bias"][:, None, None, :])


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def forward(snaps: Snapshots, x32, at=None, activation=None, reject=None):
    """The network of each snapshot in `at` (indices; default all) on one (32, 32) ink map in [0, 1]
    -> Reading. `activation`: the squashing function's name (lenet/network.ACTIVATIONS); default the
    variant's. `reject`: the served model's calibrated "not a digit" rule, (threshold, slope) from its
    card (lenet/rejection.py): REJECT has no weights, so each snapshot is judged by the final rule."""
    at = np.arange(len(snaps)) if at is None else np.atleast_1d(np.asarray(at, "int64"))
    act = activation or ACTIVATION.get(snaps.variant, "relu")
    w = {name: v[at] for name, v in snaps.weights.items()}
    n = len(at)
    s = np.asarray(x32, "float32") * np.float32(SCALE[0]) + np.float32(SCALE[1])
    s = np.broadcast_to(s[None, :, :, None], (n, *s.shape, 1))
    c1 = activate(act, _conv(s, w["C1/kernel"], w["C1/bias"]))
    s2 = _pool(c1, w, "S2", act)
    k3 = w["C3/kernel"]
    c3 = activate(act, _conv(s2, _sparse_to_full(k3) if k3.ndim == 4 else k3, w["C3/bias"]))
    s4 = _pool(c3, w, "S4", act)
    c5 = activate(act, np.einsum("nijc,nijco->no", s4, w["C5/kernel"], optimize=True) + w["C5/bias"])
    f6 = activate(act, np.einsum("nc,nco->no", c5, w["F6/kernel"]) + w["F6/bias"])
    if "OUT/kernel" in w:
        p = _softmax(np.einsum("nc,nco->no", f6, w["OUT/kernel"]).astype("float64") + w["OUT/bias"])
        digits, rest = p[:, :10], (p[:, 10:].sum(axis=1) if p.shape[1] > 10 else None)
        if rest is None and reject is not None:   # lenet.model.Doubt: the surprise of the best digit
            even, slope = reject
            rest = 1.0 / (1.0 + np.exp(-slope * (-np.log(digits.max(axis=1) + 1e-12) - even)))
    else:   # the paper's ending: squared distances to the fixed codes, probabilities by eq. 9
        codes = code_matrix(CODES)
        d = ((f6.astype("float64")[:, None, :] - codes[None]) ** 2).sum(axis=-1)
        p = posterior(d) if reject is None else posterior(d, j=reject[0])
        digits, rest = p[:, :-1], p[:, -1]
    return Reading(probabilities=digits / digits.sum(axis=1, keepdims=True), not_a_digit=rest,
                   c1=c1, c3=c3, kernels=w["C1/kernel"])


def readings(snaps: Snapshots, x32, activation=None, reject=None):
    """One row per snapshot for the CLI and the API: step, epoch, digit, confidence, the ten
    probabilities (and "not_a_digit" where the model has it), with the run's loss and accuracies."""
    r = forward(snaps, x32, activation=activation, reject=reject)
    rows = []
    for i in range(len(snaps)):
        row = {"step": int(snaps.step[i]), "epoch": round(float(snaps.epoch[i]), 4),
               "digit": int(r.digit[i]), "confidence": round(float(r.confidence[i]), 4),
               "probabilities": [round(float(v), 4) for v in r.probabilities[i]]}
        if r.not_a_digit is not None:
            row["not_a_digit"] = round(float(r.not_a_digit[i]), 4)
        row.update(loss=round(float(snaps.loss[i]), 4), train_accuracy=round(float(snaps.train_accuracy[i]), 4),
                   test_accuracy=round(float(snaps.test_accuracy[i]), 4))
        rows.append(row)
    return rows


def kernel_change(snaps: Snapshots, at):
    """How far C1's kernels have moved from their initial values at snapshot `at`: the norm of the
    difference over the norm at initialisation (0 at the start; 1 = moved as far as they started)."""
    k = snaps.weights["C1/kernel"]
    return float(np.linalg.norm(k[at] - k[0]) / (np.linalg.norm(k[0]) or 1.0))


def smoothness(kernels):
    """How much neighbouring weights of C1's kernels agree: their correlation with the weight beside
    and below, averaged over the kernels, (5, 5, 1, n) -> a number. ~0 for random static (each weight
    drawn on its own); towards 1 for smooth patches, as an edge or stroke detector is."""
    k = np.asarray(kernels, "float64")[:, :, 0, :]
    k = k - k.mean(axis=(0, 1))
    pairs = (k[1:] * k[:-1]).sum(axis=(0, 1)) + (k[:, 1:] * k[:, :-1]).sum(axis=(0, 1))
    count = k[1:].shape[0] * k.shape[1] + k.shape[0] * k[:, 1:].shape[1]
    power = (k * k).sum(axis=(0, 1)) * count / (k.shape[0] * k.shape[1])
    return float(np.mean(pairs / np.where(power > 0, power, 1.0)))


def rejection_rule(card):
    """(threshold, slope) of the calibrated "not a digit" rule from a model card (lenet/card.py),
    or None for a card written before the rejection existed."""
    cal = ((card or {}).get("rejection") or {}).get("calibration") or {}
    if "threshold" not in cal:
        return None
    return float(cal["threshold"]), float(cal.get("slope", 1.0))
