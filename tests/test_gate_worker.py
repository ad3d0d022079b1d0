"""lenet/ui/gate/worker.py: the pads' drawings and the API's small pictures read in a child process. Its
answers are the server's own (readings.draw.read_pad and readings.api.predict in this process are the
reference), a child that dies is replaced while drawings are read here meanwhile, and it stays off
where it must (LENET_READER=server, a room that collects drawings)."""
import asyncio
import io
import sys
import time

import pytest
from PIL import Image

from lenet.synthetic import draw
from lenet.ui.gate import worker
from lenet.ui.readings import api
from lenet.ui.readings import draw as reading
from lenet.ui.readings.pad import value_of
from lenet.ui.tabs import api as api_tab


def pad_value(digit, seq=7):
    buf = io.BytesIO()
    Image.fromarray(draw(digit, canvas=280)).save(buf, "PNG")
    return value_of(buf.getvalue(), seq)


async def until_ready(w, timeout=60):
    """Draw until the child answers (the first call starts it; a later one attaches it to the loop)."""
    t0 = time.monotonic()
    while not w.ready:
        assert time.monotonic() - t0 < timeout, "the prediction process did not load"
        await w.read_pad(pad_value(1), "modern")
        await asyncio.sleep(0.05)


def test_the_childs_answers_are_the_servers_own(room):
    async def go():
        w = worker.Worker(room)
        try:
            await until_ready(w)
            out = {}
            for digit, variant, more, pre in [(3, "modern", False, False), (7, "classic", True, True),
                                              (5, "paper", True, False)]:
                value = pad_value(digit)
                out[(digit, variant)] = (await w.read_pad(value, variant, None, more, pre),
                                         reading.read_pad(room, value, variant, None, more, pre))
            return out
        finally:
            w.stop()

    for (digit, variant), (child, here) in asyncio.run(go()).items():
        assert child == here, f"{digit} on {variant}: the child answered differently"
        assert f'data-digit="{digit}"' in child[0]


def test_the_childs_api_answers_are_the_servers_own(room, tmp_path):
    path = tmp_path / "six.png"
    Image.fromarray(draw(6, canvas=280)).save(path)
    sketch = {"background": None, "layers": [], "composite": str(path)}
    assert api_tab.light(sketch) and api_tab.light(str(path)) and not api_tab.light(None)

    async def go():
        w = worker.Worker(room)
        try:
            await until_ready(w)
            return [(await w.submit("predict", image, variant), api.predict(room, image, variant))
                    for image, variant in [(sketch, "modern"), (str(path), "paper")]]
        finally:
            w.stop()

    for child, here in asyncio.run(go()):
        assert child == here and 'data-digit="6"' in child[0]



def _minor_faults(pid):
    """Minor page faults of a process so far (the kernel's count, /proc/<pid>/stat field 10)."""
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[7])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator and /proc: Linux")
def test_the_child_keeps_its_freed_arrays_instead_of_faulting_them_in_again(room, tmp_path):
    """With glibc's defaults the child handed the arrays of each reading back to the system and
    faulted them in again at the next one: ~400 page faults a reading of a 400x400 picture, ~1 ms of
    system CPU a request under 16 gradio_clients (tuning.keep_freed_memory). Counted by the kernel."""
    files = []
    for i, digit in enumerate((2, 5, 8, 0)):
        Image.fromarray(draw(digit, canvas=400)).save(tmp_path / f"{i}.png")
        files.append({"background": None, "layers": [], "composite": str(tmp_path / f"{i}.png")})

    async def go():
        w = worker.Worker(room)
        try:
            await until_ready(w)
            for i in range(20):
                await w.submit("predict", files[i % 4], "modern")
            before = _minor_faults(w.proc.pid)
            for i in range(100):
                await w.submit("predict", files[i % 4], "modern")
            return (_minor_faults(w.proc.pid) - before) / 100
        finally:
            w.stop()

    assert asyncio.run(go()) < 40

def test_a_child_that_dies_is_replaced_and_no_drawing_goes_unanswered(room):
    async def go():
        w = worker.Worker(room)
        try:
            await until_ready(w)
            first = w.proc.pid
            w.proc.kill()
            w.proc.wait(10)
            answers = [await w.read_pad(pad_value(4, seq), "modern") for seq in range(3)]
            await until_ready(w)
            return first, w.proc.pid, w.failures, answers
        finally:
            w.stop()

    first, second, failures, answers = asyncio.run(go())
    assert failures == 1 and second != first
    assert all('data-digit="4"' in a[0] and f'data-seq="{seq}"' in a[0] for seq, a in enumerate(answers))


@pytest.mark.parametrize("why", ["LENET_READER=server", "collecting"])
def test_it_stays_off_where_drawings_must_be_read_here(room, collecting_room, monkeypatch, why):
    if why == "collecting":
        w = worker.Worker(collecting_room)
    else:
        monkeypatch.setenv("LENET_READER", "server")
        w = worker.Worker(room)
    out = asyncio.run(w.read_pad(pad_value(2), "modern"))
    assert 'data-digit="2"' in out[0] and w.proc is None
