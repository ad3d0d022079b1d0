"""LeNet-5 on MNIST: the models, the drawing pipeline and the Recognizer the app uses."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter off the console

from .decode import MAX_BYTES, InvalidDrawing
from .network import LAYERS, VARIANTS
from .preprocess import preprocess
from .recognizer import WEIGHTS, Prediction, Recognizer, WeightsError

__all__ = ["LAYERS", "VARIANTS", "MAX_BYTES", "WEIGHTS", "InvalidDrawing", "Prediction", "Recognizer",
           "WeightsError", "preprocess"]
