"""Any drawing -> the 32x32 ink map LeNet-5 reads, made the way MNIST itself was made:
crop to the ink, fit the longer side into 20 px, centre by mass in 28x28, pad to 32x32."""
import io
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageFilter, ImageOps, UnidentifiedImageError

BOX = 20      # MNIST fits each digit's longer side into 20 px ...
FIELD = 28    # ... centres it by mass in a 28x28 field ...
INPUT = 32    # ... and LeNet-5 reads it padded to 32x32.
PAD = (INPUT - FIELD) // 2
WORK = 4 * BOX            # stroke width is measured and corrected at 4x the final scale
MAX_SIDE = 1024           # larger images are shrunk to this first: time and memory stay bounded
MAX_PIXELS = 50_000_000   # refuse to even decode more (decompression bombs); see to_rgba()
MAX_BYTES = 20 * 1024 * 1024  # refuse larger files unread
REDUCED = 320             # canvases twice this size or more are box-averaged towards it first (speed)
INK = 0.35                # an ink-map value above this counts as ink for cropping/measuring
# Stroke width of MNIST digits, in pixels of the 20 px box: the band holding most of them
# (measured with stroke_width() on 3,000 training digits: 5th-95th percentile 2.2-4.5 px).
# Drawings outside it are thickened or thinned to its nearest edge.
STROKE_MIN, STROKE_MAX = 2.2, 4.5


EMPTY = "Draw a digit first."   # the message for a blank canvas (also what a cleared sketchpad sends)


class InvalidDrawing(ValueError):
    """The input is not something LeNet-5 can read; the message is for a person."""

    @property
    def empty(self):
        """True for a blank picture (nothing drawn yet), as opposed to a drawing that is not a digit."""
        return str(self) == EMPTY


@dataclass
class Preprocessed:
    input: np.ndarray   # (32, 32) float32 in [0, 1]: what the network reads
    stages: dict        # name -> 2-D float32 array, in pipeline order


def pad_to_input(field):
    """(..., 28, 28) -> (..., 32, 32), zero (background) border."""
    field = np.asarray(field, dtype="float32")
    out = np.zeros(field.shape[:-2] + (INPUT, INPUT), dtype="float32")
    out[..., PAD:PAD + FIELD, PAD:PAD + FIELD] = field
    return out


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
        raise InvalidDrawing(EMPTY)
    if isinstance(image, (str, Path, bytes, bytearray)):
        image = _open(image)
    if isinstance(image, Image.Image):
        return _pil_to_rgba(image)
    if isinstance(image, np.ndarray):
        return _array_to_rgba(image)
    raise InvalidDrawing("That is not an image: send a drawing, a picture file or a pixel array.")


TOO_LARGE = f"That file is too large (over {MAX_BYTES // 2**20} MB); send a smaller picture."
TOO_MANY_PIXELS = f"That picture has too many pixels; send one under {MAX_PIXELS // 1_000_000} megapixels."
UNREADABLE = "That file is not a picture we can read (or it is damaged); send a PNG or JPEG."
# Only plain raster formats are decoded: no EPS/PDF (Pillow would run Ghostscript), no exotic plugins.
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")


def _open(source):
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise InvalidDrawing(TOO_LARGE)
            data = path.read_bytes()
        except OSError:
            raise InvalidDrawing("That file could not be read; send a PNG or JPEG picture.") from None
    if len(data) > MAX_BYTES:
        raise InvalidDrawing(TOO_LARGE)
    try:
        with warnings.catch_warnings():  # the pixel count is checked below, with a message for a person
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        if image.width * image.height > MAX_PIXELS:
            raise InvalidDrawing(TOO_MANY_PIXELS)
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode straight at a smaller size
        image.load()
    except InvalidDrawing:
        raise
    except Image.DecompressionBombError:  # Pillow's own guard, at twice its pixel limit
        raise InvalidDrawing(TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, struct.error,
            MemoryError, ZeroDivisionError, IndexError, KeyError, TypeError):  # what broken files raise
        raise InvalidDrawing(UNREADABLE) from None
    return image


def _pil_to_rgba(image):
    if image.width * image.height > MAX_PIXELS:
        raise InvalidDrawing(TOO_MANY_PIXELS)
    if image.width < 1 or image.height < 1:
        raise InvalidDrawing("That picture is empty; draw a digit first.")
    try:
        image.seek(0)  # animated images: the first frame
    except (AttributeError, EOFError, ValueError):
        pass
    try:
        image = ImageOps.exif_transpose(image)  # phone photos
    except Exception:  # broken EXIF is no reason to refuse the pixels
        pass
    if max(image.size) > MAX_SIDE:  # shrink first: the conversions below then stay small
        if image.mode in ("1", "P"):  # these would be resized by nearest neighbour, losing thin strokes
            image = image.convert("RGBA" if image.mode == "P" else "L")
        image = image.copy()
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BOX)
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        a = np.asarray(image, dtype="float64")
        a = np.where(np.isfinite(a), a, 0.0)
        hi, lo = float(a.max()), float(a.min())
        a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
        image = Image.fromarray((a * 255).astype("uint8"), "L")
    try:
        return np.asarray(image.convert("RGBA"))
    except (ValueError, OSError):  # a mode Pillow cannot convert (e.g. LAB from a crafted TIFF)
        raise InvalidDrawing(UNREADABLE) from None


def _array_to_rgba(a):
    if a.dtype == object or a.dtype.kind not in "biuf" or a.size == 0:
        raise InvalidDrawing("That array is not an image: send numbers, height x width (x channels).")
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
        raise InvalidDrawing("That array is not an image: expected height x width, with 1, 3 or 4 channels.")
    if a.shape[0] * a.shape[1] > MAX_PIXELS:
        raise InvalidDrawing(TOO_MANY_PIXELS)
    if a.dtype == np.uint8 and max(a.shape[:2]) <= MAX_SIDE:  # the sketchpad's own format: no copies
        return a if a.ndim == 3 and a.shape[-1] == 4 else np.asarray(Image.fromarray(a).convert("RGBA"))
    floats = a.dtype.kind in "fb"  # floats (and booleans) are read as 0..1, integers as 0..255 or 0..65535
    a = _block_mean(a, -(-max(a.shape[:2]) // MAX_SIDE))  # <= MAX_SIDE px, NaN/inf -> 0
    if floats and a.max(initial=0) <= 1.0 and a.min(initial=0) >= 0.0:
        scale = 1.0   # floats in [0, 1]
    else:
        a = np.clip(a, 0, None)
        scale = 65535.0 if a.max(initial=0) > 255 else 255.0
    a = (np.clip(a / scale, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    return np.asarray(Image.fromarray(a).convert("RGBA"))


def _block_mean(a, k):
    """(H, W[, C]) array of any real dtype -> float64, averaged over k x k blocks (k = 1: a copy),
    with NaN and inf read as 0. Works a tile at a time, so a large array is never copied whole."""
    if k == 1:
        a = a.astype("float64")
        return np.where(np.isfinite(a), a, 0.0)
    h, w = a.shape[:2]
    out = np.empty((-(-h // k), -(-w // k)) + a.shape[2:], dtype="float64")
    step = k * max(1, 2**20 // (k * k * a[0, 0].size))  # tile width: about a million values per tile
    for top in range(0, h, k):
        for left in range(0, w, step):
            tile = a[top:top + k, left:left + step].astype("float64")
            tile = np.where(np.isfinite(tile), tile, 0.0).sum(axis=0)   # (cols[, C])
            starts = np.arange(0, tile.shape[0], k)
            sizes = np.diff(np.append(starts, tile.shape[0])) * min(k, h - top)
            out[top // k, left // k:left // k + len(starts)] = (
                np.add.reduceat(tile, starts, axis=0) / sizes.reshape((-1,) + (1,) * (a.ndim - 2)))
    return out


# ---------------------------------------------------------------- RGBA -> ink map

def _reduce(rgba, k):
    """(H, W, 4) uint8 -> image box-averaged by k: RGB when the picture is opaque, averaged as
    plain 4-channel data (3x faster than Pillow's RGBA reduce, which premultiplies by alpha:
    ~2.7 ms at 800x800 here); RGBA by that exact path when it has any transparency."""
    h, w = rgba.shape[:2]
    plain = Image.frombuffer("RGBX", (w, h), np.ascontiguousarray(rgba), "raw", "RGBX", 0, 1).reduce(k)
    if plain.getchannel(3).getextrema()[0] == 255:  # a mean of 255 means every alpha was 255
        return plain.convert("RGB")
    return Image.fromarray(rgba, "RGBA").reduce(k)


def _percentile(a, q):
    """np.percentile(a, q, axis=0) (linear interpolation), by partial sort: a tenth of the cost
    on the few thousand border pixels it is used for."""
    a = np.asarray(a)
    k = (len(a) - 1) * q / 100.0
    lo = int(np.floor(k))
    hi = min(lo + 1, len(a) - 1)
    part = np.partition(a, [lo, hi], axis=0)
    return part[lo] + (part[hi] - part[lo]) * (k - lo)


def _flatten(image):
    """RGBA -> RGB on the backdrop that contrasts with the opaque pixels (white unless they are light)."""
    backdrop = (255, 255, 255)
    low, high = image.getchannel("A").getextrema()
    if low < 128 <= high:  # partly transparent: sample the opaque pixels' brightness
        sample = np.asarray(image.reduce(max(1, max(image.size) // 128)))
        opaque = sample[..., 3] > 127
        if opaque.any() and np.median(sample[opaque][:, :3] @ np.array([0.299, 0.587, 0.114])) >= 128:
            backdrop = (0, 0, 0)
    if low < 255:
        image = Image.alpha_composite(Image.new("RGBA", image.size, backdrop + (255,)), image)
    return image


def ink_map(rgba):
    """(H, W, 4) uint8 RGBA -> "L" image of ink, 255 = ink, whatever the colours or polarity.

    Transparent areas take the colour that contrasts with the opaque ones (black strokes on
    a transparent layer become black on white). Ink is the colour distance (largest channel
    difference) from the background, the median colour of the image's border, stretched
    from the border's noise floor (paper texture, JPEG, gradients) to the strokes' typical
    strength. Pillow's C operations keep this ~2.5 ms for a 800x800 canvas.
    """
    image = Image.fromarray(rgba, "RGBA")
    if max(image.size) >= 2 * REDUCED:  # the digit ends up 20 px: a 2-3x box average loses nothing
        image = _reduce(rgba, max(image.size) // REDUCED)
    rgb = _flatten(image).convert("RGB") if image.mode == "RGBA" else image
    w, h = rgb.size   # the border, from four thin crops: copying the whole picture costs page faults
    border = np.concatenate([np.asarray(rgb.crop(box)).reshape(-1, 3) for box in
                             ((0, 0, w, 1), (0, h - 1, w, h), (0, 0, 1, h), (w - 1, 0, w, h))]).astype(np.int16)
    background = _percentile(border, 50).astype(np.int16)
    if np.ptp(background) <= 8:  # a grey background (the usual case): brightness distance is enough
        lut = np.abs(np.arange(256) - int(background.mean()))
        distance = rgb.convert("L").point(lut.astype(np.uint8).tolist())
        border = np.repeat(border.mean(axis=1, keepdims=True), 3, axis=1)
    else:
        r, g, b = ImageChops.difference(rgb, Image.new("RGB", rgb.size, tuple(int(v) for v in background))).split()
        distance = ImageChops.lighter(ImageChops.lighter(r, g), b)
    floor = float(_percentile(np.abs(border - background).max(axis=1), 95))
    counts = np.array(distance.histogram())
    strong = np.arange(256) > floor + 38  # clearly above the noise: ~0.15 of full contrast
    if counts[strong].sum() == 0:
        return Image.new("L", rgb.size, 0)  # no contrast: blank or uniform
    cumulative = np.cumsum(counts * strong)
    peak = int(np.searchsorted(cumulative, 0.9 * cumulative[-1]))  # the strokes' 90th percentile
    lut = np.clip((np.arange(256) - floor) / max(peak - floor, 1.0), 0.0, 1.0) * 255 + 0.5
    return distance.point(lut.astype(np.uint8).tolist())


# ---------------------------------------------------------------- ink map -> 32x32

def _padded(mask):
    """mask with a 1 px border of False (np.pad's generality costs ~4x here)."""
    out = np.zeros((mask.shape[0] + 2, mask.shape[1] + 2), dtype=bool)
    out[1:-1, 1:-1] = mask
    return out


def stroke_width(ink):
    """Mean stroke width in pixels of a (H, W) ink map: 2 x ink area / boundary length,
    which is exact for a long band of constant width."""
    mask = ink > INK
    area = mask.sum()
    if area == 0:
        return 0.0
    padded = _padded(mask)
    interior = padded[1:-1, 1:-1] & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    boundary = max(int(area - interior.sum()), 1)
    return float(2.0 * area / boundary)


def _isolated_share(mask):
    """Share of ink pixels with no ink among their 8 neighbours."""
    padded = _padded(mask)
    h, w = mask.shape
    neighbours = np.zeros_like(mask)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            if dy != 1 or dx != 1:
                neighbours |= padded[dy:dy + h, dx:dx + w]
    return float((mask & ~neighbours).sum()) / max(int(mask.sum()), 1)


def _bbox(mask):
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def _resize(ink, size):
    """Anti-aliased resize of a float ink map to (height, width)."""
    h, w = size
    return np.asarray(Image.fromarray(ink, "F").resize((max(w, 1), max(h, 1)), Image.Resampling.LANCZOS
                                                       if min(ink.shape) >= min(h, w) else Image.Resampling.BILINEAR),
                      dtype="float32").clip(0.0, 1.0)


def _fit(ink, longer):
    h, w = ink.shape
    s = longer / max(h, w)
    return _resize(ink, (max(1, round(h * s)), max(1, round(w * s))))


def _shrink(crop, width):
    """Fit the crop's longer side to WORK px. A pen thinner than 2 px at that scale (`width` is
    the crop's stroke width) would fade below the ink threshold under anti-aliasing, so such
    drawings are first reduced by block maximum, which keeps every stroke at least 1 px wide."""
    longer = max(crop.shape)
    factor = longer // WORK
    if factor >= 2 and width * WORK / longer < 2.0:
        h, w = crop.shape
        padded = np.pad(crop, ((0, -h % factor), (0, -w % factor)))
        crop = padded.reshape(padded.shape[0] // factor, factor, padded.shape[1] // factor, factor).max(axis=(1, 3))
    return crop if max(crop.shape) == WORK else _fit(crop, WORK)


def _normalise_stroke(work):
    """Thicken or thin strokes (at WORK scale) into MNIST's band of widths."""
    width = stroke_width(work) * BOX / WORK   # as it would be in the 20 px box
    target = min(max(width, STROKE_MIN), STROKE_MAX)
    steps = int(round((target - width) * WORK / BOX / 2))  # a 3x3 filter moves each edge 1 px
    if steps == 0:
        return work
    image = Image.fromarray(np.pad(work, max(steps, 0) + 1), "F")
    grow = ImageFilter.MaxFilter(3) if steps > 0 else ImageFilter.MinFilter(3)
    for _ in range(abs(steps)):
        image = image.filter(grow)
    out = np.asarray(image, dtype="float32")
    if (out > INK).sum() < 4:  # thinning erased the drawing: keep it as it was
        return work
    t, b, l, r = _bbox(out > 0.02)
    return out[t:b, l:r]


def centre_by_mass(box):
    """Place a (h<=20, w<=20) digit in 28x28 so its centre of mass is at the field's centre."""
    h, w = box.shape
    total = box.sum()
    ys, xs = np.indices(box.shape)
    cy, cx = (ys * box).sum() / total, (xs * box).sum() / total
    top = min(max(round(FIELD / 2 - 0.5 - cy), 0), FIELD - h)
    left = min(max(round(FIELD / 2 - 0.5 - cx), 0), FIELD - w)
    field = np.zeros((FIELD, FIELD), dtype="float32")
    field[top:top + h, left:left + w] = box
    return field


_MASK = [255 if v > INK * 255 else 0 for v in range(256)]  # lookup table: ink image -> ink mask


def preprocess_ink(ink):
    """"L" ink image (255 = ink) -> Preprocessed, or InvalidDrawing if it is not a drawing."""
    mask = ink.point(_MASK)
    box = mask.getbbox()
    if box is None:
        raise InvalidDrawing(EMPTY)
    count = mask.crop(box).histogram()[255]  # ink pixels, counted inside their bounding box only
    if count > 0.6 * ink.width * ink.height:
        raise InvalidDrawing("The picture is almost all ink; draw a digit on a plain background.")
    crop = np.asarray(ink.crop(box), dtype="float32") / 255.0
    if _isolated_share(crop > INK) > 0.25:  # strokes are connected; noise and grain are not
        raise InvalidDrawing("That looks like noise or a photo, not a drawing; draw a digit on a plain background.")
    longer = max(crop.shape)
    if count < 12 or longer < 6:
        raise InvalidDrawing("That is only a few specks; draw a digit bigger.")
    width = stroke_width(crop)
    if longer < 2.2 * width:
        raise InvalidDrawing("That looks like a dot, not a digit; draw a digit.")
    work = _normalise_stroke(_shrink(crop, width))
    box = _fit(work, BOX)
    if box.sum() <= 0:
        raise InvalidDrawing(EMPTY)
    field = centre_by_mass(box)
    square = np.zeros((BOX, BOX), dtype="float32")  # the 20 px fit, shown centred in its square
    y0, x0 = (BOX - box.shape[0]) // 2, (BOX - box.shape[1]) // 2
    square[y0:y0 + box.shape[0], x0:x0 + box.shape[1]] = box
    x = pad_to_input(field)
    return Preprocessed(input=x, stages={"cropped": work, "box": square, "centred": field, "input": x})


def preprocess(image):
    """Any supported input -> Preprocessed(input (32, 32), stages). Raises InvalidDrawing."""
    return preprocess_ink(ink_map(to_rgba(image)))
