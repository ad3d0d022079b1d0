"""lenet/segment.py: connected components against a flood-fill reference, grouping against the
pairwise definition it sweeps, and candidate cuts that fall between digits drawn by lenet.synthetic."""
from collections import deque

import numpy as np
import pytest

from lenet import segment, synthetic
from lenet.preprocess import ink_maps


def flood_labels(mask):
    """Reference 8-connected labelling by breadth-first flood fill: (H, W) bool -> sorted list of the
    components' pixel sets."""
    seen = np.zeros_like(mask, bool)
    out = []
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        seen[start] = True
        queue, pixels = deque([start]), set()
        while queue:
            y, x = queue.popleft()
            pixels.add((y, x))
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    v, u = y + dy, x + dx
                    if 0 <= v < mask.shape[0] and 0 <= u < mask.shape[1] and mask[v, u] and not seen[v, u]:
                        seen[v, u] = True
                        queue.append((v, u))
        out.append(frozenset(pixels))
    return sorted(out, key=min)


@pytest.mark.parametrize("seed", range(5))
def test_components_match_flood_fill(seed):
    mask = np.random.default_rng(seed).random((40, 57)) < 0.35 + 0.05 * seed
    labels, comps = segment.components(mask)
    mine = sorted((frozenset(zip(*np.nonzero(labels == k))) for k in range(len(comps))), key=min)
    assert mine == flood_labels(mask)
    for k, (x0, y0, x1, y1, n) in enumerate(comps):
        ys, xs = np.nonzero(labels == k)
        assert (x0, y0, x1, y1, n) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1, len(xs))


def pairwise_groups(comps, keep):
    """The definition, every pair compared: overlap in x of at least half the narrower one's width,
    joined transitively (a plain union-find over all pairs)."""
    parent = {i: i for i in keep}

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for a in keep:
        for b in keep:
            overlap = min(comps[a, 2], comps[b, 2]) - max(comps[a, 0], comps[b, 0])
            if a < b and overlap >= 0.5 * min(comps[a, 2] - comps[a, 0], comps[b, 2] - comps[b, 0]):
                parent[root(b)] = root(a)
    groups = {}
    for i in keep:
        groups.setdefault(root(i), []).append(i)
    return sorted(sorted(g) for g in groups.values())


@pytest.mark.parametrize("seed", range(20))
def test_grouping_sweep_matches_every_pair_compared(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 80))
    x0 = rng.integers(0, 300, n)
    comps = np.zeros((n, 5), int)
    comps[:, 0], comps[:, 2] = x0, x0 + rng.integers(1, 40, n)
    keep = sorted(rng.choice(n, int(rng.integers(1, n + 1)), replace=False).tolist())
    got = sorted(sorted(g) for g in segment.group_by_overlap(comps, keep))
    assert got == pairwise_groups(comps, keep)


def test_strokes_of_a_digit_written_apart_are_one_group():
    rgba, _ = synthetic.number("4545", 80, gaps=0.3, apart=True)
    labels, comps = segment.components(ink_maps(rgba[None])[0] > segment.LOW)
    assert len(comps) == 8
    assert len(segment.group_by_overlap(comps, range(len(comps)))) == 4


def test_cuts_fall_between_touching_digits():
    """Two DejaVu-free pen digits sharing ink: one of the cuts lies within a stroke width of where
    one digit's ink ends and the next one's begins."""
    rgba, boxes = synthetic.number("80", 70, gaps=0.0)
    ink = ink_maps(rgba[None])[0]
    labels, comps = segment.components(ink > segment.LOW)
    assert len(comps) == 1
    height = comps[0, 3] - comps[0, 1]
    paths = segment.cuts(ink, labels, comps, [0], height)
    seam = boxes[1][0] - comps[0, 0], boxes[0][2] - comps[0, 0]   # the shared columns
    assert any(seam[0] - 8 <= p.mean() <= seam[1] + 8 for p in paths[1:-1])
    assert paths[0].max() == 0 and paths[-1].min() == comps[0, 2] - comps[0, 0]
    assert all(paths[b].max() - paths[a].min() <= segment.MAX_SPAN * height for a, b in segment.runs(paths, height))
