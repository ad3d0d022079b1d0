"""Training and evaluation on MNIST, with the distortions that make LeNet-5 read how people
really draw, and the model card written beside the weights."""
import json
import platform
import time
from pathlib import Path

import numpy as np

from . import data
from .model import LAYERS, build

WEIGHTS = Path(__file__).resolve().parent.parent / "weights"
VALIDATION = 5000  # images held out of the 60k training set to pick the best epoch

# Distortions drawn per image per epoch (applied on the 32x32 ink map).
AUGMENTATION = {
    "rotation_degrees": 15.0,      # +-, people slant
    "scale": 0.15,                 # +-15 %, per axis up to +-5 % more (aspect)
    "aspect": 0.05,
    "shear": 0.25,                 # +-, x += shear * y
    "shift_px": 2.0,               # +-, the pipeline centres by mass, so little is needed
    "thicken_probability": 0.2,    # 2x2 grey dilation: a bolder pen
    "thin_probability": 0.2,       # 2x2 grey erosion: a finer pen
}


def weights_path(variant, directory=WEIGHTS):
    return Path(directory) / f"lenet5_{variant}.keras"


def card_path(variant, directory=WEIGHTS):
    return Path(directory) / f"lenet5_{variant}.json"


def make_augment(seed, aug=AUGMENTATION):
    """A tf.function distorting a batch (B, 32, 32, 1) with per-image random affine maps
    and stroke-width changes, drawn from a generator seeded once (deterministic)."""
    import tensorflow as tf

    rng = tf.random.Generator.from_seed(seed)
    centre = 15.5

    @tf.function
    def augment(x, y):
        b = tf.shape(x)[0]
        u = lambda lim: rng.uniform([b], -lim, lim)  # noqa: E731
        theta = u(aug["rotation_degrees"]) * (np.pi / 180)
        s = 1.0 + u(aug["scale"])
        sx, sy = s * (1.0 + u(aug["aspect"])), s
        sh = u(aug["shear"])
        tx, ty = u(aug["shift_px"]), u(aug["shift_px"])
        # Forward map M = R . Shear . Scale (2x2); the op wants output->input, so invert it.
        c, si = tf.cos(theta), tf.sin(theta)
        a, bb = c * sx, (c * sh - si) * sy
        cc, d = si * sx, (si * sh + c) * sy
        det = a * d - bb * cc
        ia, ib, ic, id_ = d / det, -bb / det, -cc / det, a / det
        ox, oy = centre + tx, centre + ty
        transforms = tf.stack([
            ia, ib, centre - ia * ox - ib * oy,
            ic, id_, centre - ic * ox - id_ * oy,
            tf.zeros([b]), tf.zeros([b])], axis=1)
        x = tf.raw_ops.ImageProjectiveTransformV3(
            images=x, transforms=transforms, output_shape=[32, 32], fill_value=0.0,
            interpolation="BILINEAR", fill_mode="CONSTANT")
        pick = rng.uniform([b, 1, 1, 1])
        thick = tf.nn.max_pool2d(x, 2, 1, "SAME")
        thin = -tf.nn.max_pool2d(-x, 2, 1, "SAME")
        p_thick, p_thin = aug["thicken_probability"], aug["thicken_probability"] + aug["thin_probability"]
        x = tf.where(pick < p_thick, thick, tf.where(pick < p_thin, thin, x))
        return tf.clip_by_value(x, 0.0, 1.0), y

    return augment


def evaluate_model(model, x, y, batch_size=1000):
    """Accuracy, per-class accuracy and confusion matrix (rows: true, columns: predicted)."""
    pred = np.argmax(model.predict(x, batch_size=batch_size, verbose=0), axis=1)
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (y, pred), 1)
    per_class = confusion.diagonal() / confusion.sum(axis=1)
    return {
        "test_accuracy": float((pred == y).mean()),
        "per_class_accuracy": {str(k): round(float(v), 4) for k, v in enumerate(per_class)},
        "confusion_matrix": confusion.tolist(),
    }


def layer_parameters(model):
    return {name: int(model.get_layer(name).count_params()) for name in LAYERS}


def train(variant, epochs=50, seed=0, data_path=None, out=WEIGHTS, batch_size=128,
          learning_rate=2e-3, limit=None, verbose=1):
    """Train one variant, keep the best epoch by validation accuracy, evaluate it on the
    official test set, save `lenet5_<variant>.keras` and its model card in `out`."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    (x, y), (x_test, y_test) = data.load(data_path)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    x_val, y_val, x, y = x[:VALIDATION], y[:VALIDATION], x[VALIDATION:], y[VALIDATION:]
    if limit:  # smoke tests: a small slice of everything
        x, y, x_val, y_val, x_test, y_test = x[:limit], y[:limit], x_val[:limit], y_val[:limit], x_test[:limit], y_test[:limit]

    train_ds = (tf.data.Dataset.from_tensor_slices((x, y))
                .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
                .batch(batch_size)
                .map(make_augment(seed))
                .prefetch(2))
    steps = epochs * int(np.ceil(len(x) / batch_size))
    model = build(variant)
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.02)),
        loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    best = out / f".lenet5_{variant}.best.keras"
    started = time.time()
    history = model.fit(
        train_ds, epochs=epochs, validation_data=(x_val, y_val), verbose=verbose,
        callbacks=[keras.callbacks.ModelCheckpoint(best, monitor="val_accuracy", save_best_only=True)])
    seconds = time.time() - started
    model = keras.saving.load_model(best, safe_mode=True)
    best.unlink()

    scores = evaluate_model(model, x_test, y_test)
    path = weights_path(variant, out)
    model.save(path)
    val_acc = history.history["val_accuracy"]
    card = {
        "variant": variant,
        "file": path.name,
        **scores,
        "test_set": "official MNIST test set" if not limit else f"first {len(x_test)} test images",
        "epochs": epochs,
        "best_epoch": int(np.argmax(val_acc)) + 1,
        "best_validation_accuracy": float(max(val_acc)),
        "seed": seed,
        "batch_size": batch_size,
        "optimizer": f"Adam, cosine decay from {learning_rate}",
        "training_images": int(len(x)),
        "validation_images": int(len(x_val)),
        "augmentation": AUGMENTATION,
        "data_sha256": data.sha256(data_path),
        "parameters": {**layer_parameters(model), "total": int(model.count_params())},
        "training_seconds": round(seconds, 1),
        "versions": _versions(),
        "history": {k: [round(float(v), 5) for v in vals] for k, vals in history.history.items()},
    }
    card_path(variant, out).write_text(json.dumps(card, indent=1) + "\n")
    _plots(card, out)
    from .recognizer import export_tflite
    export_tflite(variant, out)   # the app's single-drawing fast path, beside the .keras file
    return card


def _versions():
    import keras
    import tensorflow as tf
    return {"python": platform.python_version(), "tensorflow": tf.__version__,
            "keras": keras.__version__, "numpy": np.__version__}


def _plots(card, out):
    """Training curves and confusion matrix as PNGs beside the card (needs matplotlib,
    a dev requirement; skipped with a note without it)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: skipping the model card plots")
        return
    name, h = f"lenet5_{card['variant']}", card["history"]
    epochs = range(1, len(h["loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax1.plot(epochs, h["loss"], label="train (distorted)")
    ax1.plot(epochs, h["val_loss"], label="validation")
    ax1.set(xlabel="epoch", ylabel="cross-entropy", title="loss")
    ax2.plot(epochs, [100 * v for v in h["accuracy"]], label="train (distorted)")
    ax2.plot(epochs, [100 * v for v in h["val_accuracy"]], label="validation")
    ax2.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy", ylim=(97, 100))
    for ax in (ax1, ax2):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(f"{name}: test accuracy {100 * card['test_accuracy']:.2f} %")
    fig.tight_layout()
    fig.savefig(out / f"{name}_curves.png", dpi=90)
    plt.close(fig)

    cm = np.array(card["confusion_matrix"])
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    ax.imshow(np.log1p(cm), cmap="Blues")
    for (i, j), v in np.ndenumerate(cm):
        if v:
            ax.text(j, i, v, ha="center", va="center", fontsize=7, color="white" if i == j else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true",
           title=f"{name}: confusion on the 10,000 test digits")
    fig.tight_layout()
    fig.savefig(out / f"{name}_confusion.png", dpi=90)
    plt.close(fig)
