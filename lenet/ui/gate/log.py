"""The gate's console: one line per kind of event, at most once per `every` seconds, so that an
attack cannot flood the presenter's terminal."""
import sys
import time

_said = {}


def say(kind, line, every=60.0):
    now = time.monotonic()
    if now - _said.get(kind, -every) >= every:
        _said[kind] = now
        print(f"boundary: {line}", file=sys.stderr, flush=True)
