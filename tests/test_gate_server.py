"""lenet/ui/gate/server.py over plain sockets against a running `python app.py`: a port that
cannot be served is one line, and connections that send nothing, half a request or never finish
a body are closed by their deadlines (issue 29 point 5), so no visitor can hold the server's
file descriptors."""
import os
import socket
import subprocess
import sys
import time

import pytest
from conftest import ROOT, start_app

pytestmark = pytest.mark.slow
ENV = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}


def run(*args):
    r = subprocess.run([sys.executable, str(ROOT / "app.py"), *args], cwd=ROOT, env=ENV, timeout=120,
                       capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr).strip()


@pytest.mark.parametrize("port", ["70000", "-1", "eighty"])
def test_a_port_out_of_range_is_one_line(port):
    code, out = run("--port", port)
    assert code != 0 and "Traceback" not in out and "port number" in out.splitlines()[-1], out


def test_a_port_in_use_is_one_line_and_no_url_is_printed_first():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, out = run("--port", str(port))
    assert code != 0 and "Traceback" not in out
    assert f"port {port} is in use" in out.splitlines()[-1] and "http://" not in out, out


@pytest.fixture(scope="module")
def app():
    env = {"LENET_HEADER_TIMEOUT": "2", "LENET_BODY_TIMEOUT": "3", "LENET_IDLE_TIMEOUT": "2"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        server = start_app()
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    yield server.proc, server.port
    server.stop()


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def closed(sock, within):
    """Whether the server closed `sock` within `within` s (recv answers b"" or an error)."""
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b"" or True
    except socket.timeout:
        return False
    except OSError:
        return True


def test_half_sent_requests_and_idle_connections_are_closed(app):
    proc, port = app
    before = fds(proc.pid)
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
    half = []
    for _ in range(100):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")   # headers never finished
        half.append(s)
    body = socket.create_connection(("127.0.0.1", port))
    body.sendall(b"POST /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{")   # a body that never comes
    held = fds(proc.pid) - before
    t = time.monotonic()
    shut = [closed(s, 8) for s in idle + half + [body]]
    took = time.monotonic() - t
    time.sleep(0.5)
    after = fds(proc.pid) - before
    print(f"201 stalled connections: server +{held} fds while held, closed {sum(shut)} in {took:.1f} s, "
          f"+{after} fds after")
    assert all(shut)
    assert after < 20
    for s in idle + half + [body]:
        s.close()


def test_idle_connections_past_the_fd_limit_do_not_take_the_server_down(tmp_path):
    """Issue 29 point 5: with `ulimit -n 1024` (a common default) 1,030 idle connections took the
    server down. The server keeps its connections under its descriptor limit, closes what is over,
    and the header deadline frees the rest."""
    import resource
    import urllib.request
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**ENV, "PYTHONUNBUFFERED": "1", "LENET_HEADER_TIMEOUT": "3"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024)))
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "the app did not start"
                time.sleep(0.5)   # polling for the port
        idle = []
        for _ in range(1030):
            try:
                idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError:
                break
        time.sleep(5)   # past the 3 s header deadline
        alive = proc.poll() is None
        answered = urllib.request.urlopen(url, timeout=30).status
        print(f"1,030 idle connections under a 1,024-descriptor limit: opened {len(idle)}, server alive "
              f"{alive}, then answered {answered}")
        assert alive and answered == 200
        for s in idle:
            s.close()
    finally:
        proc.terminate()
        proc.wait(20)


def test_port_0_serves_on_a_free_port_and_says_which():
    import urllib.request
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", "0"], cwd=ROOT,
                            env={**ENV, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        line = proc.stdout.readline()
        while line and "LeNet-5 app:" not in line:
            line = proc.stdout.readline()
        url = line.split("LeNet-5 app:")[1].split()[0]
        assert not url.endswith(":0/"), line
        deadline = time.monotonic() + 60
        while True:
            try:
                assert urllib.request.urlopen(url, timeout=5).status == 200
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.3)   # polling for the port
    finally:
        proc.terminate()
        proc.wait(20)
