"""A trained model's facts for serving without Keras: everything the page reads from a model other
than running it (the LeNet-5 table rows, the C1, C3, C5 and F6 kernels -- C5 and F6 for their sums
before squashing, lenet/preactivation.py -- and every bias, the C3 connection table, the scale
layer, each layer's activation and output shape, the paper's codes), exported beside the
.tflite by `python -m lenet export` as `lenet5_<variant>_facts.json` + `lenet5_<variant>.npz`.

`of_model` reads them from a Keras model (the TensorFlow path and the export); `load` reads the
files (the lean path: numpy and json only). `check` holds the model's outputs on a fixed input,
so a .tflite that no longer matches its facts is caught at load without Keras."""
import hashlib
import json
import zipfile
from dataclasses import dataclass, field

import numpy as np

from .network import LAYERS, REJECT
from .paths import arrays_path, facts_path, model_name

FORMAT = 1


@dataclass(frozen=True)
class ModelFacts:
    name: str                  # the Keras model's name, lenet5_<variant>
    variant: str
    rbf: bool                  # OUT is the paper's Euclidean RBF (distances), not a softmax
    rows: tuple                # architecture.describe(model) rows, each + "class" and "params" (count_params)
                               # shapes also hold REJECT's (1,) when the model says "not a digit"
    activations: dict          # layer -> activation name (network.ACTIVATIONS), "" when none
    shapes: dict               # layer -> output shape without the batch axis
    scale: tuple               # the input's (scale, offset): ink 0..1 -> the paper's -0.1..1.175
    count_params: int          # the model's count_params()
    arrays: dict = field(repr=False)   # "kernel/C1", "bias/F6", "coefficient/S2", "c3_table", "codes"
    tflite_sha256: str = ""    # the .tflite these facts were exported with
    check: dict = field(default_factory=dict, repr=False)   # layer -> outputs on recognizer._CHECK

    def kernel(self, name):
        return self.arrays[f"kernel/{name}"]

    def bias(self, name):
        return self.arrays[f"bias/{name}"]

    @property
    def c3_table(self):
        """(6, 16) 0/1: which S2 maps feed which C3 map (all ones for a full convolution)."""
        return self.arrays["c3_table"]

    @property
    def codes(self):
        return self.arrays.get("codes") if self.rbf else None

    def params(self, name):
        return next(r["params"] for r in self.rows if r["layer"] == name)

    def layer_class(self, name):
        return next(r["class"] for r in self.rows if r["layer"] == name)


def is_facts(source):
    return isinstance(source, ModelFacts)


def of_model(model, variant, tflite=b"", check=None):
    """The facts of a Keras model (imports nothing: reads the model's own attributes)."""
    from .architecture import c3_connection_table, describe
    rows = []
    for r in describe(model):
        r = dict(r)
        if r["layer"] == "input":
            r["class"], r["params"] = "InputLayer", 0
        else:
            layer = model.get_layer(r["layer"])
            r["class"], r["params"] = type(layer).__name__, int(layer.count_params())
        rows.append(r)
    arrays = {"c3_table": np.asarray(c3_connection_table(model), "float32")}
    activations, shapes = {}, {}
    for name in LAYERS:
        layer = model.get_layer(name)
        act = getattr(layer, "activation", None)
        activations[name] = getattr(act, "__name__", "") if act is not None else ""
        shapes[name] = [int(d) for d in layer.output.shape[1:]]
        if hasattr(layer, "full_kernel"):
            arrays[f"kernel/{name}"] = _numpy(layer.full_kernel())
        elif getattr(layer, "kernel", None) is not None and name in ("C1", "C3", "C5", "F6"):
            arrays[f"kernel/{name}"] = _numpy(layer.kernel)
        for weight in ("bias", "coefficient"):
            w = getattr(layer, weight, None)
            if w is not None and hasattr(w, "shape"):
                arrays[f"{weight}/{name}"] = _numpy(w)
    if REJECT in [layer.name for layer in model.layers]:   # computed in the .tflite: only its shape here
        shapes[REJECT] = [int(d) for d in model.get_layer(REJECT).output.shape[1:]]
    rbf = type(model.get_layer("OUT")).__name__ == "EuclideanRBF"
    if rbf:
        arrays["codes"] = np.asarray(model.get_layer("OUT").matrix, "float32")
    scale = model.get_layer("scale")
    for a in arrays.values():
        a.setflags(write=False)
    return ModelFacts(name=model.name, variant=variant, rbf=rbf, rows=tuple(rows), activations=activations,
                      shapes=shapes, scale=(float(scale.scale), float(scale.offset)),
                      count_params=int(model.count_params()), arrays=arrays,
                      tflite_sha256=hashlib.sha256(tflite).hexdigest() if tflite else "",
                      check={k: np.asarray(v, "float32") for k, v in (check or {}).items()})


def _numpy(tensor):
    """A Keras variable or tensor as a float32 numpy array (its own .numpy(): np.array() on a
    variable warns under numpy 2)."""
    return np.array(tensor.numpy() if hasattr(tensor, "numpy") else tensor, "float32")


def save(facts, weights_dir=None):
    """Write the JSON and the .npz (each to a temporary name, then renamed). Returns both paths."""
    jpath, npath = facts_path(facts.variant, weights_dir), arrays_path(facts.variant, weights_dir)
    doc = {"format": FORMAT, "name": facts.name, "variant": facts.variant, "rbf": facts.rbf,
           "rows": list(facts.rows), "activations": facts.activations, "shapes": facts.shapes,
           "scale": list(facts.scale), "count_params": facts.count_params,
           "tflite_sha256": facts.tflite_sha256}
    tmp = jpath.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(jpath)
    tmp = npath.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **facts.arrays, **{f"check/{k}": v for k, v in facts.check.items()})
    tmp.replace(npath)
    return jpath, npath


def load(variant, weights_dir=None):
    """The exported facts of `variant`; raises OSError (missing, unreadable) or ValueError (damaged,
    of another model: any file that does not parse into the facts, whatever Python raised)."""
    jpath, npath = facts_path(variant, weights_dir), arrays_path(variant, weights_dir)
    try:
        return _read(variant, jpath, npath)
    except (KeyError, TypeError, AttributeError, IndexError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(f"{jpath.name} or {npath.name} is damaged ({type(err).__name__}: {err})") from None


def _read(variant, jpath, npath):
    doc = json.loads(jpath.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("name") != model_name(variant):
        raise ValueError(f"{jpath.name} is not the facts of {model_name(variant)} (format {FORMAT})")
    if not all(isinstance(r, dict) for r in doc["rows"]) or \
            any(not all(isinstance(d, int) for d in doc["shapes"][name]) for name in LAYERS):
        raise ValueError(f"{jpath.name} is damaged (its rows or shapes)")
    with np.load(npath, allow_pickle=False) as z:
        stored = {k: z[k] for k in z.files}
    for a in stored.values():
        a.setflags(write=False)
    arrays = {k: v for k, v in stored.items() if not k.startswith("check/")}
    check = {k[len("check/"):]: v for k, v in stored.items() if k.startswith("check/")}
    return ModelFacts(name=doc["name"], variant=variant, rbf=bool(doc["rbf"]), rows=tuple(doc["rows"]),
                      activations=doc["activations"], shapes=doc["shapes"], scale=tuple(doc["scale"]),
                      count_params=int(doc["count_params"]), arrays=arrays,
                      tflite_sha256=doc.get("tflite_sha256", ""), check=check)


def sha256(blob):
    return hashlib.sha256(blob).hexdigest()
