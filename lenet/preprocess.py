"""Any drawing -> the 32x32 ink map LeNet-5 reads, made the way MNIST itself was made."""
import numpy as np

BOX = 20     # MNIST fits each digit's longer side into 20 px ...
FIELD = 28   # ... centres it by mass in a 28x28 field ...
INPUT = 32   # ... and LeNet-5 reads it padded to 32x32.
PAD = (INPUT - FIELD) // 2


def pad_to_input(field):
    """(..., 28, 28) -> (..., 32, 32), zero (background) border."""
    field = np.asarray(field, dtype="float32")
    widths = [(0, 0)] * (field.ndim - 2) + [(PAD, PAD), (PAD, PAD)]
    return np.pad(field, widths)
