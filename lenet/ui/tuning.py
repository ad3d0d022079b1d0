"""Process tuning for serving: environment and allocator settings that must be in place before
numpy and Gradio are imported. app.py imports this module first; it has no other job."""
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry / version check, before gradio loads
# Gradio's queue keeps a record of the last 10,000 events for a monitoring dashboard this app does not
# open, and rebuilds a pandas summary of all of them after every event: under a room's load that was
# ~8 % of the server's CPU, growing with every stroke. Keep 200 records, summarised never.
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "200")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**62))
# OpenBLAS's thread count is set in lenet/__init__.py, which runs before this file (and before numpy).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter off the console


def bound_malloc_arenas(arenas=2):
    """glibc gives each thread that allocates its own malloc arena (up to 8 per core), and each
    keeps the memory it once held: under 16 clients the server's resident memory crept up ~30 MB
    in 90 s; with 2 arenas ~20 MB, then flat. Same as MALLOC_ARENA_MAX=2, but it also applies when
    a host runs `python app.py` directly. No effect (and no error) off glibc."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8 = M_ARENA_MAX
    except (OSError, AttributeError):
        pass


bound_malloc_arenas()
