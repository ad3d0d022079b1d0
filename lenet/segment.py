"""Over-segmentation of a row of digits (LeCun et al. 1998, section V: heuristic cuts, then the
recogniser judges the pieces): the row's ink -> connected components -> groups of components that
stand over one another -> candidate cuts through each group -> candidate pieces (runs of consecutive
pieces between cuts). Geometry only: which pieces are digits is lenet/numbers.py's reading graph.
The cuts are generous on purpose (a wrong cut costs a candidate, a missing one a digit)."""
import heapq

import numpy as np

from .preprocess import INK_LEVEL, stroke_width

LOW = 25                # ink above this (of 255) joins a component: strokes keep their anti-aliased rim
SPECK = 0.25            # a component whose longer side is under this share of the tallest is a speck
FRAGMENT = 0.5          # a group under this share of the tallest component's height joins its nearest neighbour
MAX_MARKS = 64          # a row with more components than this (after specks) is refused, unread
MAX_PIECES = 600        # a row with more candidate pieces than this is refused, unread
CUTS_PER_HEIGHT = 5     # seams tried per group: this many per line height of its width (at least 4)
STEP = 0.5              # a seam's cost for moving one column sideways, in pixels of full ink crossed
APART = 0.08            # seams end at least this far apart (x line height)
REACH = 0.04            # a seam is kept if no seam ending within this distance (x line height) is cheaper
EDGE = 0.06             # cuts stay at least this far (x line height) from the group's sides
LINE_EVERY = 0.1        # a straight cut is tried every this much (x line height) across a group ...
SLANTS = np.tan(np.radians(np.arange(-20, 21, 5)))   # ... leaning the one of these ways (dx/dy) crossing least ink
MERGE = 0.05            # of cuts whose mean columns are closer than this (x line height), the cheapest is kept
MAX_SPAN = 1.0          # a candidate piece is at most this wide (x line height)
STRAIGHT = 0.85         # a group's side that is one straight line over this share of the line height ...
EDGE_TOL = 0.02         # ... within this (x line height), leaning one of EDGE_SLANTS, is a 1's side: cut along it
EDGE_SLANTS = np.linspace(-0.35, 0.35, 29)


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
    """Indices `keep` of components -> groups (lists of indices), left to right: two components are one
    group when the narrower one's middle column lies within the wider one's columns (it overlaps it by
    half its width: the strokes of a 4, 5 or = that do not touch), directly or through others.
    Sorted by left edge and swept, each compared only with those still open at its left edge:
    O(n log n + pairs that overlap in x); predict_number caps n (MAX_MARKS) before calling this."""
    keep = [int(i) for i in keep]
    parent = {i: i for i in keep}

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    x0, x1 = comps[:, 0], comps[:, 2]
    open_ = []                                  # heap of (right edge, index) of components still open
    for i in sorted(keep, key=lambda i: (x0[i], i)):
        while open_ and open_[0][0] <= x0[i]:   # ends (exclusive) at or before i starts: no overlap
            heapq.heappop(open_)
        for _, j in open_:
            n, w = (i, j) if x1[i] - x0[i] <= x1[j] - x0[j] else (j, i)
            if 2 * x0[w] <= x0[n] + x1[n] <= 2 * x1[w]:
                parent[root(i)] = root(j)
        heapq.heappush(open_, (x1[i], i))
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
    left = np.array([comps[h, 0].min() for h in whole])
    right = np.array([comps[h, 2].max() for h in whole])
    for g in groups:
        if not tall(g):
            gap = np.maximum(left - comps[g, 2].max(), comps[g, 0].min() - right)
            whole[int(np.argmin(gap))] += list(g)
    return whole


# ---------------------------------------------------------------- candidate pieces

class Segment:
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
        self.height = b - t


def cuts(ink, labels, comps, group, height):
    """A group's candidate cuts, left to right -> list of (h,) columns of the group's box, the first its
    left side and the last its right side. Between them: seams() and lines() in order of mean column
    (of those within MERGE x height, the one crossing least ink, in stroke widths weighed by darkness)
    and one_cuts(); a gap between components is a cut that crosses no ink. The pieces between cuts
    hold all the group's components (a 5's loose bar stays with the digit under it)."""
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
    inner += [(0.0, p) for p in one_cuts(dark, height, stroke)]      # kept, however near others
    inner.sort(key=lambda cp: cp[1].mean())
    return [np.zeros(y1 - y0, int)] + [p for _, p in inner] + [np.full(y1 - y0, x1 - x0)]


def runs(paths, height):
    """Runs of consecutive pieces between `paths` (see cuts) that may be one digit: [(a, b)] from cut a
    to cut b, at most MAX_SPAN x height wide, but the whole group (a, b) = (0, last)."""
    n = len(paths) - 1
    return [(a, b) for a in range(n) for b in range(a + 1, n + 1)
            if (a, b) != (0, n) and paths[b].max() - paths[a].min() <= MAX_SPAN * height]


def seams(ink, height):
    """Up to CUTS_PER_HEIGHT x width / height (at least 4) cuts through a group's (h, w) uint8 ink
    (0 off the group), each a path from top to bottom (one column per row, moving at most one column
    a row, each move costing STEP) that crosses the least ink, weighed by its darkness: where round
    digits touch, their anti-aliased rims merge over many rows and cost little, while a stroke costs
    its full width. The paths kept are the local minima (within REACH x
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



def one_cuts(dark, height, stroke):
    """Cuts along a 1 at either side of a group's (h, w) ink (0 off the group): where the group's left
    (right) edge is one straight line over STRAIGHT x height rows (within EDGE_TOL), that line moved
    a stroke width and a pixel in. A 1 stuck along a neighbour's side (a pen 10) crosses no seam nor
    straight cut that crosses little ink -> list of (h,) columns, in 0..w."""
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
