"""Decoding untrusted input: whatever a browser, a client or a script sends (a sketchpad dict, a
PIL image, an array, a path, bytes) -> one bounded uint8 RGBA array, or InvalidDrawing. Owns the
limits on what a stranger's upload may cost, the accepted formats, and every sentence a person
can be shown when an input is not a drawing (each with a reason code for code to compare)."""
import io
import struct
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .resample import _block_mean

MAX_SIDE = 1024           # larger images are shrunk to this first: time and memory stay bounded
MAX_PIXELS = 50_000_000   # refuse to even decode more (decompression bombs); see to_rgba()
MAX_BYTES = 20 * 1024 * 1024  # refuse larger files unread
# A picture narrower than this has no paper around a digit to tell ink from background: a 1 px
# sliver is all border. MNIST's own pictures are 28 px; the pipeline refuses ink under 6 px long.
MIN_SIDE = 8
# Only plain raster formats are decoded: no EPS/PDF (Pillow would run Ghostscript), no exotic plugins.
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")
# A picture is "light" (read beside everyone's strokes) only when its header says it is cheap: a PNG
# or a baseline JPEG of at most HEAVY_BYTES and HEAVY_PIXELS. Anything else, or an unknown size, is
# "heavy": read through `isolate` (the server sets it: a separate process under a CPU-time limit).
HEAVY_BYTES = 256 * 1024
HEAVY_PIXELS = 1_500_000
MAX_SCANS = 64            # progressive JPEG passes (encoders write ~10): each pass decodes the whole picture
isolate = None            # None, or a function bytes -> RGBA array (InvalidDrawing on failure)

# ---------------------------------------------------------------- every message a person can see
EMPTY = "Draw a digit first."   # a blank canvas (also what a cleared sketchpad sends)
NOT_AN_IMAGE = "That is not an image: send a drawing, a picture file or a pixel array."
TOO_LARGE = f"That file is too large (over {MAX_BYTES // 2**20} MB); send a smaller picture."
TOO_MANY_PIXELS = f"That picture has too many pixels; send one under {MAX_PIXELS // 1_000_000} megapixels."
CANNOT_OPEN = "That file could not be read; send a PNG or JPEG picture."
UNREADABLE = "That file is not a picture we can read (or it is damaged); send a PNG or JPEG."
ZERO_SIZE = "That picture is empty; draw a digit first."
TOO_THIN = f"That picture is too narrow to hold a digit; send one at least {MIN_SIDE} px on each side."
NOT_NUMBERS = "That array is not an image: send numbers, height x width (x channels)."
BAD_SHAPE = "That array is not an image: expected height x width, with 1, 3 or 4 channels."
ALL_INK = "The picture is almost all ink; draw a digit on a plain background."
NOISE = "That looks like noise or a photo, not a drawing; draw a digit on a plain background."
SPECKS = "That is only a few specks; draw a digit bigger."
DOT = "That looks like a dot, not a digit; draw a digit."
TOO_COSTLY = "That picture takes too long to read; save it as a plain PNG or JPEG and send it again."

MESSAGES = {   # reason code (InvalidDrawing.reason) -> the sentence (str(err))
    "empty": EMPTY, "not_an_image": NOT_AN_IMAGE, "too_large": TOO_LARGE, "too_many_pixels": TOO_MANY_PIXELS,
    "cannot_open": CANNOT_OPEN, "unreadable": UNREADABLE, "zero_size": ZERO_SIZE, "too_thin": TOO_THIN,
    "not_numbers": NOT_NUMBERS, "bad_shape": BAD_SHAPE, "all_ink": ALL_INK, "noise": NOISE, "specks": SPECKS,
    "dot": DOT, "too_costly": TOO_COSTLY,
}


class InvalidDrawing(ValueError):
    """The input is not something LeNet-5 can read. `reason` is a code for code to compare
    (err.reason == "empty"); str(err) is the sentence for a person.

    InvalidDrawing("specks") takes its sentence from MESSAGES; a caller with a sentence of its own
    gives both, InvalidDrawing("not_from_pad", "That is not ..."). A sentence alone is accepted
    too: one of MESSAGES is read as its code, any other gets the code "other"."""

    def __init__(self, reason, message=None):
        reason = _CODE_OF.get(reason, reason)
        if message is None:
            message = MESSAGES.get(reason)
            if message is None:
                reason, message = "other", reason
        super().__init__(message)
        self.reason = reason

    def __reduce__(self):   # pickles as (code, sentence), not as a sentence alone
        return type(self), (self.reason, str(self))

    @property
    def empty(self):
        """True for a blank picture (nothing drawn yet), as opposed to a drawing that is not a digit."""
        return self.reason == "empty"


_CODE_OF = {sentence: code for code, sentence in MESSAGES.items()}


# ---------------------------------------------------------------- any input -> RGBA array

def to_rgba(image):
    """Sketchpad dict, PIL image, array, path or bytes -> uint8 (H, W, 4) RGBA.

    Bounds (what a stranger's upload can cost): files over MAX_BYTES are refused unread;
    pictures over MAX_PIXELS are refused from their header, before any pixel is decoded;
    JPEGs decode at a reduced scale; everything is shrunk to at most MAX_SIDE px on the
    longer side first, so the pipeline then works on at most
    MAX_SIDE x MAX_SIDE x 4 bytes = 4 MB of RGBA per request. The largest transient is the
    decoded picture itself: at most MAX_PIXELS x 4 bytes (200 MB) for a 50-megapixel
    RGBA PNG, and a few MB for a canvas drawing.
    """
    if isinstance(image, dict):  # gr.Sketchpad / gr.ImageEditor value: the composite is what was seen
        image = image.get("composite")
    if image is None:
        raise InvalidDrawing("empty")
    if isinstance(image, (str, Path, bytes, bytearray)):
        data = _read(image)
        if weigh(data) == "heavy" and isolate is not None:   # weigh refuses what its header condemns
            return isolate(data)
        image = _open(data)
    if isinstance(image, Image.Image):
        return _pil_to_rgba(image)
    if isinstance(image, np.ndarray):
        return _array_to_rgba(image)
    raise InvalidDrawing("not_an_image")


def _read(source):
    """A path or bytes -> the file's bytes, refusing a file over MAX_BYTES unread."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise InvalidDrawing("too_large")
            data = path.read_bytes()
        except OSError:
            raise InvalidDrawing("cannot_open") from None
    if len(data) > MAX_BYTES:
        raise InvalidDrawing("too_large")
    return data


def picture_size(head):
    """(width, height) of a picture from its first bytes, no pixel decoded; None if unknown."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(head)) as im:
                return im.size
    except Exception:   # not a picture, or its header lies past `head`
        return None


def weigh(source):
    """"light" or "heavy" (see HEAVY_BYTES), from a picture's header and markers only, reading at
    most HEAVY_BYTES; raises InvalidDrawing when the header alone says it costs too much (too many
    pixels, too many progressive passes). Whatever cannot be read or told is "heavy"."""
    try:
        if isinstance(source, (str, Path)):
            if Path(source).stat().st_size > HEAVY_BYTES:
                return "heavy"
            data = Path(source).read_bytes()
        else:
            data = bytes(source)
    except OSError:
        return "heavy"
    scans = 1
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        w, h = struct.unpack(">II", data[16:24])
    elif data[:2] == b"\xff\xd8" and picture_size(data) is not None:
        (w, h), scans = picture_size(data), data.count(b"\xff\xda")   # SOS: entropy data never holds FF DA
        if scans > MAX_SCANS:
            raise InvalidDrawing("too_costly")
    else:
        return "heavy"
    if w * h > MAX_PIXELS:
        raise InvalidDrawing("too_many_pixels")
    light = scans <= 1 and len(data) <= HEAVY_BYTES and w * h <= HEAVY_PIXELS   # each pass decodes it all
    return "light" if light else "heavy"


def _open(data):
    """Bytes -> a loaded PIL image (pixel count checked from its header first)."""
    try:
        with warnings.catch_warnings():  # the pixel count is checked below, with a message for a person
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        if image.width * image.height > MAX_PIXELS:
            raise InvalidDrawing("too_many_pixels")
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode straight at a smaller size
        image.load()
    except InvalidDrawing:
        raise
    except Image.DecompressionBombError:  # Pillow's own guard, at twice its pixel limit
        raise InvalidDrawing("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, struct.error,
            MemoryError, ZeroDivisionError, IndexError, KeyError, TypeError):  # what broken files raise
        raise InvalidDrawing("unreadable") from None
    return image


def _thumbnail_size(size, side):
    """The size Image.thumbnail((side, side)) gives a picture of `size` (Pillow's aspect rounding)."""
    w, h = size
    aspect = w / h
    if aspect >= 1:
        y = max(1, min(range(int(side / aspect), int(side / aspect) + 2), key=lambda n: abs(aspect - side / n)))
        return side, y
    x = max(1, min(range(int(side * aspect), int(side * aspect) + 2), key=lambda n: abs(aspect - n / side)))
    return x, side


def _pil_to_rgba(image):
    if image.width * image.height > MAX_PIXELS:
        raise InvalidDrawing("too_many_pixels")
    if image.width < 1 or image.height < 1:
        raise InvalidDrawing("zero_size")
    if min(image.size) < MIN_SIDE:
        raise InvalidDrawing("too_thin")
    try:
        image.seek(0)  # animated images: the first frame
    except (AttributeError, EOFError, ValueError):
        pass
    try:
        if image.getexif().get(0x0112, 1) != 1:  # phone photos: EXIF orientation (transposing copies)
            image = ImageOps.exif_transpose(image)
    except Exception:  # broken EXIF is no reason to refuse the pixels
        pass
    if image.mode in WIDE:  # Pillow can neither shrink nor convert all of these: numpy does both
        return _wide_to_rgba(image)
    if image.mode == "La":  # premultiplied grey + alpha: Pillow converts it to nothing but LA
        image = image.convert("LA")
    if max(image.size) > MAX_SIDE:  # shrink first: the conversions below then stay small
        if image.mode in ("1", "P", "PA"):  # palettes and 1-bit cannot be averaged: lost strokes, garbage
            image = image.convert("L" if image.mode == "1" else "RGBA")
        try:   # as Image.thumbnail, without its copy of the whole picture first (a huge picture's memory, twice)
            image = image.resize(_thumbnail_size(image.size, MAX_SIDE), Image.Resampling.BOX, reducing_gap=2.0)
        except (ValueError, OSError):  # a mode Pillow cannot resize
            raise InvalidDrawing("unreadable") from None
    if image.mode == "LAB":  # Pillow's LAB -> RGBA takes LAB's unused 4th byte as alpha: 0 once resized
        image = image.convert("RGB")
    try:
        return np.asarray(image if image.mode == "RGBA" else image.convert("RGBA"))
    except (ValueError, OSError):  # a mode Pillow cannot convert
        raise InvalidDrawing("unreadable") from None


# Single-channel modes wider than 8 bits -> their full scale (None: read the values as arrays are).
WIDE = {"I;16": 65535, "I;16B": 65535, "I;16L": 65535, "I;16N": 65535, "I": None, "F": None}


def _wide_to_rgba(image):
    """A 16-bit, 32-bit integer or float grey picture -> opaque RGBA, box-averaged to at most
    MAX_SIDE px a strip of rows at a time (the only copy of the whole picture is Pillow's own).
    16-bit grey reads 0..65535 as black..white; "I" and "F" as arrays do (see _grey_levels)."""
    w, h = image.size
    k = -(-max(w, h) // MAX_SIDE)
    rows = k * max(1, 2**22 // (k * w))   # a strip of about 4 million pixels
    strips = [_block_mean(np.asarray(image.crop((0, top, w, min(top + rows, h)))), k) for top in range(0, h, rows)]
    full = WIDE[image.mode]
    return _opaque(_grey_levels(np.concatenate(strips), floats=image.mode == "F", full=full))


def _array_to_rgba(a):
    if a.dtype == object or a.dtype.kind not in "biuf" or a.size == 0:
        raise InvalidDrawing("not_numbers")
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
        raise InvalidDrawing("bad_shape")
    if a.shape[0] * a.shape[1] > MAX_PIXELS:
        raise InvalidDrawing("too_many_pixels")
    if min(a.shape[:2]) < MIN_SIDE:
        raise InvalidDrawing("too_thin")
    if a.dtype == np.uint8 and max(a.shape[:2]) <= MAX_SIDE:  # the sketchpad's own format: no copies
        return a if a.ndim == 3 and a.shape[-1] == 4 else _opaque(a)
    floats = a.dtype.kind in "fb"
    a = _block_mean(a, -(-max(a.shape[:2]) // MAX_SIDE))  # <= MAX_SIDE px, NaN/inf -> 0
    a = _grey_levels(a, floats)
    return a if a.ndim == 3 and a.shape[-1] == 4 else _opaque(a)


def _grey_levels(a, floats, full=None):
    """float64 values -> uint8 0..255 (0 = black). `full`: the value that is white; else floats (and
    booleans) in [0, 1] are read as 0..1, floats in [-1, 1] as -1..1 (a picture scaled for a
    network), anything else as 0..255, 0..65535 or 0..its maximum, the first that holds it;
    there negative values are black."""
    if full is None:
        low, high = a.min(initial=0), a.max(initial=0)
        if floats and high <= 1.0 and low >= -1.0:
            if low < 0:
                a = (a + 1.0) / 2.0
            full = 1.0
        else:
            a = np.clip(a, 0, None)
            top = a.max(initial=0)
            full = 255.0 if top <= 255 else 65535.0 if top <= 65535 else top
    return (np.clip(a / full, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def _opaque(a):
    """uint8 (H, W) grey or (H, W, 3) RGB -> (H, W, 4) RGBA, fully opaque."""
    out = np.empty(a.shape[:2] + (4,), np.uint8)
    out[..., :3] = a[..., None] if a.ndim == 2 else a
    out[..., 3] = 255
    return out
