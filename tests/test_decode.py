"""lenet/decode.py: every refusal carries its reason code and a sentence for a person, and every
Pillow mode, in memory or as a real file Pillow wrote, small or over 4096 px, decodes to the
same grey levels as the 8-bit picture it was made from (Pillow's own conversion is the reference)."""
import io
import pickle
import string

import numpy as np
import pytest
from PIL import Image

from lenet import decode
from lenet.decode import MAX_SIDE, MESSAGES, InvalidDrawing, to_rgba
from lenet.synthetic import draw

BIG = 4100   # over 4096 px: the size at which 16-bit pictures used to fail ("image has wrong mode")


def reason(source):
    with pytest.raises(InvalidDrawing) as err:
        to_rgba(source)
    return err.value.reason


# ---------------------------------------------------------------- messages and reason codes

@pytest.mark.parametrize("code", list(MESSAGES))
def test_every_reason_has_one_sentence_for_a_person(code):
    err = InvalidDrawing(code)
    assert err.reason == code and str(err) == MESSAGES[code] and isinstance(err, ValueError)
    text = str(err)
    assert text[0] in string.ascii_uppercase and text.endswith(".") and len(text) <= 120, text
    assert "Error" not in text and "\n" not in text and "_" not in text, text
    assert err.empty == (code == "empty")
    again = pickle.loads(pickle.dumps(err))
    assert again.reason == code and str(again) == text


def test_sentences_are_distinct():
    assert len(set(MESSAGES.values())) == len(MESSAGES)


def test_a_sentence_given_alone_is_read_as_its_code():
    """Callers written before the codes pass the sentence; a caller's own sentence gets "other"."""
    assert InvalidDrawing(decode.EMPTY).reason == "empty" and InvalidDrawing(decode.EMPTY).empty
    own = InvalidDrawing("That is not a drawing from the pad.")
    assert own.reason == "other" and str(own) == "That is not a drawing from the pad."
    coded = InvalidDrawing("not_from_pad", "That is not a drawing from the pad.")
    assert coded.reason == "not_from_pad" and str(coded) == "That is not a drawing from the pad."
    assert pickle.loads(pickle.dumps(coded)).reason == "not_from_pad"


def test_each_refusal_gives_its_reason(tmp_path):
    big = tmp_path / "big.png"
    with open(big, "wb") as f:
        f.truncate(decode.MAX_BYTES + 1)
    assert reason(None) == "empty"
    assert reason({"background": None, "layers": [], "composite": None}) == "empty"
    assert reason([[0, 1], [1, 0]]) == "not_an_image"
    assert reason(str(tmp_path / "no such file.png")) == "cannot_open"
    assert reason(big) == "too_large"
    assert reason(b"\0" * (decode.MAX_BYTES + 1)) == "too_large"
    assert reason(b"this is text, not a picture\n") == "unreadable"
    assert reason(Image.new("L", (0, 5))) == "zero_size"
    assert reason(Image.new("L", (1, 5000))) == "too_thin"
    assert reason(np.zeros((5000, 3), np.uint8)) == "too_thin"
    assert reason(np.array([["7"] * 28] * 28)) == "not_numbers"
    assert reason(np.zeros((28, 28, 2), np.uint8)) == "bad_shape"
    assert reason(np.zeros((10_000, 5_001), bool)) == "too_many_pixels"


# ---------------------------------------------------------------- every Pillow mode

def seven(side):
    """A pen-drawn 7, black on white, as an 8-bit grey Pillow image."""
    return Image.fromarray(draw(7, canvas=side, supersample=1 if side > 1000 else 2)[..., 0], "L")


@pytest.fixture(scope="module", params=[64, BIG], ids=["small", "big"])
def grey(request):
    return seven(request.param)


def in_mode(grey, mode):
    """`grey` (8-bit) in `mode`: wide modes by their full scale (16-bit: v * 257, float: v / 255)."""
    a = np.asarray(grey)
    wide = {"I;16": "<u2", "I;16L": "<u2", "I;16B": ">u2", "I;16N": "=u2"}
    if mode in wide:
        return Image.frombytes(mode, grey.size, (a.astype(np.uint32) * 257).astype(wide[mode]).tobytes())
    if mode == "I":
        return Image.fromarray(a.astype(np.int32) * 257, "I")
    if mode == "F":
        return Image.fromarray(a.astype(np.float32) / 255, "F")
    if mode in ("La", "RGBa", "PA"):
        return grey.convert(mode.upper() if mode != "PA" else "LA").convert(mode)
    if mode in ("HSV", "LAB", "YCbCr", "CMYK", "RGBX"):
        return grey.convert("RGB").convert(mode)
    return grey.convert(mode)


def expected(grey):
    """The 8-bit picture as decoded: Pillow's box reduce to at most MAX_SIDE px."""
    k = -(-max(grey.size) // MAX_SIDE)
    return np.asarray(grey.reduce(k) if k > 1 else grey).astype(int)


def levels(rgba):
    assert rgba.dtype == np.uint8 and rgba.ndim == 3 and rgba.shape[2] == 4
    assert max(rgba.shape[:2]) <= MAX_SIDE
    return np.asarray(Image.fromarray(rgba, "RGBA").convert("L")).astype(int)


WIDE = ["I;16", "I;16L", "I;16B", "I;16N", "I", "F"]
EIGHT_BIT = ["1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr", "LAB", "HSV"]


@pytest.mark.parametrize("mode", WIDE)
def test_wide_grey_modes_are_scaled_to_8_bits(grey, mode):
    """16-bit grey reads 0..65535 as 0..255 (v / 257), and a 32-bit integer and float picture the
    same way here (values 0..65535, floats 0..1): the result is the 8-bit picture, box-averaged."""
    image = in_mode(grey, mode)
    assert image.mode == mode
    got = levels(to_rgba(image))
    want = expected(grey)
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= 1


@pytest.mark.parametrize("mode", EIGHT_BIT)
def test_every_8_bit_mode_decodes_to_its_grey_levels(grey, mode):
    """Each mode decodes to the same picture, within what the mode itself keeps (1-bit: black or
    white; colour spaces: a few levels of rounding)."""
    image = in_mode(grey, mode)
    assert image.mode == mode
    got = levels(to_rgba(image))
    check_levels(got, grey, mode)


def check_levels(got, grey, mode):
    """`got` (decoded) against the 8-bit `grey` it was made from. Small: pixel by pixel. Large: against
    an exact box average of `grey` to the decoded size; Pillow's thumbnail of a grey or colour
    picture first halves it by reduce() (of a picture with alpha it does not), which moves stroke
    edges on ~0.15 % of the pixels by up to 80 levels, so those are compared by their share."""
    if max(grey.size) <= MAX_SIDE or mode in WIDE:
        want = expected(grey)
        assert got.shape == want.shape
        diff = np.abs(got - want)
        if mode == "1":   # dithered to black and white: right on average, not per pixel
            assert abs(got.mean() - want.mean()) < 3
        else:
            assert diff.max() <= (8 if mode in ("CMYK", "LAB") else 1), diff.max()
        return
    assert max(got.shape) == MAX_SIDE
    want = np.asarray(grey.resize(got.shape[::-1], Image.Resampling.BOX)).astype(int)
    diff = np.abs(got - want)
    assert diff.mean() < 0.1 and (diff > 2).mean() < 0.005, (diff.mean(), (diff > 2).mean())


def test_nan_and_inf_in_a_float_picture_read_as_black():
    a = np.ones((32, 32), np.float32)
    a[:4, :4] = np.nan
    a[-4:, -4:] = np.inf
    got = levels(to_rgba(Image.fromarray(a, "F")))
    assert got[:4, :4].max() == 0 and got[-4:, -4:].max() == 0 and got[10:20, 10:20].min() == 255


def test_32_bit_integers_beyond_16_bits_are_read_against_their_maximum():
    a = np.zeros((16, 16), np.int32)
    a[:, 8:] = 1 << 24
    got = levels(to_rgba(Image.fromarray(a, "I")))
    assert got[:, :8].max() == 0 and got[:, 8:].min() == 255


# ---------------------------------------------------------------- real files written by Pillow

FILES = [("PNG", "1"), ("PNG", "L"), ("PNG", "LA"), ("PNG", "P"), ("PNG", "RGB"), ("PNG", "RGBA"),
         ("PNG", "I;16"), ("PNG", "I;16B"), ("TIFF", "I;16"), ("TIFF", "I"), ("TIFF", "F")]


@pytest.mark.parametrize("fmt, mode", FILES, ids=[f"{f}-{m}" for f, m in FILES])
def test_files_pillow_writes_decode_from_a_path_and_from_bytes(grey, fmt, mode, tmp_path):
    image = in_mode(grey, mode)
    path = tmp_path / f"seven.{fmt.lower()}"
    image.save(path, fmt, **({"compression": "tiff_deflate"} if fmt == "TIFF" else {}))
    with Image.open(path) as opened:
        stored = opened.mode
    from_path = levels(to_rgba(path))
    check_levels(from_path, grey, stored)
    assert np.array_equal(levels(to_rgba(path.read_bytes())), from_path)
    assert np.array_equal(levels(to_rgba(io.BytesIO(path.read_bytes()).getvalue())), from_path)


@pytest.mark.parametrize("mode", [m for m in EIGHT_BIT if "A" not in m and m not in ("La", "RGBa", "PA")])
def test_modes_without_alpha_decode_opaque(grey, mode):
    """LAB keeps an unused 4th byte that Pillow's LAB -> RGBA reads as alpha; a resized LAB picture
    has 0 there, and was read as fully transparent, so blank (issue 14, finding 9)."""
    assert to_rgba(in_mode(grey, mode))[..., 3].min() == 255


def test_floats_in_minus_one_to_one_read_from_black_to_white():
    a = np.linspace(-1, 1, 64 * 64).reshape(64, 64)
    got = to_rgba(a)[..., 0].astype(int)
    assert got[0, 0] == 0 and got[-1, -1] == 255 and abs(got[32, 0] - 128) <= 1
    assert np.array_equal(to_rgba((a + 1) / 2), to_rgba(a))   # the same picture in [0, 1]
