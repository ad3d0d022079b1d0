"""What the drawing pad sends, and how it is read before any pixel is decoded. (The pad itself,
a <canvas> in a gr.HTML, is lenet/ui/tabs/pad.py and static/pad.js.)
 The pad's value is a small JSON text,
`{"seq": <stroke update number>, "live": true, "png": "data:image/png;base64,..."}` (a 280x280 PNG
the browser already downscaled: a few KB; a wide pad's is 280 px high), or "" for a cleared pad.
`seq` comes back in the answer (`#digit [data-seq]`) so the page can tell which update an answer
belongs to. `live` marks an update sent while the pen is still down (pen-up, undo and clear send
none), `"first": true` after it a stroke's first live update: under a crowd the pads' line reads
pen-ups first, then first live updates, and answers other live updates that waited too long with
"no change" (pad_line.py)."""
import base64
import binascii
import json
import struct

from ...colour import data_uri
from ...preprocess import EMPTY, InvalidDrawing

EXPORT = 280          # px: the side of the picture the pad sends (~10x MNIST's 28 px field)
MAX_VALUE = 400_000   # characters: far over any 280 px drawing (docs/performance.md); bigger is not from the pad
MAX_SIDE = 1024       # px: the pad path decodes on the event loop, so its pictures stay small
NOT_A_DRAWING = "That is not a drawing from the pad; draw a digit, or upload a picture file."


# A wide pad carries its own look (the square one's is #pad's, in static/page.css).


def parse(value):
    """The pad's value -> (PNG bytes, or None for a cleared pad; seq). Raises InvalidDrawing
    (NOT_A_DRAWING) for anything the pad would not send, checked before any pixel is decoded."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        raise InvalidDrawing(NOT_A_DRAWING)
    try:
        sent = json.loads(value)
        seq, uri = int(sent.get("seq", 0)), sent.get("png") or ""
    except (ValueError, TypeError, AttributeError, OverflowError):
        raise InvalidDrawing(NOT_A_DRAWING) from None
    seq = min(max(0, seq), 2**53)
    if uri == "":
        return None, seq
    head, _, data = str(uri).partition(",")
    if head != "data:image/png;base64":
        raise InvalidDrawing(NOT_A_DRAWING)
    try:
        png = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidDrawing(NOT_A_DRAWING) from None
    width, height = png_size(png)
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise InvalidDrawing(NOT_A_DRAWING)
    return png, seq


def is_live(value):
    """Whether a pad value is a live update (the pen still down), from its first characters
    (pad.js writes `live` right after `seq`): nothing decoded."""
    return isinstance(value, str) and value.startswith('{"seq":') and '"live":true' in value[:48]


def is_first(value):
    """Whether a pad value is a stroke's first live update (pad.js writes it right after `live`)."""
    return is_live(value) and '"live":true,"first":true' in value[:64]


def picture(value):
    """The pad's drawing as PNG bytes; InvalidDrawing (EMPTY) for a cleared pad."""
    png, _ = parse(value)
    if png is None:
        raise InvalidDrawing(EMPTY)
    return png


def png_size(png):
    """(width, height) from a PNG's IHDR chunk without decoding it; (0, 0) if it is not a PNG."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        return 0, 0
    return struct.unpack(">II", png[16:24])


def value_of(png_bytes, seq=1, live=False, first=False):
    """What the pad sends for a picture (tests and the load generator speak the pad's protocol)."""
    sent = ({"seq": seq, "live": True, "first": True} if first else {"seq": seq, "live": True}) if live \
        else {"seq": seq}
    sent["png"] = data_uri(png_bytes)
    return json.dumps(sent, separators=(",", ":"))


INLINE_CHARS = 40_000   # over a noisy 280 px pad drawing's data URL (docs/performance.md)



def light(value):
    """Whether a pad value is small enough to read on the event loop: at most INLINE_CHARS long and
    a PNG of at most pad.EXPORT px a side (read from its header: no pixel decoded)."""
    if not isinstance(value, str) or len(value) > INLINE_CHARS:
        return False
    head = value.partition("base64,")[2][:32]
    try:
        width, height = png_size(base64.b64decode(head[:len(head) // 4 * 4]))
    except ValueError:
        return False
    return width <= EXPORT and height <= EXPORT

