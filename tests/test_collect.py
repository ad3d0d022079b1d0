"""lenet/collect.py (the presenter's `--collect`: every drawing a room makes, with what the model
said) and how the draw tab feeds it: reading.analyse / read_pad with a Room whose collect_dir is
a temporary folder, `python app.py --collect` over HTTP, and a disk that fills up or refuses
writes: caps on bytes, files and log lines, the free-disk floor, no truncated or counted file after
a failed save, one line on stderr per folder and cause."""
import errno
import io
import json
import re
import shutil

import numpy as np
import pytest
from PIL import Image

from lenet import collect, synthetic
from lenet.decode import DOT
from lenet.synthetic import draw, save_png, sketchpad_value, speck
from lenet.ui.readings import draw as reading
from lenet.ui.readings import pad

NAME = re.compile(r"^drawing-\d{8}-\d{6}-\d{6}\.png$")
pytestmark = pytest.mark.usefixtures("fresh_collect")   # conftest.py: collect's caps and problems reset

SIDE = 280   # the pad sends 280 x 280 pictures


def one():
    return draw(1, canvas=SIDE, background="transparent")


def blank():
    return np.zeros((SIDE, SIDE, 4), np.uint8)


def on_pad(rgba, seq=1):
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "PNG")
    return pad.value_of(buf.getvalue(), seq)


def log(folder):
    return [json.loads(line) for line in (folder / collect.LOG).read_text().splitlines()]


def pixels(path):
    return np.asarray(Image.open(path).convert("RGBA"))


# ------------------------------------------------------------------ through the draw tab

def test_a_drawing_is_saved_as_sent_with_a_log_line_of_the_answer(collecting_room):
    folder = collecting_room.collect_dir
    out = reading.read_pad(collecting_room, on_pad(one()), "modern", drawing="s")
    assert 'data-digit="1"' in out[0]
    (png,) = folder.glob("*.png")
    assert NAME.match(png.name) and np.array_equal(pixels(png), one())      # the canvas, not the 32x32 input
    (entry,) = log(folder)
    assert entry["file"] == png.name and entry["variant"] == "modern" and entry["digit"] == 1
    assert 0 < entry["confidence"] <= 1 and entry["top3"][0][0] == 1 and len(entry["top3"]) == 3
    assert "time" in entry


def test_an_invalid_drawing_is_logged_with_its_message(collecting_room):
    folder = collecting_room.collect_dir
    dot = speck(np.full((SIDE, SIDE, 4), 255, np.uint8), 140, 140, 10)
    result = reading.analyse(collecting_room, dot, "modern")
    assert str(result) == DOT
    (entry,) = log(folder)
    assert "digit" not in entry and entry["message"] == DOT
    assert (folder / entry["file"]).is_file()


def test_a_blank_canvas_is_not_a_drawing_to_keep(collecting_room):
    folder = collecting_room.collect_dir
    reading.analyse(collecting_room, blank(), "modern")
    reading.read_pad(collecting_room, on_pad(blank()), "modern", drawing="s")
    reading.read_pad(collecting_room, "", "modern", drawing="s")
    assert not folder.exists() or not list(folder.glob("*.png"))


def test_one_file_per_drawing_however_many_strokes(collecting_room):
    folder = collecting_room.collect_dir
    whole = draw(7, canvas=SIDE, background="transparent")
    first = whole.copy()
    first[SIDE // 4:] = 0                           # the 7's bar, before the stem is drawn
    reading.read_pad(collecting_room, on_pad(first, 1), "modern", drawing="session-a")
    reading.read_pad(collecting_room, on_pad(whole, 2), "modern", drawing="session-a")
    reading.rerun(collecting_room, on_pad(whole, 2), None, "classic", "pad", drawing="session-a")  # model switch
    (png,) = folder.glob("*.png")
    assert np.array_equal(pixels(png), whole)                                # the finished drawing
    assert [e["file"] for e in log(folder)] == [png.name] * 3                # a log line per stroke
    assert [e["variant"] for e in log(folder)] == ["modern", "modern", "classic"]
    assert [caption.startswith("7") for _, caption in collect.recent(folder)] == [True]
    # another person drawing at the same time keeps their own file
    reading.read_pad(collecting_room, on_pad(one()), "modern", drawing="session-b")
    assert len(list(folder.glob("*.png"))) == 2
    # clearing the pad ends the drawing: the next strokes go to a new file, the 7 stays
    reading.read_pad(collecting_room, "", "modern", drawing="session-a")
    reading.read_pad(collecting_room, on_pad(first, 3), "modern", drawing="session-a")
    assert len(list(folder.glob("*.png"))) == 3
    assert np.array_equal(pixels(png), whole)


def test_uploads_are_kept_one_file_each(collecting_room, tmp_path):
    folder = collecting_room.collect_dir
    path = str(save_png(draw(4, canvas=300), tmp_path / "four.png"))
    reading.read_upload(collecting_room, path, "modern")
    reading.read_upload(collecting_room, path, "classic")
    assert len(list(folder.glob("*.png"))) == 2 and [e["digit"] for e in log(folder)] == [4, 4]


def test_a_room_that_does_not_collect_saves_nothing(room, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(collect, "save_stroke", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(collect, "save_drawing", lambda *a, **k: calls.append(a))
    assert not room.collecting
    reading.analyse(room, one(), "modern")
    reading.read_pad(room, on_pad(one()), "modern", drawing="s")
    reading.read_pad(room, "", "modern", drawing="s")
    reading.read_upload(room, one(), "modern")
    assert calls == []


def test_unsaveable_input_is_skipped_silently(collecting_room):
    folder = collecting_room.collect_dir
    for image in (None, sketchpad_value(None), b"not a picture"):
        reading.analyse(collecting_room, image, "modern")
    for value in ("not json", '{"seq": 1, "png": "data:image/png;base64,AAAA"}'):
        reading.read_pad(collecting_room, value, "modern", drawing="s")
    assert not folder.exists() or not any(folder.iterdir())


# ------------------------------------------------------------------ lenet.collect itself

def test_replace_only_rewrites_files_collect_made(tmp_path, modern):
    p = modern.predict(one())
    folder = tmp_path / "room"
    folder.mkdir()
    other = tmp_path / "precious.png"
    other.write_bytes(b"keep me")
    path = collect.save_drawing(folder, one(), p, "modern", replace=other)
    assert path.parent == folder and path != other and other.read_bytes() == b"keep me"


def test_filename_never_derives_from_user_input(tmp_path, modern):
    evil = tmp_path / "up" / "..%2F..%2Fevil name;rm -rf.png"
    evil.parent.mkdir()
    save_png(one(), evil)
    folder = tmp_path / "out"
    p = modern.predict(str(evil))
    path = collect.save_drawing(folder, sketchpad_value(str(evil)), p, "modern")
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
    second = collect.save_drawing(tmp_path, blank(), "Draw a digit first.", "classic")
    got = collect.recent(tmp_path)
    assert [g[0] for g in got] == [str(second), str(first)]
    assert got[1][1].startswith("1 (") and got[0][1].startswith("invalid")
    images = collect.gallery(tmp_path)
    assert [im.size for im, _ in images] == [(SIDE, SIDE)] * 2 and images[0][1] == got[0][1]


# ------------------------------------------------------------------ python app.py --collect

@pytest.mark.slow
def test_collect_flag_saves_through_the_predict_api(tmp_path, run_app):
    from gradio_client import Client, handle_file
    src = save_png(draw(7, canvas=SIDE), tmp_path / "seven.png")
    folder = tmp_path / "room"
    app = run_app("--collect", "--collect-dir", str(folder))
    html = Client(app.url, verbose=False).predict(sketchpad_value(handle_file(str(src))), "modern",
                                                  api_name="/predict")[0]
    assert 'data-digit="7"' in html
    (entry,) = log(folder)
    assert entry["digit"] == 7 and NAME.match(entry["file"]) and (folder / entry["file"]).is_file()


# ------------------------------------------------------------------ a disk that fills up or refuses writes


def drawing(digit=7):
    return synthetic.draw(digit, 280)


def pngs(folder):
    return sorted(folder.glob("drawing-*.png"))


def test_bytes_cap_counts_pngs_and_log(tmp_path, capsys):
    folder = tmp_path / "c"
    cap = 10_000   # four or so 2.4 KB drawings
    saved = [collect.save_drawing(folder, drawing(d), "msg", "modern", max_bytes=cap) for d in range(10)]
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert total <= cap and None in saved and saved[0] is not None
    err = capsys.readouterr().err.splitlines()
    assert err == [f"collect: {folder} is full ({cap / 2**20:g} MB): drawings are not being saved."]


def test_log_lines_are_capped_for_drawings_already_in_progress(tmp_path):
    folder = tmp_path / "c"
    path = collect.save_drawing(folder, drawing(), "msg", "modern", max_lines=3)
    for _ in range(6):   # more strokes of the same drawing
        collect.save_drawing(folder, drawing(), "msg", "modern", max_lines=3, replace=path)
    assert len((folder / collect.LOG).read_text().splitlines()) == 3


def test_a_write_that_fails_half_way_leaves_no_file_and_is_not_counted(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "c"
    real_open = open

    class Full:
        def __init__(self, path, mode):
            self.f = real_open(path, mode)

        def write(self, data):
            self.f.write(data[:len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(collect, "open", Full, raising=False)
    assert [collect.save_drawing(folder, drawing(d), "msg", "modern") for d in range(3)] == [None] * 3
    assert pngs(folder) == [] and list(folder.glob(".*part")) == []
    monkeypatch.undo()
    collect._usage.clear()
    assert collect.save_drawing(folder, drawing(), "msg", "modern") is not None   # space again: it counts 1
    assert len(pngs(folder)) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"collect: {folder} cannot be written (No space left on device): drawings are not being saved."]


def test_a_replaced_drawing_survives_a_failed_rewrite(tmp_path, monkeypatch):
    folder = tmp_path / "c"
    path = collect.save_drawing(folder, drawing(1), "msg", "modern")
    before = path.read_bytes()
    monkeypatch.setattr(collect.os, "replace", lambda a, b: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    assert collect.save_drawing(folder, drawing(8), "msg", "modern", replace=path) is None
    assert path.read_bytes() == before and list(folder.glob(".*part")) == []


def test_low_free_disk_stops_saving_once(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "c"
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(collect.shutil, "disk_usage", lambda p: usage._replace(free=10 * 2**20))
    assert [collect.save_drawing(folder, drawing(), "msg", "modern") for _ in range(3)] == [None] * 3
    assert pngs(folder) == []
    assert capsys.readouterr().err.count("free disk") == 1


def test_an_unwritable_folder_is_reported_once(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    folder = blocker / "collected"
    assert [collect.save_drawing(folder, drawing(), "msg", "modern") for _ in range(3)] == [None] * 3
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"collect: {folder} cannot be written")
    assert collect.problem(folder) == err[0]
