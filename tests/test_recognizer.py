"""lenet/recognizer.py: loading (and refusing) weights, reading drawings one at a time and in
batches, the kernels it hands out, and the TFLite fast path against the Keras model."""
import shutil
import threading
import warnings

import numpy as np
import pytest

from lenet import InvalidDrawing, Recognizer, WeightsError
from lenet.architecture import c3_connection_table
from lenet.model import LAYERS
from lenet.paths import keras_path, tflite_path
from lenet.preprocess import preprocess
from lenet.synthetic import draw, drawings

SHAPES = {"C1": (28, 28, 6), "S2": (14, 14, 6), "C3": (10, 10, 16), "S4": (5, 5, 16), "C5": (120,), "F6": (84,)}


# ------------------------------------------------------------------ load

BROKEN = [(how, v) for how in ("missing", "truncated", "wrong variant", "not a model") for v in ("modern", "classic")]


@pytest.mark.parametrize("how,variant", BROKEN, ids=[f"{h}-{v}" for h, v in BROKEN])
def test_load_raises_one_line_weights_error_naming_the_fix(broken_weights, how, variant):
    folder = broken_weights(how, variant)
    with pytest.raises(WeightsError) as err:
        Recognizer.load(variant, weights_dir=folder)
    text = str(err.value)
    assert f"python -m lenet train --variant {variant}" in text, text
    assert "Traceback" not in text and len(text.strip().splitlines()) == 1, text


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="unknown variant"):
        Recognizer.load("lenet-9")


def test_a_model_with_code_in_it_is_refused(tmp_path):
    """A .keras file with a Lambda layer (arbitrary Python) is refused: Keras safe_mode."""
    import keras
    inputs = keras.Input((32, 32, 1))
    out = keras.layers.Lambda(lambda x: x * 2.0, name="OUT")(inputs)
    keras.Model(inputs, out, name="lenet5_modern").save(tmp_path / "lenet5_modern.keras")
    with pytest.raises(WeightsError, match="python -m lenet train --variant modern"):
        Recognizer.load("modern", weights_dir=tmp_path)


# ------------------------------------------------------------------ predict

def test_predict_reads_every_drawn_digit(recognizer):
    for digit in range(10):
        p = recognizer.predict(draw(digit, canvas=280))
        assert p.digit == digit, (recognizer.variant, digit, np.round(p.probabilities, 3))
        assert p.probabilities.shape == (10,) and abs(p.probabilities.sum() - 1) < 1e-6
        assert p.confidence == pytest.approx(p.probabilities.max())
        assert p.input.shape == (32, 32) and {k: v.shape for k, v in p.feature_maps.items()} == SHAPES
        assert set(p.stages) >= {"cropped", "box", "centred", "input"}


def test_predict_raises_invalid_drawing_for_a_blank_canvas(modern):
    with pytest.raises(InvalidDrawing) as err:
        modern.predict(np.full((280, 280, 4), 255, np.uint8))
    assert err.value.empty


def test_predict_batch_keeps_the_order_and_reads_each_as_if_alone(recognizer):
    """Mixed sizes (stacks are formed per size inside) come back in the order given."""
    items = drawings(12, seed=3) + [(draw(d, canvas=400), d) for d in (8, 2, 5)]
    order = np.random.default_rng(0).permutation(len(items))
    images = [items[i][0] for i in order]
    batch = recognizer.predict_batch(images)
    assert len(batch) == len(images)
    for image, b in zip(images, batch):
        one = recognizer.predict(image)
        assert one.digit == b.digit
        np.testing.assert_allclose(one.probabilities, b.probabilities, atol=1e-4)
        np.testing.assert_allclose(one.input, b.input, atol=1e-6)   # stacked matrix products: float rounding
        for name, fm in one.feature_maps.items():
            np.testing.assert_allclose(fm, b.feature_maps[name], atol=1e-4, err_msg=name)
    assert recognizer.predict_batch([]) == []


def test_predict_batch_raises_the_first_invalid_input(modern):
    blank = np.full((280, 280, 4), 255, np.uint8)
    with pytest.raises(InvalidDrawing) as err:
        modern.predict_batch([draw(7, canvas=280), b"not a picture", blank])
    assert err.value.reason != "empty"          # the junk bytes, not the blank canvas after them


# ------------------------------------------------------------------ kernels

def test_kernels_are_read_only_and_follow_the_c3_table(recognizer):
    c1, c3 = recognizer.kernels("C1"), recognizer.kernels("C3")
    assert c1.shape == (5, 5, 1, 6) and c3.shape == (5, 5, 6, 16)
    assert recognizer.kernels("C3") is c3                    # read once
    with pytest.raises(ValueError):
        c3[0, 0, 0, 0] = 1.0
    table = np.asarray(c3_connection_table(recognizer.model))
    nonzero = np.abs(c3).max(axis=(0, 1)) > 0                 # (6, 16): S2 map -> C3 map has weights
    np.testing.assert_array_equal(nonzero, table > 0)


# ------------------------------------------------------------------ TFLite fast path

def test_tflite_path_is_loaded_and_agrees_with_keras_on_drawn_digits(recognizer):
    assert recognizer.lite is not None, f"weights/lenet5_{recognizer.variant}.tflite not used: {recognizer.lite_error}"
    for digit in range(10):
        x = preprocess(draw(digit)).input[None]
        lite, keras = recognizer.run(x), recognizer._keras(x)
        for name in LAYERS:
            assert lite[name].shape == keras[name].shape, name
            np.testing.assert_allclose(lite[name], keras[name], rtol=0, atol=1e-4, err_msg=f"{digit} {name}")
        assert int(np.argmax(lite["OUT"])) == int(np.argmax(keras["OUT"]))


def test_tflite_batches_agree_with_keras(recognizer):
    x = np.stack([preprocess(image).input for image, _ in drawings(16, seed=5)])
    lite, keras = recognizer.run(x), recognizer._keras(x)
    for name in LAYERS:
        np.testing.assert_allclose(lite[name], keras[name], rtol=0, atol=1e-4, err_msg=name)


def test_interpreter_is_safe_across_threads(modern):
    xs = [preprocess(draw(d)).input[None] for d in range(10)]
    want = [modern._keras(x)["OUT"] for x in xs]
    errors = []

    def worker(k):
        for i in range(200):
            j = (i + k) % 10
            if not np.allclose(modern.run(xs[j])["OUT"], want[j], atol=1e-4):
                errors.append(j)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_missing_or_wrong_tflite_falls_back_to_keras(tmp_path):
    shutil.copy(keras_path("modern"), tmp_path)
    rec = Recognizer.load("modern", tmp_path)            # no .tflite: the tf.function path
    assert rec.lite is None and rec.lite_error is None
    assert rec.predict(draw(7)).digit == 7
    shutil.copy(tflite_path("classic"), tflite_path("modern", tmp_path))   # another model's file
    with pytest.warns(UserWarning, match="not used"):
        rec = Recognizer.load("modern", tmp_path)
    assert rec.lite is None and "differs" in rec.lite_error
    assert rec.predict(draw(7)).digit == 7
    tflite_path("modern", tmp_path).write_bytes(b"not a flatbuffer")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        rec = Recognizer.load("modern", tmp_path)
    assert rec.lite is None and rec.lite_error
    assert rec.predict(draw(7)).digit == 7


# ------------------------------------------------------------------ the two backends

@pytest.fixture(scope="module", params=["modern", "classic"])
def backends(request):
    """(litert recogniser, tensorflow recogniser) of one variant."""
    return Recognizer.load(request.param, backend="litert"), Recognizer.load(request.param, backend="tensorflow")


def test_both_backends_give_identical_predictions_and_maps(backends):
    lean, full = backends
    assert (lean.backend, full.backend) == ("litert", "tensorflow")
    pictures = [image for image, _ in drawings(40, seed=3)]
    for a, b in zip(lean.predict_batch(pictures), full.predict_batch(pictures)):   # batches: every core
        assert a.digit == b.digit
        np.testing.assert_allclose(a.probabilities, b.probabilities, atol=1e-5)
        for name in SHAPES:
            np.testing.assert_allclose(a.feature_maps[name], b.feature_maps[name], atol=1e-5)
    for picture in pictures[:10]:                                                  # one at a time: the app
        a, b = lean.predict(picture), full.predict(picture)
        assert a.digit == b.digit
        for name in SHAPES:
            np.testing.assert_allclose(a.feature_maps[name], b.feature_maps[name], atol=1e-5)
    for name in ("C1", "C3"):
        np.testing.assert_array_equal(lean.kernels(name), full.kernels(name))
        np.testing.assert_array_equal(lean.bias(name), full.bias(name))
    np.testing.assert_array_equal(c3_connection_table(lean.model), c3_connection_table(full.model))


def test_every_prediction_says_whether_it_is_a_digit(backends):
    """predict, predict_batch and predictions over run's outputs (the number reader's path) all carry
    is_digit and digit_score, the same on both backends; a drawn digit reads as one."""
    lean, full = backends
    pictures = [image for image, _ in drawings(20, seed=4)]
    prepared = [preprocess(p) for p in pictures]
    outs = lean.run(np.stack([p.input for p in prepared]))
    assert outs["REJECT"].shape == (20, 1)
    paths = (lean.predict_batch(pictures), full.predict_batch(pictures), [full.predict(p) for p in pictures],
             lean.predictions(outs, prepared, codes=lean.codes))
    for preds in paths:
        for a, b in zip(preds, paths[0]):
            assert isinstance(a.is_digit, bool) and a.is_digit == (a.digit_score >= 0.5)
            assert a.digit_score == pytest.approx(b.digit_score, abs=1e-4)
    assert np.mean([p.is_digit for p in paths[0]]) >= 0.95
    assert "REJECT" not in paths[0][0].feature_maps


def test_both_backends_explain_a_pixel_and_tabulate_the_same(backends):
    from lenet import walkthrough as wt
    from lenet.architecture import table_values
    lean, full = backends
    assert table_values(lean.model) == table_values(full.model)
    assert wt.explained_rows(lean.model) == wt.explained_rows(full.model)
    x = lean.predict(draw(4, canvas=280)).input
    for layer, at in (("C1", (2, 10, 11)), ("C3", (5, 4, 3))):
        a, b = wt.Walkthrough(lean).explain(x, layer, *at), wt.Walkthrough(full).explain(x, layer, *at)
        assert (a.connected, a.activation) == (b.connected, b.activation)
        assert a.value == pytest.approx(b.value, abs=1e-5) and a.z == pytest.approx(b.z, abs=1e-5)


def test_litert_without_exported_facts_falls_back_to_tensorflow(tmp_path):
    shutil.copy(keras_path("modern"), tmp_path)
    shutil.copy(tflite_path("modern"), tmp_path)
    with pytest.warns(UserWarning, match="lenet export --variant modern"):
        rec = Recognizer.load("modern", tmp_path)
    assert rec.backend == "tensorflow" and "FileNotFoundError" in rec.lean_error
    assert rec.predict(draw(7)).digit == 7
    with pytest.raises(WeightsError, match="python -m lenet export --variant modern"):
        Recognizer.load("modern", tmp_path, backend="litert")


def test_litert_refuses_a_tflite_its_facts_were_not_exported_with(tmp_path):
    from lenet.paths import arrays_path, facts_path
    for path in (keras_path, facts_path, arrays_path):
        shutil.copy(path("modern"), tmp_path)
    shutil.copy(tflite_path("classic"), tflite_path("modern", tmp_path))
    with pytest.raises(WeightsError, match="not the one its facts were exported with"):
        Recognizer.load("modern", tmp_path, backend="litert")


BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError("blocked for the test: " + name)
sys.meta_path.insert(0, Block())
"""


@pytest.mark.parametrize("blocked,backend", [(("tensorflow", "keras"), "litert"), (("ai_edge_litert",), "tensorflow")])
def test_load_with_one_runtime_blocked(root, blocked, backend):
    """No TensorFlow or Keras import at all on the lean path; without ai_edge_litert (a platform
    without its wheel) the TensorFlow path serves, silently."""
    import subprocess
    import sys
    code = BLOCK.format(blocked=set(blocked)) + """
import warnings
warnings.simplefilter("error", UserWarning)   # no "not used" warning: a missing runtime is not a fault
from lenet import Recognizer
from lenet.synthetic import draw
for v in ("modern", "classic"):
    rec = Recognizer.load(v)
    print(rec.backend, rec.predict(draw(3, canvas=280)).digit)
print(sorted({m.split(".")[0] for m in sys.modules} & {"tensorflow", "keras", "ai_edge_litert"}))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.split("\n")
    assert lines[:2] == [f"{backend} 3"] * 2, done.stdout
    loaded = {"litert": "['ai_edge_litert']", "tensorflow": "['keras', 'tensorflow']"}[backend]
    assert lines[2] == loaded, done.stdout
