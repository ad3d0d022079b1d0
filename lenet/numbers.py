"""Whole numbers: a row of digits -> one reading per digit, each digit through the same MNIST
pipeline as a single drawing.

Segmentation, as in the paper's cheque reader (LeCun et al. 1998, section V: heuristic
over-segmentation, then the recogniser scores the candidate cuts) but without the trained graph:
  1. the picture's ink map (the pipeline's own, lenet.preprocess.ink_maps) is cut into connected
     ink components; specks (longer side under SPECK of the tallest component) are ignored;
  2. components that overlap in x by at least half the narrower one's width are one group (the
     strokes of a 4, 5 or = that do not touch);
  3. every group is read whole; a group read with doubt (confidence under SURE), wide for a digit
     (over WIDE of the line height) or made of several components is also read cut into pieces:
     the group's ink (all its components) between cuts of two kinds, both crossing little ink
     (weighed by darkness: touching digits' merged anti-aliased rims are cheap to cross): seams,
     top-to-bottom paths of least ink, and straight lines every LINE_EVERY x height across the group,
     each leaning the way of SLANTS that crosses least ink there (seams drift into the white around
     a group; leaning touching digits need a cut along their slant), and along a straight side of the
     group (a 1 stuck along a neighbour's side).
     Runs of consecutive pieces are candidate digits; the split kept is the one whose readings
     are most confident together (largest sum of log-probabilities, PER_DIGIT per extra digit, less
     CUT_COST per stroke its cuts cross and costs for pieces shaped unlike a digit of the line: wider
     than the others but 1s, less tall, narrow for anything but a 1, or read as a round digit but
     with a long straight edge, a 1 stuck to it; see _shape_cost). The widths are then weighed again
     against the digits chosen (but 1s), and the splits chosen again.
At most two model calls: the groups whole, then every candidate piece of every doubtful group, each
candidate read as it is and moved one pixel each way (SHIFTS), its probabilities the mean of these."""
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .network import digit_probabilities
from .preprocess import INK_LEVEL, InvalidDrawing, ink_maps, preprocess_inks, stroke_width, to_rgba

WORK_PIXELS = 200_000   # pictures over this are box-averaged by a whole factor first (1024x300: 2x)
LOW = 25                # ink above this (of 255) joins a component: strokes keep their anti-aliased rim
SPECK = 0.25            # a component whose longer side is under this share of the tallest is a speck
FRAGMENT = 0.5          # a group under this share of the tallest component's height joins its neighbour
OVERLAP = 0.5           # share of the narrower one's width two components must overlap in x to group
SURE = 0.9              # a group read whole at least this confidently, and not WIDE, is not cut
WIDE = 0.9              # group width over line height beyond which cuts are tried anyway
CUTS_PER_HEIGHT = 5     # seams tried per group: this many per line height of its width (at least 4; was 4
                        # in all, too few for a row of 6 touching digits: seed 0, 267 -> 271 strings)
STEP = 0.5              # a seam's cost for moving one column sideways, in pixels of full ink crossed
APART = 0.08            # seams end at least this far apart (x line height). CUTS_PER_HEIGHT, STEP, APART were
                        # 3, 0.3, 0.12: seeds 0/1/2 read 277/282/272 strings, now 280/283/275
REACH = 0.04            # a seam is kept if no seam ending within this distance (x line height) is cheaper
EDGE = 0.06             # cuts stay at least this far (x line height) from the group's sides
LINE_EVERY = 0.1        # a straight cut is tried every this much (x line height) across a group ...
SLANTS = np.tan(np.radians(np.arange(-20, 21, 5)))   # ... leaning the one of these ways (dx / dy) that
                        # crosses least ink. With them, seed 0/1/2: 280/283/275 -> 283/282/279 strings
MERGE = 0.05            # of cuts whose mean columns are closer than this (x line height) only the one crossing
                        # least ink is kept: 5 touching digits took 160 ms, 55 with this (seeds 0/1/2 alike)
CUT_COST = 0.15         # log-probability a split pays per stroke width of ink its cuts cross: with
                        # straight cuts, some go through a digit (a DejaVu Serif 6 cut into 1 and 0)
MAX_SPAN = 1.0          # a candidate digit is at most this wide (x line height; was 1.4: wider ones lost to
                        # ASPECT_COST anyway, and 5 touching digits took 55 ms, now 36)
PER_DIGIT = np.log(0.8)  # each extra digit costs this much log-probability: a split must read clearly better
ASPECT = 0.85           # candidate digits wider than this x line height ...
ASPECT_COST = 6.0       # ... lose this much log-probability per line height of extra width (was 2.0
                        # before straight cuts, then 4.0)
NEIGHBOURS = 1.2        # ... and so do those wider than this x the median width of the groups no wider than
                        # ASPECT x line height read whole as other than 1, then, chosen again, this x the
                        # median width of the digits chosen but 1s if less (was 1.35, once: 291/286/286/290
                        # strings on seeds 0/1/2/3 -> 292/286/288/291, digits 97.7/95.4/96.5/97.3 ->
                        # 98.5/95.9/97.4/98.0 %; held-out seeds 4/5: 286/285 -> 289/286)
NARROW = 0.4            # a candidate read as any digit but 1 narrower than this x line height is a sliver of
NARROW_COST = 5.0       # one: it loses this much log-probability per line height it lacks (a lone DejaVu
                        # Serif 6 was read 13 or 81; seeds 0/1/2: 283/282/279 -> 285/283/279 strings)
TALL = 0.85             # a candidate less tall than this x line height is part of a digit (the digits of a row
TALL_COST = 10.0        # are about as tall): it loses this much log-probability per line height it lacks (a
                        # DejaVu Serif 6 was read 81, its bowl's right side a 1; seeds 1/2: 283/280 -> 284/282)
STRAIGHT = 0.85         # a candidate read as a digit with no straight side (ROUND: not 1, 4, 7) whose left or
STRAIGHT_COST = 3.0     # right edge follows one straight line (within EDGE_TOL x line height, leaning one of
EDGE_TOL = 0.02         # EDGE_SLANTS) over this share of the line height has a 1 stuck to it (a pen 10 read 0,
EDGE_SLANTS = np.linspace(-0.35, 0.35, 29)   # 31 read 3): it loses STRAIGHT_COST. Lone digits' edges stay
                        # under 0.8 of the height but 1, 4, 7 (seed 10). Seeds 0/1/2/3: strings
                        # 284/285/283/282 -> 286/286/283/283, digits 96.4/94.5/95.7/96.4 -> 97.3/95.0/96.0/96.6 %
SHIFTS = ((1, 2), (-1, 2), (1, 1), (-1, 1))   # (pixels, axis of the (n, 32, 32) inputs): every candidate is
                        # also read moved one pixel each way, in the same model call, and its OUT is the mean
                        # of the five (the modern model read a DejaVu Serif 6 as 0 at some sizes, as 6 when
                        # moved). Seeds 0/1/2/3: strings 286/286/283/283 -> 291/286/286/290 (separated
                        # digits 240/240 on all four), digits 97.3/95.0/96.0/96.6 -> 97.7/95.4/96.5/97.3 %
ROUND = np.array([True, False, True, True, False, True, True, False, True, True])
SEVEN = -0.15           # a 7's side is its diagonal, leaning left (dx/dy under this: a pen 7 leans 0.37 left of
                        # the line's slant, at most 12 degrees, 0.21, right): read as 7, a straight edge leaning
                        # less to the left is a 1 stuck to it (a pen 17 read 7; seeds 0-3 alike, held-out
                        # seed 5: 286 -> 287 strings)
# Tried and dropped (seeds 0-3): cuts either side of every straight stroke in a group, not only its sides
# (digits split along a 4's stem: -3 to -5 strings a seed); the geometric mean of the moved readings; a 1
# whose edges are all curved losing STRAIGHT_COST; the widths weighed again against a group's own best
# split (single 6s read 13); the 35th percentile of the chosen widths instead of the median, PER_DIGIT
# log(0.9) or 0, ASPECT 0.8, WIDE 0.75: each better on some seeds and worse on others.


@dataclass
class NumberReading:
    text: str          # the digits read, left to right, e.g. "2026"
    digits: list       # one lenet.Prediction per digit
    boxes: list        # each digit's (x0, y0, x1, y1) ink box in the input picture, x1 and y1 exclusive

    @property
    def confidences(self):
        return [p.confidence for p in self.digits]


def predict_number(recognizer, image):
    """Any drawing (see lenet.preprocess.to_rgba) -> NumberReading. Raises InvalidDrawing."""
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
    labels, comps = components(ink > LOW)
    tallest = (comps[:, 3] - comps[:, 1]).max()
    keep = np.maximum(comps[:, 2] - comps[:, 0], comps[:, 3] - comps[:, 1]) >= SPECK * tallest
    groups = attach_fragments(comps, group_by_overlap(comps, np.flatnonzero(keep)), tallest)
    height = float(np.median([comps[g, 3].max() - comps[g, 1].min() for g in groups]))
    tol = max(1.0, EDGE_TOL * height)

    whole = [_Segment(ink, labels, comps, g) for g in groups]
    # A digit is rarely wider than ASPECT x height, nor much wider than its neighbours that look like
    # single digits but 1s (a font's digits share one width but the 1; the width of a 4 next to two
    # 1s was held against it: 411 read 6111).
    outs, prepared, probs = _read(recognizer, whole)
    single = [s.width for i, s in enumerate(whole) if s.width <= ASPECT * height and probs[i].argmax() != 1]
    widest = min(ASPECT * height, NEIGHBOURS * np.median(single)) if single else ASPECT * height
    conf = [_confidence(probs, prepared, i) - _shape_cost(s, probs[i], widest, height, tol)
            for i, s in enumerate(whole)]
    doubtful = [i for i, (g, s) in enumerate(zip(groups, whole))
                if conf[i] < np.log(SURE) or len(g) > 1 or s.width > WIDE * height]
    tries = {i: _candidates(ink, labels, comps, groups[i], height) for i in doubtful}
    flat = [seg for i in doubtful for pieces in tries[i] for _, _, seg, _ in pieces]
    outs2, prepared2, probs2 = _read(recognizer, flat) if flat else (None, [], np.zeros((0, 10)))

    def choose(widest):
        """Per group, its reading whole or its best split -> [(which read: 0 whole, 1 flat; index)]."""
        chosen, k = [], 0
        for i in range(len(groups)):
            whole_score = _confidence(probs, prepared, i) - _shape_cost(whole[i], probs[i], widest, height, tol)
            best = [((0, i), whole_score + PER_DIGIT)]      # (which read, index), score of reading it whole
            for pieces in tries.get(i, []):                 # each way of cutting the group into pieces
                scores = {}
                for a, b, _, cut in pieces:
                    scores[a, b] = (_confidence(probs2, prepared2, k)
                                    - _shape_cost(flat[k], probs2[k], widest, height, tol) + PER_DIGIT - cut, k)
                    k += 1
                split = _best_path(scores)
                if split is not None and split[0] > sum(score for _, score in best) + 1e-9:
                    best = [((1, scores[ab][1]), scores[ab][0]) for ab in split[1]]
            chosen += [(which, idx) for (which, idx), _ in best]
        return chosen

    chosen = choose(widest)
    # Chosen again against the digits chosen but 1s: when digits touch, few groups are read whole.
    kept = [(whole if w == 0 else flat)[idx].width for w, idx in chosen
            if (probs if w == 0 else probs2)[idx].argmax() != 1]
    if kept and NEIGHBOURS * np.median(kept) < widest:
        chosen = choose(NEIGHBOURS * np.median(kept))
    picks = [(whole if w == 0 else flat)[idx] for w, idx in chosen]
    readable = [j for j, (w, idx) in enumerate(chosen)
                if not isinstance((prepared if w == 0 else prepared2)[idx], InvalidDrawing)]
    if not readable:
        raise InvalidDrawing("specks")
    digits = []
    for j in readable:
        w, idx = chosen[j]
        o, p = (outs, prepared) if w == 0 else (outs2, prepared2)
        digits.append(recognizer.predictions({name: v[idx:idx + 1] for name, v in o.items()}, [p[idx]],
                                             codes=recognizer.codes)[0])
    boxes = [_scaled(picks[j].box, scale, shape) for j in readable]
    return NumberReading(text="".join(str(p.digit) for p in digits), digits=digits, boxes=boxes)


# ---------------------------------------------------------------- connected ink

def components(mask):
    """(H, W) bool -> (labels (H, W) int32, -1 off the ink; comps (n, 5) int: x0, y0, x1, y1 (exclusive),
    pixel count), 8-connected, labelled by row runs: runs in neighbouring rows that touch are joined."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    ys, xs = np.nonzero(step == 1)          # row-major, so starts and ends pair up in order
    _, xe = np.nonzero(step == -1)
    n = len(ys)
    labels = np.full((h, w), -1, np.int32)
    if n == 0:
        return labels, np.zeros((0, 5), int)
    wide = w + 2
    k_start, k_end = ys * wide + xs, ys * wide + xe
    # Runs of the row above touching run b (8-connected): start <= b's end and end >= b's start.
    lo = np.searchsorted(k_end, (ys - 1) * wide + xs, "left")
    hi = np.searchsorted(k_start, (ys - 1) * wide + xe, "right")
    count = np.maximum(hi - lo, 0)
    u = np.repeat(np.arange(n), count)
    v = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + np.repeat(lo, count)
    parent = np.arange(n)
    while len(u):
        pu, pv = parent[u], parent[v]
        differ = pu != pv
        if not differ.any():
            break
        np.minimum.at(parent, np.maximum(pu, pv)[differ], np.minimum(pu, pv)[differ])
        while True:                          # pointer jumping: every run points at its root
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up
    _, run_label = np.unique(parent, return_inverse=True)
    lengths = xe - xs
    flat = np.repeat(ys * w + xs - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    labels.ravel()[flat] = np.repeat(run_label, lengths)
    m = run_label.max() + 1
    comps = np.zeros((m, 5), int)
    comps[:, 0], comps[:, 1] = w, h
    np.minimum.at(comps[:, 0], run_label, xs)
    np.minimum.at(comps[:, 1], run_label, ys)
    np.maximum.at(comps[:, 2], run_label, xe)
    np.maximum.at(comps[:, 3], run_label, ys + 1)
    comps[:, 4] = np.bincount(run_label, weights=lengths, minlength=m)
    return labels, comps


def group_by_overlap(comps, keep):
    """Indices `keep` of components -> groups (lists of indices) of components that overlap in x by at
    least OVERLAP of the narrower one's width (directly or through others), left to right."""
    parent = {int(i): int(i) for i in keep}

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    keep = list(parent)
    for a in keep:
        for b in keep:
            if a < b:
                overlap = min(comps[a, 2], comps[b, 2]) - max(comps[a, 0], comps[b, 0])
                narrower = min(comps[a, 2] - comps[a, 0], comps[b, 2] - comps[b, 0])
                if overlap >= OVERLAP * narrower:
                    parent[root(b)] = root(a)
    groups = {}
    for i in keep:
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: comps[g, 0].min())


def attach_fragments(comps, groups, tallest):
    """Groups under FRAGMENT x `tallest` high cannot be a digit on their own (a 1 is as tall as the
    rest): each joins the group nearest to it in x (a 5's top bar drawn off its body)."""
    tall = lambda g: comps[g, 3].max() - comps[g, 1].min() >= FRAGMENT * tallest
    whole = [list(g) for g in groups if tall(g)]
    if not whole:
        return groups
    for g in groups:
        if not tall(g):
            x0, x1 = comps[g, 0].min(), comps[g, 2].max()
            gap = [max(comps[h, 0].min() - x1, x0 - comps[h, 2].max()) for h in whole]
            whole[int(np.argmin(gap))] += list(g)
    return whole


# ---------------------------------------------------------------- candidate digits

class _Segment:
    """The ink of some components, or of one component between two seams: a candidate digit.
    `left`, `right`: per row of the component's box, the first column in and the first column out."""

    def __init__(self, ink, labels, comps, members, left=None, right=None):
        members = np.asarray(members)
        x0, y0 = comps[members, 0].min(), comps[members, 1].min()
        x1, y1 = comps[members, 2].max(), comps[members, 3].max()
        window = labels[y0:y1, x0:x1]
        mine = np.isin(window, members) if len(members) > 1 else window == members[0]
        if left is not None:
            cols = np.arange(x1 - x0)
            mine &= (cols >= left[:, None]) & (cols < right[:, None])
        rows, cols = np.flatnonzero(mine.any(axis=1)), np.flatnonzero(mine.any(axis=0))
        if len(rows) == 0:
            rows = cols = np.array([0])
        t, b, lt, rt = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        self.ink = np.where(mine, ink[y0:y1, x0:x1], 0)[t:b, lt:rt]
        self.box = (int(x0 + lt), int(y0 + t), int(x0 + rt), int(y0 + b))
        self.width = rt - lt
        self.edge = {}         # read as 7 or not -> _straight_edge(ink, ...), once asked


def _candidates(ink, labels, comps, group, height):
    """A doubtful group's ways of cutting it into pieces (one so far: between cuts), each a list of
    (first piece, end piece, _Segment, cost of the cut ending it) for every run of consecutive pieces
    at most MAX_SPAN x height wide but the whole group. The pieces are the group's ink (all its
    components together: a 5's loose bar stays with the digits under it) between its cuts, seams()
    and lines() in order of mean column (of those within MERGE x height, the one crossing least
    ink) and _one_cuts(); a gap between components is a cut that crosses no ink. A cut costs CUT_COST per stroke
    width (of the group) of ink it crosses, weighed by darkness.
    (Tried and dropped: pieces around the cores left by eroding the group until touching digits
    come apart, in x order: +12 digits, +0 strings on seed 0, slower.)"""
    group = list(group)
    x0, y0 = comps[group, 0].min(), comps[group, 1].min()
    x1, y1 = comps[group, 2].max(), comps[group, 3].max()
    window = labels[y0:y1, x0:x1]
    mine = np.isin(window, group) if len(group) > 1 else window == group[0]
    dark = np.where(mine, ink[y0:y1, x0:x1], 0)
    stroke = max(float(stroke_width(mine[None])[0]), 1.0)
    padded = np.concatenate([dark, np.zeros((y1 - y0, 1), dark.dtype)], axis=1) / 255.0
    rows = np.arange(y1 - y0)
    crossing = lambda p: padded[rows, p].sum() / stroke
    inner = []
    for p in sorted(seams(dark, height) + lines(dark, height), key=lambda p: p.mean()):
        if inner and p.mean() - inner[-1][1].mean() < MERGE * height:
            if crossing(p) < inner[-1][0]:
                inner[-1] = (crossing(p), p)
        else:
            inner.append((crossing(p), p))
    inner += [(crossing(p), p) for p in _one_cuts(dark, height, stroke)]      # kept, however near others
    inner.sort(key=lambda cp: cp[1].mean())
    paths = [np.zeros(y1 - y0, int)] + [p for _, p in inner] + [np.full(y1 - y0, x1 - x0)]
    cut = [0.0] + [c for c, _ in inner] + [0.0]
    make = lambda a, b: _Segment(ink, labels, comps, group, paths[a], paths[b])
    span = lambda a, b: paths[b].max() - paths[a].min()
    n = len(paths) - 1
    out = [[(a, b, make(a, b), CUT_COST * cut[b]) for a in range(n) for b in range(a + 1, n + 1)
            if (a, b) != (0, n) and span(a, b) <= MAX_SPAN * height]]
    return out


def seams(ink, height):
    """Up to CUTS_PER_HEIGHT x width / height (at least 4) cuts through a group's (h, w) uint8 ink
    (0 off the group), each a path from top to bottom (one column per row, moving at most one column
    a row, each move costing STEP) that crosses the least ink, weighed by its darkness: where round
    digits touch, their anti-aliased rims merge over many rows and cost little, while a stroke costs
    its full width (seed 0: 271 -> 277 strings). The paths kept are the local minima (within REACH x
    height) of the cheapest path's cost by where it ends, at least EDGE x height from the sides and
    APART x height apart, cheapest first -> left to right list of (h,) columns."""
    h, w = ink.shape
    margin = max(1, int(EDGE * height))
    if w <= 2 * margin + 1:
        return []
    cost = ink.astype(np.float32) / 255
    total = cost[0].copy()
    back = np.zeros((h, w), np.int8)
    inf = np.float32(np.inf)
    for y in range(1, h):
        options = np.stack([np.concatenate([[inf], total[:-1]]) + STEP, total,
                            np.concatenate([total[1:], [inf]]) + STEP])
        choice = options.argmin(axis=0)
        total = cost[y] + options[choice, np.arange(w)]
        back[y] = choice - 1
    reach = max(1, int(REACH * height))
    inner = range(margin, w - margin)
    local = [x for x in inner if total[x] <= total[max(0, x - reach):x + reach + 1].min() + 1e-6]
    picked = []
    for x in sorted(local, key=lambda x: (total[x], x)):
        if all(abs(x - q) >= APART * height for q in picked):
            picked.append(x)
        if len(picked) >= max(4, int(np.ceil(CUTS_PER_HEIGHT * w / height))):
            break
    out = []
    for x in sorted(picked):
        path = np.empty(h, int)
        for y in range(h - 1, -1, -1):
            path[y] = x
            x += int(back[y, x])
        out.append(path)
    return out


def lines(ink, height):
    """Straight cuts through a group's (h, w) uint8 ink (0 off the group), one every LINE_EVERY x
    height across it: near each such place, the line of SLANTS crossing the least ink, weighed by
    its darkness (seams() alone miss where touching digits lean: its paths drift into the white
    around the group, so it offers few cuts between two digits) -> left to right list of (h,)
    columns, in 0..w (w: right of the group)."""
    h, w = ink.shape
    margin = max(1, int(EDGE * height))
    if w <= 2 * margin + 1:
        return []
    cost = np.zeros((h, w + 2 * h), np.float32)        # off the group's box on either side: no ink
    cost[:, h:h + w] = ink / 255.0
    rows = np.arange(h)
    lean = np.round(SLANTS[:, None] * (rows - (h - 1) / 2)).astype(int)          # (slants, h) column offsets
    crossed = np.stack([cost[rows[:, None], h + np.arange(w) + d[:, None]].sum(axis=0) for d in lean])
    best = crossed.argmin(axis=0)                      # per column: the slant crossing least ink
    step = max(1, int(round(LINE_EVERY * height)))
    out = []
    for x in range(margin, w - margin, step):
        lo, hi = max(margin, x - step // 2), min(w - margin, x + step // 2 + 1)
        x = lo + int(np.argmin(crossed[best[lo:hi], np.arange(lo, hi)]))
        out.append(np.clip(x + lean[best[x]], 0, w))
    return out


def _one_cuts(dark, height, stroke):
    """Cuts along a 1 at either side of a group's (h, w) ink (0 off the group): where the group's left
    (right) edge is one straight line over STRAIGHT x height rows (see _straight_edge), that line moved
    a stroke width and a pixel in. A 1 stuck along a neighbour's side (a pen 10) crosses no seam nor
    straight cut that crosses little ink (seeds 0/1/2/3: 292/286/288/291 -> 293/286/289/291 strings,
    held-out 4/5: 289/287 -> 289/289) -> list of (h,) columns, in 0..w."""
    mask = dark > INK_LEVEL
    h, w = mask.shape
    has = mask.any(axis=1)
    if has.sum() < STRAIGHT * height:
        return []
    tol = max(1.0, EDGE_TOL * height)
    ys = np.flatnonzero(has)
    mid = ys.mean()
    first = mask[has].argmax(axis=1)
    last = w - 1 - mask[has][:, ::-1].argmax(axis=1)
    out = []
    for edge, inward in ((first, 1), (last, -1)):
        x = np.sort(edge[None, :] - EDGE_SLANTS[:, None] * (ys - mid), axis=1)
        count = np.stack([np.searchsorted(r, r + 2 * tol, "right") for r in x]) - np.arange(len(ys))
        k, j = np.unravel_index(int(count.argmax()), count.shape)
        if count[k, j] < STRAIGHT * height:
            continue
        line = x[k, j] + tol + EDGE_SLANTS[k] * (np.arange(h) - mid)
        path = np.round(line + inward * (stroke + 1) + (inward > 0)).astype(int)
        if EDGE * height <= path.mean() <= w - EDGE * height:
            out.append(np.clip(path, 0, w))
    return out


def _best_path(scores):
    """{(a, b): (score, _)} over pieces 0..n -> (best total, [(a, b), ...]) covering 0..n with runs, or None."""
    if not scores:
        return None
    n = max(b for _, b in scores)
    best = {0: (0.0, [])}
    for b in range(1, n + 1):
        options = [(best[a][0] + scores[a, b][0], best[a][1] + [(a, b)]) for a in range(b)
                   if a in best and (a, b) in scores]
        if options:
            best[b] = max(options, key=lambda o: o[0])
    return best.get(n)


def _read(recognizer, segments):
    """Segments -> (model outputs, Preprocessed or InvalidDrawing each, (n, 10) digit probabilities),
    every one through the pipeline in one stack and the model in one call, as it is and moved by each
    of SHIFTS: OUT is the mean of these readings, the other layers the unmoved one's. The paper's model
    gives RBF distances (their mean): its probabilities are the page's (lenet.network.digit_probabilities)."""
    rows = max(s.ink.shape[0] for s in segments)
    cols = max(s.ink.shape[1] for s in segments)
    # Twice the size: ink under a quarter of each map (the pipeline refuses maps over 60 % ink as
    # "all ink"; a bold 8 cropped tight is more), with a background border as a picture has.
    stack = np.zeros((len(segments), 2 * rows + 2, 2 * cols + 2), np.uint8)
    for i, s in enumerate(segments):
        stack[i, 1:1 + s.ink.shape[0], 1:1 + s.ink.shape[1]] = s.ink
    prepared = preprocess_inks(stack)
    ok = [p for p in prepared if not isinstance(p, InvalidDrawing)]
    outs = {}
    if ok:
        inputs = np.stack([p.input for p in ok])
        moved = [np.roll(inputs, d, axis=a) for d, a in SHIFTS]
        outs = recognizer.run(np.concatenate([inputs] + moved))
        n = len(ok)
        mean = outs["OUT"].reshape(1 + len(SHIFTS), n, -1).mean(axis=0)
        outs = {name: v[:n] for name, v in outs.items()}
        outs["OUT"] = mean.astype(outs["OUT"].dtype)
    # Outputs indexed like `prepared`: an invalid segment gets a row of zeros (never chosen).
    full = {}
    where = [i for i, p in enumerate(prepared) if not isinstance(p, InvalidDrawing)]
    for name, v in outs.items():
        full[name] = np.zeros((len(prepared),) + v.shape[1:], v.dtype)
        full[name][where] = v
    out = full["OUT"].astype("float64") if full else np.zeros((len(prepared), 10))   # none readable: zeros
    if recognizer.codes is not None:
        return full, prepared, digit_probabilities(out)
    return full, prepared, out / np.maximum(out.sum(axis=1, keepdims=True), 1e-30)


def _confidence(probs, prepared, i):
    """Log of the top class probability of candidate i; -inf when the pipeline refused it."""
    if isinstance(prepared[i], InvalidDrawing):
        return -np.inf
    return float(np.log(max(probs[i].max(), 1e-12)))


def _shape_cost(segment, probs, widest, height, tol):
    """Log-probability lost for being wider than a digit of this number should be, shorter than
    TALL x height, or, read as any digit but 1 (`probs`: its reading), narrower than NARROW x height,
    or read as a digit of ROUND but with a straight edge, or as a 7 with one leaning less left than
    SEVEN (see _straight_edge)."""
    narrow = 0.0 if probs.argmax() == 1 else NARROW_COST * max(0.0, NARROW * height - segment.width) / height
    short = TALL_COST * max(0.0, TALL * height - (segment.box[3] - segment.box[1])) / height
    tall = segment.box[3] - segment.box[1] >= STRAIGHT * height
    digit = probs.argmax()
    straight = False
    if tall and (ROUND[digit] or digit == 7):
        seven = digit == 7
        if seven not in segment.edge:
            segment.edge[seven] = _straight_edge(segment.ink, tol, EDGE_SLANTS[EDGE_SLANTS >= SEVEN] if seven
                                                 else EDGE_SLANTS)
        straight = segment.edge[seven] >= STRAIGHT * height
    return (ASPECT_COST * max(0.0, segment.width - widest) / height + narrow + short
            + STRAIGHT_COST * straight)


def _straight_edge(ink, tol, slants):
    """(h, w) ink of a candidate -> the most rows whose first (or last) ink lies within `tol` of one
    straight line leaning one of `slants` (dx/dy): a 1 stuck to a digit's side makes a long straight edge."""
    mask = ink > INK_LEVEL
    has = mask.any(axis=1)
    n = int(has.sum())
    if n < 2:
        return n
    w = mask.shape[1]
    rows = np.flatnonzero(has) - np.flatnonzero(has).mean()
    first = mask[has].argmax(axis=1)
    last = w - 1 - mask[has][:, ::-1].argmax(axis=1)
    lean = slants[:, None] * rows
    x = np.sort(np.concatenate([first - lean, last - lean]), axis=1)        # (2 x slants, rows) sorted
    x += (3 * (w + ink.shape[0]) + 4 * tol) * np.arange(len(x))[:, None]     # one sorted run per line
    x = x.ravel()
    return int((np.searchsorted(x, x + 2 * tol, "right") - np.arange(len(x))).max())


def _scaled(box, scale, image_shape):
    x0, y0, x1, y1 = box
    h, w = image_shape
    return (int(x0 * scale), int(y0 * scale), int(min(x1 * scale, w)), int(min(y1 * scale, h)))
