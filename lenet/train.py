"""Training and evaluation on MNIST, with the distortions that make LeNet-5 read how people
really draw (lenet/augment.py), printed digits and generated non-digits beside them (label 10,
lenet/rejection.py), the paper's loss for its RBF ending, and the model card written beside the
weights. The training defaults live here and only here (the CLI reads them)."""
import platform
import time
from pathlib import Path

import numpy as np

from . import card as model_card
from . import data, nondigits
from .augment import AUGMENTATION, make_augment
from .model import LAYERS, RUBBISH_J, build, digit_outputs, has_rbf_output, predicted_digits
from .paths import WEIGHTS, keras_path, model_name, plot_path

VALIDATION = 5000  # images held out of the 60k training set to pick the best epoch
DEFAULTS = {"epochs": 40, "seed": 0, "batch_size": 128, "learning_rate": 2e-3}
NOT_A_DIGIT = 10       # the label of a generated non-digit
SPREAD_WEIGHT = 0.75   # softmax variants: weight of "spread OUT evenly" on a non-digit (Hendrycks et al. 2019)
RUBBISH_FAR = 45.0     # paper: a non-digit is pushed farther than this from every code (a digit's j is RUBBISH_J)


def paper_loss(y_true, distances):
    """Eq. 9 of LeCun et al. 1998 per digit: y_D + log(e^-j + sum_i e^-y_i), the distance to the
    correct code plus a log-sum-exp over all of them and the rubbish class, j = RUBBISH_J: the
    cross-entropy of the posterior softmax(-y_0..-y_9, -j) (lenet.model.posterior) at the true digit.
    A non-digit (label 10) takes the rubbish class's cross-entropy with the rubbish class at
    RUBBISH_FAR instead, log(1 + sum_i e^(RUBBISH_FAR - y_i)): digits are pulled inside j, non-digits
    pushed past a farther j, so the two sit apart with a margin between them."""
    from keras import ops
    y = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    logits = ops.concatenate([-distances, ops.full_like(distances[:, :1], -RUBBISH_J)], axis=-1)
    logp = logits - ops.logsumexp(logits, axis=-1, keepdims=True)
    digit = -ops.take_along_axis(logp, ops.expand_dims(ops.minimum(y, 9), -1), axis=-1)[:, 0]
    rubbish = ops.softplus(ops.logsumexp(RUBBISH_FAR - distances, axis=-1))
    return ops.where(y < NOT_A_DIGIT, digit, rubbish)


def softmax_loss(y_true, probabilities):
    """Cross-entropy on a digit; on a non-digit (label 10) SPREAD_WEIGHT x the cross-entropy to the
    even spread over the ten digits (outlier exposure): OUT learns to be unsure of what is not a digit."""
    from keras import ops
    y = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    logp = ops.log(ops.clip(probabilities, 1e-7, 1.0))
    digit = -ops.take_along_axis(logp, ops.expand_dims(ops.minimum(y, 9), -1), axis=-1)[:, 0]
    spread = -SPREAD_WEIGHT * ops.mean(logp, axis=-1)
    return ops.where(y < NOT_A_DIGIT, digit, spread)


def nearest_code_accuracy(y_true, distances):
    """A digit read right, or a non-digit farther than j from every code."""
    from keras import ops
    y = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    hit = ops.cast(ops.argmin(distances, axis=-1), "int32") == y
    far = ops.min(distances, axis=-1) > RUBBISH_J
    return ops.cast(ops.where(y < NOT_A_DIGIT, hit, far), "float32")


def softmax_accuracy(y_true, probabilities):
    """A digit read right, or a non-digit with no digit over half the probability."""
    from keras import ops
    y = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    hit = ops.cast(ops.argmax(probabilities, axis=-1), "int32") == y
    unsure = ops.max(probabilities, axis=-1) < 0.5
    return ops.cast(ops.where(y < NOT_A_DIGIT, hit, unsure), "float32")


def evaluate_model(model, x, y, batch_size=1000):
    """Accuracy, per-class accuracy and confusion matrix (rows: true, columns: predicted)."""
    pred = predicted_digits(digit_outputs(model, x, batch_size)[0], has_rbf_output(model))
    return scores(pred, y)


def scores(pred, y):
    """Predicted and true digits -> accuracy, per-class accuracy, confusion matrix."""
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (np.asarray(y), np.asarray(pred)), 1)
    per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    return {
        "test_accuracy": float(np.mean(np.asarray(pred) == np.asarray(y))),
        "per_class_accuracy": {str(k): round(float(v), 4) for k, v in enumerate(per_class)},
        "confusion_matrix": confusion.tolist(),
    }


def layer_parameters(model):
    return {name: int(model.get_layer(name).count_params()) for name in LAYERS}


def compile_for(model, variant, learning_rate, steps):
    """Adam with cosine decay; softmax_loss on the softmax variants, eq. 9 on the paper's RBF (its
    rubbish class is label 10). REJECT has no loss: it is computed from OUT."""
    import keras
    optimizer = keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.02))
    loss, acc = (paper_loss, nearest_code_accuracy) if has_rbf_output(model) else (softmax_loss, softmax_accuracy)
    model.compile(optimizer=optimizer, loss={"OUT": loss, "REJECT": None},
                  metrics={"OUT": [keras.metrics.MeanMetricWrapper(acc, name="accuracy")]})


def train(variant, epochs=DEFAULTS["epochs"], seed=DEFAULTS["seed"], data_path=None, out=WEIGHTS,
          batch_size=DEFAULTS["batch_size"], learning_rate=DEFAULTS["learning_rate"], limit=None, verbose=1,
          measure_sets=True, snapshots=False):
    """Train one variant on MNIST + printed digits + non-digits, keep the last epoch, calibrate its
    REJECT on held-out data (lenet/rejection.py), evaluate it on the official test set (and, with
    measure_sets, on the project's non-MNIST sets, lenet/handsets.py, and the non-digit sets), save
    `lenet5_<variant>.keras`, its .tflite, model card and plots in `out`; with `snapshots`, its
    weights along the way too (lenet/snapshots.py)."""
    import keras
    import tensorflow as tf

    from . import rejection

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    (raw_x, raw_y), (raw_test, raw_test_y) = data.load_raw(data_path)
    (x, y), (x_test, y_test) = data.load(data_path)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y, raw_x = x[order], y[order], raw_x[order]
    x_val, y_val, x, y = x[:VALIDATION], y[:VALIDATION], x[VALIDATION:], y[VALIDATION:]
    raw_val, raw_x = raw_x[:VALIDATION], raw_x[VALIDATION:]
    if limit:  # smoke tests: a small slice of everything
        x, y, x_val, y_val = x[:limit], y[:limit], x_val[:limit], y_val[:limit]
        x_test, y_test, raw_test, raw_test_y = x_test[:limit], y_test[:limit], raw_test[:limit], raw_test_y[:limit]
    mix, fonts = nondigits.training_mix(variant), nondigits.training_fonts(variant)
    extra_x, extra_y = rejection.training_extra(raw_x[:len(x)], y, seed, scale=(limit / len(raw_x)) if limit else 1,
                                                mix=mix, count=nondigits.training_count(variant), fonts=fonts)
    digits_x, digits_y = x, y
    x = np.concatenate([x, extra_x[..., None]])
    y = np.concatenate([y, extra_y])

    train_ds = (tf.data.Dataset.from_tensor_slices((x, y))
                .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
                .batch(batch_size)
                .map(make_augment(seed))
                .map(lambda a, b: (a, {"OUT": b, "REJECT": b}))
                .prefetch(2))
    steps_per_epoch = int(np.ceil(len(x) / batch_size))
    steps = epochs * steps_per_epoch
    model = build(variant)
    compile_for(model, variant, learning_rate, steps)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    callbacks = []
    if snapshots:
        from .snapshots import Snapshots
        keep = Snapshots(variant, steps_per_epoch, batch_size, steps, digits_x, digits_y, x_test, y_test, seed)
        callbacks.append(keep)
    started, cpu_started = time.time(), time.process_time()
    history = model.fit(train_ds, epochs=epochs, validation_data=(x_val, {"OUT": y_val, "REJECT": y_val}),
                        verbose=verbose, callbacks=callbacks)
    seconds = time.time() - started
    cpu_seconds = time.process_time() - cpu_started   # all threads: the machine is shared, wall time varies
    path = keras_path(variant, out)
    model.save(path)          # the weights first: calibration below changes two constants only
    if snapshots:
        keep.save(out)

    # Calibrated on digits and non-digits never trained on (validation digits, their own draw).
    x_cal, _ = rejection.calibration_digits(raw_val, y_val, x_val, fonts=fonts)
    cal_non = rejection.nondigit_sets("calibration", raw_val, y_val, count=min(3000, 6 * len(raw_val)), mix=mix,
                                           fonts=fonts)
    calibration = rejection.calibrate(model, x_cal, np.concatenate(list(cal_non.values())))
    # Saved and reloaded uncompiled: the committed file holds no optimizer or loss to deserialise.
    model.save(path)
    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    model.save(path)
    if snapshots:
        keep.save(out, model)

    h = {k: [round(float(v), 5) for v in vals] for k, vals in history.history.items()}
    h = {k.replace("OUT_", ""): v for k, v in h.items()}
    val_acc = h["val_accuracy"]
    card = {
        "variant": variant,
        "file": path.name,
        **evaluate_model(model, x_test, y_test),
        "test_set": "official MNIST test set" if not limit else f"first {len(x_test)} test images",
        "epochs": epochs,
        "kept_epoch": epochs,
        "best_epoch": int(np.argmax(val_acc)) + 1,
        "best_validation_accuracy": float(max(val_acc)),
        "last_validation_accuracy": float(val_acc[-1]),
        "seed": seed,
        "batch_size": batch_size,
        "optimizer": f"Adam, cosine decay from {learning_rate}",
        "loss": ("eq. 9 of LeCun et al. 1998 (distance to the true code + log(e^-j + sum e^-y_i)), "
                 f"j = {RUBBISH_J}; non-digits: its rubbish class at j = {RUBBISH_FAR}") if has_rbf_output(model) else
                f"cross-entropy; on non-digits {SPREAD_WEIGHT} x cross-entropy to the even spread",
        "training_images": int(len(x)),
        "training_mix": {"mnist": int(len(digits_x)), "printed_digits": int(np.sum(extra_y < NOT_A_DIGIT)),
                         "nondigits": int(np.sum(extra_y == NOT_A_DIGIT))},
        "validation_images": int(len(x_val)),
        "augmentation": AUGMENTATION,
        "data_sha256": data.sha256(data_path),
        "parameters": {**layer_parameters(model), "total": int(model.count_params())},
        "rejection": {"calibration": calibration},
        "training_seconds": round(seconds, 1),
        "training_cpu_seconds": round(cpu_seconds, 1),
        "versions": _versions(),
        "history": h,
    }
    if measure_sets:
        from .handsets import measure
        card["other_sets"] = measure(model, variant, data_path=data_path, limit=limit)
        card["rejection"]["held_out"] = rejection.measure(model, raw_test, raw_test_y, x_test, y_test, mix=mix,
                                                             fonts=fonts)
    model_card.write(card, variant, out)
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
    variant, h = card["variant"], card["history"]
    name = model_name(variant)
    epochs = range(1, len(h["loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax1.plot(epochs, h["loss"], label="train (distorted)")
    ax1.plot(epochs, h["val_loss"], label="validation")
    ax1.set(xlabel="epoch", ylabel=card.get("loss", "cross-entropy").split(" (")[0], title="loss")
    ax2.plot(epochs, [100 * v for v in h["accuracy"]], label="train (distorted)")
    ax2.plot(epochs, [100 * v for v in h["val_accuracy"]], label="validation")
    ax2.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy", ylim=(95, 100))
    for ax in (ax1, ax2):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(f"{name}: test accuracy {100 * card['test_accuracy']:.2f} %")
    fig.tight_layout()
    fig.savefig(plot_path(variant, "curves", out), dpi=90)
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
    fig.savefig(plot_path(variant, "confusion", out), dpi=90)
    plt.close(fig)
