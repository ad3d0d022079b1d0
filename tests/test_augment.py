"""The training distortions against numpy references: the bilinear sampler, the Gaussian smoothing of
the elastic field, determinism, and that a distortion keeps a digit a digit (ink stays, moves a little)."""
import numpy as np
import pytest

from lenet.augment import AUGMENTATION, SIZE, bilinear, gaussian_kernel, make_augment, smoothing_matrix

NONE = {**AUGMENTATION, "rotation_degrees": 0.0, "scale": 0.0, "aspect": 0.0, "shear": 0.0, "shift_px": 0.0,
        "elastic_alpha": 0.0, "thicken_probability": 0.0, "thin_probability": 0.0, "lowres_probability": 0.0}


def _digits(n=16, seed=0):
    from lenet.preprocess import preprocess
    from lenet.synthetic import drawings
    return np.stack([preprocess(a).input for a, _ in drawings(n, seed=seed)])[..., None].astype("float32")


def _numpy_bilinear(img, sx, sy):
    """Reference: zero outside, (column, row) positions."""
    h, w = img.shape
    out = np.zeros_like(sx)
    for idx in np.ndindex(sx.shape):
        x, y = sx[idx], sy[idx]
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        for xx, wx in ((x0, 1 - (x - x0)), (x0 + 1, x - x0)):
            for yy, wy in ((y0, 1 - (y - y0)), (y0 + 1, y - y0)):
                if 0 <= xx < w and 0 <= yy < h:
                    out[idx] += wx * wy * img[yy, xx]
    return out


def test_bilinear_matches_a_numpy_reference():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (2, SIZE, SIZE, 1)).astype("float32")
    sx, sy = (rng.uniform(-3, SIZE + 2, (2, SIZE, SIZE)).astype("float32") for _ in range(2))
    ours = np.asarray(bilinear(x, sx, sy))[..., 0]
    ref = np.stack([_numpy_bilinear(x[i, ..., 0], sx[i], sy[i]) for i in range(2)])
    np.testing.assert_allclose(ours, ref, atol=1e-5)


def test_smoothing_matrix_is_the_gaussian_convolution():
    f = np.random.default_rng(1).uniform(-1, 1, (SIZE, SIZE))
    k = gaussian_kernel(4.0)
    ref = np.apply_along_axis(lambda r: np.convolve(r, k, "same"), 0, f)
    ref = np.apply_along_axis(lambda r: np.convolve(r, k, "same"), 1, ref)
    g = smoothing_matrix(4.0)
    np.testing.assert_allclose(g @ f @ g.T, ref, atol=1e-6)


def test_no_distortion_is_the_identity():
    x = _digits(8)
    out, _ = make_augment(0, NONE)(x, np.zeros(8))
    np.testing.assert_allclose(np.asarray(out), x, atol=1e-6)


def test_same_seed_same_distortions():
    x = _digits(8)
    a, _ = make_augment(7)(x, np.zeros(8))
    b, _ = make_augment(7)(x, np.zeros(8))
    c, _ = make_augment(8)(x, np.zeros(8))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert np.abs(np.asarray(a) - np.asarray(c)).max() > 0.1


@pytest.mark.parametrize("alpha", [AUGMENTATION["elastic_alpha"], 34.0])
def test_elastic_moves_ink_a_little(alpha):
    """Elastic alone: ink mass about kept (a smooth field stretches some strokes and squeezes others:
    at Simard et al.'s alpha 34, sigma 4 measured up to 35 %, median ~13 %); its centre of mass moves
    ~1 px (measured up to 2.8 px at alpha 34), well inside the 20 px box."""
    x = _digits(32)
    out, _ = make_augment(3, {**NONE, "elastic_alpha": alpha})(x, np.zeros(32))
    out = np.asarray(out)
    mass_in, mass_out = x.sum(axis=(1, 2, 3)), out.sum(axis=(1, 2, 3))
    change = np.abs(mass_out / mass_in - 1)
    assert np.median(change) < 0.2 and change.max() < 0.5
    assert np.abs(out - x).max() > 0.3            # it does change the strokes
    rows = np.arange(SIZE)[None, :, None, None]
    shift = np.abs((out * rows).sum(axis=(1, 2, 3)) / mass_out - (x * rows).sum(axis=(1, 2, 3)) / mass_in)
    assert np.median(shift) < 1.5 and shift.max() < 4.0
