"""Recognizer: load a trained LeNet-5 once, read drawings with one compiled model call that
returns the probabilities and every layer's feature maps together."""
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .model import LAYERS, VARIANTS
from .preprocess import INPUT, preprocess
WEIGHTS = Path(__file__).resolve().parent.parent / "weights"


class WeightsError(RuntimeError):
    """The weights file is missing, damaged or of the wrong variant; the message names the fix."""


@dataclass
class Prediction:
    digit: int
    probabilities: np.ndarray          # (10,), sums to 1
    input: np.ndarray                  # (32, 32): what the network reads
    feature_maps: dict                 # "C1" (28,28,6) "S2" (14,14,6) "C3" (10,10,16) "S4" (5,5,16) "C5" (120,) "F6" (84,)
    stages: dict = field(default_factory=dict)  # pipeline images, "cropped" .. "input"

    @property
    def confidence(self):
        return float(self.probabilities[self.digit])


class Recognizer:
    def __init__(self, model, variant):
        import tensorflow as tf

        self.model = model
        self.variant = variant
        # One graph returning OUT and every feature map: the app needs them all per stroke.
        taps = [model.get_layer(name).output for name in LAYERS]
        self.probe = _functional(model, taps)
        self._run = tf.function(self.probe, input_signature=[tf.TensorSpec([None, INPUT, INPUT, 1], tf.float32)],
                                reduce_retracing=True)
        self._run(np.zeros((1, INPUT, INPUT, 1), "float32"))  # trace now, not on the first stroke

    @classmethod
    def load(cls, variant="modern", weights_dir=None):
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
        path = Path(weights_dir or WEIGHTS) / f"lenet5_{variant}.keras"
        fix = f"retrain it with: python -m lenet train --variant {variant}"
        if not path.is_file():
            raise WeightsError(f"No weights at {path}; {fix}")
        import keras
        try:
            model = keras.saving.load_model(path, safe_mode=True, compile=False)
        except Exception as err:
            raise WeightsError(f"Cannot load {path} ({type(err).__name__}); restore it with git checkout or {fix}") from None
        if model.name != f"lenet5_{variant}":
            raise WeightsError(f"{path} holds {model.name!r}, not lenet5_{variant}; restore it with git checkout or {fix}")
        return cls(model, variant)

    def run(self, batch):
        """(N, 32, 32) ink maps -> dict layer name -> numpy array with the batch axis."""
        x = np.asarray(batch, dtype="float32").reshape(-1, INPUT, INPUT, 1)
        outs = self._run(x)
        return {name: o.numpy() for name, o in zip(LAYERS, outs)}

    def predict(self, image):
        """Any drawing (see lenet.preprocess.to_rgba) -> Prediction. Raises InvalidDrawing."""
        return self.predict_batch([image])[0]

    def predict_batch(self, images):
        prepared = [preprocess(im) for im in images]
        outs = self.run(np.stack([p.input for p in prepared]) if prepared else np.zeros((0, INPUT, INPUT)))
        return [self._prediction(outs, i, p.input, p.stages) for i, p in enumerate(prepared)]

    @staticmethod
    def _prediction(outs, i, x, stages):
        probs = outs["OUT"][i].astype("float64")
        probs /= probs.sum()
        maps = {name: outs[name][i].reshape(-1) if outs[name][i].ndim == 3 and outs[name][i].shape[:2] == (1, 1)
                else outs[name][i] for name in LAYERS if name != "OUT"}
        return Prediction(digit=int(np.argmax(probs)), probabilities=probs, input=x, feature_maps=maps, stages=stages)

    def kernels(self, name):
        """Kernel of a convolution layer as (5, 5, in, out), zeros where C3's table disconnects."""
        layer = self.model.get_layer(name)
        full = layer.full_kernel() if hasattr(layer, "full_kernel") else layer.kernel
        return np.asarray(full)

    def bias(self, name):
        return np.asarray(self.model.get_layer(name).bias)


def _functional(model, outputs):
    import keras
    return keras.Model(model.inputs, outputs, name=f"{model.name}_probe")
