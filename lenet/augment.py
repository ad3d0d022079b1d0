"""Training distortions: every image, every epoch, is redrawn as another hand might have drawn it.

One resampling per image combines an elastic distortion (Simard, Steinkraus & Platt 2003: a random
displacement field, uniform in [-1, 1] per pixel and axis, smoothed by a Gaussian of width sigma and
scaled by alpha; it took their simple CNN to 99.6 % on MNIST) with a random affine map (rotation,
scale, aspect, shear, shift). Then, now and then, a bolder or finer pen and a low-resolution copy
(shrunk and blown back up, as a photo of a small note would be). Works on (B, 32, 32, 1) ink maps
in [0, 1] inside tf.data; draws from one generator seeded once, so a seed gives the same epochs.
"""
import numpy as np

SIZE = 32            # the network's input field
CENTRE = (SIZE - 1) / 2

AUGMENTATION = {
    "rotation_degrees": 15.0,      # +-, people slant
    "scale": 0.15,                 # +-15 %, per axis up to +-5 % more (aspect)
    "aspect": 0.05,
    "shear": 0.25,                 # +-, x += shear * y
    "shift_px": 2.0,               # +-, the pipeline centres by mass, so little is needed
    "elastic_alpha": 20.0,         # Simard et al. used sigma 4, alpha 34 on 28x28 MNIST (our digits are the
    "elastic_sigma": 4.0,          # same 20 px box); on top of the affine maps that is too much for 60k
                                   # parameters, 20 keeps wobbly strokes the same digit (docs/performance.md)
    "thicken_probability": 0.2,    # 2x2 grey dilation: a bolder pen
    "thin_probability": 0.2,       # 2x2 grey erosion: a finer pen
    "lowres_probability": 0.2,     # shrink the 32x32 field to 10..24 px (digit 6..15 px) and back
    "lowres_min_px": 10,
    "lowres_max_px": 24,
}


def gaussian_kernel(sigma):
    """1-D Gaussian weights summing to 1, radius 3 sigma (numpy)."""
    r = int(np.ceil(3 * sigma))
    t = np.arange(-r, r + 1, dtype="float64")
    k = np.exp(-t**2 / (2 * sigma**2))
    return (k / k.sum()).astype("float32")


def smoothing_matrix(sigma, size=SIZE):
    """(size, size) matrix G with G @ v = v convolved with gaussian_kernel(sigma), zeros outside
    ("same" size, scipy's mode="constant"): G @ F @ G.T smooths a field in two small matmuls
    (far cheaper than two 25-tap depthwise convolutions)."""
    k = gaussian_kernel(sigma)
    r = len(k) // 2
    g = np.zeros((size, size), dtype="float32")
    for i in range(size):
        for t, w in enumerate(k):
            j = i + t - r
            if 0 <= j < size:
                g[i, j] = w
    return g


def make_augment(seed, aug=AUGMENTATION):
    """A tf.function (x, y) -> (distorted x, y) over a batch (B, 32, 32, 1), deterministic for a seed."""
    import tensorflow as tf

    rng = tf.random.Generator.from_seed(seed)
    g = tf.constant(smoothing_matrix(aug["elastic_sigma"]) * np.float32(aug["elastic_alpha"]) ** 0.5)
    grid = np.mgrid[0:SIZE, 0:SIZE].astype("float32")                  # (2, 32, 32): row, column
    rows, cols = tf.constant(grid[0]), tf.constant(grid[1])

    @tf.function
    def augment(x, y):
        b = tf.shape(x)[0]
        u = lambda lim: rng.uniform([b], -lim, lim)  # noqa: E731

        # Elastic: a smooth random displacement of every output pixel (zero padding at the border,
        # as scipy's mode="constant" in the usual implementation).
        field = rng.uniform([b, 2, SIZE, SIZE], -1.0, 1.0)
        field = tf.einsum("ij,bajk,lk->bail", g, field, g)     # smoothed (rows, then columns), times alpha
        px = cols[None] + field[:, 0] - CENTRE         # displaced output position, about the centre
        py = rows[None] + field[:, 1] - CENTRE

        # Affine: forward map M = R . Shear . Scale, plus a shift; sample the input at M^-1 (p - t).
        theta = u(aug["rotation_degrees"]) * (np.pi / 180)
        s = 1.0 + u(aug["scale"])
        sx, sy = s * (1.0 + u(aug["aspect"])), s
        sh = u(aug["shear"])
        c, si = tf.cos(theta), tf.sin(theta)
        a, bb = c * sx, (c * sh - si) * sy
        cc, d = si * sx, (si * sh + c) * sy
        det = a * d - bb * cc
        e = lambda v: v[:, None, None]  # noqa: E731
        qx, qy = px - e(u(aug["shift_px"])), py - e(u(aug["shift_px"]))
        src_x = e(d / det) * qx - e(bb / det) * qy + CENTRE
        src_y = -e(cc / det) * qx + e(a / det) * qy + CENTRE
        x = bilinear(x, src_x, src_y)

        pick = rng.uniform([b, 1, 1, 1])
        thick = tf.nn.max_pool2d(x, 2, 1, "SAME")
        thin = -tf.nn.max_pool2d(-x, 2, 1, "SAME")
        p_thick = aug["thicken_probability"]
        p_thin = p_thick + aug["thin_probability"]
        x = tf.where(pick < p_thick, thick, tf.where(pick < p_thin, thin, x))

        side = rng.uniform([], aug["lowres_min_px"], aug["lowres_max_px"] + 1)
        side = tf.cast(tf.floor(side), tf.int32)       # one size per batch, drawn per batch
        small = tf.image.resize(x, tf.stack([side, side]), method="area")
        blown = tf.image.resize(small, [SIZE, SIZE], method="bilinear")
        x = tf.where(rng.uniform([b, 1, 1, 1]) < aug["lowres_probability"], blown, x)
        return tf.clip_by_value(x, 0.0, 1.0), y

    return augment


def bilinear(x, src_x, src_y):
    """Sample (B, H, W, 1) images at real-valued positions (B, H, W) (column, row), zero outside."""
    import tensorflow as tf

    b, h, w = tf.shape(x)[0], x.shape[1], x.shape[2]
    padded = tf.pad(x[..., 0], [[0, 0], [1, 1], [1, 1]])          # a ring of zeros: the outside
    fx = tf.clip_by_value(src_x + 1.0, 0.0, w + 1.0)
    fy = tf.clip_by_value(src_y + 1.0, 0.0, h + 1.0)
    x0, y0 = tf.floor(fx), tf.floor(fy)
    wx, wy = fx - x0, fy - y0
    x0, y0 = tf.cast(x0, tf.int32), tf.cast(y0, tf.int32)
    x1, y1 = tf.minimum(x0 + 1, w + 1), tf.minimum(y0 + 1, h + 1)
    flat = tf.reshape(padded, [b, -1])
    at = lambda yy, xx: tf.reshape(tf.gather(flat, tf.reshape(yy * (w + 2) + xx, [b, -1]), batch_dims=1),  # noqa: E731
                                   [b, h, w])
    out = ((1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x1))
           + wy * ((1 - wx) * at(y1, x0) + wx * at(y1, x1)))
    return out[..., None]
