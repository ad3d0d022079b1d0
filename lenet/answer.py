"""How the page and the API state an answer: the big digit with its confidence (or the sentence
saying why there is none, or that the drawing does not look like a digit), the warning for a
doubtful answer, and the probabilities as bars or as the few digits worth naming. Confidence is
written as a person reads it: a soft-max is never certain, so never "100.0 %"."""
import html

import numpy as np

from .preprocess import EMPTY


def percent(p, decimals=1):
    """A probability as a person reads it: a soft-max is never certain, so never "100.0 %"
    (">99.9 %"), and a tiny one is "<0.1 %", not "0.0 %"."""
    q, step = 100.0 * float(p), 10.0 ** -decimals
    if q > 100.0 - step:
        return f">{100.0 - step:.{decimals}f} %"
    if 0.0 < q < step:
        return f"<{step:.{decimals}f} %"
    return f"{q:.{decimals}f} %"


def digit_html(digit, message=None, confidence=None, model=None, seq=None, note="", looks_like_digit=True):
    """The big answer: the digit (with its probability) or, with no digit, the message.
    seq: the pad update this answers (the page times pen-up -> answer with it); note: a warning line;
    looks_like_digit=False (a recogniser's "not a digit" verdict): the digit is only a best guess.
    data-say holds the sentence the page announces to a screen reader (static/pad.js)."""
    tag = "" if seq is None else f' data-seq="{int(seq)}"'
    if digit is None:
        text = html.escape(message or EMPTY)
        return f'<div class="empty"{tag} data-say="{text}">{text}</div>'
    digit = int(digit)
    who = "" if model is None else f'<span class="who"> ({html.escape(model)} model)</span>'
    sure = "" if confidence is None else percent(confidence)
    conf = "" if confidence is None else f'<div class="conf">{sure} sure{who}</div>'
    attr = "" if model is None else f' data-model="{html.escape(model)}"'
    if not looks_like_digit:   # the bars still show; "sure" of a digit would contradict the verdict
        note, conf = not_a_digit(digit), f'<div class="conf">best guess, not an answer{who}</div>'
    warn = f'<div class="note">{html.escape(note)}</div>' if note else ""
    say = (f"Answer: {digit}" + (f", {sure} sure" if sure else "") + (f". {note}" if note else "")
           if looks_like_digit else note)
    guess = "" if looks_like_digit else " guess"
    return (f'<div class="big{guess}" data-digit="{digit}"{attr}{tag} data-say="{html.escape(say)}">{digit}</div>'
            f'{conf}{warn}')


def not_a_digit(digit):
    """What the page and the API say when the recogniser refuses a drawing (Prediction.is_digit False)."""
    return f"That doesn't look like a digit — best guess: {int(digit)}"


def confidence_note(confidence, threshold=0.6):
    """A warning for a doubtful answer, or "" (plain text)."""
    if confidence < threshold:
        return f"⚠️ Not sure — is this a digit? The best guess has only {percent(confidence, 0)}."
    return ""


def _whole(p):
    """A bar's value in whole percent: ">99" rather than a soft-max's "100"."""
    q = 100.0 * float(p)
    return ">99" if q >= 99.5 else f"{q:.0f}"


def probs_html(probabilities):
    """The 10 class probabilities as a compact bar chart: one column per digit, the winner marked.
    Each bar carries data-digit and data-p (the probability) for scripts and tests."""
    p = np.asarray(probabilities, dtype="float64")
    best = int(np.argmax(p)) if p.size else -1
    bars = "".join(
        f'<div class="pb{" pb-top" if d == best else ""}" data-digit="{d}" data-p="{v:.6f}" '
        f'title="{d}: {percent(v)}"><span class="pb-v">{_whole(v)}</span>'
        f'<span class="pb-bar"><span style="height:{100 * v:.1f}%"></span></span><span class="pb-d">{d}</span></div>'
        for d, v in enumerate(p))
    top = ", ".join(f"{d}: {percent(p[d], 0)}" for d in np.argsort(-p)[:3])
    return (f'<div class="probs" role="img" aria-label="Class probabilities, highest {top}">'
            f'<div class="pb-title">probability %, per digit</div><div class="pb-row">{bars}</div></div>')


def top_html(probabilities, at_least=0.01, most=3):
    """The digits worth naming (up to `most` with at least `at_least`), one line each, then one line
    for all the others: no rows of "0 %"."""
    p = np.asarray(probabilities, dtype="float64")
    named = [int(d) for d in np.argsort(-p)[:most] if p[d] >= at_least] or [int(np.argmax(p))]
    rows = "".join(f'<li data-digit="{d}"><b>{d}</b> {percent(p[d])}</li>' for d in named)
    rest = float(np.delete(p, named).sum())
    said = "<0.1 %" if rest < 0.001 else percent(rest)
    others = f'<li class="top-rest">every other digit: {said} in all</li>' if len(named) < p.size else ""
    return f'<ul class="top" aria-label="Most likely digits">{rows}{others}</ul>'
