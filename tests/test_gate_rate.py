"""lenet/ui/gate/rate.py: the token bucket against a hand-run clock, and its bounded memory."""
import pytest

from lenet.ui.gate import rate


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_burst_passes_then_requests_wait_their_turn_at_the_rate():
    clock = Clock()
    r = rate.Rate(per_second=10, burst=3, max_wait=1.0, clock=clock)
    assert [r.wait("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert r.wait("a") == pytest.approx(0.1)      # the 4th: one token is 1/10 s away
    assert r.wait("a") == pytest.approx(0.2)      # the 5th waits behind it
    assert r.wait("b") == 0.0                     # another visitor is not held up


def test_a_turn_too_far_away_is_refused_and_costs_nothing():
    clock = Clock()
    r = rate.Rate(per_second=10, burst=1, max_wait=0.25, clock=clock)
    waits = [r.wait("a") for _ in range(5)]
    assert waits[:3] == [0.0, pytest.approx(0.1), pytest.approx(0.2)]
    assert waits[3:] == [None, None]              # 0.3 s away > 0.25
    clock.now += 0.1                              # one token back: the next turn is 0.2 s away again
    assert r.wait("a") == pytest.approx(0.2)


def test_the_bucket_refills_over_time_up_to_the_burst():
    clock = Clock()
    r = rate.Rate(per_second=2, burst=4, max_wait=10, clock=clock)
    for _ in range(4):
        r.wait("a")
    clock.now += 1000.0                           # long idle: full again, never more than the burst
    assert [r.wait("a") for _ in range(4)] == [0.0] * 4
    assert r.wait("a") == pytest.approx(0.5)


def test_a_room_address_gets_the_scaled_rate():
    clock = Clock()
    r = rate.Rate(per_second=10, burst=2, max_wait=1.0, clock=clock)
    assert all(r.wait("127.0.0.1", scale=100) == 0.0 for _ in range(200))
    assert r.wait("127.0.0.1", scale=100) == pytest.approx(0.001)


def test_memory_is_bounded_by_forgetting_idle_visitors(monkeypatch):
    monkeypatch.setattr(rate, "REMEMBERED", 50)
    clock = Clock()
    r = rate.Rate(per_second=10, burst=2, max_wait=1.0, clock=clock)
    for i in range(200):                          # 200 visitors at once: none idle, all kept ...
        r.wait(f"10.1.0.{i}")
    assert len(r.buckets) == 200 and r.sweep_at >= 200   # ... and the next sweep waits for twice as many
    clock.now += 10
    for i in range(1000):
        r.wait(f"10.0.{i // 256}.{i % 256}")
        clock.now += 0.2                          # each earlier visitor's bucket has refilled by now
    assert len(r.buckets) <= 51
