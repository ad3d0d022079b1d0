"""The Recognizer's multi-output probe converted to TFLite and run in the LiteRT/TFLite interpreter."""
import contextlib
import io
import os
import warnings

import numpy as np


def _interpreter_class():
    try:
        from ai_edge_litert.interpreter import Interpreter
        return Interpreter, "ai_edge_litert"
    except ImportError:
        import tensorflow as tf
        return tf.lite.Interpreter, "tf.lite"


@contextlib.contextmanager
def _quiet():
    """The converter prints the whole exported signature on stdout; keep the table readable."""
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        saved = os.dup(1)
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


class TFLiteProbe:
    """Callable like Recognizer.run: (N, 32, 32) -> layer name -> array with the batch axis."""

    def __init__(self, probe, layer_names):
        import tensorflow as tf
        with _quiet():
            blob = tf.lite.TFLiteConverter.from_keras_model(probe).convert()
            interpreter_class, self.runtime = _interpreter_class()
            self.interpreter = interpreter_class(model_content=blob)
            self.interpreter.allocate_tensors()
        self.size = len(blob)
        self.input = self.interpreter.get_input_details()[0]["index"]
        # The converter renames and reorders outputs; every layer's shape is distinct, so match by shape.
        by_shape = {tuple(d["shape"][1:]): d["index"] for d in self.interpreter.get_output_details()}
        self.outputs = {name: by_shape[tuple(out.shape[1:])] for name, out in zip(layer_names, probe.outputs)}

    def __call__(self, x):
        x = np.asarray(x, dtype="float32").reshape(-1, 32, 32, 1)
        if self.interpreter.get_input_details()[0]["shape"][0] != len(x):  # a new batch size
            self.interpreter.resize_tensor_input(self.input, x.shape)
            self.interpreter.allocate_tensors()
        self.interpreter.set_tensor(self.input, x)
        self.interpreter.invoke()
        return {name: self.interpreter.get_tensor(i) for name, i in self.outputs.items()}
