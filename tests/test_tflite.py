"""The single-drawing fast path: weights/lenet5_<variant>.tflite agrees with the Keras model on
every output, and a missing or wrong file falls back to the tf.function path."""
import shutil
import threading
import warnings

import numpy as np
import pytest

from lenet.model import LAYERS
from lenet.preprocess import preprocess
from lenet.synthetic import draw


def test_tflite_path_is_loaded_and_agrees_with_keras_on_drawn_digits(recognizer):
    assert recognizer.lite is not None, f"weights/lenet5_{recognizer.variant}.tflite not used: {recognizer.lite_error}"
    for digit in range(10):
        x = preprocess(draw(digit)).input[None]
        lite, keras = recognizer.run(x), recognizer._keras(x)
        for name in LAYERS:
            assert lite[name].shape == keras[name].shape, name
            np.testing.assert_allclose(lite[name], keras[name], rtol=0, atol=1e-4, err_msg=f"{digit} {name}")
        assert int(np.argmax(lite["OUT"])) == int(np.argmax(keras["OUT"]))


def test_batches_and_single_drawings_give_the_same_prediction(recognizer):
    images = [draw(d) for d in range(10)]
    batch = recognizer.predict_batch(images)
    for image, b in zip(images, batch):
        one = recognizer.predict(image)
        assert one.digit == b.digit
        np.testing.assert_allclose(one.probabilities, b.probabilities, atol=1e-4)
        for name, fm in one.feature_maps.items():
            np.testing.assert_allclose(fm, b.feature_maps[name], atol=1e-4, err_msg=name)


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
    from lenet import Recognizer
    from lenet.recognizer import WEIGHTS
    shutil.copy(WEIGHTS / "lenet5_modern.keras", tmp_path)
    rec = Recognizer.load("modern", tmp_path)            # no .tflite: the tf.function path
    assert rec.lite is None and rec.lite_error is None
    assert rec.predict(draw(7)).digit == 7
    shutil.copy(WEIGHTS / "lenet5_classic.tflite", tmp_path / "lenet5_modern.tflite")   # another model's file
    with pytest.warns(UserWarning, match="not used"):
        rec = Recognizer.load("modern", tmp_path)
    assert rec.lite is None and "differs" in rec.lite_error
    assert rec.predict(draw(7)).digit == 7
    (tmp_path / "lenet5_modern.tflite").write_bytes(b"not a flatbuffer")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        rec = Recognizer.load("modern", tmp_path)
    assert rec.lite is None and rec.lite_error
    assert rec.predict(draw(7)).digit == 7
