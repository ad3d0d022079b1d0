"""The MNIST recipe: any drawing -> the 32x32 ink map LeNet-5 reads, made the way MNIST itself was
made: ink maps whatever the colours, crop to the ink, fit the longer side into 20 px (stroke width
normalised on the way), centre by mass in 28x28, pad to 32x32. Every step works on a stack of
same-sized pictures, so one drawing and a batch take one path. Decoding the input is
lenet/decode.py's job, the resampling numerics lenet/resample.py's."""
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .decode import EMPTY, InvalidDrawing, to_rgba  # noqa: F401  (EMPTY: re-exported for lenet/visualize.py)
from .resample import LUMA, _luma, _percentile, _rank_filter, _resize

BOX = 20      # MNIST fits each digit's longer side into 20 px ...
FIELD = 28    # ... centres it by mass in a 28x28 field ...
INPUT = 32    # ... and LeNet-5 reads it padded to 32x32.
PAD = (INPUT - FIELD) // 2
WORK = 4 * BOX            # stroke width is measured and corrected at 4x the final scale
REDUCED = 320             # canvases twice this size or more are box-averaged to at most this first (speed)
INK = 0.35                # an ink-map value above this counts as ink for cropping/measuring
# Stroke width of MNIST digits, in pixels of the 20 px box: the band holding most of them
# (MNIST's own stroke widths, by stroke_width(): docs/performance.md).
# Drawings outside it are thickened or thinned to its nearest edge.
STROKE_MIN, STROKE_MAX = 2.2, 4.5
# A picture where nothing stands out as ink is blank only when it is smooth: neighbouring pixels of
# a blank canvas differ by 0 levels, of a photo of paper by 0-4; of 1024 px random noise (read at the
# working size) by ~35, of 4096 px noise by ~9. Above GRAIN it is noise, not "draw a digit first".
GRAIN = 6


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


# ---------------------------------------------------------------- RGBA -> ink maps, a stack at a time

def _working_size(rgba):
    """(H, W, 4) uint8 -> itself, or box-averaged to at most REDUCED px when it is twice that or more
    (the digit ends up 20 px: a 2-3x box average loses nothing). Opaque pictures are averaged as
    plain 4-channel data (faster than Pillow's RGBA reduce, which premultiplies by alpha; see
    docs/performance.md); pictures with any transparency take that exact path."""
    h, w = rgba.shape[:2]
    if max(h, w) < 2 * REDUCED:
        return rgba
    k = -(-max(h, w) // REDUCED)
    plain = np.asarray(Image.frombuffer("RGBX", (w, h), np.ascontiguousarray(rgba), "raw", "RGBX", 0, 1).reduce(k))
    if plain[..., 3].min() == 255:  # a mean of 255 means every alpha was 255
        return plain
    return np.asarray(Image.fromarray(rgba, "RGBA").reduce(k))


def _backdrops(stack, low, high):
    """(n, H, W, 4) RGBA and each picture's lowest and highest alpha -> (n,) the colour (255 or 0)
    its transparent areas take: the one that contrasts with its opaque pixels (white unless they
    are light); 255 for opaque pictures, which have nothing to fill."""
    backdrop = np.full(len(stack), 255, np.uint16)
    for i in np.flatnonzero((low < 128) & (high >= 128)):   # partly transparent: sample the opaque pixels
        step = max(1, max(stack.shape[1:3]) // 128)
        sample = stack[i, ::step, ::step]
        opaque = sample[sample[..., 3] > 127][:, :3].astype(np.int64)
        if len(opaque) and np.median((opaque @ LUMA) >> 16) >= 128:
            backdrop[i] = 0
    return backdrop


def _flatten(stack, backdrop=None, low=None):
    """(n, H, W, 4) RGBA -> (n, H, W, 3) RGB, transparent areas filled with each picture's
    `backdrop` (default: see _backdrops); `low`: each picture's lowest alpha, when known."""
    rgb, alpha = stack[..., :3], stack[..., 3]
    low = alpha.min(axis=(1, 2)) if low is None else low
    if low.min() == 255:
        return rgb
    if backdrop is None:
        backdrop = _backdrops(stack, low, alpha.max(axis=(1, 2)))
    rgb = rgb.copy()
    for i in np.flatnonzero(low < 255):   # pictures with transparency, one by one
        a = alpha[i, ..., None].astype(np.uint16)
        rgb[i] = (rgb[i] * a + backdrop[i] * (255 - a) + 127) // 255
    return rgb


def _content_box(stack):
    """(n, H, W, 4) RGBA -> (top, bottom, left, right), exclusive: the box outside which every
    pixel of each picture is the same RGBA as its top-left corner (at least that corner)."""
    h, w = stack.shape[1:3]
    words = np.ascontiguousarray(stack).view(np.uint32)[..., 0]   # one RGBA pixel per word
    differs = words != words[:, :1, :1]
    rows = differs.any(axis=(0, 2))
    if not rows.any():
        return 0, 1, 0, 1
    top, bottom = int(rows.argmax()), h - int(rows[::-1].argmax())
    cols = differs[:, top:bottom].any(axis=(0, 1))
    return top, bottom, int(cols.argmax()), w - int(cols[::-1].argmax())


def ink_maps(stack):
    """(n, H, W, 4) uint8 RGBA -> (n, H, W) uint8 ink, 255 = ink, whatever the colours or polarity.

    Transparent areas take the colour that contrasts with the opaque ones (black strokes on
    a transparent layer become black on white). Ink is the colour distance (largest channel
    difference; brightness difference on a grey background) from the background, the median
    colour of the picture's border, stretched from the border's noise floor (paper texture,
    JPEG, gradients) to the strokes' typical strength (90th percentile of the clear ink).

    Every step is a function of one pixel's colour (and of per-picture figures), so the work is
    done on the box holding everything that differs from the corner pixel (_content_box): the
    rest of each picture is that one colour, counted once and filled with its ink at the end.
    """
    return _ink_maps(stack)[0]


def _ink_maps(stack):
    """ink_maps, and the box outside which each map holds its corner's ink (see _content_box)."""
    n, h, w = stack.shape[:3]
    top, bottom, left, right = _content_box(stack)
    part, corner = stack[:, top:bottom, left:right], stack[:, :1, :1]
    edges = np.concatenate([stack[:, 0], stack[:, -1], stack[:, :, 0], stack[:, :, -1]], axis=1)[:, None]
    low = np.minimum(part[..., 3].min(axis=(1, 2)), corner[:, 0, 0, 3])   # the whole picture's alpha range
    backdrop = None
    if low.min() < 255:
        backdrop = _backdrops(stack, low, np.maximum(part[..., 3].max(axis=(1, 2)), corner[:, 0, 0, 3]))
    rgb, corner_rgb = _flatten(part, backdrop, low), _flatten(corner, backdrop, low)
    border = _flatten(edges, backdrop, low)[:, 0].astype(np.float32)   # (n, border pixels, 3)
    background = _percentile(border, 50, axis=1).astype(np.int16)            # (n, 3)
    grey = np.ptp(background, axis=1) <= 8   # the usual case: brightness distance is enough
    # Each pixel's `value` (uint8) and, per picture, the ink distance of each value: brightness
    # and |brightness - background| on a grey background, the largest channel difference otherwise.
    value = np.empty(rgb.shape[:3], np.uint8)
    corner_value = np.empty(n, np.uint8)
    levels = np.arange(256)
    distance_of = np.tile(levels, (n, 1))
    if grey.any():
        pick = slice(None) if grey.all() else np.flatnonzero(grey)
        value[pick] = _luma(rgb[pick])
        corner_value[pick] = _luma(corner_rgb[pick])[:, 0, 0]
        distance_of[pick] = np.abs(levels - background[pick].mean(axis=1).astype(np.int16)[:, None])
        border[pick] = ((border[pick, :, 0] + border[pick, :, 1] + border[pick, :, 2]) / 3)[..., None]   # grey
    if not grey.all():
        pick = np.flatnonzero(~grey)
        paper = background[pick, None, None, :]
        value[pick] = np.abs(rgb[pick].astype(np.int16) - paper).max(axis=3)
        corner_value[pick] = np.abs(corner_rgb[pick].astype(np.int16) - paper).max(axis=3)[:, 0, 0]
    # The noise floor: the 95th percentile of the border's distance from the background, capped at
    # 3 median distances + 8 levels. Without ink on the border the cap changes nothing (the 95th
    # percentile is 2.9 median distances for Gaussian grain, 1.9 for a gradient); with ink on the
    # border, the 95th percentile is the ink's own strength once over 5 % of the border is ink
    # (a 7 whose bar runs along the top edge: the whole drawing read blank), while the
    # median, and so the cap, stays at the paper's level until half of the border is ink.
    apart = np.abs(border - background[:, None, :])                             # (n, border pixels, 3)
    apart = np.maximum(np.maximum(apart[..., 0], apart[..., 1]), apart[..., 2])   # (n, border pixels)
    floor = np.minimum(_percentile(apart, 95, axis=1), 3 * _percentile(apart, 50, axis=1) + 8)   # (n,)
    offsets = 256 * np.arange(n, dtype=np.int32)
    value_counts = np.bincount(value.ravel() if n == 1 else (value.reshape(n, -1) + offsets[:, None]).ravel(),
                               minlength=256 * n)
    value_counts[offsets + corner_value] += h * w - value[0].size   # the pixels outside the box
    counts = np.bincount((distance_of + offsets[:, None]).ravel(), weights=value_counts,
                         minlength=256 * n).reshape(n, 256)
    strong = levels > floor[:, None] + 38          # clearly above the noise: ~0.15 of full contrast
    cumulative = np.cumsum(counts * strong, axis=1)
    total = cumulative[:, -1]
    peak = np.argmax(cumulative >= 0.9 * total[:, None], axis=1)   # the strokes' 90th percentile
    lut = np.clip((levels - floor[:, None]) / np.maximum(peak - floor, 1.0)[:, None], 0.0, 1.0) * 255 + 0.5
    lut = np.take_along_axis(lut.astype(np.uint8), distance_of, axis=1)   # value -> ink
    lut[total == 0] = 0                             # no contrast: blank or uniform
    ink = np.empty((n, h, w), np.uint8)
    ink[:] = lut[np.arange(n), corner_value][:, None, None]
    ink[:, top:bottom, left:right] = lut[0].take(value) if n == 1 else lut.ravel().take(value + offsets[:, None, None])
    return ink, (top, bottom, left, right)

# ---------------------------------------------------------------- ink maps -> 32x32

INK_LEVEL = int(INK * 255)   # uint8 ink above this counts as ink


def _padded(mask):
    """(n, h, w) -> (n, h + 2, w + 2) with a border of zeros (cheaper than np.pad, whose generality costs)."""
    out = np.zeros((mask.shape[0], mask.shape[1] + 2, mask.shape[2] + 2), dtype=mask.dtype)
    out[:, 1:-1, 1:-1] = mask
    return out


def stroke_width(mask):
    """(n, h, w) bool ink masks -> (n,) mean stroke width in pixels: 2 x ink area / boundary
    length, which is exact for a long band of constant width (0 where there is no ink)."""
    area = np.count_nonzero(mask, axis=(1, 2))
    p = _padded(mask)
    interior = p[:, 1:-1, 1:-1] & p[:, :-2, 1:-1] & p[:, 2:, 1:-1] & p[:, 1:-1, :-2] & p[:, 1:-1, 2:]
    boundary = np.maximum(area - np.count_nonzero(interior, axis=(1, 2)), 1)
    return np.where(area > 0, 2.0 * area / boundary, 0.0)


def _isolated_share(mask):
    """(n, h, w) bool -> (n,) share of ink pixels with no ink among their 8 neighbours."""
    p = _padded(mask.view(np.uint8))
    rows = p[:, :-2] + p[:, 1:-1] + p[:, 2:]
    block = rows[:, :, :-2] + rows[:, :, 1:-1] + rows[:, :, 2:]     # ink in each 3x3 block
    alone = np.count_nonzero(mask & (block == 1), axis=(1, 2))
    return alone / np.maximum(np.count_nonzero(mask, axis=(1, 2)), 1)


def _bboxes(mask):
    """(n, h, w) bool -> (n, 4) int top, bottom, left, right (exclusive) of the True pixels, and
    (n,) bool: any at all (the box of an empty mask is meaningless)."""
    rows, cols = mask.any(axis=2), mask.any(axis=1)
    h, w = mask.shape[1:]
    boxes = np.stack([rows.argmax(1), h - rows[:, ::-1].argmax(1), cols.argmax(1), w - cols[:, ::-1].argmax(1)], 1)
    return boxes, rows.any(axis=1)


def _shrink(crops, boxes, width):
    """Fit each crop's longer side to WORK px. A pen thinner than 2 px at that scale (`width`: the
    crops' stroke widths) would fade below the ink threshold under anti-aliasing, so such drawings
    are first spread by a max filter twice the shrink factor wide: every stroke then covers at
    least one WORK pixel fully, whatever its phase (stroke normalisation thins it back)."""
    longer = np.maximum(boxes[:, 1] - boxes[:, 0], boxes[:, 3] - boxes[:, 2])
    factor = longer // WORK
    thin = (factor >= 2) & (width * WORK / longer < 2.0)
    for k in np.unique(factor[thin]):
        pick = np.flatnonzero(thin & (factor == k))
        crops[pick] = _rank_filter(crops[pick], 2 * int(k))
    return _resize(crops, boxes, WORK)[0]


def _normalise_stroke(work):
    """Thicken or thin strokes of (n, WORK, WORK) maps into MNIST's band of widths -> (n, S, S) maps
    (S >= WORK: room to grow) and their (n, 4) boxes of visible ink."""
    width = stroke_width(work > INK) * BOX / WORK   # as it would be in the 20 px box
    target = np.clip(width, STROKE_MIN, STROKE_MAX)
    steps = np.round((target - width) * WORK / BOX / 2).astype(int)  # a 3x3 filter moves each edge 1 px
    margin = max(int(steps.max()), 0) + 1
    frame = np.zeros((len(work), WORK + 2 * margin, WORK + 2 * margin), np.float32)
    frame[:, margin:margin + WORK, margin:margin + WORK] = work
    moved = np.flatnonzero(steps)
    if len(moved):
        maps, steps = frame[moved], steps[moved]
        for step in range(int(np.abs(steps).max())):
            for pick, op in ((np.flatnonzero(steps > step), np.maximum), (np.flatnonzero(-steps > step), np.minimum)):
                if len(pick):
                    maps[pick] = _rank_filter(maps[pick], 3, op)
        kept = np.count_nonzero(maps > INK, axis=(1, 2)) >= 4   # else thinning erased the drawing: keep it
        frame[moved[kept]] = maps[kept]
    return frame, _bboxes(frame > 0.02)[0]


def centre_by_mass(box, sizes):
    """Place each (h<=20, w<=20) digit at the top left of (n, 20, 20) in 28x28 so its centre of
    mass is at the field's centre -> (n, 28, 28)."""
    total = np.maximum(box.sum(axis=(1, 2)), 1e-12)
    ramp = np.arange(BOX, dtype=np.float32)
    cy, cx = box.sum(axis=2) @ ramp / total, box.sum(axis=1) @ ramp / total
    top = np.clip(np.round(FIELD / 2 - 0.5 - cy), 0, FIELD - sizes[:, 0]).astype(int)
    left = np.clip(np.round(FIELD / 2 - 0.5 - cx), 0, FIELD - sizes[:, 1]).astype(int)
    return _place(box, top, left, FIELD)


def _place(box, top, left, size):
    """(n, 20, 20) maps written at per-map offsets into (n, size, size); beyond a map's own size
    it holds zeros, which land on zeros."""
    n = len(box)
    out = np.zeros((n, size + BOX, size + BOX), np.float32)
    rows = (top[:, None] + np.arange(BOX))[:, :, None]
    cols = (left[:, None] + np.arange(BOX))[:, None, :]
    out[np.arange(n)[:, None, None], rows, cols] = box
    return out[:, :size, :size]


def preprocess_inks(ink, box=None):
    """(n, H, W) uint8 ink maps (255 = ink) -> a list of Preprocessed, or of InvalidDrawing for
    maps that are not drawings. `box`: (top, bottom, left, right) outside which each map holds the
    value of its corner (what _ink_maps gives); when that is no ink, the rest is not searched."""
    n, H, W = ink.shape
    if box is not None and (ink[:, 0, 0] <= INK_LEVEL).all():   # no ink outside the box
        ink = ink[:, box[0]:box[1], box[2]:box[3]]
    mask = ink > INK_LEVEL
    boxes, any_ink = _bboxes(mask)
    count = np.count_nonzero(mask, axis=(1, 2))
    verdict = np.where(~any_ink, "empty", np.where(count > 0.6 * H * W, "all_ink", "")).astype(object)
    live = np.flatnonzero(verdict == "")
    if len(live):
        # From here on, only the part of the stack that holds ink in any map.
        top, bottom = boxes[live, 0].min(), boxes[live, 1].max()
        left, right = boxes[live, 2].min(), boxes[live, 3].max()
        mask, ink = mask[live, top:bottom, left:right], ink[live, top:bottom, left:right]
        boxes = boxes[live] - [top, top, left, left]
        longer = np.maximum(boxes[:, 1] - boxes[:, 0], boxes[:, 3] - boxes[:, 2])
        width = stroke_width(mask)
        verdict[live] = np.where(_isolated_share(mask) > 0.25, "noise",   # strokes are connected; grain is not
                                 np.where((count[live] < 12) | (longer < 6), "specks",
                                          np.where(longer < 2.2 * width, "dot", "")))
        keep = verdict[live] == ""
        live = live[keep]
    out = [None] * n
    if len(live):
        crops = ink[keep].astype(np.float32) / 255.0
        work = _shrink(crops, boxes[keep], width[keep])
        frame, frame_boxes = _normalise_stroke(work)
        box, sizes = _resize(frame, frame_boxes, BOX)
        empty = box.sum(axis=(1, 2)) <= 0
        field = centre_by_mass(box, sizes)
        square = _place(box, (BOX - sizes[:, 0]) // 2, (BOX - sizes[:, 1]) // 2, BOX)  # the fit, centred
        x = pad_to_input(field)
        for j, i in enumerate(live):
            if empty[j]:
                verdict[i] = "empty"
                continue
            t, b, lt, rt = frame_boxes[j]
            out[i] = Preprocessed(input=x[j], stages={"cropped": frame[j, t:b, lt:rt], "box": square[j],
                                                      "centred": field[j], "input": x[j]})
    for i in range(n):
        if out[i] is None:
            out[i] = InvalidDrawing(verdict[i])
    return out


def _grainy(rgba):
    """True when neighbouring pixels of (H, W, 4) RGBA differ by over GRAIN levels on average
    (largest channel difference, transparency flattened as ink_maps does, on up to ~64 evenly
    spaced rows): noise or texture rather than a blank picture."""
    rows = _flatten(rgba[::max(1, len(rgba) // 64)][None])[0].astype(np.int16)
    return float(np.abs(np.diff(rows, axis=1)).max(axis=2).mean()) > GRAIN


def preprocess_batch(images):
    """Any supported inputs -> a list, in order, of Preprocessed or InvalidDrawing (the reason an
    input is not a drawing). Pictures of the same size go through the pipeline as one stack."""
    out = [None] * len(images)
    groups = {}
    for i, image in enumerate(images):
        try:
            rgba = _working_size(to_rgba(image))
        except InvalidDrawing as err:
            out[i] = err
            continue
        groups.setdefault(rgba.shape, []).append((i, rgba))
    for members in groups.values():
        stack = members[0][1][None] if len(members) == 1 else np.stack([a for _, a in members])
        for (i, rgba), result in zip(members, preprocess_inks(*_ink_maps(stack))):
            if isinstance(result, InvalidDrawing) and result.empty and _grainy(rgba):
                result = InvalidDrawing("noise")   # no ink stands out because everything varies
            out[i] = result
    return out


def preprocess(image):
    """Any supported input -> Preprocessed(input (32, 32), stages). Raises InvalidDrawing."""
    result = preprocess_batch([image])[0]
    if isinstance(result, InvalidDrawing):
        raise result
    return result
