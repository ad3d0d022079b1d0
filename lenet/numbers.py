"""Whole numbers: a row of digits -> one reading per digit, read as the paper reads a field
(LeCun et al. 1998, sections V-VI): lenet/segment.py over-segments the row into candidate pieces,
the same network reads every piece, and the path of pieces with the most evidence wins.

A piece's evidence is the log of P(it is a digit at all) x P(which digit | a digit): the first is
`digit_score` (the network's own "not a digit" score), so a piece of a digit loses to the whole digit
on what the network says of both, not on widths tuned by hand. Per group of components (see
segment.group_by_overlap), a graph: nodes are its cuts, an edge is a piece between two cuts, a
path from its left side to its right side is one way to read it; the best path is found by dynamic
programming (the paper's Viterbi). A group read whole with little doubt is not cut at all.
At most two model calls for a row that fits one stack: the groups whole, then the pieces of the
doubtful ones, each piece read as it is and moved one pixel each way (SHIFTS), OUT their mean."""
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from PIL import Image

from . import segment
from .preprocess import INK_LEVEL, InvalidDrawing, ink_maps, preprocess_inks, to_rgba
from .segment import Segment

WORK_PIXELS = 200_000   # pictures over this are box-averaged by a whole factor first (1024x300: 2x)
SURE = 0.9              # a group read whole with at least this evidence (as a probability) is not cut ...
WIDE = 0.9              # ... unless it is wider than this x the line height (digits are taller than wide)
TALL = 0.85             # a piece less tall than this x the line height is not a digit (a row's digits
                        # are about as tall as the row); the network cannot tell: it sees pieces size-normalised
STAND_IN_WIDE = 0.85    # without a learned rejection only: a piece wider than this x the line height ...
STAND_IN_COST = 6.0     # ... loses this much evidence per line height of extra width (two touching digits
                        # read as one: a softmax cannot say "that is two digits", a rejection trained on pairs can)
SHIFTS = ((1, 2), (-1, 2), (1, 1), (-1, 1))   # (pixels, axis of the (n, 32, 32) inputs): each piece is also
                        # read moved one pixel each way; its OUT is the mean of the five readings
OUT, REJECT = "OUT", "REJECT"   # the model's outputs averaged over SHIFTS: the digits', and "not a digit"
STACK_BYTES = 32 << 20  # the pieces of one model call take at most this much memory as ink
TOO_MANY_MARKS = "That is too many separate marks to read as a number ({}); write fewer, larger digits."
TOO_MANY_PIECES = ("That is too long a row of touching ink to read as a number ({} ways to cut it); "
                   "write fewer, larger digits with a little space between them.")


@dataclass
class NumberReading:
    text: str          # the digits read, left to right, e.g. "2026"
    digits: list       # one lenet.Prediction per digit
    boxes: list        # each digit's (x0, y0, x1, y1) ink box in the input picture, x1 and y1 exclusive

    @property
    def confidences(self):
        return [p.confidence for p in self.digits]


def digit_score(prediction, learned):
    """P(the piece read is a digit at all), from the network: its learned rejection when the weights
    have one (`learned`: the model has a REJECT output; Prediction.digit_score); without it, for the
    paper's RBF ending the eq. 9 posterior's share not given to "rubbish", and for a softmax its
    confidence in its best digit (all it can say). The one place the reader meets the rejection."""
    if learned:
        return float(prediction.digit_score)
    if prediction.rubbish is not None:
        return 1.0 - prediction.rubbish
    return prediction.confidence


class Reading(NamedTuple):
    """One piece read: its Prediction, digit_score(), and whether that score is the learned one."""
    prediction: object
    score: float
    learned: bool


def evidence(reading):
    """log P(a digit, and this one) of a piece's Reading, or -inf for None (the pipeline refused the
    piece): the score of one edge of the reading graph."""
    if reading is None:
        return -np.inf
    return float(np.log(max(reading.score, 1e-12)) + np.log(max(reading.prediction.confidence, 1e-12)))


def predict_number(recognizer, image):
    """Any drawing (see lenet.preprocess.to_rgba) -> NumberReading. Raises InvalidDrawing (also for
    a row too costly to read: more than segment.MAX_MARKS marks or MAX_PIECES candidate pieces)."""
    rgba = to_rgba(image)
    shape = rgba.shape[:2]
    scale = int(np.ceil(np.sqrt(rgba.shape[0] * rgba.shape[1] / WORK_PIXELS)))
    if scale > 1:
        rgba = np.asarray(Image.fromarray(np.ascontiguousarray(rgba), "RGBA").reduce(scale))
    ink = ink_maps(rgba[None])[0]
    if not (ink > INK_LEVEL).any():
        raise InvalidDrawing("empty")
    if np.count_nonzero(ink > INK_LEVEL) > 0.6 * ink.size:
        raise InvalidDrawing("all_ink")
    labels, comps = segment.components(ink > segment.LOW)
    tallest = (comps[:, 3] - comps[:, 1]).max()
    keep = np.flatnonzero(np.maximum(comps[:, 2] - comps[:, 0], comps[:, 3] - comps[:, 1]) >= segment.SPECK * tallest)
    if len(keep) > segment.MAX_MARKS:
        raise InvalidDrawing("too_many_marks", TOO_MANY_MARKS.format(len(keep)))
    groups = segment.attach_fragments(comps, segment.group_by_overlap(comps, keep), tallest)
    height = float(np.median([comps[g, 3].max() - comps[g, 1].min() for g in groups]))

    whole = [Segment(ink, labels, comps, g) for g in groups]
    first = _read(recognizer, whole, height)
    doubtful = [i for i, (g, s) in enumerate(zip(groups, whole))
                if _score(first[i], s, height) < np.log(SURE) or len(g) > 1 or s.width > WIDE * height]
    graphs = {}
    for i in doubtful:
        paths = segment.cuts(ink, labels, comps, groups[i], height)
        graphs[i] = (paths, segment.runs(paths, height))
    count = sum(len(edges) for _, edges in graphs.values())
    if count > segment.MAX_PIECES:
        raise InvalidDrawing("too_many_pieces", TOO_MANY_PIECES.format(count))
    flat = [Segment(ink, labels, comps, groups[i], paths[a], paths[b])
            for i, (paths, edges) in graphs.items() for a, b in edges]
    second = _read(recognizer, flat, height) if flat else []

    picks, k = [], 0                            # (Segment, Prediction) per digit read, left to right
    for i, piece in enumerate(whole):
        if i not in graphs:
            picks.append((piece, first[i]))
            continue
        paths, edges = graphs[i]
        scores = {(0, len(paths) - 1): (_score(first[i], piece, height), (piece, first[i]))}   # read whole
        for a, b in edges:
            scores[a, b] = (_score(second[k], flat[k], height), (flat[k], second[k]))
            k += 1
        path = best_path(scores, len(paths) - 1)
        picks += [scores[ab][1] for ab in path] if path else [(piece, first[i])]
    picks = [(s, r.prediction) for s, r in picks if r is not None]
    if not picks:
        raise InvalidDrawing("specks")
    return NumberReading(text="".join(str(p.digit) for _, p in picks), digits=[p for _, p in picks],
                         boxes=[_scaled(s.box, scale, shape) for s, _ in picks])


def _score(reading, piece, height):
    """A piece's evidence (see evidence), none for a piece less tall than TALL x the line height, and,
    while the weights have no learned rejection, less for one wider than STAND_IN_WIDE x the height."""
    if reading is None or piece.height < TALL * height:
        return -np.inf
    wide = 0.0 if reading.learned else STAND_IN_COST * max(0.0, piece.width / height - STAND_IN_WIDE)
    return evidence(reading) - wide


def best_path(scores, last):
    """{(a, b): (score, _)} over cuts 0..last -> the runs [(a, b), ...] from 0 to `last` whose scores
    add up to the most (ties: fewer pieces), or None when no path of finite score gets there."""
    best = {0: (0.0, [])}
    for b in range(1, last + 1):
        options = [(best[a][0] + scores[a, b][0], -len(best[a][1]), best[a][1] + [(a, b)])
                   for a in range(b) if a in best and (a, b) in scores and best[a][0] + scores[a, b][0] > -np.inf]
        if options:
            top = max(options, key=lambda o: o[:2])
            best[b] = (top[0], top[2])
    return best[last][1] if last in best else None


def _read(recognizer, segments, height):
    """Segments -> one Reading each (None where the pipeline refused the piece), all read as
    stacks of at most STACK_BYTES in one model call each, as they are and moved by each of SHIFTS:
    OUT is the mean of these readings, the other layers the unmoved one's."""
    rows = max(s.ink.shape[0] for s in segments)
    cols = max(s.ink.shape[1] for s in segments)
    # Twice the size: ink under a quarter of each map (the pipeline refuses maps over 60 % ink as
    # "all ink"; a bold 8 cropped tight is more), with a background border as a picture has.
    size = (2 * rows + 2) * (2 * cols + 2)
    per_call = max(1, STACK_BYTES // size)
    out = []
    for start in range(0, len(segments), per_call):
        chunk = segments[start:start + per_call]
        stack = np.zeros((len(chunk), 2 * rows + 2, 2 * cols + 2), np.uint8)
        for i, s in enumerate(chunk):
            stack[i, 1:1 + s.ink.shape[0], 1:1 + s.ink.shape[1]] = s.ink
        prepared = preprocess_inks(stack)
        ok = [p for p in prepared if not isinstance(p, InvalidDrawing)]
        preds = iter(_predictions(recognizer, ok) if ok else [])
        out += [None if isinstance(p, InvalidDrawing) else next(preds) for p in prepared]
    return out


def _predictions(recognizer, prepared):
    """Preprocessed pieces -> [Reading], OUT (and REJECT) the mean over the piece
    and its SHIFTS, the other layers the unmoved piece's."""
    inputs = np.stack([p.input for p in prepared])
    moved = [np.roll(inputs, d, axis=a) for d, a in SHIFTS]
    outs = recognizer.run(np.concatenate([inputs] + moved))
    n = len(prepared)
    mean = {name: outs[name].reshape(1 + len(SHIFTS), n, -1).mean(axis=0).astype(outs[name].dtype)
            for name in (OUT, REJECT) if name in outs}
    outs = {name: v[:n] for name, v in outs.items()} | mean
    preds = recognizer.predictions(outs, prepared, codes=recognizer.codes)
    return [Reading(p, digit_score(p, REJECT in outs), REJECT in outs) for p in preds]


def _scaled(box, scale, image_shape):
    x0, y0, x1, y1 = box
    h, w = image_shape
    return (int(x0 * scale), int(y0 * scale), int(min(x1 * scale, w)), int(min(y1 * scale, h)))
