"""scripts/small_digits.py: its sets are what they say (checked against handsets and numpy)."""
import gzip

import numpy as np

from lenet import handsets
from scripts import small_digits


def test_mnist_rows_are_8_px_digits_enlarged_blocky_or_smooth():
    rng = np.random.default_rng(0)
    digits = (rng.random((2, 28, 28)) * 255).astype(np.uint8)
    for name, upscale in small_digits.UPSCALERS.items():
        pics = [np.asarray(p)[..., 0] for p in handsets.lowres(digits, 8, upscale=upscale)]
        assert all(p.shape == (110, 110) for p in pics)                 # 28 * 8 / 20 = 11 px, x10
        blocks = pics[0].reshape(11, 10, 11, 10)
        flat = (blocks == blocks[:, :1, :, :1]).all()                   # every 10x10 block one grey
        assert flat == (name == "nearest"), name


def test_optdigits_rows_are_read_as_8x8_counts_and_enlarged_black_on_white(tmp_path):
    counts = np.zeros((2, 8, 8), int)
    counts[0, 2:6, 3] = 16        # a 1: one full-ink column
    counts[1, 1, 1:7] = 8         # half ink
    rows = np.hstack([counts.reshape(2, 64), [[1], [7]]])
    path = tmp_path / "digits.csv.gz"
    with gzip.open(path, "wt") as f:
        np.savetxt(f, rows, fmt="%d", delimiter=",")
    read, labels = small_digits.optdigits(path)
    assert np.array_equal(read, counts) and list(labels) == [1, 7]
    big = [np.asarray(p) for p in small_digits.enlarged(read, "nearest")]
    assert big[0].shape == (280, 280)
    assert big[0][35 * 2 + 1, 35 * 3 + 1] == 0 and big[0][0, 0] == 255      # ink black, paper white
    assert big[1][35 * 1 + 1, 35 * 1 + 1] == 128                             # 8 of 16: mid grey
