"""lenet/snapshots.py: a tiny training run with the callback writes the agreed format, its steps
log-spaced and increasing from 0, and its last point equal to the saved model to float16 precision."""
import numpy as np

from lenet import snapshots
from lenet.model import build
from lenet.train import compile_for


def test_steps_are_log_spaced_from_initialisation_to_the_last():
    s = snapshots.steps_to_keep(22_000)
    assert s[0] == 0 and s[-1] == 22_000 and (np.diff(s) > 0).all()
    assert 16 <= len(s) <= 24
    ratios = s[2:] / s[1:-1]
    assert ratios.max() / ratios.min() < 1.5 or len(s) < 4   # about evenly spaced on a log scale
    assert list(snapshots.steps_to_keep(5)) == [0, 1, 2, 3, 4, 5]


def test_a_tiny_run_writes_the_format_and_ends_at_the_model(tmp_path):
    import keras
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (256, 32, 32, 1)).astype("float32")
    y = (np.arange(256) % 11).astype("int32")          # 10 = a non-digit
    model = build("classic")
    steps = 2 * 8
    compile_for(model, "classic", 1e-3, steps)
    keep = snapshots.Snapshots("classic", 8, 32, steps, x[:64], y[:64] % 10, x[64:128], y[64:128] % 10)
    model.fit(x, {"OUT": y, "REJECT": y}, batch_size=32, epochs=2, verbose=0, callbacks=[keep])
    model.save(tmp_path / "m.keras")
    saved = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True, compile=False)
    path = keep.save(tmp_path, saved)
    assert path.name == "lenet5_classic_snapshots.npz"
    z = snapshots.load("classic", tmp_path)
    k = len(z["step"])
    assert z["step"].dtype == np.int64 and z["step"][0] == 0 and z["step"][-1] == steps
    assert (np.diff(z["step"]) > 0).all()
    np.testing.assert_allclose(z["epoch"], z["step"] / 8)
    for key in ("loss", "train_accuracy", "test_accuracy"):
        assert z[key].dtype == np.float64 and z[key].shape == (k,) and np.isfinite(z[key]).all()
    assert int(z["steps_per_epoch"]) == 8 and int(z["batch_size"]) == 32 and str(z["variant"]) == "classic"
    assert "2,000" not in str(z["notes"]) and "64" in str(z["notes"])
    names = [w.path for w in saved.weights]
    assert list(z["names"]) == names and "C1/kernel" in names
    for w, name in zip(saved.weights, names):
        arr = z[f"w:{name}"]
        assert arr.dtype == np.float16 and arr.shape == (k, *w.shape)
        np.testing.assert_array_equal(arr[-1], np.asarray(w.numpy(), "float16"))
    first = z["w:C1/kernel"][0].astype("float32")
    assert not np.allclose(first, z["w:C1/kernel"][-1].astype("float32"))   # it learnt something
