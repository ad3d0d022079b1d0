"""lenet/codes.py: the RBF output codes are ten distinct 7x12 pictures of +1/-1, far apart, refused
when malformed, and pictures of their digits: each, drawn large in black on white, is read as its
digit by the trained softmax models (which never saw the codes)."""
import numpy as np
import pytest
from PIL import Image

from lenet.codes import CODES, bitmap, code_matrix, hamming


def test_codes_are_ten_distinct_pictures_far_apart():
    m = code_matrix()
    assert m.shape == (10, 84) and set(np.unique(m)) == {-1.0, 1.0}
    assert all(len(CODES[d]) == 12 and all(len(r) == 7 for r in CODES[d]) for d in range(10))
    counted = np.array([[sum(a != b for ra, rb in zip(CODES[i], CODES[j]) for a, b in zip(ra, rb))
                         for j in range(10)] for i in range(10)])      # from the strings, not the arrays
    np.testing.assert_array_equal(hamming(), counted)
    assert counted[~np.eye(10, dtype=bool)].min() >= 12   # at least 48 apart in squared distance


@pytest.mark.parametrize("rows", [CODES[1][:11], (*CODES[1][:11], "...#.."), (*CODES[1][:11], "...x...")],
                         ids=["11 rows", "a short row", "a stray character"])
def test_a_malformed_code_is_refused(rows):
    with pytest.raises(ValueError):
        bitmap(rows)


@pytest.mark.parametrize("variant", ["modern", "classic"])
def test_each_code_drawn_large_is_read_as_its_digit(request, variant):
    rec = request.getfixturevalue(variant)
    read = []
    for digit in range(10):
        ink = Image.fromarray(np.where(bitmap(CODES[digit]) > 0, 0, 255).astype(np.uint8))
        canvas = Image.new("L", (200, 200), 255)
        canvas.paste(ink.resize((70, 120), Image.NEAREST), (65, 40))
        read.append(rec.predict(np.stack([np.asarray(canvas)] * 3, -1)).digit)
    assert read == list(range(10))
