"""lenet/ui/gate/gradio631.py against Gradio's own code: a lean session holds what Gradio's session
would, minus the configs it never reads back, and builds none of them when it is made."""
import pytest

from lenet.ui import page
from lenet.ui.gate import gradio631


@pytest.fixture(scope="module")
def built(room):
    demo = page.build(room)
    gradio631.lean_sessions()   # as page.build does (idempotent)
    return demo


def _gradios_session(demo):
    """A SessionState made by Gradio 6.31's own __init__ (kept by the patch as `.gradios`)."""
    from gradio.state_holder import SessionState
    session = SessionState.__new__(SessionState)
    SessionState.__init__.gradios(session, demo)
    return session


def test_a_new_session_builds_no_block_config(built, monkeypatch):
    from gradio.blocks import BlocksConfig
    from gradio.state_holder import SessionState
    calls = []
    real = BlocksConfig.config_for_block
    monkeypatch.setattr(BlocksConfig, "config_for_block",
                        staticmethod(lambda *a, **k: calls.append(a[0]) or real(*a, **k)))
    lean = SessionState(built)
    assert calls == [] and lean.config_values == {}
    full = _gradios_session(built)
    assert len(calls) == len(full.config_values) >= 100   # Gradio's: one per block of the page


def test_a_lean_session_is_gradios_session_without_the_copied_configs(built):
    from gradio.state_holder import SessionState
    lean, full = SessionState(built), _gradios_session(built)
    assert set(vars(lean)) == set(vars(full))
    for name in vars(full):
        if name not in ("config_values", "blocks_config"):
            assert getattr(lean, name) == getattr(full, name), name
    assert lean.blocks_config.blocks.keys() == full.blocks_config.blocks.keys()
    # What an event's output writes back is the same config, built when first needed:
    outputs = [k for k, block in built.blocks.items() if type(block).__name__ in ("HTML", "Label", "Markdown")][:5]
    assert outputs
    for k in outputs:
        lean._update_value_in_config(k, "<b>7</b>")
        full._update_value_in_config(k, "<b>7</b>")
        assert lean.config_values[k] == full.config_values[k]
    assert set(lean.config_values) == set(outputs)
