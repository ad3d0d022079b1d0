"""Presenter option: keep the drawings a room made, with what the model said, in a local folder.
One PNG per drawing (server-made name, rewritten as strokes are added) plus a JSON line per
stroke in <folder>/log.jsonl.

Bounded: at most MAX_FILES PNGs, MAX_BYTES of PNGs and log, MAX_LINES log lines, and
never below MIN_FREE of free disk; a PNG is written to a temporary name and renamed, so a failed
save leaves no truncated or empty file and is not counted. When saving stops (a cap, a full disk,
a read-only or missing folder) one line says so on stderr, once per folder and cause;
`problem(folder)` returns that line and `stopped(folder)` the cause (for the page's notice,
lenet/ui/page.py) until a save works again. Bytes are bounded apart from files: a small noisy
JPEG upload is kept as a much larger PNG (docs/performance.md)."""
import collections
import itertools
import json
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

from .preprocess import InvalidDrawing, to_rgba

MB = 2**20
MAX_FILES = 2_000       # PNGs in the folder
MAX_BYTES = int(float(os.environ.get("LENET_COLLECT_MB") or 256) * MB)   # PNGs + log, all together
MAX_LINES = 20_000      # log lines (a drawing takes one per stroke: ~10)
MIN_FREE = int(float(os.environ.get("LENET_COLLECT_MIN_FREE_MB") or 1024) * MB)   # free disk kept
LOG = "log.jsonl"

_lock = threading.Lock()
_counter = itertools.count(1)
_NAME = re.compile(r"^drawing-\d{8}-\d{6}-\d{6}\.png$")
_usage = {}      # folder -> {"files", "bytes", "lines"}: read from disk once, then kept up to date
_problems = {}   # folder -> (the line said, its cause) while saving is stopped; a save that works clears it
_said = set()    # lines already said on stderr (each once)


def _usage_of(folder):
    """The folder's files, bytes and log lines (scanned the first time; caller holds _lock)."""
    if folder not in _usage:
        pngs = [p for p in folder.glob("drawing-*.png") if p.is_file()]
        log = folder / LOG
        try:
            with open(log, "rb") as f:
                lines = sum(1 for _ in f)
            log_bytes = log.stat().st_size
        except OSError:
            lines, log_bytes = 0, 0
        _usage[folder] = {"files": len(pngs), "bytes": sum(p.stat().st_size for p in pngs) + log_bytes,
                          "lines": lines}
    return _usage[folder]


def _stop(folder, cause):
    """Say once per folder and cause, on stderr, that drawings are no longer kept; remember it."""
    line = f"collect: {folder} {cause}: drawings are not being saved."
    _problems[folder] = (line, cause)
    if line not in _said:
        _said.add(line)
        print(line, file=sys.stderr, flush=True)
    return None


def problem(folder):
    """The line said when saving into `folder` stopped, or None while it works."""
    return _problems.get(Path(folder), (None,))[0] if folder is not None else None


def stopped(folder):
    """Why saving into `folder` stopped ("is full (2000 drawings)", "cannot be written (Read-only
    file system)", ...), or None while it works."""
    return _problems.get(Path(folder), (None, None))[1] if folder is not None else None


def _png_bytes(rgba):
    import io
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba), "RGBA").save(buf, format="PNG")
    return buf.getvalue()


def _entry(name, prediction_or_message, variant):
    entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "file": name, "variant": str(variant)}
    if isinstance(prediction_or_message, str):
        entry["message"] = prediction_or_message
    else:
        probs = np.asarray(prediction_or_message.probabilities, dtype="float64")
        top = np.argsort(probs)[::-1][:3]
        entry.update(digit=int(prediction_or_message.digit),
                     confidence=round(float(probs[prediction_or_message.digit]), 4),
                     top3=[[int(d), round(float(probs[d]), 4)] for d in top])
    return (json.dumps(entry) + "\n").encode()


def save_drawing(folder, image, prediction_or_message, variant, limit=MAX_FILES, replace=None,
                 max_bytes=None, max_lines=MAX_LINES, min_free=None):
    """Save the original drawing as PNG and append one log line; return the PNG's path, or None
    when nothing was saved (unsaveable input, a cap reached, disk full or unwritable). Never raises.

    prediction_or_message: a lenet Prediction, or the message shown for an invalid drawing.
    replace: the path this returned for the same drawing one stroke earlier; that file is
    overwritten, so a drawing is one file however many strokes it took (the log keeps a line
    per stroke; recent() shows each file once)."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    min_free = MIN_FREE if min_free is None else min_free
    try:
        rgba = to_rgba(image)  # sketchpad dict / array / PIL image / path, with preprocess's size bounds
        data = _png_bytes(rgba)
    except Exception:
        return None
    folder = Path(folder)
    with _lock:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            used = _usage_of(folder)
            previous = Path(replace) if replace is not None else None
            grown = previous is not None and previous.parent == folder and bool(_NAME.match(previous.name)) \
                and previous.is_file()
            if grown:
                path, old = previous, previous.stat().st_size   # a name this module made: the same drawing, grown
            else:
                stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
                path, old = folder / f"drawing-{stamp}-{next(_counter):06d}.png", 0   # never from user input
            line = _entry(path.name, prediction_or_message, variant)
            if not grown and used["files"] >= limit:
                return _stop(folder, f"is full ({limit} drawings)")
            if used["bytes"] - old + len(data) + len(line) > max_bytes:
                return _stop(folder, f"is full ({max_bytes / MB:g} MB)")
            if used["lines"] >= max_lines:
                return _stop(folder, f"is full ({max_lines} log lines)")
            if shutil.disk_usage(folder).free - len(data) - len(line) < min_free:
                return _stop(folder, f"has under {min_free / MB:g} MB of free disk left")
            temp = folder / f".{path.name}.{os.getpid()}.part"
            try:
                with open(temp, "xb") as f:
                    f.write(data)   # ENOSPC raises here or at close: the rename below is skipped
                os.replace(temp, path)   # whole or not at all: never a truncated PNG
            finally:
                temp.unlink(missing_ok=True)
            used["files"] += 0 if grown else 1
            used["bytes"] += len(data) - old
            _problems.pop(folder, None)   # saving works (again)
            try:
                with open(folder / LOG, "ab") as f:
                    f.write(line)
                used["lines"] += 1
                used["bytes"] += len(line)
            except OSError as err:
                _stop(folder, f"cannot be written ({err.strerror or err}); the log stopped")
            return path
        except OSError as err:   # read-only, missing, full: collecting must never break a prediction
            _usage.pop(folder, None)
            return _stop(folder, f"cannot be written ({err.strerror or type(err).__name__})")
        except Exception as err:
            return _stop(folder, f"failed ({type(err).__name__})")


# The drawings in progress: key (e.g. a browser session) -> the file its last stroke went to.
_in_progress = collections.OrderedDict()
_progress_lock = threading.Lock()
MAX_IN_PROGRESS = 1_000   # sessions that never cleared their canvas: the oldest are forgotten


def save_stroke(folder, image, result, variant, drawing=None):
    """save_drawing for a sketchpad drawing in progress: each stroke rewrites the file of the
    drawing `drawing` (a key, e.g. its session) and a cleared canvas ends it; `drawing=None` is a
    one-off picture. result: a lenet Prediction or the InvalidDrawing raised. Blank canvases are
    not kept. Returns the PNG's path or None; never raises."""
    if isinstance(result, InvalidDrawing) and result.empty:
        with _progress_lock:
            _in_progress.pop(drawing, None)
        return None
    with _progress_lock:
        previous = _in_progress.get(drawing) if drawing is not None else None
    said = str(result) if isinstance(result, InvalidDrawing) else result
    path = save_drawing(folder, image, said, variant, replace=previous)
    if drawing is not None and path is not None:
        with _progress_lock:
            _in_progress[drawing] = path
            _in_progress.move_to_end(drawing)
            while len(_in_progress) > MAX_IN_PROGRESS:
                _in_progress.popitem(last=False)
    return path


def recent(folder, n=24):
    """The last n logged drawings that still exist: [(png path, caption)], newest first."""
    folder = Path(folder)
    try:
        lines = (folder / LOG).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out, seen = [], set()
    for line in reversed(lines):
        try:
            e = json.loads(line)
            path = folder / Path(e["file"]).name
        except (ValueError, KeyError, TypeError):
            continue
        if path.name in seen or not path.is_file():  # a drawing's last stroke stands for it
            continue
        seen.add(path.name)
        caption = (f"{e['digit']} ({e['confidence']:.0%}, {e.get('variant', '')})" if "digit" in e
                   else f"invalid: {e.get('message', '')}")
        out.append((str(path), caption))
        if len(out) >= n:
            break
    return out


def gallery(folder, n=24):
    """recent() as loaded (PIL image, caption) pairs: Gradio then serves copies from its own cache,
    so the collect folder never has to be opened to the web."""
    out = []
    for path, caption in recent(folder, n):
        try:
            with Image.open(path) as im:
                out.append((im.copy(), caption))
        except Exception:
            continue
    return out
