"""The ledger of every file the server writes into Gradio's cache folder: uploads (who sent which
file when, the per-visitor budgets: bytes a minute, bytes held; a cap on all uploads; a free-disk
floor) and the files Gradio writes for answers (the Lab's and Walk-through's pictures: a cap on
their bytes and number). Expired files and, when room is needed, the oldest are deleted; Gradio
alone keeps them 10-15 minutes with no cap. Used by boundary.Boundary and server.py's sweeper."""
import os
import shutil
import threading
import time
from collections import defaultdict, deque
from pathlib import Path

from .log import say

UPLOAD_RATE = "Too many uploads from your address; wait a minute and try again."
UPLOAD_HELD = "Your address holds too many uploaded files; wait a few minutes and try again."
DISK_LOW = "The server is short of disk space; uploads are paused."



class Uploads:
    """The ledger of uploaded files: who sent what when; admits or refuses an upload by its size,
    and removes files when they expire or when the cache or the disk needs room. Its totals are
    kept as files come and go: an upload costs the same with 10 or 10,000 files held (summing
    every file held on each upload, and a quadratic sweep, grew with a busy API's uploads)."""

    def __init__(self, limits, folder):   # limits: boundary.Limits
        self.limits, self.folder = limits, Path(folder)
        self.lock = threading.Lock()
        self.sent = defaultdict(deque)     # client -> (time, bytes) of the last minute
        self.sent_bytes = defaultdict(int)  # client -> their sum
        self.files = {}                    # path -> (time, bytes, client), oldest first
        self.held = defaultdict(int)       # client -> bytes of their files held
        self.total = 0                     # bytes of every file held

    def free_disk(self):
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            return shutil.disk_usage(self.folder).free
        except OSError:
            return 0

    def admit(self, client, nbytes, now=None):
        """None if `client` may upload `nbytes` now, else the sentence refusing it."""
        now = time.monotonic() if now is None else now
        lim = self.limits
        with self.lock:
            sent = self.sent[client]
            while sent and now - sent[0][0] > 60:
                self.sent_bytes[client] -= sent.popleft()[1]
            if self.sent_bytes[client] + nbytes > lim.upload_per_minute:
                return UPLOAD_RATE
            if self.held[client] + nbytes > lim.upload_held:
                return UPLOAD_HELD
            sent.append((now, nbytes))
            self.sent_bytes[client] += nbytes
        self.sweep(now, room=nbytes)
        if self.free_disk() - nbytes < lim.disk_floor:
            return DISK_LOW
        return None

    def record(self, client, paths, now=None):
        now = time.monotonic() if now is None else now
        with self.lock:
            for p in paths:
                try:
                    size = os.path.getsize(p)
                except OSError:
                    continue
                self._forget(str(p))             # the same content again: it moves to the end
                self.files[str(p)] = (now, size, client)
                self.held[client] += size
                self.total += size

    def forget(self, path):
        """Take a file off the ledger (the caller deletes it)."""
        with self.lock:
            self._forget(str(path))

    def _forget(self, path):
        entry = self.files.pop(path, None)
        if entry is not None:
            _, size, client = entry
            self.total -= size
            self.held[client] -= size
            if self.held[client] <= 0:
                del self.held[client]

    def sweep(self, now=None, room=0):
        """Remove expired uploads, then the oldest while all uploads exceed the cache cap or the
        disk is under its floor (+ `room` bytes about to arrive). Only the oldest are looked at."""
        now = time.monotonic() if now is None else now
        doomed = []
        with self.lock:
            total = self.total
            for p, (t, size, _) in self.files.items():   # oldest first: the expired ones lead
                if now - t <= self.limits.retention and total + room <= self.limits.upload_cache:
                    break
                doomed.append(p)
                total -= size
            for p in doomed:
                self._forget(p)
        for p in doomed:
            remove(p)
        while self.files and self.free_disk() - room < self.limits.disk_floor:
            with self.lock:
                oldest = next(iter(self.files), None)
                if oldest is None:
                    break
                self._forget(oldest)
            remove(oldest)

    def sweep_outputs(self, now=None):
        """Files in the cache folder that are not uploads (Gradio's copies of answers' pictures):
        remove those older than `retention`, then the oldest while over `cache_bytes` or
        `cache_files`. Returns (files, bytes) kept."""
        now = time.time() if now is None else now
        found = []
        try:
            for entry in os.scandir(self.folder):
                for f in os.scandir(entry.path) if entry.is_dir(follow_symlinks=False) else [entry]:
                    if f.is_file(follow_symlinks=False) and f.path not in self.files:
                        st = f.stat(follow_symlinks=False)
                        found.append((st.st_mtime, st.st_size, f.path))
        except OSError:
            return 0, 0
        found.sort()
        total, count = sum(size for _, size, _ in found), len(found)
        for mtime, size, path in found:
            if now - mtime <= self.limits.retention and total <= self.limits.cache_bytes \
                    and count <= self.limits.cache_files:
                break
            remove(path)
            total, count = total - size, count - 1
        return count, total

    def sweeper(self, every=5.0):
        """A daemon thread that sweeps every `every` s."""
        def run():
            while True:
                time.sleep(every)
                try:
                    self.sweep()
                    self.sweep_outputs()
                except Exception as err:  # the sweeper must outlive any one bad file
                    say("sweep", f"upload sweep failed: {err}")
        t = threading.Thread(target=run, name="lenet-upload-sweeper", daemon=True)
        t.start()
        return t


def remove(path):
    """Delete an uploaded file and its folder if that is now empty (Gradio makes one per file)."""
    p = Path(path)
    try:
        p.unlink(missing_ok=True)
        p.parent.rmdir()
    except OSError:
        pass

