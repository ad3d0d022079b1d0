"""MNIST for training and evaluation: read from an .npz (keras layout) or, failing that,
fetched by keras; padded 28->32 by the same function the drawing pipeline ends with."""
import hashlib
from pathlib import Path

import numpy as np

from .preprocess import pad_to_input

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "mnist" / "mnist.npz"


def find_data(path=None):
    """The .npz to read: `path` if given (it must exist), else the shared copy if present,
    else None (meaning: ask keras to download it)."""
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no MNIST file at {path}")
        return path
    return DEFAULT_DATA if DEFAULT_DATA.is_file() else None


def load_raw(path=None):
    """(x_train, y_train), (x_test, y_test) as uint8 28x28 images and uint8 labels."""
    path = find_data(path)
    if path is None:
        import keras
        return keras.datasets.mnist.load_data()
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def to_input(images28):
    """uint8 (N, 28, 28), 255 = ink -> float32 (N, 32, 32, 1) ink maps in [0, 1]."""
    x = images28.astype("float32") / 255.0
    return pad_to_input(x)[..., None]


def load(path=None):
    """(x_train, y_train), (x_test, y_test) ready for the network."""
    (xt, yt), (xs, ys) = load_raw(path)
    return (to_input(xt), yt.astype("int32")), (to_input(xs), ys.astype("int32"))


def sha256(path):
    path = find_data(path)
    if path is None:
        return None
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
