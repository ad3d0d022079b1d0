"""Hand-written numerics that stand in for Pillow and numpy operations on stacks of pictures:
Pillow's resize filters as matrices, its box reduce, its luma, max/min filters and a percentile.
Each mimics a reference, and tests/test_resample.py checks it against that reference."""
import functools

import numpy as np

LUMA = (19595, 38470, 7471)   # ITU-R 601 luma in 16-bit fixed point, as Pillow's convert("L")


def _luma(rgb):
    """(..., 3) uint8 -> (...) uint8 brightness, as Pillow's convert("L"); grey pictures (a canvas,
    MNIST) are their own brightness, skipping the arithmetic."""
    r = rgb[..., 0]
    if np.array_equal(r, rgb[..., 1]) and np.array_equal(r, rgb[..., 2]):
        return r
    wide = rgb.astype(np.uint32)
    return ((wide[..., 0] * LUMA[0] + wide[..., 1] * LUMA[1] + wide[..., 2] * LUMA[2] + 32768) >> 16).astype(np.uint8)


def _percentile(a, q, axis=0):
    """np.percentile(a, q, axis) (linear interpolation), by partial sort: a tenth of the cost
    on the few thousand border pixels it is used for."""
    a = np.asarray(a)
    n = a.shape[axis]
    k = (n - 1) * q / 100.0
    lo = int(np.floor(k))
    hi = min(lo + 1, n - 1)
    part = np.partition(a, [lo, hi], axis=axis)
    low, high = np.take(part, lo, axis=axis), np.take(part, hi, axis=axis)
    return low + (high - low) * (k - lo)


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


def _rank_filter(stack, k, op=np.maximum):
    """k x k maximum (op=np.maximum) or minimum (np.minimum) filter of a (n, h, w) stack, zero
    outside it; separable: k shifted rows, then k shifted columns."""
    h, w = stack.shape[1:]
    lo, hi = (k - 1) // 2, k - 1 - (k - 1) // 2
    p = np.pad(stack, ((0, 0), (lo, hi), (lo, hi)))
    rows = op.reduce([p[:, s:s + h] for s in range(k)])
    return op.reduce([rows[:, :, s:s + w] for s in range(k)])


def _kernel(size, out, lanczos, m):
    """(m, size) float32 resampling matrix, as Pillow resizes: row j < out reads the `size` input
    pixels through a filter widened by the scale when shrinking (anti-aliasing), Lanczos-3 where
    `lanczos`, else a triangle (bilinear); rows from `out` on are zero."""
    scale = size / out
    stretch = max(scale, 1.0)
    reach = (3.0 if lanczos else 1.0) * stretch          # the filter's half-width in input pixels
    centre = (np.arange(out) + 0.5) * scale
    taps = np.maximum(np.floor(centre - reach).astype(int), 0)[:, None] + np.arange(int(2 * reach) + 2)
    arg = (taps + 0.5 - centre[:, None]) / stretch       # (out, taps): only the filter's band
    if lanczos:
        w = np.where(np.abs(arg) < 3, np.sinc(arg) * np.sinc(arg / 3), 0.0)
    else:
        w = np.maximum(1.0 - np.abs(arg), 0.0)
    w[taps >= size] = 0.0
    full = np.zeros((m, size + taps.shape[1] + 1), np.float32)
    full[np.arange(out)[:, None], taps] = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
    full = full[:, :size]
    full.setflags(write=False)
    return full


# Batches of small digits meet the same few hundred (size, out) pairs again and again.
_small_kernel = functools.lru_cache(maxsize=1024)(_kernel)


def _weights(start, size, out, length, m, lanczos):
    """(n, m, length) resampling matrices: matrix i reads input pixels start[i] .. + size[i] - 1."""
    w = np.zeros((len(start), m, length), np.float32)
    for i, (a, k, o, lz) in enumerate(zip(start.tolist(), size.tolist(), out.tolist(), lanczos.tolist())):
        w[i, :, a:a + k] = (_small_kernel if k * m <= 4096 else _kernel)(k, o, lz, m)
    return w


def _resize(stack, boxes, longer):
    """Each map's box (top, bottom, left, right) in a (n, H, W) float32 stack, fitted so its longer
    side is `longer` px, at the top left of (n, longer, longer) -> (that, (n, 2) fitted sizes).
    Shrinking uses Lanczos (Pillow's LANCZOS), growing a triangle (Pillow's BILINEAR)."""
    h, w = boxes[:, 1] - boxes[:, 0], boxes[:, 3] - boxes[:, 2]
    s = longer / np.maximum(h, w)
    sizes = np.stack([np.maximum(1, np.round(h * s)), np.maximum(1, np.round(w * s))], 1).astype(int)
    lanczos = np.minimum(h, w) >= sizes.min(axis=1)   # shrinking: Lanczos; growing: bilinear
    rows = _weights(boxes[:, 0], h, sizes[:, 0], stack.shape[1], longer, lanczos)
    cols = _weights(boxes[:, 2], w, sizes[:, 1], stack.shape[2], longer, lanczos)
    return np.clip(rows @ stack @ cols.transpose(0, 2, 1), 0.0, 1.0), sizes
