"""lenet/ui/gate/tuning.py and the first lines of lenet/__init__.py: the serving process's settings are in
place before the libraries they tune load. Checked in a fresh interpreter with an import hook that
records the environment at the moment numpy (OpenBLAS) and gradio are first imported."""
import json
import subprocess
import sys

PROBE = r"""
import json, os, sys
seen = {}
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in ("numpy", "gradio") and name not in seen:
            seen[name] = {k: os.environ.get(k) for k in
                          ("OPENBLAS_NUM_THREADS", "GRADIO_ANALYTICS_ENABLED", "GRADIO_ANALYTICS_MAX_EVENTS")}
        return None
sys.meta_path.insert(0, Watch())
for k in ("OPENBLAS_NUM_THREADS", "GRADIO_ANALYTICS_ENABLED", "GRADIO_ANALYTICS_MAX_EVENTS"):
    os.environ.pop(k, None)
import lenet.ui.gate.tuning
from lenet.ui import page
import gradio
print(json.dumps(seen))
"""


def test_openblas_has_one_thread_before_numpy_loads(root):
    # app.py's first import is lenet.ui.gate.tuning, which imports lenet (and numpy) first: the setting
    # must come from lenet/__init__.py's first lines (it did not: 100 people, read_pad 3 -> 32 ms)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["numpy"]["OPENBLAS_NUM_THREADS"] == "1"
    assert seen["gradio"]["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert seen["gradio"]["GRADIO_ANALYTICS_MAX_EVENTS"] == "200"
