"""Sections 4 and 5: the app as a served process — cold start, one client, 16 concurrent clients,
and the server's resident memory after start and after 1,000 predictions."""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from .report import Bar, fmt_ms
from .timing import Sample

SECTION_4 = "4. Over HTTP (gradio_client, loopback)"
SECTION_5 = "5. Cold start and memory"


def free_port():
    """A TCP port on 127.0.0.1 nothing listens on (at the time of asking)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_of(proc):
    """CPU seconds (user + system) a psutil.Process has used so far; 0 once it is gone."""
    import psutil
    try:
        t = proc.cpu_times()
        return t.user + t.system
    except psutil.NoSuchProcess:
        return 0.0


def tree_rss_mb(procs):
    """Resident memory (MB) of psutil.Processes and all their children (prediction processes)."""
    import psutil
    total = 0
    for proc in procs:
        for p in [proc, *proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
    return total / 2**20


def settled(read_mb, quiet=1.0, timeout=15.0):
    """Poll `read_mb()` until it has moved under 1 MB for `quiet` s (at most `timeout` s); returns
    the last reading."""
    readings, deadline = [(time.monotonic(), read_mb())], time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.2)
        readings.append((time.monotonic(), read_mb()))
        recent = [mb for t, mb in readings if t >= readings[-1][0] - quiet]
        if readings[-1][0] - readings[0][0] >= quiet and max(recent) - min(recent) < 1.0:
            break
    return readings[-1][1]


class Server:
    """`python app.py *args` (or `python -m module`) on a free loopback port, timed from Popen: the
    one starter of the bench and the tests (tests/conftest.py start_app, tests/test_gate_boundary.py).
    Its output goes to a file (a full pipe can never stall it), readable after stop()."""

    def __init__(self, root, *args, timeout=120, module=None, env=None, proxy=True):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = tempfile.NamedTemporaryFile("w+", prefix="app-", suffix=".log")
        # proxy: the bench's people and attackers name themselves by X-Forwarded-For, as a room behind a
        # proxy on this machine would, so the server is told to believe it (lenet/ui/gate/visitors.py).
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1",
               **({"LENET_TRUSTED_PROXIES": "127.0.0.1"} if proxy else {}), **(env or {})}
        # A private file cache unless the caller names one: Gradio names cached files by content hash,
        # so app instances sharing /tmp/gradio delete or rewrite each other's files.
        self.cache = None if "GRADIO_TEMP_DIR" in env else tempfile.TemporaryDirectory(prefix="app-gradio-")
        if self.cache is not None:
            env["GRADIO_TEMP_DIR"] = self.cache.name
        self.started = time.perf_counter()
        program = ["-m", module] if module else [str(root / "app.py")]
        self.proc = subprocess.Popen([sys.executable, *program, "--host", "127.0.0.1",
                                      "--port", str(self.port), *args], cwd=root, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.first_response = self._wait(timeout) - self.started

    def _wait(self, timeout):
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited with {self.proc.returncode}:\n{self.output()[-2000:]}")
            try:
                urllib.request.urlopen(self.url, timeout=2)
                return time.perf_counter()
            except OSError:
                time.sleep(0.02)  # polling for the port: the resolution of the cold-start figure
        self.stop()
        raise RuntimeError(f"app did not answer at {self.url} within {timeout} s")

    def rss_mb(self):
        import psutil
        if self.proc.poll() is not None:
            raise RuntimeError(f"app exited with {self.proc.returncode} during the run: {self.output()[-300:]}")
        return tree_rss_mb([psutil.Process(self.proc.pid)])

    def settled_rss_mb(self, quiet=1.0, timeout=15.0):
        """RSS once it has stopped moving (see `settled`): the prediction process
        (lenet/ui/gate/worker.py) starts once the page is served and loads for ~1-2 s, and its loading is
        not growth."""
        return settled(self.rss_mb, quiet, timeout)

    def cpu_seconds(self):
        """(server process, its children) CPU seconds so far, user + system."""
        import psutil
        proc = psutil.Process(self.proc.pid)
        return cpu_of(proc), sum(cpu_of(c) for c in proc.children(recursive=True))

    def output(self):
        """Everything the app printed so far (stdout and stderr)."""
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def stop(self):
        """Terminate (kill after 10 s) and delete the private cache; output() still reads the log."""
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if self.cache is not None:
            self.cache.cleanup()


class Caller:
    """One gradio_client Client sending the sketchpad payload; counts successes.

    ssl_verify=False by default: these are plain-HTTP loopback calls, where no certificate is
    ever checked, but with verification on httpx builds a CA-bundle SSL context for every request
    gradio_client makes (upload, join: ~25 ms of client CPU each here), which would be timed as if
    it were the server's."""

    def __init__(self, url, png, downloads, ssl_verify=False):
        from gradio_client import Client, handle_file
        self.client = Client(url, verbose=False, download_files=downloads, ssl_verify=ssl_verify)
        self.payload = {"background": None, "layers": [], "composite": handle_file(str(png))}
        self.done = 0

    def __call__(self):
        self.client.predict(self.payload, api_name="/predict")
        self.done += 1


class PlainCaller:
    """The same request over Gradio's documented HTTP API with one kept-alive httpx connection,
    reading the result from the event stream as soon as it arrives, as the page's own JS client
    does. gradio_client instead polls its message queue every 50 ms (time.sleep(0.05) in
    gradio_client.utils.stream_sse_v1plus), so no call through it returns in under ~50 ms."""

    def __init__(self, url, png):
        import httpx
        self.url = url.rstrip("/") + "/gradio_api"
        self.http = httpx.Client(timeout=60)
        self.png = Path(png).read_bytes()
        self.done = 0

    def __call__(self):
        up = self.http.post(f"{self.url}/upload", files=[("files", ("drawing.png", self.png, "image/png"))])
        up.raise_for_status()
        composite = {"path": up.json()[0], "meta": {"_type": "gradio.FileData"}}
        data = [{"background": None, "layers": [], "composite": composite}, "modern"]
        event = self.http.post(f"{self.url}/call/predict", json={"data": data})
        event.raise_for_status()
        with self.http.stream("GET", f"{self.url}/call/predict/{event.json()['event_id']}") as stream:
            kind = None
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:") and kind in ("complete", "error"):
                    if kind == "error" or "data-digit=" not in line:
                        raise RuntimeError(f"no digit in the answer: {line[:100]}")
                    break
        self.done += 1

    def close(self):
        self.http.close()


def _timed_calls(caller, count=None, until=None):
    """Call `caller` `count` times or until perf_counter() passes `until`; returns (durations of
    the successful calls, error messages). Every failure counts; none stops the run."""
    durations, errors = [], []
    while (count is None or len(durations) + len(errors) < count) and (until is None or time.perf_counter() < until):
        t0 = time.perf_counter()
        try:
            caller()
        except Exception as err:
            errors.append(f"{type(err).__name__}: {str(err)[:100]}")
        else:
            durations.append(time.perf_counter() - t0)
    return durations, errors


def _concurrent(callers, seconds):
    """Every caller in its own thread for `seconds`; returns (latencies Sample, errors, wall seconds).
    Calls in flight at the deadline finish and count; the wall time includes them."""
    outcomes = []
    barrier = threading.Barrier(len(callers) + 1)

    def work(caller):
        barrier.wait()
        outcomes.append(_timed_calls(caller, until=deadline))  # list.append is atomic

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in callers]
    for t in threads:
        t.start()
    deadline = time.perf_counter() + seconds  # read by the threads only after the barrier
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return (Sample(np.array([d for durations, _ in outcomes for d in durations])),
            [e for _, errors in outcomes for e in errors], wall)


def _own_cpu():
    import resource  # POSIX: the bench runs on Linux
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _loaded(server, callers, seconds):
    """_concurrent(callers, seconds) on `server`, plus where the CPU went: returns (latencies,
    errors, wall, {"server": ms, "prediction process": ms, "clients": ms} of CPU per request;
    the clients are this process's threads)."""
    server0, children0 = server.cpu_seconds()
    own0 = _own_cpu()
    latencies, errors, wall = _concurrent(callers, seconds)
    server1, children1 = server.cpu_seconds()
    n = max(latencies.n, 1)
    cpu = {"server": 1000 * (server1 - server0) / n, "prediction process": 1000 * (children1 - children0) / n,
           "clients": 1000 * (_own_cpu() - own0) / n}
    return latencies, errors, wall, cpu


def _cpu_note(cpu, wall, n):
    """'server 7.1 · prediction process 7.4 · clients 5.9 ms of CPU a request (1.76 of the cores)'."""
    cores = sum(cpu.values()) * n / 1000 / wall
    return " · ".join(f"{k} {v:.1f}" for k, v in cpu.items() if v >= 0.05) + \
        f" ms of CPU a request; {cores:.2f} cores busy of {os.cpu_count()}"


def _errors_note(errors):
    return f"{len(errors)} errors, e.g. " + "; ".join(sorted(set(errors))[:2]) if errors else ""


def served(root, results, pngs, sequential=100, clients=16, seconds=30.0, soak=1000):
    """Cold start, memory, one client, then `clients` at once, each sending its own drawing from
    `pngs` (the first is the single client's); `soak` predictions in total before the second
    memory reading. Then the same load on bench/ceiling_app.py, a Gradio app that does nothing."""
    server = Server(root)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-downloads-") as downloads:
            first = Caller(server.url, pngs[0], downloads)
            first()
            first_prediction = time.perf_counter() - server.started
            rss_start = server.settled_rss_mb()
            results.add(SECTION_5, "process start -> first HTTP response (GET /)", f"{server.first_response:.2f} s")
            results.add(SECTION_5, "process start -> first prediction over HTTP", f"{first_prediction:.2f} s",
                        "includes creating the gradio_client Client")

            durations, single_errors = _timed_calls(first, count=sequential)
            single = Sample(np.array(durations))
            results.add(SECTION_4, "1 client, sequential (gradio_client, ssl_verify=False)",
                        f"{fmt_ms(single, 50, 95)} · {len(single_errors)} errors",
                        _errors_note(single_errors) or "payload: sketchpad dict, composite = handle_file(PNG); "
                        "of which ~50 ms is gradio_client's polling interval")
            defaults, _ = _timed_calls(Caller(server.url, pngs[0], downloads, ssl_verify=True), count=30)
            results.add(SECTION_4, "1 client, sequential (gradio_client defaults)",
                        fmt_ms(Sample(np.array(defaults)), 50, 95),
                        "ssl_verify=True: + an SSL context per request on the client side")
            plain = PlainCaller(server.url, pngs[0])
            plain_durations, plain_errors = _timed_calls(plain, count=sequential)
            plain.close()
            plain_single = Sample(np.array(plain_durations))
            results.add(SECTION_4, "1 client, sequential (plain HTTP, as the page's JS client)",
                        f"{fmt_ms(plain_single, 50, 95)} · {len(plain_errors)} errors",
                        _errors_note(plain_errors) or "upload + /call/predict + event stream, one kept-alive "
                        "connection: what a person drawing waits for")

            callers = [Caller(server.url, pngs[1 + i % (len(pngs) - 1)], downloads) for i in range(clients)]
            latencies, errors, wall, cpu = _loaded(server, callers, seconds)
            rate = latencies.n / wall
            results.add(SECTION_4, f"{clients} clients, {seconds:.0f} s (gradio_client)",
                        f"{rate:.1f} req/s · {fmt_ms(latencies, 50, 95, 99)} · {len(errors)} errors",
                        _errors_note(errors))
            results.add(SECTION_4, f"{clients} clients: where the CPU goes", _cpu_note(cpu, wall, latencies.n),
                        "psutil CPU times of the server and its prediction process, getrusage of the clients")

            made = first.done + sum(c.done for c in callers)
            # Topped up sequentially to `soak`, for at most a minute (the figure names the count reached).
            _, soak_errors = _timed_calls(first, count=max(0, soak - made), until=time.perf_counter() + 60)
            made = first.done + sum(c.done for c in callers)
            if soak_errors:
                results.notes.append(f"soak: {_errors_note(soak_errors)}")
            rss_end = server.rss_mb()
            results.add(SECTION_5, "server RSS after start (first prediction)", f"{rss_start:.0f} MB",
                        "with its prediction process, once loaded (the RSS steady for 1 s)")
            results.add(SECTION_5, f"server RSS after {made:,} predictions", f"{rss_end:.0f} MB",
                        f"growth {rss_end - rss_start:+.0f} MB")
    finally:
        server.stop()
    ceiling_rate = _ceiling(root, results, pngs, clients, min(seconds, 10.0))
    if ceiling_rate:
        results.add(SECTION_4, f"{clients} clients: this app / the empty Gradio app", f"{rate / ceiling_rate:.2f}x",
                    "the share of Gradio's own ceiling on this machine that the app reaches")

    results.bars += [
        Bar("HTTP single-client p50 <= 60 ms", single.ms(50), 60.0, unit=" ms"),
        Bar(f"{clients} clients >= 50 requests/s", rate, 50.0, higher_is_better=True, unit=" req/s"),
        Bar(f"{clients} clients p95 <= 400 ms", latencies.ms(95) if latencies.n else None, 400.0, unit=" ms"),
        Bar(f"{clients} clients zero errors", len(errors), 0, unit=" errors"),
        Bar("cold start (process start -> first HTTP response) <= 10 s", server.first_response, 10.0, unit=" s"),
        Bar(f"memory growth over {made:,} predictions <= 50 MB", rss_end - rss_start, 50.0, unit=" MB"),
    ]


def _ceiling(root, results, pngs, clients, seconds):
    """The same concurrent load on bench/ceiling_app.py (same signature, no work); returns req/s."""
    try:
        server = Server(root, module="bench.ceiling_app")
    except RuntimeError as err:
        results.notes.append(f"ceiling app did not start: {str(err)[:150]}")
        return None
    try:
        with tempfile.TemporaryDirectory(prefix="bench-downloads-") as downloads:
            first = Caller(server.url, pngs[0], downloads)
            first()
            single, _ = _timed_calls(first, count=50)
            callers = [Caller(server.url, pngs[1 + i % (len(pngs) - 1)], downloads) for i in range(clients)]
            latencies, errors, wall, cpu = _loaded(server, callers, seconds)
    finally:
        server.stop()
    results.add(SECTION_4, "1 client, sequential, on the empty Gradio app (gradio_client, ssl_verify=False)",
                fmt_ms(Sample(np.array(single)), 50, 95),
                "the floor for any Gradio app through gradio_client here: its 50 ms poll + upload + join")
    rate = latencies.n / wall
    results.add(SECTION_4, f"{clients} clients, {seconds:.0f} s, on an empty Gradio app (bench/ceiling_app.py)",
                f"{rate:.1f} req/s · {fmt_ms(latencies, 50, 95, 99)} · {len(errors)} errors",
                "same /predict signature, no decoding, a constant answer: Gradio's own cost per request")
    results.add(SECTION_4, f"{clients} clients on the empty Gradio app: where the CPU goes",
                _cpu_note(cpu, wall, latencies.n), "as above")
    return rate


def skipped(results, why):
    results.add(SECTION_4, "HTTP", f"skipped: {why}")
    results.add(SECTION_5, "cold start and memory", f"skipped: {why}")
