"""lenet/answer.py: the answer as a person reads it (never "100.0 %", "<0.1 %" for a tiny share),
the big digit with its sentence for a screen reader, the refused drawing's best guess, and the bars."""
import html
import re

import numpy as np

from lenet import answer


def _text(page):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip())


def test_confidence_is_never_a_certainty():
    assert answer.percent(0.99996) == ">99.9 %" and answer.percent(1.0) == ">99.9 %"
    assert answer.percent(0.5) == "50.0 %" and answer.percent(0.00001) == "<0.1 %" and answer.percent(0.0) == "0.0 %"
    page = answer.digit_html(3, None, 0.999999, "modern")
    assert "100.0" not in page and ">99.9 % sure" in _text(page)
    assert 'data-say="Answer: 3, &gt;99.9 % sure"' in page
    assert ">99" in _text(answer.probs_html(np.eye(10)[3] * 0.99999))
    assert "100" not in _text(answer.probs_html(np.eye(10)[3]))


def test_a_drawing_that_is_not_a_digit_is_only_a_best_guess():
    page = answer.digit_html(2, None, 0.7, "modern", looks_like_digit=False)
    assert "That doesn't look like a digit — best guess: 2" in _text(page) and 'class="big guess"' in page
    assert "sure" not in _text(page) and "best guess, not an answer" in _text(page)   # no "70.0 % sure" beside it
    assert 'data-say="That doesn&#x27;t look like a digit — best guess: 2"' in page


def test_digit_html_and_note():
    assert "Draw a digit" in answer.digit_html(None, "Draw a digit first.")
    assert 'data-digit="7"' in answer.digit_html(7, None, 0.9, "modern")
    assert 'data-seq="12"' in answer.digit_html(7, None, 0.9, "modern", seq=12)
    assert "<script>" not in answer.digit_html(None, "<script>")
    assert "Not sure" in answer.confidence_note(0.3) and answer.confidence_note(0.95) == ""


def test_probs_html_carries_every_probability():
    p = np.array([0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.5, 0.1, 0.12])
    page = answer.probs_html(p)
    bars = [(int(d), float(v)) for d, v in
            re.findall(r'class="pb[^"]*" data-digit="(\d)" data-p="([0-9.]+)"', page)]
    assert [d for d, _ in bars] == list(range(10))
    np.testing.assert_allclose([v for _, v in bars], p, atol=1e-6)
    assert page.count("pb-top") == 1 and 'class="pb pb-top" data-digit="7"' in page
