"""Process tuning for serving: environment and allocator settings that must be in place before
numpy and Gradio are imported. app.py imports this module first; it has no other job."""
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry / version check, before gradio loads
# Gradio's queue keeps a record of the last 10,000 events for a monitoring dashboard this app does not
# open, and rebuilds a pandas summary of all of them after every event: a cost growing with every
# stroke under a room's load. Keep 200 records, summarised never.
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "200")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**62))
# OpenBLAS's thread count is set in lenet/__init__.py, which runs before this file (and before numpy).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter off the console


def bound_malloc_arenas(arenas=2):
    """glibc gives each thread that allocates its own malloc arena (up to 8 per core), and each
    keeps the memory it once held, so the server's resident memory creeps up under many clients;
    with 2 arenas it levels off. Same as MALLOC_ARENA_MAX=2, but it also applies when
    a host runs `python app.py` directly. No effect (and no error) off glibc."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8 = M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def keep_freed_memory(mmap_threshold=16 * 2**20, trim_threshold=64 * 2**20):
    """For the prediction process (worker.py), which reads one small picture after another: glibc
    gives a freed block over its mmap threshold back to the system, so every reading of a
    400x400 picture page-faulted its arrays in again, in the kernel. Blocks up to `mmap_threshold`
    stay in the heap (and `trim_threshold` free at its top before it is trimmed), which cuts the
    child's system CPU a request (docs/performance.md). What it keeps is bounded by
    the largest picture it reads (decode.HEAVY_PIXELS; heavier ones are read by decoder.py's
    own process). No effect (and no error) off glibc."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, mmap_threshold)   # M_MMAP_THRESHOLD (also stops its dynamic changes)
        libc.mallopt(-1, trim_threshold)   # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


bound_malloc_arenas()
