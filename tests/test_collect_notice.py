"""Issue 14, collect mode: when saving drawings stops (a full disk, a read-only or missing folder,
a cap), the visitors' pages stop saying the drawings are kept and say why; stderr says it once
(tests/test_collect.py, tests/test_gate_boundary.py). The page's notice is re-read every
NOTICE_EVERY s by a timer that exists only on a collecting page and skips the queue."""
import html
import re

import pytest
import requests

from lenet import collect
from lenet.synthetic import draw, save_png
from lenet.ui import page
from lenet.ui.readings.room import Room

pytestmark = pytest.mark.usefixtures("fresh_collect")   # conftest.py: collect's caps and problems reset


def text(notice):
    return html.unescape(re.sub(r"<[^>]+>", "", notice)).strip()


def test_the_notice_says_drawings_are_kept_until_saving_stops_then_why(room, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    collecting = Room(room.recognizers, room.variant, room.weights_dir, blocker / "collected")
    assert page.collecting_notice(collecting) == page.COLLECTING
    assert collect.save_drawing(collecting.collect_dir, draw(7), "msg", "modern") is None
    assert text(page.collecting_notice(collecting)) == ("The drawings made on this page are no longer being kept: "
                                                        "the presenter's folder cannot be written (Not a directory).")


def test_the_notice_comes_back_when_saving_works_again(room, tmp_path):
    folder = tmp_path / "collected"
    collecting = Room(room.recognizers, room.variant, room.weights_dir, folder)
    assert collect.save_drawing(folder, draw(7), "msg", "modern", max_bytes=10) is None   # a cap
    assert text(page.collecting_notice(collecting)).endswith("the presenter's folder is full (9.53674e-06 MB).")
    assert collect.save_drawing(folder, draw(7), "msg", "modern") is not None
    assert page.collecting_notice(collecting) == page.COLLECTING


def test_a_page_that_does_not_collect_has_no_notice_and_no_timer(room):
    demo = page.build(room)
    config = demo.get_config_file()
    assert not [c for c in config["components"] if c.get("props", {}).get("elem_id") == "collecting"]
    # (the Learning tab's Play timer exists but ticks only while its Play button is on)
    assert not [c for c in config["components"] if c.get("type") == "timer" and c["props"].get("active", True)]


@pytest.mark.slow
def test_visitors_pages_say_when_drawings_are_no_longer_kept(run_app, ask, tmp_path):
    """Over HTTP: a visitor's page first says drawings are kept; a drawing sent to /predict fails to
    save (the folder is under a file); the page's timer then gets the notice saying they are not."""
    from gradio_client import Client
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    app = run_app("--collect", "--collect-dir", str(blocker / "collected"))
    config = requests.get(app.url + "config", timeout=30).json()
    notice = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "collecting")
    timer = next(c for c in config["components"] if c.get("type") == "timer")
    tick = next(d for d in config["dependencies"] if [timer["id"], "tick"] in [list(t) for t in d["targets"]])
    assert notice["props"]["value"] == page.COLLECTING
    assert tick["outputs"] == [notice["id"]] and tick["queue"] is False
    assert timer["props"]["value"] == page.NOTICE_EVERY

    def refreshed():
        sent = {"data": [], "fn_index": tick["id"], "session_hash": "visitor1", "trigger_id": timer["id"]}
        r = requests.post(app.url + "gradio_api/run/predict", json=sent, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()["data"][0]

    assert refreshed() == page.COLLECTING   # nothing has failed yet
    picture = tmp_path / "seven.png"
    save_png(draw(7), picture)
    digit, message = ask(Client(app.url, verbose=False, download_files=False), picture)
    assert digit == 7, message   # the reading itself is unaffected
    assert text(refreshed()) == ("The drawings made on this page are no longer being kept: "
                                 "the presenter's folder cannot be written (Not a directory).")
    app.stop()
    said = app.output()
    assert [line for line in said.splitlines() if line.startswith("collect:")] == \
        [f"collect: {blocker / 'collected'} cannot be written (Not a directory): drawings are not being saved."]
    assert "Traceback" not in said
