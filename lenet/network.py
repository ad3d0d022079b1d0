"""LeNet-5's names and the numpy arithmetic around it, without Keras: the layers (C1 S2 C3 S4 C5
F6 OUT), the variants the app loads, the paper's C3 connection table, its squashing functions and
the eq. 9 posterior. lenet/model.py builds the Keras models from these; the lean serving path
(lenet/facts.py + the LiteRT interpreter) uses them without importing TensorFlow."""
import numpy as np

VARIANTS = ("classic", "modern", "paper")   # what the app loads, in this order
BUILT = ("classic", "modern", "paper")   # every variant lenet/model.py builds (its BUILDERS)
LAYERS = ("C1", "S2", "C3", "S4", "C5", "F6", "OUT")
# Beside OUT, every model outputs REJECT: (N, 1) the probability that the drawing is not a digit (the
# paper's "rubbish" class). Softmax variants learn it in a small head off F6; the paper's is eq. 9's
# rubbish share of the posterior over OUT's distances. OUT stays the ten digits' probabilities.
REJECT = "REJECT"
OUTPUTS = LAYERS + (REJECT,)   # what Recognizer.run returns

# Table I of the paper: which S2 maps (rows of the table) feed each C3 map.
C3_TABLE = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),              # 3 contiguous
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),  # 4 contiguous
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),                                     # 4 non-contiguous
    (0, 1, 2, 3, 4, 5),                                                           # all 6
)

# The squashing functions by the name Keras gives them (activation.__name__), in numpy, float32 as
# the models compute: the walk-through applies them to one explained sum.
ACTIVATIONS = {
    "scaled_tanh": lambda a: np.float32(1.7159) * np.tanh(a * np.float32(2.0 / 3.0)),   # appendix A
    "tanh": np.tanh,
    "relu": lambda a: np.maximum(a, np.float32(0)),
    "linear": lambda a: a,
}


def activate(name, a):
    """The activation called `name` (see ACTIVATIONS) on a number or an array, as float32."""
    return ACTIVATIONS[name](np.float32(a) if np.isscalar(a) else np.asarray(a, "float32"))


# The constant j of eq. 9: the score of a "rubbish" class that no digit code stands for. A drawing
# whose nearest code is farther than about j reads as rubbish. The paper does not give its value;
# 10 is 2.5 code pixels fully wrong (each costs (1 - -1)^2 = 4), while two codes differ by >= 13 pixels.
RUBBISH_J = 10.0


def posterior(distances, j=RUBBISH_J):
    """The paper's posterior from OUT's distances (the softmax inside eq. 9): (..., 10) distances ->
    (..., 11) probabilities e^-y_i / (e^-j + sum_k e^-y_k) for the ten digits, then the rubbish class
    e^-j / (...) last. Pure numpy, float64; the training loss is -log of the true digit's entry."""
    y = np.asarray(distances, dtype="float64")
    logits = np.concatenate([-y, np.full(y.shape[:-1] + (1,), -float(j))], axis=-1)
    logits -= logits.max(axis=-1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=-1, keepdims=True)


def digit_probabilities(distances, j=RUBBISH_J):
    """The ten digits' share of the posterior, renormalised to sum to 1 (the page's bars): P(digit i
    | a digit), which is softmax(-y) whatever j is; j only sets how much goes to rubbish."""
    p = posterior(distances, j)[..., :-1]
    return p / p.sum(axis=-1, keepdims=True)


def predicted_digits(outputs, rbf):
    """OUT's outputs (N, 10) -> the digits read: nearest code for RBF, largest probability otherwise."""
    return np.argmin(outputs, axis=1) if rbf else np.argmax(outputs, axis=1)
