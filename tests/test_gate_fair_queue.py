"""lenet/ui/gate/fair_queue.py: the rules that pick the next queued event, as pure bookkeeping
(the hook into Gradio's real queue is tested in tests/test_gate_gradio_internals.py). Checked against
the rules in the module docstring: fewest running per visitor, then oldest; heavy work never
holds the last slot; waiting capped per visitor and per session."""
import io

from PIL import Image

from lenet.ui.gate.fair_queue import TOO_MANY_WAITING, Fairness, heavy
from lenet.ui.gate.limits import Limits


def test_among_equals_the_visitor_with_fewest_running_goes_first():
    f = Fairness(Limits())
    waiting = [("e1", "a"), ("e2", "a"), ("e3", "b")]
    assert f.pick("g", 4, waiting) == 0            # nobody runs: the oldest
    f.start("e1", "a", "g")
    assert f.pick("g", 4, waiting[1:]) == 1        # "a" has one running: "b" first
    f.finish("e1")
    assert f.pick("g", 4, waiting[1:]) == 0


def test_heavy_events_leave_one_slot_for_light_ones():
    f = Fairness(Limits())
    f.queued("h1", True)
    f.queued("h2", True)
    f.queued("l1", False)
    f.start("h1", "a", "g")
    assert f.pick("g", 2, [("h2", "b")]) is None   # the one heavy slot of two is taken
    assert f.pick("g", 2, [("h2", "b"), ("l1", "c")]) == 1
    f.finish("h1")
    assert f.pick("g", 2, [("h2", "b")]) == 0


def test_waiting_is_capped_per_visitor_and_per_session():
    f = Fairness(Limits(waiting_per_client=3, waiting_per_session=2))
    assert f.refuse("a", "s1", [("a", "s1")]) is None
    assert f.refuse("a", "s1", [("a", "s1"), ("a", "s1")]) == TOO_MANY_WAITING
    assert f.refuse("a", "s3", [("a", "s1"), ("a", "s2"), ("a", "s4")]) == TOO_MANY_WAITING
    assert f.refuse("b", "s9", [("a", "s1")] * 10) is None


def test_a_picture_is_heavy_unless_its_header_says_small(tmp_path):
    small, big = tmp_path / "small.png", tmp_path / "big.tif"
    Image.new("L", (280, 280), 255).save(small)
    Image.new("L", (300, 300), 255).save(big)      # TIFF: any size is heavy (its directory may lie anywhere)
    prog = io.BytesIO()
    Image.new("RGB", (300, 300), "white").save(prog, "JPEG", progressive=True)
    (tmp_path / "p.jpg").write_bytes(prog.getvalue())
    assert not heavy({"path": str(small)})
    assert heavy({"path": str(big)}) and heavy({"path": str(tmp_path / "p.jpg")})
    assert heavy({"path": str(tmp_path / "missing.png")})
    assert heavy(["x" * 70_000]) and not heavy(["modern", None])
