"""lenet/saliency.py: occlusion of blank input changes nothing, the gradient is the model's (finite
differences), and occlusion and gradient x input agree on pen drawings."""
import numpy as np
import pytest

from lenet import saliency
from lenet.invariance import class_probabilities
from lenet.synthetic import draw, drawings


def test_occluding_blank_input_changes_nothing(recognizer):
    p = recognizer.predict(draw(1))
    stack, corners = saliency.occluded(p.input)
    blank = [i for i, (r, c) in enumerate(corners, 1) if not p.input[r:r + 2, c:c + 2].any()]
    assert len(blank) > 100                               # a 1 leaves most of the field empty
    probs = class_probabilities(recognizer, recognizer.run(stack)["OUT"])
    for i in blank:
        np.testing.assert_array_equal(stack[i], p.input)
        np.testing.assert_allclose(probs[i], probs[0], atol=1e-6)
    m = saliency.occlusion(recognizer, p)
    assert np.abs(m[:, :4]).max() < 1e-6                  # the left columns hold no ink
    assert m.max() > 1e-5                                 # while hiding the stroke costs something (a 1 is
    # so sure that a 2x2 patch costs little: max 5.6e-5 modern, 4.6e-4 classic)


def test_gradient_matches_finite_differences(modern):
    """gradient x input / input = d log p / d pixel: checked on three ink pixels by central differences
    through the Keras model itself (not the TFLite path the app reads with)."""
    p = modern.predict(draw(2))
    g = saliency.gradient(modern, p)
    x = p.input.astype("float64")
    ink = np.argwhere(x > 0.5)[[0, len(np.argwhere(x > 0.5)) // 2, -1]]
    for r, c in ink:
        plus, minus = x.copy(), x.copy()
        plus[r, c] += 1e-2
        minus[r, c] -= 1e-2
        out = modern._keras(np.stack([plus, minus]).astype("float32"))["OUT"]
        numeric = (np.log(out[0, p.digit]) - np.log(out[1, p.digit])) / 2e-2
        assert g[r, c] / x[r, c] == pytest.approx(numeric, rel=0.05, abs=1e-3)


def test_occlusion_and_gradient_agree(recognizer):
    """The bar: over the ink of 10 pen drawings (digits 0-9), the rank correlation of the two maps is
    positive on at least 7 and its median is at least 0.3 (measured: modern 8/10, median 0.50;
    classic 10/10, median 0.54). They cannot agree everywhere: occlusion removes 4 pixels at once,
    the gradient is a first-order estimate."""
    rho = []
    for image, _ in drawings(10, seed=5):
        p = recognizer.predict(image)
        a = saliency.occlusion(recognizer, p)
        b = saliency.gradient(recognizer, p, patch=saliency.PATCH)
        rho.append(saliency.agreement(a, b, p.input > 0.35)[0])
    assert sum(r > 0 for r in rho) >= 7 and np.median(rho) >= 0.3, np.round(rho, 2)


def test_render_has_the_input_and_a_legend(modern):
    p = modern.predict(draw(4))
    m = saliency.occlusion(modern, p)
    pic = saliency.render(p, m, scale=8)
    assert pic.dtype == np.uint8 and pic.shape[1] == 256 and pic.shape[0] > 256
    assert (pic[:256, :, 0].astype(int) - pic[:256, :, 2] > 60).any()     # red where the ink mattered
    bare = saliency.render(p, np.zeros((32, 32)), scale=8, legend=False)
    assert bare.shape == (256, 256, 3)
    np.testing.assert_array_equal(bare[..., 0], bare[..., 2])              # no saliency: grey only
