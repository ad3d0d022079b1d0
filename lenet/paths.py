"""Where things live on disk: the weights folder and every file name built from a variant
(`lenet5_<variant>.keras`, `.tflite`, the model card `.json`, its plots). The one place these
names are spelled."""
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WEIGHTS = REPO / "weights"          # the committed weights, .tflite files and model cards


def model_name(variant):
    """The Keras model's name, and the stem of all of a variant's files."""
    return f"lenet5_{variant}"


def _file(variant, suffix, weights_dir=None):
    return Path(weights_dir or WEIGHTS) / f"{model_name(variant)}{suffix}"


def keras_path(variant, weights_dir=None):
    return _file(variant, ".keras", weights_dir)


def tflite_path(variant, weights_dir=None):
    return _file(variant, ".tflite", weights_dir)


def card_path(variant, weights_dir=None):
    """The model card: accuracy, confusion matrix, training facts (JSON)."""
    return _file(variant, ".json", weights_dir)


def plot_path(variant, kind, weights_dir=None):
    """A training figure beside the card: kind is "confusion" or "curves"."""
    return _file(variant, f"_{kind}.png", weights_dir)


def checkpoint_path(variant, weights_dir=None):
    """The best epoch so far while training (hidden, git-ignored)."""
    return Path(weights_dir or WEIGHTS) / f".{model_name(variant)}.best.keras"


def facts_path(variant, weights_dir=None):
    """What the page needs of a trained model besides the .tflite, for serving without Keras:
    the layer table, names and checks (JSON; lenet/facts.py)."""
    return _file(variant, "_facts.json", weights_dir)


def arrays_path(variant, weights_dir=None):
    """The kernels, biases, C3 table and codes beside facts_path (numpy .npz; lenet/facts.py)."""
    return _file(variant, ".npz", weights_dir)
