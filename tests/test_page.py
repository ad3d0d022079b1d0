"""lenet/ui/page.py: the page as built (page.build): Gradio's cache cleaned, the queue bounded, the
banner that tells visitors when drawings are kept."""

import pytest

from lenet.ui import page


@pytest.fixture(scope="module")
def built(room):
    return page.build(room)


def test_page_cleans_gradios_cache(built):
    """Uploads land in Gradio's cache: a long-running public page deletes them (every `frequency`
    s, those older than `age` s)."""
    frequency, age = built.delete_cache
    assert 0 < frequency <= 3600 and 0 < age <= 3600


def test_page_queue_is_bounded(built):
    assert 0 < built._queue.max_size <= 256 and built._queue.max_size == page.QUEUE["max_size"]


def test_visitors_are_told_when_drawings_are_kept(built, collecting_room):
    """Under the header, in a notice of its own (re-read by a timer: tests/test_collect_notice.py)."""
    def notice(demo):
        return next((b.value for b in demo.blocks.values() if getattr(b, "elem_id", None) == "collecting"), "")
    assert "keeping the drawings" not in notice(built)
    assert "keeping the drawings" in notice(page.build(collecting_room))
