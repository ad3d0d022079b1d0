"""scripts/replicas.sh (and the deploy/nginx.conf.template docker-compose.yml shares): 2 replicas of
the app behind Debian's nginx on loopback, a room of simulated people (bench/people.py: the page's
real protocol, each from their own address) through nginx with no errors and every answer right;
then one replica is killed mid-run and its people carry on on the other."""
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def _free_block(n):
    """A port p with p .. p+n free on 127.0.0.1 (at the time of asking)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n >= 65000:
            continue
        try:
            for p in range(base, base + n + 1):
                with socket.socket() as t:
                    t.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
    raise RuntimeError("no free block of ports")


@pytest.fixture
def replicas(root):
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed (.ci/run installs it)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    port = _free_block(2)
    proc = subprocess.Popen(["bash", str(root / "scripts" / "replicas.sh"), "2", str(port)], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    pids, deadline = {}, time.monotonic() + 300
    for line in proc.stdout:
        found = re.match(r"replica (\d): pid (\d+)", line)
        if found:
            pids[int(found.group(1))] = int(found.group(2))
        if line.startswith("LeNet-5 app:") or time.monotonic() > deadline:
            break
    url = f"http://127.0.0.1:{port}"
    urllib.request.urlopen(url + "/", timeout=10)
    yield url, pids, port
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def test_people_through_nginx_then_one_replica_dies(replicas):
    from bench import people
    url, pids, port = replicas
    assert len(pids) == 2

    tally, wall, _ = asyncio.run(people.room(url, 12, 15))
    assert tally.errors == [] and tally.wrong == 0, tally.errors[:3]
    assert len(tally.finals) >= 12, len(tally.finals)

    async def with_a_kill():
        crowd = []
        task = asyncio.ensure_future(people.room(url, 12, 24, crowd_out=crowd))
        await asyncio.sleep(8)
        os.kill(pids[1], signal.SIGKILL)
        killed = time.perf_counter()
        result = await task
        return result, crowd, killed

    (tally, _, _), crowd, killed = asyncio.run(with_a_kill())
    lost = len(tally.errors)
    print(f"\nreplica 1 killed mid-run: {lost} strokes lost ({sorted(set(tally.errors))[:2]}); "
          f"{len(tally.finals)} digits answered, {tally.wrong} wrong")
    assert tally.wrong == 0
    assert lost <= len(crowd), "more strokes lost than people on the killed replica could have in flight"
    # Everyone carries on: each person has answers after the kill (from the replica left).
    late = [p for p in crowd if not any(t > killed + 2 for t in p.answered.values())]
    assert not late, f"{len(late)} people got no answer after the kill"
