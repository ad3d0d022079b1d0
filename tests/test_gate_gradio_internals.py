"""lenet/ui/gate/gradio_internals.py against the installed Gradio's own objects (no stand-ins):
each use of an internal is checked here, and a failure names the version it was written for."""
import inspect

import gradio as gr
import pytest

from lenet.ui.gate import gradio_internals as gi
from lenet.ui.gate.fair_queue import Fairness
from lenet.ui.gate.limits import Limits

WRITTEN_FOR = f"written for gradio {gi.VERSION}, installed {gr.__version__}: re-check gradio_internals.py"


def params(fn):
    return list(inspect.signature(fn).parameters)


@pytest.fixture(scope="module")
def demo():
    with gr.Blocks() as d:
        image = gr.Image(type="numpy")
        sketch = gr.Sketchpad(type="numpy")
        text = gr.Textbox()
        out = [gr.HTML(), gr.Label()]
        image.change(lambda x: ("", None), image, out, api_name="predict_image")
        text.change(lambda x: ("", None), text, out, api_name="quiet", queue=False, api_visibility="private")
    d.queue()
    gi.pass_files_undecoded(image, sketch)
    d.parts = dict(image=image, sketch=sketch, label=out[1])
    return d


def test_the_pinned_version_is_installed():
    assert gr.__version__ == gi.VERSION, WRITTEN_FOR


def test_files_reach_lenet_undecoded(demo, tmp_path):
    from gradio.components.image_editor import EditorData
    from gradio.data_classes import FileData
    path = tmp_path / "x.png"
    path.write_bytes(b"not a picture")
    assert demo.parts["image"].preprocess(FileData(path=str(path))) == str(path), WRITTEN_FOR
    assert demo.parts["image"].preprocess(None) is None
    sent = EditorData(background=None, layers=[], composite=FileData(path=str(path)))
    assert demo.parts["sketch"].preprocess(sent) == {"background": None, "layers": [], "composite": str(path)}


def test_label_inline_is_what_gradio_would_send(demo):
    probs = {"7": 0.9, "1": 0.1}
    values = gi.label_inline(demo.parts["label"], ["a", probs], 1)
    assert values[1] == demo.parts["label"].postprocess(probs).model_dump() and values[0] == "a"


def test_endpoints_and_groups_read_gradios_block_functions(demo):
    public, light, named = gi.endpoints(demo)
    assert public == {"predict_image"}, WRITTEN_FOR
    quiet = next(i for i, fn in demo.fns.items() if fn.api_name == "quiet")
    assert {quiet, "quiet"} <= light and "predict_image" not in light
    assert named == {next(i for i, fn in demo.fns.items() if fn.api_name == "predict_image"): "predict_image"}
    gi.group_events(demo, "predict", 2)
    queued = [fn for fn in demo.fns.values() if fn.queue]
    assert queued and all(fn.concurrency_id == "predict" and fn.concurrency_limit == 2 for fn in queued)


def test_the_queue_has_what_hook_queue_replaces(demo):
    from gradio.queueing import Queue
    assert params(Queue.push)[1:] == ["body", "request", "username"], WRITTEN_FOR
    assert params(Queue.process_events)[1:] == ["events", "batch", "begin_time", "fn"], WRITTEN_FOR
    assert params(Queue.get_events) == ["self"], WRITTEN_FOR
    queue = demo._queue
    assert isinstance(queue.event_queue_per_concurrency_id, dict), WRITTEN_FOR
    gi.hook_queue(demo, Fairness(Limits()), lambda scope, session: "x")
    assert queue.get_events() is None   # nothing waiting
    from gradio.queueing import EventQueue
    group = EventQueue("predict", 2)
    assert {"queue", "concurrency_limit", "current_concurrency"} <= set(vars(group)), WRITTEN_FOR
    from gradio.queueing import Event
    assert {"_id", "session_hash", "request"} <= set(params(Event.__init__)) | {"_id"}, WRITTEN_FOR


def test_a_lean_session_keeps_no_page_config_and_no_raw_input(demo):
    from gradio.state_holder import SessionState
    gi.lean_sessions()
    s = SessionState(demo)
    some = next(iter(demo.blocks))
    s._update_value_in_config(some, "x" * 1_000_000)
    s[some] = demo.blocks[some]
    assert dict(s.config_values) == {}, WRITTEN_FOR
    assert set(vars(s)) >= {"blocks_config", "state_data", "config_values"}, WRITTEN_FOR
    assert "config_values" in inspect.getsource(SessionState.__init__.gradios), WRITTEN_FOR


def test_cheap_skips_answers_a_skip_without_building_components(demo):
    import asyncio
    gi.cheap_skips(demo)
    fn = next(fn for fn in demo.fns.values() if fn.api_name == "predict_image")
    out = asyncio.run(demo.postprocess_data(fn, gr.skip(), None))
    assert out == [{"__type__": "update"}] * len(fn.outputs), WRITTEN_FOR
    assert params(gr.Blocks.postprocess_data)[1:] == ["block_fn", "predictions", "state"], WRITTEN_FOR


def test_quiet_tracebacks_replace_the_module_gradio_prints_with(capsys):
    import gradio.queueing
    import gradio.routes
    assert hasattr(gradio.queueing, "traceback") and hasattr(gradio.routes, "traceback"), WRITTEN_FOR
    gi.quiet_tracebacks()
    try:
        raise ValueError("one\ntwo\nthree")
    except ValueError:
        gradio.queueing.traceback.print_exc()
    assert "Traceback" not in capsys.readouterr().err


def test_routes_the_boundary_names_are_gradios(demo):
    """Each route the boundary filters answers on Gradio's own app (404 would mean it moved)."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    client = TestClient(gr.mount_gradio_app(FastAPI(), demo, path="/"))
    for method, route in (("POST", "/upload"), ("POST", "/queue/join"), ("GET", "/queue/data"),
                          ("POST", "/run/predict"), ("POST", "/call/predict_image"), ("POST", "/component_server"),
                          ("GET", "/deep_link")):
        assert client.request(method, gi.API + route).status_code != 404, (route, WRITTEN_FOR)
    assert client.get("/monitoring").status_code != 404, WRITTEN_FOR
    assert all(p.startswith(gi.CLOSED) for p in ("/component_server", "/deep_link", "/file=http://x"))


def test_session_capacity_and_the_tunnel_are_what_launch_uses(demo):
    from gradio import networking
    from gradio.state_holder import StateHolder
    assert "state_session_capacity" in params(gr.Blocks.launch), WRITTEN_FOR
    gi.session_capacity(demo, 7)
    holder = StateHolder()
    holder.set_blocks(demo)
    assert holder.capacity == 7, WRITTEN_FOR
    assert params(networking.setup_tunnel) == ["local_host", "local_port", "share_token", "share_server_address",
                                               "share_server_tls_certificate"], WRITTEN_FOR
    assert isinstance(demo.share_token, str), WRITTEN_FOR


