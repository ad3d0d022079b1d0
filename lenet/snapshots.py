"""Watching LeNet-5 learn: its weights kept at log-spaced points of training (initialisation, a few
batches, a few hundred, ..., the last step), with the loss and accuracies at each, written as
`weights/lenet5_<variant>_snapshots.npz` (the format is fixed; the "watch it learn" tab reads it):

  step (K,) int64 batches seen (0 = initialisation); epoch (K,) float64 step / steps_per_epoch;
  loss (K,) float64 mean training loss over the batches since the previous point (at step 0: the
  digit loss on the training subset); train_accuracy, test_accuracy (K,) float64; steps_per_epoch,
  batch_size int64; variant, notes str; names (P,) str Keras weight paths in model.weights order;
  "w:<path>" (K, *shape) float16 each weight at each point.
The last point is written from the saved model itself, so it is the committed model."""
import numpy as np

from .paths import WEIGHTS

POINTS = 18          # log-spaced steps between 1 and the last, before duplicates are merged
SUBSET = 2000        # fixed training and test images the accuracies are measured on


def steps_to_keep(total, points=POINTS):
    """0, then ~`points` log-spaced steps from 1 to `total` (ints, increasing, the last = total)."""
    return np.unique(np.concatenate([[0], np.round(np.geomspace(1, total, points)).astype(int), [total]]))


def _path(variant, out):
    from pathlib import Path
    return Path(out) / f"lenet5_{variant}_snapshots.npz"


def _digit_loss_and_accuracy(model, x, y):
    """Mean digit loss (cross-entropy, or eq. 9 for the paper) and accuracy of a Keras model."""
    from .model import digit_outputs, has_rbf_output
    from .network import posterior
    out, _ = digit_outputs(model, x)
    rbf = has_rbf_output(model)
    p = posterior(out)[:, :10] if rbf else out.astype("float64")
    loss = float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None))))
    pred = np.argmin(out, axis=1) if rbf else np.argmax(out, axis=1)
    return loss, float(np.mean(pred == y))


def _callback_base():
    import keras
    return keras.callbacks.Callback


class Snapshots(_callback_base()):
    """A Keras callback keeping the model's weights (float16) at steps_to_keep(total_steps)."""

    def __init__(self, variant, steps_per_epoch, batch_size, total_steps, x_train, y_train, x_test, y_test,
                 seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(x_train), min(SUBSET, len(x_train)), replace=False)
        test = rng.choice(len(x_test), min(SUBSET, len(x_test)), replace=False)
        self.x_train, self.y_train = x_train[pick], np.asarray(y_train)[pick]
        self.x_test, self.y_test = x_test[test], np.asarray(y_test)[test]
        self.variant, self.steps_per_epoch, self.batch_size = variant, steps_per_epoch, batch_size
        self.keep = set(int(s) for s in steps_to_keep(total_steps))
        self.step, self.points, self.losses, self._epoch_mean = 0, [], [], (0, 0.0)

    def _record(self, loss):
        train_loss, train_acc = _digit_loss_and_accuracy(self.model, self.x_train, self.y_train)
        _, test_acc = _digit_loss_and_accuracy(self.model, self.x_test, self.y_test)
        self.points.append({"step": self.step, "loss": train_loss if loss is None else loss,
                            "train_accuracy": train_acc, "test_accuracy": test_acc,
                            "weights": [np.array(w.numpy(), "float16") for w in self.model.weights]})

    def on_train_begin(self, logs=None):
        self._record(None)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_mean = (0, 0.0)

    def on_train_batch_end(self, batch, logs=None):
        # Keras reports the running mean of the epoch: the batch's own loss is recovered from it.
        n, mean = self._epoch_mean
        now = float(logs["loss"])
        self.losses.append((n + 1) * now - n * mean)
        self._epoch_mean = (n + 1, now)
        self.step += 1
        if self.step in self.keep:
            self._record(float(np.mean(self.losses)))
            self.losses = []

    def save(self, out=WEIGHTS, model=None):
        """Write the file; `model` (the saved one) replaces the last point's weights."""
        if model is not None and self.points:
            self.points[-1]["weights"] = [np.array(w.numpy(), "float16") for w in model.weights]
        names = [w.path for w in (model or self.model).weights]
        arrays = {f"w:{n}": np.stack([p["weights"][i] for p in self.points]) for i, n in enumerate(names)}
        step = np.array([p["step"] for p in self.points], "int64")
        np.savez_compressed(
            _path(self.variant, out), step=step, epoch=step / float(self.steps_per_epoch),
            loss=np.array([p["loss"] for p in self.points], "float64"),
            train_accuracy=np.array([p["train_accuracy"] for p in self.points], "float64"),
            test_accuracy=np.array([p["test_accuracy"] for p in self.points], "float64"),
            steps_per_epoch=np.int64(self.steps_per_epoch), batch_size=np.int64(self.batch_size),
            variant=np.str_(self.variant), names=np.array(names, dtype=str),
            notes=np.str_(f"train_accuracy on a fixed {len(self.y_train):,}-image subset of the MNIST training "
                          f"digits (unaugmented), test_accuracy on a fixed {len(self.y_test):,}-image subset of "
                          "the MNIST test set; loss: the training loss (digits, printed digits and non-digits, "
                          "augmented) averaged over the batches since the previous point, at step 0 the digit "
                          "loss on the training subset; weights float16; the last point is the committed model"),
            **arrays)
        return _path(self.variant, out)


def load(variant, out=WEIGHTS):
    """The snapshots file of `variant` as a dict of arrays."""
    with np.load(_path(variant, out), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
