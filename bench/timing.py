"""Timing primitives: repeat a call after warm-up with time.perf_counter, summarise as percentiles."""
import time
from dataclasses import dataclass

import numpy as np


@dataclass
class Sample:
    """Durations of one measured thing, in seconds."""
    seconds: np.ndarray

    def ms(self, q):
        return float(np.percentile(self.seconds, q) * 1e3) if len(self.seconds) else float("nan")

    @property
    def n(self):
        return len(self.seconds)


def measure(fn, repeats, warmup=10, budget=None):
    """Call fn() `warmup` times untimed, then up to `repeats` times timed (stopping early, after
    at least 20, once `budget` seconds have been spent); return the Sample."""
    for _ in range(warmup):
        fn()
    durations = []
    start = time.perf_counter()
    for i in range(repeats):
        t0 = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - t0)
        if budget is not None and i >= 19 and time.perf_counter() - start > budget:
            break
    return Sample(np.array(durations))


def measure_steps(steps, repeats, warmup=10):
    """Time a chain of steps per repeat: steps is a list of (name, fn) where each fn takes the
    previous step's result (the first takes None). Returns name -> Sample."""
    def once(record):
        value = None
        for name, fn in steps:
            t0 = time.perf_counter()
            value = fn(value)
            record[name].append(time.perf_counter() - t0)

    scratch = {name: [] for name, _ in steps}
    for _ in range(warmup):
        once(scratch)
    durations = {name: [] for name, _ in steps}
    for _ in range(repeats):
        once(durations)
    return {name: Sample(np.array(d)) for name, d in durations.items()}
