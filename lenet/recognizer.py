"""Recognizer: load a trained LeNet-5 once, read drawings with one compiled model call that
returns the probabilities and every layer's feature maps together.

Two backends behind one class (`rec.backend`):
- "litert" (the app's default): the LiteRT interpreter (`ai-edge-litert`) on
  `weights/lenet5_<variant>.tflite`, and the kernels, biases and layer facts the figures need from
  the files lenet/facts.py exports beside it. TensorFlow and Keras are never imported, so a server
  starts faster and holds far less memory (docs/performance.md; bench: cold start, RSS).
- "tensorflow": the Keras model, its probe in tf.lite's interpreter (much faster a drawing than
  the tf.function), the tf.function when the .tflite is missing or disagrees. Used where
  ai-edge-litert has no wheel, when the exported files are missing, or with LENET_BACKEND=tensorflow.
Both run the same flatbuffer, so they give the same numbers. One drawing runs on one thread (every
stroke in the app), batches on every core. `python -m lenet export` writes the .tflite and facts."""
import contextlib
import io
import os
import threading
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import facts as facts_
from .codes import COLS, ROWS
from .network import BUILT, LAYERS, OUTPUTS, REJECT, digit_probabilities, posterior
from .paths import WEIGHTS, keras_path, model_name, tflite_path  # noqa: F401  (WEIGHTS: lenet.WEIGHTS)
from .preprocess import INPUT, InvalidDrawing, preprocess_batch

LITE_TOLERANCE = 1e-4   # largest |TFLite - Keras| accepted on the check input, per unit of an output's size
BACKENDS = ("auto", "litert", "tensorflow")   # LENET_BACKEND; auto: litert when it can, else tensorflow


class WeightsError(RuntimeError):
    """The weights file is missing, damaged or of the wrong variant; the message names the fix."""


@dataclass
class Prediction:
    digit: int
    probabilities: np.ndarray          # (10,), sums to 1
    input: np.ndarray                  # (32, 32): what the network reads
    feature_maps: dict                 # "C1" (28,28,6) "S2" (14,14,6) "C3" (10,10,16) "S4" (5,5,16)
                                       # "C5" (120,) "F6" (84,)
    stages: dict = field(default_factory=dict)  # pipeline images, "cropped" .. "input"
    distances: np.ndarray = None       # paper only: (10,) OUT's squared distances from F6 to each code
    rubbish: float = None              # paper only: the posterior's share for "not a digit" (eq. 9's j)
    codes: np.ndarray = None           # paper only: (10, 84) the RBF codes, +1 ink / -1 paper
    # How much the drawing looks like a digit at all: 1 - the model's REJECT output, whose threshold was
    # calibrated on held-out digits and non-digits (lenet/rejection.py) so that 0.5 is the boundary
    # (docs/rejection.md). is_digit = digit_score > 0.5. A model
    # saved before REJECT existed: the paper's posterior for `paper`, else 1.0 (it cannot say no).
    digit_score: float = 1.0
    is_digit: bool = True

    @property
    def confidence(self):
        return float(self.probabilities[self.digit])

    @property
    def nearest_code(self):
        """paper only: the 7x12 code (12, 7) nearest to F6, i.e. the digit read; None otherwise."""
        return None if self.codes is None else self.codes[self.digit].reshape(ROWS, COLS)


class Recognizer:
    def __init__(self, model, variant, lite=None, interpreter=None):
        """Both backends. TensorFlow: `model` a Keras model, `lite` the probe as a TFLite flatbuffer
        (bytes) or None (the tf.function path). LiteRT (see lean): `model` the exported facts
        (lenet.facts.ModelFacts), `lite` the .tflite bytes, `interpreter` LiteRT's Interpreter class;
        `rec.model` is then the facts, which lenet.architecture and lenet.walkthrough read as they
        read a Keras model."""
        lean = interpreter is not None
        self.backend = "litert" if lean else "tensorflow"
        self.model, self.variant = model, variant
        self.facts = model if lean else facts_.of_model(model, variant)
        self.rbf = self.facts.rbf   # OUT gives distances (the paper's ending), not probabilities
        self.codes = np.array(self.facts.codes) if self.rbf else None
        self.probe = self._run = None
        self.lite = None
        self.lite_error = None   # why the TFLite path is off, when a flatbuffer was given
        self.lean_error = None   # why Recognizer.load did not take the litert backend
        self._kernels, self._lite_batch, self._lite_blob = {}, None, lite   # blob: for the batch interpreter
        self._interpreter = interpreter
        if lean:
            self.lite = _LiteProbe(lite, self.facts.shapes, interpreter)
        else:
            self._trace(model, lite)

    def _trace(self, model, lite):
        """The TensorFlow path: one graph returning OUT, REJECT and every feature map (the app needs
        them all per stroke), traced now rather than on the first stroke; then the TFLite probe when
        `lite` agrees with it."""
        import tensorflow as tf

        taps = [model.get_layer(name).output for name in _outputs(model)]
        self.probe = _functional(model, taps)
        self._run = tf.function(self.probe, input_signature=[tf.TensorSpec([None, INPUT, INPUT, 1], tf.float32)],
                                reduce_retracing=True)
        self._run(np.zeros((1, INPUT, INPUT, 1), "float32"))
        self._interpreter = tf.lite.Interpreter
        if lite is None:
            return
        try:
            runner = _LiteProbe(lite, self.facts.shapes, tf.lite.Interpreter)
            err = _largest_difference(runner(_CHECK), self._keras(_CHECK))
        except Exception as why:  # a damaged file: keep working on the tf.function path
            self.lite_error = f"{type(why).__name__}: {why}"
        else:
            if err <= LITE_TOLERANCE:
                self.lite = runner
            else:
                self.lite_error = f"differs from the Keras model by {err:.2g} (> {LITE_TOLERANCE})"

    @classmethod
    def lean(cls, facts, lite, interpreter):
        """The litert path: `facts` (lenet.facts.ModelFacts) and the .tflite bytes they were exported
        with, run by `interpreter` (ai_edge_litert.interpreter.Interpreter). Raises ValueError when
        the file is not the one the facts were exported with, or disagrees with the Keras outputs
        recorded at export."""
        if facts.tflite_sha256 and facts.tflite_sha256 != facts_.sha256(lite):
            raise ValueError("the .tflite is not the one its facts were exported with")
        if not facts.check:
            raise ValueError("the facts hold no check outputs")
        rec = cls(facts, facts.variant, lite, interpreter=interpreter)
        err = _largest_difference(rec.lite(_CHECK), facts.check)
        if err > LITE_TOLERANCE:
            raise ValueError(f"differs from the exported Keras outputs by {err:.2g} (> {LITE_TOLERANCE})")
        return rec

    @classmethod
    def load(cls, variant="modern", weights_dir=None, backend=None):
        """The committed model of `variant`. backend: "litert", "tensorflow" or "auto" (default, or
        LENET_BACKEND): litert when ai-edge-litert imports and the .tflite and its facts load and
        agree, else TensorFlow (with a warning naming the fix when the files are at fault)."""
        backend = backend or os.environ.get("LENET_BACKEND") or "auto"
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        if variant not in BUILT:
            raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(BUILT)}")
        fix = f"retrain it with: python -m lenet train --variant {variant}"
        export = f"python -m lenet export --variant {variant}"
        why = None
        if backend != "tensorflow":
            try:
                from ai_edge_litert.interpreter import Interpreter
            except ImportError as err:   # no wheel for this platform (or blocked): TensorFlow serves
                why = f"ai_edge_litert is not installed ({err})"
            else:
                lite_path = tflite_path(variant, weights_dir)
                try:
                    return cls.lean(facts_.load(variant, weights_dir), lite_path.read_bytes(), Interpreter)
                except (OSError, ValueError, KeyError, TypeError, IndexError, RuntimeError) as err:   # damaged
                    why = f"{type(err).__name__}: {err}"
                    if backend == "auto" and keras_path(variant, weights_dir).is_file():
                        warnings.warn(f"{lite_path} and its facts not used ({why}); serving through TensorFlow. "
                                      f"Re-export them with: {export}", stacklevel=2)
            if backend == "litert":
                raise WeightsError(f"Cannot serve {variant} through LiteRT ({why}); re-export with: {export}")
        path = keras_path(variant, weights_dir)
        if not path.is_file():
            raise WeightsError(f"No weights at {path}; {fix}")
        import keras

        from . import model as _model  # noqa: F401  (registers the custom layers before loading)
        try:
            model = keras.saving.load_model(path, safe_mode=True, compile=False)
        except Exception as err:
            raise WeightsError(f"Cannot load {path} ({type(err).__name__}); "
                               f"restore it with git checkout or {fix}") from None
        if model.name != model_name(variant):
            raise WeightsError(f"{path} holds {model.name!r}, not {model_name(variant)}; "
                               f"restore it with git checkout or {fix}")
        lite_path = tflite_path(variant, weights_dir)
        lite = lite_path.read_bytes() if lite_path.is_file() else None
        try:
            rec = cls(model, variant, lite=lite)
        except (ValueError, KeyError, AttributeError, TypeError, IndexError) as err:   # e.g. "No such layer: C1"
            raise WeightsError(f"{path} is not a LeNet-5 the app can read ({str(err).split('. ')[0]}); "
                               f"restore it with git checkout or {fix}") from None
        rec.lean_error = why
        if rec.lite_error:
            warnings.warn(f"{lite_path} not used ({rec.lite_error}); using the slower tf.function path. "
                          f"Re-export it with: {export}", stacklevel=2)
        return rec
    def run(self, batch):
        """(N, 32, 32) ink maps -> dict layer name (C1 .. OUT, REJECT) -> numpy array with the batch axis.
        The TFLite interpreter when loaded: one map on one thread, more on every core."""
        x = np.asarray(batch, dtype="float32").reshape(-1, INPUT, INPUT, 1)
        if len(x) == 0:   # an empty batch: empty outputs of the right shapes (TF's graph fails on N = 0)
            return {name: np.zeros((0, *self.facts.shapes[name]), "float32") for name in OUTPUTS
                    if name in self.facts.shapes}
        if self.lite is None or len(x) == 0:
            return self._keras(x)
        if len(x) == 1:
            return self.lite(x)
        if self._lite_batch is None:
            self._lite_batch = _LiteProbe(self._lite_blob, self.facts.shapes, self._interpreter,
                                          threads=os.cpu_count() or 1)
        return self._lite_batch(x)

    def _keras(self, x):
        outs = self._run(np.asarray(x, dtype="float32").reshape(-1, INPUT, INPUT, 1))
        return {name: o.numpy() for name, o in zip(_outputs(self.model), outs)}

    def predict(self, image):
        """Any drawing (see lenet.preprocess.to_rgba) -> Prediction. Raises InvalidDrawing."""
        return self.predict_batch([image])[0]

    def predict_number(self, image):
        """A row of digits (any drawing, see lenet.preprocess.to_rgba) -> lenet.numbers.NumberReading
        (.text, .digits, .boxes). Raises InvalidDrawing."""
        from .numbers import predict_number
        return predict_number(self, image)

    def predict_batch(self, images):
        """Drawings -> Predictions, in order: same-sized pictures are preprocessed as one stack and
        all of them read in one model call. Raises the first input's InvalidDrawing, if any."""
        prepared = preprocess_batch(images)
        for p in prepared:
            if isinstance(p, InvalidDrawing):
                raise p
        outs = self.run(np.stack([p.input for p in prepared]) if prepared else np.zeros((0, INPUT, INPUT)))
        return self.predictions(outs, prepared, codes=self.codes)

    @staticmethod
    def predictions(outs, prepared, codes=None):
        """Model outputs for a batch (see run) + its Preprocessed -> one Prediction each. `codes`:
        the RBF codes when OUT holds the paper's distances (probabilities then come from
        lenet.model.digit_probabilities, the paper's posterior), None when OUT is a softmax.
        REJECT, when there, gives each Prediction's digit_score and is_digit."""
        distances = rubbish = None
        reject = outs.get(REJECT)
        reject = None if reject is None else np.asarray(reject, "float64").reshape(-1)
        if codes is not None:
            distances = outs["OUT"].astype("float64")
            probs = digit_probabilities(distances)
            rubbish = posterior(distances)[:, -1] if reject is None else reject
        else:
            probs = outs["OUT"].astype("float64")
            probs /= probs.sum(axis=1, keepdims=True)
        if reject is None:
            reject = rubbish if rubbish is not None else np.zeros(len(probs))
        digits = np.argmax(probs, axis=1).tolist()
        # C5 (N,1,1,120) -> (N,120)
        maps = {name: o.reshape(len(o), o.shape[-1]) if o.ndim == 4 and o.shape[1:3] == (1, 1) else o
                for name, o in outs.items() if name not in ("OUT", REJECT)}
        return [Prediction(digit=d, probabilities=probs[i], input=p.input,
                           feature_maps={name: m[i] for name, m in maps.items()}, stages=p.stages,
                           distances=None if distances is None else distances[i],
                           rubbish=None if rubbish is None else float(rubbish[i]), codes=codes,
                           digit_score=float(1.0 - reject[i]), is_digit=bool(reject[i] <= 0.5))
                for i, (d, p) in enumerate(zip(digits, prepared))]

    def kernels(self, name):
        """Kernel of a convolution layer as (5, 5, in, out), zeros where C3's table disconnects.
        C1 and C3 come from the facts (both backends); others from the Keras model (TensorFlow path
        only). Read once per layer (the weights do not change after loading); treat it as read-only."""
        if f"kernel/{name}" in self.facts.arrays:
            return self.facts.kernel(name)
        if name not in self._kernels:
            if self.probe is None:
                raise KeyError(f"{name}'s kernel is not exported (the litert path has C1 and C3)")
            layer = self.model.get_layer(name)
            full = layer.full_kernel() if hasattr(layer, "full_kernel") else layer.kernel
            k = np.array(full)
            k.setflags(write=False)
            self._kernels[name] = k
        return self._kernels[name]

    def bias(self, name):
        return np.asarray(self.facts.bias(name))


def _outputs(model):
    """The layers a Recognizer reads from `model` (a Keras model or its facts): C1 .. OUT, and REJECT
    when the model has it."""
    if hasattr(model, "shapes"):
        return tuple(n for n in OUTPUTS if n in model.shapes)
    return LAYERS + ((REJECT,) if REJECT in [layer.name for layer in model.layers] else ())


def _functional(model, outputs):
    import keras
    return keras.Model(model.inputs, outputs, name=f"{model.name}_probe")


# Fixed check input for the TFLite file: a smooth blob plus a deterministic pattern over the whole field.
_yy, _xx = np.mgrid[0:INPUT, 0:INPUT] / (INPUT - 1.0)
_CHECK = np.clip(np.exp(-((_xx - 0.45) ** 2 + (_yy - 0.5) ** 2) / 0.03) + 0.3 * np.sin(17 * _xx * _yy) ** 2,
                 0, 1).astype("float32").reshape(1, INPUT, INPUT, 1)


def _largest_difference(a, b):
    """Largest |a - b| over the layers both dicts hold (layer -> array), each divided by the size of
    b's values when over 1: the paper's distances reach ~100, where float32 sums differ by ~1e-4."""
    def diff(x, y):
        x, y = np.asarray(x, "float32"), np.asarray(y, "float32")
        return float(np.abs(x - y).max() / max(1.0, float(np.abs(y).max())))
    return max(diff(a[k], b[k]) for k in a if k in b)


class _LiteProbe:
    """The probe in a TFLite interpreter (tf.lite's or LiteRT's: the same flatbuffer, the same
    kernels): (N, 32, 32, 1) -> layer -> array with the batch axis. One interpreter shared behind a
    lock (Gradio runs handlers in threads; an invoke for one drawing is short); it is resized when
    N changes (cheap). `shapes`: layer -> output shape without the batch axis."""

    def __init__(self, blob, shapes, interpreter, threads=1):
        with _quiet():
            self.interpreter = interpreter(model_content=bytes(blob), num_threads=threads)
            self.interpreter.allocate_tensors()
        self.size = 1
        detail = self.interpreter.get_input_details()[0]
        if tuple(detail["shape"][1:]) != (INPUT, INPUT, 1):
            raise ValueError(f"input shape {tuple(detail['shape'])}, not (1, {INPUT}, {INPUT}, 1)")
        self.input = detail["index"]
        # The converter renames and reorders outputs; every layer's shape is distinct, so match by shape.
        by_shape = {tuple(d["shape"][1:]): d["index"] for d in self.interpreter.get_output_details()}
        self.outputs = [(name, by_shape[tuple(shapes[name])]) for name in OUTPUTS if name in shapes]
        self.lock = threading.Lock()

    def __call__(self, x):
        with self.lock:
            if len(x) != self.size:
                self.interpreter.resize_tensor_input(self.input, x.shape)
                self.interpreter.allocate_tensors()
                self.size = len(x)
            self.interpreter.set_tensor(self.input, x)
            self.interpreter.invoke()
            return {name: self.interpreter.get_tensor(i) for name, i in self.outputs}   # copies


@contextlib.contextmanager
def _quiet():
    """TensorFlow's converter and interpreter print on stdout/stderr (the whole signature, the XNNPACK
    note); errors still arrive as exceptions."""
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        saved = [os.dup(1), os.dup(2)]
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            for fd, copy in zip((1, 2), saved):
                os.dup2(copy, fd)
                os.close(copy)


def to_tflite(rec):
    """The Recognizer's probe (probabilities + every feature map) as a TFLite flatbuffer."""
    import tensorflow as tf
    with _quiet():
        return tf.lite.TFLiteConverter.from_keras_model(rec.probe).convert()


def export_tflite(variant="modern", weights_dir=None):
    """Write weights/lenet5_<variant>.tflite from lenet5_<variant>.keras, check it agrees with the
    Keras model (LITE_TOLERANCE) before keeping it, and write its facts beside it (lenet/facts.py:
    what the litert backend reads instead of the Keras model). Returns the .tflite path."""
    path = tflite_path(variant, weights_dir)
    rec = _load_keras(variant, weights_dir)
    blob = to_tflite(rec)
    check = Recognizer(rec.model, variant, lite=blob)
    if check.lite is None:
        raise RuntimeError(f"TFLite conversion of {variant} does not match the Keras model: {check.lite_error}")
    tmp = path.with_suffix(".tflite.tmp")
    tmp.write_bytes(blob)
    tmp.replace(path)
    facts_.save(facts_.of_model(rec.model, variant, tflite=blob, check=rec._keras(_CHECK)), weights_dir)
    return path


def _load_keras(variant, weights_dir):
    import keras

    from . import model as _model  # noqa: F401  (registers the custom layers before loading)
    path = keras_path(variant, weights_dir)
    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    return Recognizer(model, variant)
