"""The presenter's "collect drawings" switch: lenet.collect and its wiring in app.analyse."""
import json
import re

import numpy as np
import pytest
from PIL import Image, ImageDraw

import app
from conftest import start_app, stop_app
from lenet import collect

NAME = re.compile(r"^drawing-\d{8}-\d{6}-\d{6}\.png$")


def one(size=280):
    """A canvas-like RGBA drawing of a 1 (black ink on transparent), as the sketchpad sends it."""
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(im).line([(140, 50), (140, 230)], fill=(0, 0, 0, 255), width=20)
    return np.asarray(im)


def log(folder):
    return [json.loads(line) for line in (folder / collect.LOG).read_text().splitlines()]


@pytest.fixture
def collecting(tmp_path, modern):
    app.RECOGNIZERS["modern"] = modern
    saved = dict(app.COLLECT)
    app.COLLECT.update(on=True, dir=str(tmp_path / "collected"))
    yield tmp_path / "collected"
    app.COLLECT.clear()
    app.COLLECT.update(saved)


def test_on_saves_the_original_canvas_and_a_log_line_with_the_digit(collecting):
    html = app.analyse({"background": None, "layers": [], "composite": one()}, "modern")[0]
    assert 'data-digit="1"' in html
    pngs = list(collecting.glob("*.png"))
    assert len(pngs) == 1 and NAME.match(pngs[0].name)
    assert Image.open(pngs[0]).size == (280, 280)          # the canvas, not the 32x32 input
    (entry,) = log(collecting)
    assert entry["file"] == pngs[0].name and entry["variant"] == "modern" and entry["digit"] == 1
    assert 0 < entry["confidence"] <= 1 and entry["top3"][0][0] == 1 and len(entry["top3"]) == 3
    assert "time" in entry


def dot(size=280):
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((130, 130, 150, 150), fill=(0, 0, 0, 255))
    return np.asarray(im)


def test_invalid_drawing_is_logged_with_its_message(collecting):
    app.analyse(dot(), "modern")
    (entry,) = log(collecting)
    assert "digit" not in entry and "dot" in entry["message"]
    assert (collecting / entry["file"]).is_file()


def test_a_blank_canvas_is_not_a_drawing_to_keep(collecting):
    app.analyse(np.zeros((280, 280, 4), np.uint8), "modern")
    assert not collecting.exists() or not list(collecting.glob("*.png"))


def seven_in_strokes():
    """A 7 as the sketchpad sends it stroke after stroke: the bar, then the bar and the stem."""
    im = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.line([(80, 55), (200, 55)], fill=(0, 0, 0, 255), width=20)
    first = np.asarray(im).copy()
    d.line([(200, 55), (120, 235)], fill=(0, 0, 0, 255), width=20)
    return first, np.asarray(im)


def test_one_file_per_drawing_however_many_strokes(collecting):
    first, whole = seven_in_strokes()
    app.analyse(first, "modern", drawing="session-a")
    app.analyse(whole, "modern", drawing="session-a")
    app.analyse(whole, "classic" if "classic" in app.RECOGNIZERS else "modern", drawing="session-a")
    (png,) = collecting.glob("*.png")
    assert np.array_equal(np.asarray(Image.open(png).convert("RGBA")), whole)   # the finished drawing
    assert [e["file"] for e in log(collecting)] == [png.name] * 3              # a log line per stroke
    assert [caption.startswith("7") for _, caption in collect.recent(collecting)] == [True]
    # another person drawing at the same time keeps their own file
    app.analyse(one(), "modern", drawing="session-b")
    assert len(list(collecting.glob("*.png"))) == 2
    # clearing the canvas ends the drawing: the next strokes go to a new file, the 7 stays
    app.analyse(np.zeros((280, 280, 4), np.uint8), "modern", drawing="session-a")
    app.analyse(first, "modern", drawing="session-a")
    assert len(list(collecting.glob("*.png"))) == 3
    assert np.array_equal(np.asarray(Image.open(png).convert("RGBA")), whole)


def test_replace_only_rewrites_files_collect_made(tmp_path, modern):
    p = modern.predict(one())
    folder = tmp_path / "room"
    folder.mkdir()
    other = tmp_path / "precious.png"
    other.write_bytes(b"keep me")
    path = collect.save_drawing(folder, one(), p, "modern", replace=other)
    assert path.parent == folder and path != other and other.read_bytes() == b"keep me"


def test_off_saves_nothing(collecting):
    app.COLLECT["on"] = False
    app.analyse(one(), "modern")
    app.analyse(np.zeros((280, 280, 4), np.uint8), "modern")
    assert not collecting.exists()


def test_unsaveable_input_is_skipped_silently(collecting):
    app.analyse(None, "modern")
    app.analyse({"background": None, "layers": [], "composite": None}, "modern")
    app.analyse(b"not a picture", "modern")
    assert not collecting.exists() or not any(collecting.iterdir())


def test_filename_never_derives_from_user_input(tmp_path, modern):
    evil = tmp_path / "up" / "..%2F..%2Fevil name;rm -rf.png"
    evil.parent.mkdir()
    Image.fromarray(one()).save(evil, format="PNG")
    folder = tmp_path / "out"
    p = modern.predict(str(evil))
    path = collect.save_drawing(folder, {"composite": str(evil)}, p, "modern")
    assert path is not None and path.parent == folder and NAME.match(path.name)
    assert sorted(f.name for f in folder.iterdir()) == sorted([path.name, collect.LOG])
    assert "evil" not in (folder / collect.LOG).read_text()


def test_cap_holds(tmp_path, modern):
    p = modern.predict(one())
    folder = tmp_path / "capped"
    results = [collect.save_drawing(folder, one(), p, "modern", limit=3) for _ in range(6)]
    assert all(results[:3]) and results[3:] == [None, None, None]
    assert len(list(folder.glob("*.png"))) == 3 and len(log(folder)) == 3
    assert collect.MAX_FILES == 2_000


def test_recent_lists_newest_first_with_captions(tmp_path, modern):
    p = modern.predict(one())
    first = collect.save_drawing(tmp_path, one(), p, "modern")
    second = collect.save_drawing(tmp_path, np.zeros((280, 280, 4), np.uint8), "Draw a digit first.", "classic")
    got = collect.recent(tmp_path)
    assert [g[0] for g in got] == [str(second), str(first)]
    assert got[1][1].startswith("1 (") and got[0][1].startswith("invalid")
    images = collect.gallery(tmp_path)
    assert [im.size for im, _ in images] == [(280, 280)] * 2 and images[0][1] == got[0][1]


@pytest.mark.slow
def test_collect_flag_saves_through_the_predict_api(tmp_path):
    from gradio_client import Client, handle_file
    src = tmp_path / "seven.png"
    im = Image.new("RGB", (280, 280), "white")
    ImageDraw.Draw(im).line([(80, 55), (200, 55), (120, 235)], fill="black", width=20, joint="curve")
    im.save(src)
    folder = tmp_path / "room"
    proc, url = start_app("--collect", "--collect-dir", str(folder))
    try:
        value = {"background": None, "layers": [], "composite": handle_file(str(src))}
        html = Client(url, verbose=False).predict(value, "modern", api_name="/predict")[0]
    finally:
        stop_app(proc)
    assert 'data-digit="7"' in html
    (entry,) = log(folder)
    assert entry["digit"] == 7 and NAME.match(entry["file"]) and (folder / entry["file"]).is_file()
