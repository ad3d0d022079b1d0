"""Section 8: a lecture hall on one link. Cold start and memory per serving path (LiteRT, the
app's default, beside TensorFlow in the same run), then a room of people drawing at once
(bench/people.py) on the lean server: 100, 200, 300 and 500 people with the pad's drawings read in
the prediction process, 100 read in the server process, 60 s each, with where the CPU of one update
goes (server process, prediction process); then 100 people through nginx in front of 2 replicas on
this machine (scripts/replicas.sh). `python -m bench.room` runs this section alone."""
import asyncio
import os
import time

import psutil

from .http import Server, cpu_of, settled, tree_rss_mb
from .report import Bar

SECTION_8 = "8. A lecture hall on one link (serving paths, a room of people)"


def _first_prediction(url):
    """One person's first digit: (seconds, its answer right)."""
    from . import people
    t0 = time.perf_counter()
    tally, _, _ = asyncio.run(people.room(url, 1, 0.01, stagger=False))
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
            rss = server.settled_rss_mb()   # with the prediction process loaded (it starts once the page is served)
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


READERS = {"prediction process": {}, "in the server process": {"LENET_READER": "server"}}


def _cpu(proc):
    """CPU seconds of a server and its children (the prediction process, lenet/ui/gate/worker.py)."""
    return sum(_split(proc))


def _split(proc):
    """(CPU seconds of the server process, of its children: the prediction process)."""
    return cpu_of(proc), sum(cpu_of(p) for p in proc.children(recursive=True))


def _settled(procs):
    """Wait until the servers' memory (with their prediction processes) has stopped moving: the
    prediction process (lenet/ui/gate/worker.py) loads for ~1-2 s after the page is served, and a room
    that arrives meanwhile measures that start-up (the cold-start rows measure it), not the room."""
    settled(lambda: tree_rss_mb(procs))


def _room_row(results, label, url, n, seconds, procs=()):
    """n people for `seconds` against url; one row; returns the summary."""
    from . import people
    split0, load = [_split(p) for p in procs], os.getloadavg()[0]
    tally, wall, gen_cpu = asyncio.run(people.room(url, n, seconds))
    split = [(a1 - a0, b1 - b0) for (a0, b0), (a1, b1) in zip(split0, [_split(p) for p in procs])]
    server_s, reader_s = sum(a for a, _ in split), sum(b for _, b in split)
    server_cpu = (server_s + reader_s) / wall
    s = people.summary(tally, wall, gen_cpu)
    per = max(1, tally.sent)
    s["CPU ms per update"] = (1000 * server_s / per, 1000 * reader_s / per)
    results.add(SECTION_8, f"{n} people, {seconds:.0f} s, {label}: last pen-up -> final answer",
                f"p50 {s['p50 ms']} · p95 {s['p95 ms']} · p99 {s['p99 ms']} ms · {s['errors']} errors · "
                f"{s['wrong']} wrong",
                f"{s['digits answered']} digits, {s['updates sent']} updates sent ({s['live updates shed']} live "
                f"ones shed [{s['first live updates shed']} strokes' first; "
                f"{s['first live updates replaced unsent']} firsts replaced before sending], "
                f"{s['live updates paced']} not sent at the server's pace, {s['live updates held back']} "
                f"held back by busy pages); live answers per stroke {s['live answers per stroke']} "
                f"({s['strokes without a live answer']} of strokes without one); CPU per update sent "
                f"{s['CPU ms per update'][0]:.1f} ms server + {s['CPU ms per update'][1]:.1f} ms prediction process; "
                f"one update's round trip p50/p95 "
                f"{s['update round trip p50/p95 ms']} ms; server CPU {100 * server_cpu:.0f} %"
                f" of one core, generator {s['generator CPU']}; load {load:.1f} at start"
                + (f"; errors: {s['error kinds']}" if s["errors"] else ""))
    return s


ROOMS = (100, 200, 300, 500)   # people, one room after another on one server


def crowd(root, results, seconds=60.0, rooms=ROOMS, readers=READERS):
    """Rooms of `rooms` people with the pad read in the prediction process (the default), and 100
    with it read in the server process; the issue's bars at 100 and 300."""
    for label, env in readers.items():
        server = Server(root, env=env)
        try:
            _first_prediction(server.url)
            proc = psutil.Process(server.proc.pid)
            _settled([proc])
            for n in rooms if not env else (100,):
                s = _room_row(results, label, server.url, n, seconds, [proc])
                if n in (100, 300) and not env:
                    p95 = float(s["p95 ms"]) if s["p95 ms"] != "-" else None
                    results.bars += [Bar(f"{n} people: p95 last pen-up -> answer <= 500 ms", p95, 500.0, unit=" ms"),
                                     Bar(f"{n} people: zero errors", s["errors"], 0, unit=" errors")]
                if n == 300 and not env:
                    bare = s["strokes without a live answer"]
                    results.bars.append(Bar("300 people: strokes without a live answer",
                                            float(bare.rstrip(" %")) if bare != "-" else None, 0.0, unit=" %"))
        finally:
            server.stop()


def replicas(root, results, n=2, people=100, seconds=60.0):
    """scripts/replicas.sh: n replicas behind Debian's nginx on this machine, `people` through it."""
    import re
    import shutil
    import signal
    import socket
    import subprocess
    import urllib.request
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        results.add(SECTION_8, f"{people} people through nginx, {n} replicas", "skipped", "nginx is not installed")
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(["bash", str(root / "scripts" / "replicas.sh"), str(n), str(port)], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        pids, deadline = [], time.monotonic() + 300
        for line in proc.stdout:
            found = re.match(r"replica \d+: pid (\d+)", line)
            if found:
                pids.append(int(found.group(1)))
            if line.startswith("LeNet-5 app:") or time.monotonic() > deadline:
                break
        url = f"http://127.0.0.1:{port}"
        urllib.request.urlopen(url + "/", timeout=10)
        _first_prediction(url)
        procs = [psutil.Process(p) for p in pids]
        _settled(procs)
        _room_row(results, f"{n} replicas behind nginx", url, people, seconds, procs)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def run(root, results, rooms=ROOMS, seconds=60.0):
    serving_paths(root, results)
    crowd(root, results, seconds, rooms)
    replicas(root, results, seconds=seconds)


def main(argv=None):
    """`python -m bench.room`: this section alone (the full `python -m bench` runs it too);
    `--people 300 --seconds 30 --only crowd` one room, without the serving paths and replicas."""
    import argparse
    from pathlib import Path

    from .report import Results, console
    p = argparse.ArgumentParser(prog="python -m bench.room", description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, nargs="+", default=list(ROOMS), help="room sizes, one after another")
    p.add_argument("--seconds", type=float, default=60.0, help="each room's length")
    p.add_argument("--only", choices=("paths", "crowd", "replicas"), help="one part of the section")
    p.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                   help="the checkout whose app.py is served (another branch's, to compare side by side)")
    args = p.parse_args(argv)
    results = Results()
    load = os.getloadavg()
    if args.only in (None, "paths"):
        serving_paths(args.root, results)
    if args.only in (None, "crowd"):
        crowd(args.root, results, args.seconds, args.people,
              READERS if args.only is None else {"prediction process": {}})
    if args.only in (None, "replicas"):
        replicas(args.root, results, seconds=args.seconds)
    print(console(results))
    print(f"load average at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
