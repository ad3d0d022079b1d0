"""lenet/facts.py: the committed facts files (what the lean serving path reads instead of the Keras
model) against the Keras models themselves, and their save/load round trip."""
import numpy as np
import pytest

from lenet import facts
from lenet.architecture import c3_connection_table, describe
from lenet.network import C3_TABLE, LAYERS, OUTPUTS
from lenet.paths import arrays_path, facts_path, tflite_path
from lenet.recognizer import _CHECK

PAPER_PARAMS = {"classic": 60_850, "modern": 61_706}   # README's table (tests/test_model.py: the paper's counts)


@pytest.fixture(scope="module", params=["modern", "classic"])
def pair(request):
    """(Keras recogniser, the committed facts of the same variant)."""
    from lenet import Recognizer
    rec = Recognizer.load(request.param, backend="tensorflow")
    return rec, facts.load(request.param)


def test_committed_facts_are_the_keras_models(pair):
    rec, f = pair
    model = rec.model
    assert (f.name, f.variant, f.rbf) == (model.name, rec.variant, rec.rbf)
    assert [{k: r[k] for k in describe(model)[0]} for r in f.rows] == describe(model)
    for r in f.rows[1:]:
        layer = model.get_layer(r["layer"])
        assert r["params"] == layer.count_params() and r["class"] == type(layer).__name__
    assert f.count_params == model.count_params() == PAPER_PARAMS[rec.variant]
    for name in ("C1", "C3", "C5", "F6"):
        layer = model.get_layer(name)
        full = layer.full_kernel() if hasattr(layer, "full_kernel") else layer.kernel
        np.testing.assert_array_equal(f.kernel(name), np.asarray(full))
    for name in LAYERS:
        bias = getattr(model.get_layer(name), "bias", None)
        if bias is not None:
            np.testing.assert_array_equal(f.bias(name), np.asarray(bias))
    np.testing.assert_array_equal(f.c3_table, c3_connection_table(model))
    assert f.scale == pytest.approx((1.275, -0.1))
    assert {n: tuple(s) for n, s in f.shapes.items()} == {n: tuple(model.get_layer(n).output.shape[1:])
                                                          for n in OUTPUTS}   # REJECT's (1,) too


def test_c3_table_is_the_papers_table_i_for_classic(pair):
    rec, f = pair
    expected = np.zeros((6, 16))
    for j, row in enumerate(C3_TABLE):
        expected[list(row), j] = 1
    assert np.array_equal(f.c3_table, expected if rec.variant == "classic" else np.ones((6, 16)))


def test_check_outputs_are_the_keras_outputs_and_the_tflite_is_the_committed_one(pair):
    rec, f = pair
    keras_out = rec._keras(_CHECK)
    assert set(f.check) == set(OUTPUTS)
    for name in OUTPUTS:
        np.testing.assert_allclose(f.check[name], keras_out[name], atol=1e-6)
    assert f.tflite_sha256 == facts.sha256(tflite_path(rec.variant).read_bytes()), \
        "weights/*.tflite changed without its facts: run python -m lenet export"


def test_save_load_round_trip(pair, tmp_path):
    rec, f = pair
    facts.save(f, tmp_path)
    g = facts.load(rec.variant, tmp_path)
    assert (g.name, g.rows, g.activations, g.scale, g.tflite_sha256) == (f.name, f.rows, f.activations, f.scale,
                                                                         f.tflite_sha256)
    assert set(g.arrays) == set(f.arrays)
    for k in f.arrays:
        np.testing.assert_array_equal(g.arrays[k], f.arrays[k])
    # another variant's facts under this variant's name are refused
    other = "classic" if rec.variant == "modern" else "modern"
    facts_path(rec.variant, tmp_path).replace(facts_path(other, tmp_path))
    arrays_path(rec.variant, tmp_path).replace(arrays_path(other, tmp_path))
    with pytest.raises(ValueError, match="not the facts"):
        facts.load(other, tmp_path)
