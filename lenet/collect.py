"""Presenter option: keep the drawings a room made, with what the model said, in a local folder.
One PNG per drawing (server-made name, rewritten as strokes are added) plus a JSON line per
stroke in <folder>/log.jsonl; capped at MAX_FILES."""
import collections
import itertools
import json
import re
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

from .preprocess import InvalidDrawing, to_rgba

MAX_FILES = 2_000   # stop saving after this many PNGs in the folder: the disk stays safe
LOG = "log.jsonl"

_lock = threading.Lock()
_counter = itertools.count(1)
_NAME = re.compile(r"^drawing-\d{8}-\d{6}-\d{6}\.png$")


def _count_pngs(folder):
    return sum(1 for p in folder.glob("drawing-*.png"))


def save_drawing(folder, image, prediction_or_message, variant, limit=MAX_FILES, replace=None):
    """Save the original drawing as PNG and append one log line; return the PNG's path, or None
    when nothing was saved (unsaveable input, cap reached, disk error). Never raises.

    prediction_or_message: a lenet Prediction, or the message shown for an invalid drawing.
    replace: the path this returned for the same drawing one stroke earlier; that file is
    overwritten, so a drawing is one file however many strokes it took (the log keeps a line
    per stroke; recent() shows each file once)."""
    try:
        rgba = to_rgba(image)  # sketchpad dict / array / PIL image / path, with preprocess's size bounds
    except Exception:
        return None
    try:
        folder = Path(folder)
        with _lock:
            folder.mkdir(parents=True, exist_ok=True)
            previous = Path(replace) if replace is not None else None
            if previous is not None and previous.parent == folder and _NAME.match(previous.name) and previous.is_file():
                path, mode = previous, "wb"   # a name this module made, in this folder: the same drawing, grown
            elif _count_pngs(folder) >= limit:
                return None
            else:
                stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
                path, mode = folder / f"drawing-{stamp}-{next(_counter):06d}.png", "xb"  # never from user input
            name = path.name
            with open(path, mode) as f:
                Image.fromarray(np.ascontiguousarray(rgba), "RGBA").save(f, format="PNG")
            entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "file": name,
                     "variant": str(variant)}
            if isinstance(prediction_or_message, str):
                entry["message"] = prediction_or_message
            else:
                probs = np.asarray(prediction_or_message.probabilities, dtype="float64")
                top = np.argsort(probs)[::-1][:3]
                entry.update(digit=int(prediction_or_message.digit),
                             confidence=round(float(probs[prediction_or_message.digit]), 4),
                             top3=[[int(d), round(float(probs[d]), 4)] for d in top])
            with open(folder / LOG, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
            return path
    except Exception:  # collecting must never break a prediction
        return None


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
