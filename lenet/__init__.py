"""LeNet-5 on MNIST: the models, the drawing pipeline and the Recognizer the app uses."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter off the console
# The drawing pipeline's matrix products are small; OpenBLAS would hand them to worker threads that
# then spin on the other cores between calls: slower on a small machine, and cores lost under a
# room's load (docs/performance.md). One thread. It must be set before numpy loads, so here,
# in the package's first lines (importing lenet.ui.gate.tuning runs this file first).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .decode import MAX_BYTES, InvalidDrawing
from .network import LAYERS, OUTPUTS, REJECT, VARIANTS
from .preprocess import preprocess
from .recognizer import WEIGHTS, Prediction, Recognizer, WeightsError

__all__ = ["LAYERS", "OUTPUTS", "REJECT", "VARIANTS", "MAX_BYTES", "WEIGHTS", "InvalidDrawing", "Prediction",
           "Recognizer", "WeightsError", "preprocess"]
