"""LeNet-5 as LeCun et al. (1998) tabulate it: C1 S2 C3 S4 C5 F6 OUT.

Every model has a second output beside OUT, REJECT: (N, 1) the probability that the drawing is not
a digit (lenet/network.py), computed from OUT by a layer without parameters (the counts stay the
paper's): `paper()` from eq. 9's rubbish class, the softmax variants from how sure OUT is, having
learnt to spread OUT evenly over the ten digits on non-digits (lenet/train.py).

`paper()` is the network as the paper ends it: the classic trunk, then OUT as 10 Euclidean RBF units
whose fixed parameter vectors are 7x12 digit bitmaps (lenet/codes.py); OUT outputs distances (small
is good) and `posterior()` turns them into probabilities. `classic()` is the common textbook table
(the same trunk, softmax Dense OUT); `modern()` is the ReLU + max-pooling variant. All take 32x32x1
ink maps in [0, 1].
"""
import keras
import numpy as np
from keras import layers, ops

from .codes import CODES, code_matrix
from .network import (  # noqa: F401  (names and numpy arithmetic live in lenet/network.py: no Keras)
    C3_TABLE,
    LAYERS,
    REJECT,
    RUBBISH_J,
    VARIANTS,
    digit_probabilities,
    posterior,
    predicted_digits,
)

INPUT_SHAPE = (32, 32, 1)
NUM_CLASSES = 10

@keras.saving.register_keras_serializable(package="lenet")
def scaled_tanh(x):
    """The paper's squashing function f(a) = A tanh(S a), A = 1.7159, S = 2/3 (appendix A)."""
    return 1.7159 * ops.tanh(x * (2.0 / 3.0))


@keras.saving.register_keras_serializable(package="lenet")
class Subsampling(layers.Layer):
    """The paper's S-layer: each 2x2 block pooled, times a trainable coefficient, plus a trainable
    bias, through the activation; 2 parameters per map. The paper sums the block; this layer
    averages it (the sum divided by 4, absorbed by the coefficient), so that a coefficient of 1
    keeps the scale of the previous layer."""

    def __init__(self, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        maps = input_shape[-1]
        self.coefficient = self.add_weight(name="coefficient", shape=(maps,), initializer="ones")
        self.bias = self.add_weight(name="bias", shape=(maps,), initializer="zeros")

    def call(self, x):
        pooled = ops.average_pool(x, pool_size=2, strides=2, padding="valid")
        return self.activation(pooled * self.coefficient + self.bias)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        return (b, h // 2, w // 2, c)

    def get_config(self):
        return {**super().get_config(), "activation": keras.activations.serialize(self.activation)}


@keras.saving.register_keras_serializable(package="lenet")
class SparseConv2D(layers.Layer):
    """A 'valid' convolution where output map j reads only the input maps table[j].

    Only the connected 5x5 kernels are weights (so the parameter count is the paper's);
    the full (k, k, in, out) kernel is assembled with zeros at call time.
    """

    def __init__(self, table, kernel_size=5, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.table = tuple(tuple(int(i) for i in row) for row in table)
        self.kernel_size = int(kernel_size)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        in_maps, out_maps = input_shape[-1], len(self.table)
        links = sum(len(row) for row in self.table)
        fan_in = [len(row) * self.kernel_size**2 for row in self.table]
        k = self.kernel_size
        # One (k, k) kernel per connection, in table order: (k, k, links).
        self.kernel = self.add_weight(
            name="kernel", shape=(k, k, links), initializer=_connection_initializer(fan_in, self.table))
        self.bias = self.add_weight(name="bias", shape=(out_maps,), initializer="zeros")
        # index[i, j]: position in `kernel` of the link S2 map i -> C3 map j, or `links`
        # (the zero slot) where the table leaves them unconnected.
        index = np.full((in_maps, out_maps), links, dtype="int32")
        n = 0
        for j, row in enumerate(self.table):
            for i in row:
                index[i, j] = n
                n += 1
        self._index = index

    @property
    def mask(self):
        """(in, out) 0/1 matrix of the table, for drawing it."""
        m = np.zeros((max(max(r) for r in self.table) + 1, len(self.table)), dtype="float32")
        for j, row in enumerate(self.table):
            m[list(row), j] = 1.0
        return m

    def full_kernel(self):
        k = self.kernel_size
        padded = ops.concatenate([self.kernel, ops.zeros((k, k, 1), dtype=self.kernel.dtype)], axis=-1)
        return ops.take(padded, self._index, axis=2)  # (k, k, in, out)

    def call(self, x):
        y = ops.conv(x, self.full_kernel(), strides=1, padding="valid") + self.bias
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        b, h, w, _ = input_shape
        k = self.kernel_size
        return (b, h - k + 1, w - k + 1, len(self.table))

    def get_config(self):
        return {**super().get_config(), "table": [list(r) for r in self.table],
                "kernel_size": self.kernel_size,
                "activation": keras.activations.serialize(self.activation)}


@keras.saving.register_keras_serializable(package="lenet")
class EuclideanRBF(layers.Layer):
    """The paper's output layer: unit i outputs y_i = sum_j (x_j - code_ij)^2, the squared distance
    between its input (F6) and a fixed code (eq. 7). The codes are part of the architecture, not
    weights: they live in the config as the readable bitmaps of lenet/codes.py, so the layer has no
    parameters at all (the paper's 60,000 stays 60,000) and a saved model carries its own codes."""

    def __init__(self, codes=None, **kwargs):
        super().__init__(**kwargs)
        codes = CODES if codes is None else codes
        if isinstance(codes, dict):
            codes = [codes[d] for d in sorted(codes)]
        self.codes = [list(rows) for rows in codes]
        self._matrix = code_matrix(dict(enumerate(self.codes)))   # (units, 84) of +-1

    @property
    def matrix(self):
        """(units, 84) float32 array of the codes, +1 ink / -1 paper."""
        return self._matrix.copy()

    def call(self, x):
        diff = x[:, None, :] - ops.convert_to_tensor(self._matrix)[None, :, :]
        return ops.sum(ops.square(diff), axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.codes))

    def get_config(self):
        return {**super().get_config(), "codes": self.codes}


@keras.saving.register_keras_serializable(package="lenet")
class RubbishPosterior(layers.Layer):
    """The paper's "not a digit" probability from OUT's distances: the rubbish class's share
    e^-j / (e^-j + sum_i e^-y_i) of eq. 9's posterior (lenet.network.posterior). No parameters: j
    is part of the config, trained at RUBBISH_J and then calibrated on held-out data
    (lenet/rejection.py) so that 0.5 is where a drawing stops reading as a digit."""

    def __init__(self, j=RUBBISH_J, **kwargs):
        super().__init__(**kwargs)
        self.j = float(j)

    def call(self, distances):
        # log share = -j - logsumexp(-j, -y_0 .. -y_9); as a sigmoid of -j - logsumexp(-y): stable
        return ops.sigmoid(-self.j - ops.logsumexp(-distances, axis=-1, keepdims=True))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        return {**super().get_config(), "j": self.j}


@keras.saving.register_keras_serializable(package="lenet")
class Doubt(layers.Layer):
    """"Not a digit" for a softmax OUT: P = sigmoid(scale * (-log max_i p_i - even)), from the
    surprise of OUT's best digit (0 when sure; log 10 = 2.3 when spread evenly, as training teaches
    for non-digits). No parameters: `even` (the surprise where the odds are even, i.e. the threshold)
    and `scale` are calibrated on held-out data (lenet/rejection.py) and kept in the config."""

    def __init__(self, even=1.0, scale=4.0, **kwargs):
        super().__init__(**kwargs)
        self.even, self.scale = float(even), float(scale)

    def call(self, probabilities):
        surprise = -ops.log(ops.max(probabilities, axis=-1, keepdims=True) + 1e-12)
        return ops.sigmoid(self.scale * (surprise - self.even))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        return {**super().get_config(), "even": self.even, "scale": self.scale}


def has_rbf_output(model):
    """True for the paper's ending (OUT = distances, argmin wins), False for softmax (argmax)."""
    return isinstance(model.get_layer("OUT"), EuclideanRBF)


def _connection_initializer(fan_in, table):
    """Uniform +-2.4/F_i per connection, as the paper's appendix C prescribes
    (F_i = fan-in of the map the connection feeds)."""
    limits = np.concatenate([[2.4 / f] * len(row) for f, row in zip(fan_in, table)])

    def init(shape, dtype=None):
        u = keras.random.uniform(shape, -1.0, 1.0, dtype=dtype)
        return u * ops.convert_to_tensor(limits.astype("float32"))

    return init


def _ink_to_paper_scale():
    # 0 (background) -> -0.1 and 1 (ink) -> 1.175, as the paper normalises its input, so the
    # mean input is ~0 and the variance ~1; the saved model takes plain [0, 1] ink maps.
    return layers.Rescaling(scale=1.275, offset=-0.1, name="scale")


def _trunk_1998():
    """The paper's layers up to F6 (shared by classic and paper): (input, F6's output)."""
    x = inputs = keras.Input(INPUT_SHAPE, name="ink")                   # 32x32x1
    x = _ink_to_paper_scale()(x)
    x = layers.Conv2D(6, 5, activation=scaled_tanh, name="C1")(x)        # 6@28x28,   156
    x = Subsampling(activation=scaled_tanh, name="S2")(x)                # 6@14x14,    12
    x = SparseConv2D(C3_TABLE, 5, activation=scaled_tanh, name="C3")(x)  # 16@10x10, 1516
    x = Subsampling(activation=scaled_tanh, name="S4")(x)                # 16@5x5,     32
    x = layers.Conv2D(120, 5, activation=scaled_tanh, name="C5")(x)      # 120@1x1, 48120
    x = layers.Flatten(name="flat")(x)
    x = layers.Dense(84, activation=scaled_tanh, name="F6")(x)           # 84 = 7x12, 10164
    return inputs, x


def classic():
    """LeNet-5 of the 1998 paper as textbooks tabulate it (softmax output): 60,850 trainable parameters
    (REJECT adds none)."""
    inputs, x = _trunk_1998()                                            # C1 .. F6
    out = layers.Dense(NUM_CLASSES, activation="softmax", name="OUT")(x) # 10,        850
    return keras.Model(inputs, [out, Doubt(name=REJECT)(out)], name="lenet5_classic")


def modern():
    """ReLU + 2x2 max-pooling + full C3: 61,706 trainable parameters (REJECT adds none)."""
    x = inputs = keras.Input(INPUT_SHAPE, name="ink")                   # 32x32x1
    x = _ink_to_paper_scale()(x)
    x = layers.Conv2D(6, 5, activation="relu", name="C1")(x)            # 6@28x28,   156
    x = layers.MaxPooling2D(2, name="S2")(x)                            # 6@14x14,     0
    x = layers.Conv2D(16, 5, activation="relu", name="C3")(x)           # 16@10x10, 2416
    x = layers.MaxPooling2D(2, name="S4")(x)                            # 16@5x5,      0
    x = layers.Conv2D(120, 5, activation="relu", name="C5")(x)          # 120@1x1, 48120
    x = layers.Flatten(name="flat")(x)
    x = layers.Dropout(0.25, name="drop")(x)                            # training only
    x = layers.Dense(84, activation="relu", name="F6")(x)               # 84,      10164
    out = layers.Dense(NUM_CLASSES, activation="softmax", name="OUT")(x) # 10,        850
    return keras.Model(inputs, [out, Doubt(name=REJECT)(out)], name="lenet5_modern")


def paper():
    """LeNet-5 as the paper ends it: the classic trunk, OUT = 10 Euclidean RBF units over fixed
    7x12 codes. Exactly 60,000 trainable parameters; OUT outputs distances (small is good)."""
    inputs, x = _trunk_1998()                                            # C1 .. F6
    out = EuclideanRBF(CODES, name="OUT")(x)                             # 10 distances, 0
    return keras.Model(inputs, [out, RubbishPosterior(name=REJECT)(out)], name="lenet5_paper")


def digit_outputs(model, x, batch_size=1000):
    """Run a Keras model on (N, 32, 32, 1) ink maps -> (OUT (N, 10), P(not a digit) (N,)); a model
    saved before REJECT existed gives zeros for the latter."""
    outs = model.predict(x, batch_size=batch_size, verbose=0)
    if isinstance(outs, (list, tuple)):
        return np.asarray(outs[0]), np.asarray(outs[1]).reshape(-1)
    return np.asarray(outs), np.zeros(len(outs))


BUILDERS = {"classic": classic, "modern": modern, "paper": paper}


def build(variant):
    if variant not in BUILDERS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(BUILDERS)}")
    return BUILDERS[variant]()
