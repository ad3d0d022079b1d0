"""What one visitor may cost the server: every number the gate enforces, in one place, each
overridable at start by an environment variable (LENET_<FIELD>; sizes in MB) for a hosted Space
or a test. The gate's modules read them; nothing here enforces anything."""
import os
from dataclasses import dataclass, fields

MB = 2**20
SIZES = ("max_json", "upload_per_minute", "upload_held", "upload_cache", "disk_floor", "cache_bytes")


@dataclass(frozen=True)
class Limits:
    # bodies
    max_json: int = MB // 2                # well above a pad update's largest (readings.pad.MAX_VALUE)
    max_depth: int = 32                    # nesting of a JSON body (the page sends 4 levels)
    # uploads (uploads.py)
    upload_per_minute: int = 40 * MB       # per visitor: two of the largest pictures lenet reads
    upload_held: int = 60 * MB             # per visitor, until `retention` removes them
    upload_cache: int = 512 * MB           # every visitor's uploads together
    disk_floor: int = 1024 * MB            # uploads pause, and the oldest files go, below this free disk
    retention: float = 600.0               # s an upload or an output file is kept
    cache_bytes: int = 256 * MB            # files Gradio writes for answers (pictures, galleries)
    cache_files: int = 4000                # ... and how many of them
    # queued events (fair_queue.py)
    waiting_per_client: int = 32           # queued events per visitor
    waiting_per_session: int = 6           # queued events per page (a real page has 1-3)
    # sessions and streams (boundary.py)
    sessions_per_minute: int = 240         # new sessions per visitor (a page makes one; a script more)
    room_sessions_per_minute: int = 2400   # ... per address that stands for a room (visitors.known)
    streams_per_client: int = 32           # open event streams (heartbeat, queue data) per visitor
    room_streams: int = 1200               # ... per address that stands for a room
    # request rate (rate.py): a page sends at most ~10 a second while drawing, a burst on loading
    requests_per_second: float = 20.0      # per visitor; over it, requests wait their turn
    request_burst: float = 60.0            # ... after this many at once
    request_wait: float = 5.0              # s a request may wait its turn before it is refused
    room_rate: float = 100.0               # rate and burst x this for an address that stands for a room
    # connections (server.py)
    header_timeout: float = 10.0           # s to send a request's line and headers
    body_timeout: float = 30.0             # s to send its body (a 20 MB upload at ~5 Mbit/s)
    idle_timeout: float = 5.0              # s a kept-alive connection may sit idle
    max_connections: int = 2000            # open connections in all (also kept under the fd limit)

    @classmethod
    def from_env(cls, env=os.environ):
        values = {}
        for f in fields(cls):
            raw = env.get("LENET_" + f.name.upper())
            if raw:
                values[f.name] = type(f.default)(float(raw) * (MB if f.name in SIZES else 1))
        return cls(**values)
