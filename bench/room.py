"""Section 8: a lecture hall on one link. Cold start and memory per serving path (LiteRT, the
app's default, beside TensorFlow in the same run), then a room of people drawing at once
(bench/people.py) on the lean server: 100 people, then 200, 60 s each."""
import asyncio
import os
import time

import psutil

from .http import Server
from .report import Bar

SECTION_8 = "8. A lecture hall on one link (serving paths, a room of people)"


def _first_prediction(url):
    """One person's first digit: (seconds, its answer right)."""
    from . import people
    t0 = time.perf_counter()
    tally, _, _ = asyncio.run(people.room(url, 1, 0.01))
    return time.perf_counter() - t0, tally.wrong == 0 and not tally.errors


def serving_paths(root, results):
    """Cold start and RSS after the first prediction, per backend; returns {backend: (s, MB)}."""
    out = {}
    for backend in ("tensorflow", "litert"):
        os.environ["LENET_BACKEND"] = backend
        try:
            server = Server(root)
        finally:
            os.environ.pop("LENET_BACKEND", None)
        try:
            first, ok = _first_prediction(server.url)
            rss = server.rss_mb()
        finally:
            server.stop()
        out[backend] = (server.first_response, rss)
        results.add(SECTION_8, f"{backend}: process start -> first HTTP answer · RSS after the first prediction",
                    f"{server.first_response:.2f} s · {rss:.0f} MB",
                    f"first digit drawn and answered in {first:.2f} s{'' if ok else ' (WRONG or error)'}")
    s, mb = out["litert"]
    results.bars += [Bar("cold start, LiteRT path <= 4 s", s, 4.0, unit=" s"),
                     Bar("server RSS after the first prediction, LiteRT path <= 300 MB", mb, 300.0, unit=" MB")]
    return out


def crowd(root, results, sizes=(100, 200), seconds=60.0):
    from . import people
    server = Server(root)
    try:
        _first_prediction(server.url)
        proc = psutil.Process(server.proc.pid)
        for n in sizes:
            cpu0 = proc.cpu_times()
            load = os.getloadavg()[0]
            tally, wall, gen_cpu = asyncio.run(people.room(server.url, n, seconds))
            cpu1 = proc.cpu_times()
            s = people.summary(tally, wall, gen_cpu)
            server_cpu = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / wall
            results.add(SECTION_8, f"{n} people, {seconds:.0f} s: last pen-up -> final answer",
                        f"p50 {s['p50 ms']} · p95 {s['p95 ms']} · p99 {s['p99 ms']} ms · {s['errors']} errors · "
                        f"{s['wrong']} wrong",
                        f"{s['digits answered']} digits, {s['updates sent']} updates sent, "
                        f"{s['replaced while waiting']} replaced while waiting, {s['live updates shed']} live updates shed; server CPU {100 * server_cpu:.0f} %, "
                        f"generator CPU {s['generator CPU']}; load {load:.1f} at start"
                        + (f"; errors: {s['error kinds']}" if s["errors"] else ""))
            if n == 100:
                p95 = float(s["p95 ms"]) if s["p95 ms"] != "-" else None
                results.bars += [Bar("100 people: p95 last pen-up -> answer <= 500 ms", p95, 500.0, unit=" ms"),
                                 Bar("100 people: zero errors", s["errors"], 0, unit=" errors")]
    finally:
        server.stop()


def run(root, results):
    serving_paths(root, results)
    crowd(root, results)


def main():
    """`python -m bench.room`: this section alone (the full `python -m bench` runs it too)."""
    from pathlib import Path

    from .report import Results, console
    results = Results()
    load = os.getloadavg()
    run(Path(__file__).resolve().parent.parent, results)
    print(console(results))
    print(f"load average at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
