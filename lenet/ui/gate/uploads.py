"""The upload ledger: who uploaded which file when, the per-client budgets (bytes per minute,
bytes held), the cap on all uploads together and the free-disk floor; expired uploads and, when
room is needed, the oldest are deleted (issue 14: one client stored 190 MB/s through Gradio's
upload route, and Gradio removes files only after 13-15 minutes). Used by boundary.Boundary."""
import os
import shutil
import sys
import threading
import time
from collections import defaultdict, deque
from pathlib import Path

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

    def sweeper(self, every=5.0):
        """A daemon thread that sweeps every `every` s."""
        def run():
            while True:
                time.sleep(every)
                try:
                    self.sweep()
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


_said = {}


def say(kind, line, every=60.0):
    """One line on stderr, at most once per `every` s per kind: an attack must not flood the log."""
    now = time.monotonic()
    if now - _said.get(kind, -every) >= every:
        _said[kind] = now
        print(f"boundary: {line}", file=sys.stderr, flush=True)
