"""Heavy pictures read in a process of their own: a file that is not a small PNG or baseline JPEG
(decode.weigh) is decoded by a fresh `python` that runs at a lower priority, under a CPU-time and
a memory limit, one at a time, and hands back the bounded RGBA array (decode.to_rgba's answer).
A picture that costs more than CPU_SECONDS is refused with one sentence; the prediction process
and the server's event loop never decode it, so no picture can hold up the pads.

`install()` sets lenet.decode.isolate for the serving process; `python -m lenet.ui.gate.decoder`
is the child: bytes on stdin -> an .npy array on stdout, or a reason code on stderr, exit 3."""
import hashlib
import io
import subprocess
import sys
import threading
from collections import OrderedDict

import numpy as np

from ... import decode
from ...paths import REPO

CPU_SECONDS = 3          # a 49 MP PNG reads in ~1-2 s here; a picture made to be slow is cut at this
MEMORY = 1536 * 2**20    # address space of the child: a 50 MP RGBA picture is 200 MB, plus Pillow's copies
WALL_SECONDS = 20        # the child's whole life, waiting for the CPU included
NICE = 19                # the lowest priority: the server and the prediction process first
KEPT = 4                 # recent answers kept (the Compare tab reads one picture once per model)

_one_at_a_time = threading.Lock()
_kept = OrderedDict()    # sha256 of the bytes -> RGBA array (or the InvalidDrawing it raised)
_kept_lock = threading.Lock()


def isolated(data):
    """decode.to_rgba(data), in a child process (see the module docstring)."""
    key = hashlib.sha256(data).digest()
    with _kept_lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _answer(_kept[key])
    with _one_at_a_time:
        result = _run(data)
    with _kept_lock:
        _kept[key] = result
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return _answer(result)


def _answer(result):
    if isinstance(result, decode.InvalidDrawing):
        raise result
    return result


def _run(data):
    code = f"import sys; sys.path.insert(0, {str(REPO)!r}); from lenet.ui.gate.decoder import main; main()"
    try:
        done = subprocess.run([sys.executable, "-c", code, str(CPU_SECONDS)], input=data, capture_output=True,
                              timeout=WALL_SECONDS)
    except subprocess.TimeoutExpired:
        return decode.InvalidDrawing("too_costly")
    except OSError:   # no process could be started: the server is out of resources
        return decode.InvalidDrawing("too_costly")
    if done.returncode == 0:
        try:
            answer = io.BytesIO(done.stdout)
            return np.load(answer, allow_pickle=False)
        except (ValueError, OSError):
            return decode.InvalidDrawing("unreadable")
    reason = done.stderr.decode("ascii", "replace").strip().splitlines()[-1:] if done.returncode == 3 else []
    if reason and reason[0] in decode.MESSAGES:
        return decode.InvalidDrawing(reason[0])
    return decode.InvalidDrawing("too_costly")   # killed at its CPU or memory limit


def install():
    decode.isolate = isolated


def main():
    """The child: limits first, then read stdin, decode, write the array."""
    import os
    import resource
    os.nice(NICE)
    cpu = int(sys.argv[1]) if len(sys.argv) > 1 else CPU_SECONDS
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    data = sys.stdin.buffer.read(decode.MAX_BYTES + 1)
    try:
        rgba = decode.to_rgba(data)
    except decode.InvalidDrawing as err:
        print(err.reason, file=sys.stderr)
        sys.exit(3)
    except MemoryError:
        print("too_costly", file=sys.stderr)
        sys.exit(3)
    out = io.BytesIO()
    np.save(out, np.ascontiguousarray(rgba), allow_pickle=False)
    sys.stdout.buffer.write(out.getvalue())


if __name__ == "__main__":
    main()
