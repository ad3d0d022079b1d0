"""lenet/collect.py against a disk that fills up or refuses writes (issue 14): caps on bytes,
files and log lines, the free-disk floor, no truncated or counted file after a failed save, and
one line on stderr per folder and cause."""
import errno
import shutil

import pytest

from lenet import collect, synthetic

pytestmark = pytest.mark.usefixtures("fresh_collect")   # conftest.py: collect's caps and problems reset


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
