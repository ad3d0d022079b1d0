"""lenet/ui/gate/log.py: one line on stderr per kind of event at most once per `every` seconds,
counted on stderr with the clock stepped by hand."""
import pytest

from lenet.ui.gate import log


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(log.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(log, "_said", {})
    return now


def lines(capsys):
    return capsys.readouterr().err.splitlines()


def test_a_kind_is_said_once_per_interval(clock, capsys):
    for _ in range(50):
        log.say("flood", "too many uploads", every=60)
    assert lines(capsys) == ["boundary: too many uploads"]
    clock[0] += 59.9
    log.say("flood", "again")
    assert lines(capsys) == []
    clock[0] += 0.1
    log.say("flood", "again")
    assert lines(capsys) == ["boundary: again"]


def test_kinds_are_counted_apart(clock, capsys):
    log.say("a", "one")
    log.say("b", "two")
    log.say("a", "three")
    assert lines(capsys) == ["boundary: one", "boundary: two"]
