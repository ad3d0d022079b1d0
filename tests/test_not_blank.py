"""Issue 14, finding 9: pictures that are not blank are never told "Draw a digit first." A large
LAB picture, 1024 px random noise and float arrays in [-1, 1] or [0, 1] get a reading or the
sentence that says what is wrong, given to Recognizer.predict and sent to the running app over
HTTP. A blank canvas still asks for a digit (tests/test_preprocess.py covers more of those)."""
import io

import numpy as np
import pytest
from PIL import Image, ImageCms

from lenet import InvalidDrawing
from lenet.decode import EMPTY, NOISE
from lenet.synthetic import draw

RNG = np.random.default_rng(14)


def lab(rgb):
    """An RGB picture in CIE LAB, as a colour-managed program writes it (ImageCms, not Image.convert)."""
    to_lab = ImageCms.buildTransformFromOpenProfiles(ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"),
                                                     "RGB", "LAB")
    return ImageCms.applyTransform(rgb, to_lab)


def seven_rgb(canvas):
    return Image.fromarray(draw(7, canvas=canvas, supersample=1)).convert("RGB")


def noise_rgb(side=1024):
    return RNG.integers(0, 256, (side, side, 3), dtype=np.uint8)


def in_minus_one_to_one(grey01):
    return grey01 * 2.0 - 1.0


READ = {   # name -> (picture, the digit it holds)
    "LAB 7, 2000 px": (lambda: lab(seven_rgb(2000)), 7),
    "LAB 7, 400 px": (lambda: lab(seven_rgb(400)), 7),
    "float 7 in [0, 1]": (lambda: np.asarray(draw(7), "float64")[..., 0] / 255, 7),
    "float 7 in [-1, 1]": (lambda: in_minus_one_to_one(np.asarray(draw(7), "float32")[..., 0] / 255), 7),
    "float 7 in [-1, 1], RGB": (lambda: in_minus_one_to_one(np.asarray(draw(7), "float64")[..., :3] / 255), 7),
    "float 7 in [-1, 1], white on black": (lambda: -in_minus_one_to_one(np.asarray(draw(7), "float64")[..., 0] / 255),
                                           7),
}
NOISY = {   # name -> a picture of noise with no digit in it
    "1024 px RGB noise": noise_rgb,
    "1024 px RGB noise, PIL": lambda: Image.fromarray(noise_rgb()),
    "2048 px RGB noise": lambda: noise_rgb(2048),
    "1024 px grey noise": lambda: noise_rgb()[..., 0],
    "float noise in [0, 1]": lambda: RNG.random((1024, 1024)),
    "float RGB noise in [0, 1]": lambda: RNG.random((1024, 1024, 3)),
    "float noise in [-1, 1]": lambda: RNG.random((1024, 1024)) * 2 - 1,
    "float RGB noise in [-1, 1]": lambda: RNG.random((1024, 1024, 3)) * 2 - 1,
    "LAB noise, 2000 px": lambda: Image.fromarray(noise_rgb(2000)).convert("LAB"),
}
BLANK = {   # still blank: nothing drawn, smooth
    "white": lambda: Image.new("RGB", (1024, 1024), "white"),
    "transparent": lambda: np.zeros((1024, 1024, 4), np.uint8),
    "LAB white, 2000 px": lambda: lab(Image.new("RGB", (2000, 2000), "white")),
    "float zeros in [-1, 1]": lambda: np.full((512, 512), -1.0),
    "photo of grey paper": lambda: np.clip(200 + RNG.normal(0, 5, (768, 1024, 3)), 0, 255).astype(np.uint8),
    "smooth gradient": lambda: np.tile(np.linspace(90, 250, 1024), (768, 1)).astype(np.uint8),
}


@pytest.fixture(scope="module")
def rec(room):
    return room.recognizers["modern"]   # the app's default recogniser (LiteRT where installed)


def said(rec, picture):
    try:
        return rec.predict(picture).digit
    except InvalidDrawing as err:
        return str(err)


@pytest.mark.parametrize("name", READ)
def test_pictures_of_a_digit_are_read(rec, name):
    make, digit = READ[name]
    assert said(rec, make()) == digit


@pytest.mark.parametrize("name", NOISY)
def test_noise_is_called_noise_not_blank(rec, name):
    assert said(rec, NOISY[name]()) == NOISE


@pytest.mark.parametrize("name", BLANK)
def test_blank_pictures_still_ask_for_a_digit(rec, name):
    assert said(rec, BLANK[name]()) == EMPTY


# ---------------------------------------------------------------- the same over HTTP (files)

def tiff(image):
    buf = io.BytesIO()
    image.save(buf, "TIFF")
    return buf.getvalue()


def png(image):
    buf = io.BytesIO()
    (Image.fromarray(image) if isinstance(image, np.ndarray) else image).save(buf, "PNG")
    return buf.getvalue()


FILES = {   # name -> (file bytes, suffix, what the app must say)
    "LAB TIFF of a 7, 2000 px": (lambda: tiff(lab(seven_rgb(2000))), ".tif", 7),
    "1024 px RGB noise PNG": (lambda: png(noise_rgb()), ".png", NOISE),
    "LAB TIFF of noise, 2000 px": (lambda: tiff(Image.fromarray(noise_rgb(2000)).convert("LAB")), ".tif", NOISE),
    "white PNG": (lambda: png(Image.new("RGB", (1024, 1024), "white")), ".png", EMPTY),
}


@pytest.mark.parametrize("name", FILES)
def test_the_app_says_the_same_over_http(client, ask, tmp_path, name):
    make, suffix, want = FILES[name]
    path = tmp_path / f"picture{suffix}"
    path.write_bytes(make())
    digit, message = ask(client, path)
    assert (digit if isinstance(want, int) else message) == want, (digit, message)
